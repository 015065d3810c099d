"""The control group of a plan weighed by risk scores: its share of each quota and which items belong to it."""

from hypothesis import given
from hypothesis import strategies as st

from choujian.draws.frames import holdout_fraction, holdout_quotas, score_weight
from choujian.planning.choices import holdout_stratum, is_holdout

quotas = st.dictionaries(st.text(st.characters(blacklist_characters="\t\n\r"), min_size=1, max_size=8),
                         st.integers(0, 500), max_size=6)  # fmt: skip


@given(quotas, st.integers(0, 50))
def test_the_split_keeps_every_quota_and_holds_out_the_share_rounded_half_up(original, percent):
    split = holdout_quotas(original, percent)
    for stratum, quota in original.items():
        held = split.get(holdout_stratum(stratum), 0)
        assert split[stratum] + held == quota
        assert held == (quota * percent + 50) // 100
        assert is_holdout(holdout_stratum(stratum))


def test_a_quota_of_five_at_twenty_percent_keeps_one_for_the_control_group():
    assert holdout_quotas({"JT-0307": 5, "JT-0403/350100": 2}, 20) == {
        "JT-0307": 4, "JT-0307·对照": 1, "JT-0403/350100": 2
    }  # fmt: skip


@given(st.text(max_size=30), st.text(min_size=1, max_size=60))
def test_membership_is_a_fixed_uniform_number_of_the_plan_and_the_item(plan, item):
    value = holdout_fraction(plan, item)
    assert 0 <= value < 1 and value == holdout_fraction(plan, item)
    assert not is_holdout(item) or item.endswith("·对照")


def test_membership_is_the_documented_hash():
    import hashlib

    digest = hashlib.sha256(b"choujian-holdout-v1\tJH20260007\t91350100MA2XYZ1234/P/abc").digest()
    assert holdout_fraction("JH20260007", "91350100MA2XYZ1234/P/abc") == int.from_bytes(digest[:8], "big") / 2**64


def test_about_the_share_of_a_large_frame_lands_in_the_control_group():
    inside = sum(holdout_fraction("JH20260001", f"item-{n}") < 0.2 for n in range(20_000))
    assert 3_800 < inside < 4_200


@given(st.floats(0, 1))
def test_a_score_becomes_an_integer_weight_of_at_least_one(score):
    weight = score_weight(score)
    assert isinstance(weight, int) and weight >= 1 and abs(weight - max(1, score * 1000)) <= 1
