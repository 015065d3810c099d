"""choujian-draw-v1 sampler: known answers, the spec's properties, and every validation rule.

No database. `spec_*` below is a second, literal implementation of the spec (a few lines each), against which
the optimised `sampler.draw` is checked.
"""

import hashlib
import math
import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from choujian.draws import sampler
from choujian.draws.sampler import DrawError, FrameError, FrameItem, SeedError

SEED = "8c2f0e7a41b93d65" * 4


# --- A literal implementation of the spec, for comparison ---------------------------------------------------


def spec_digest(frame: list[tuple[str, int, str]]) -> str:
    text = "".join(f"{i}\t{w}\t{s}\n" for i, w, s in sorted(frame))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def spec_key(seed: str, item_id: str, weight: int) -> float:
    t = int.from_bytes(hashlib.sha256(f"{seed},{item_id}".encode()).digest(), "big")
    u = ((t >> 203) + 0.5) / 2**53
    return -math.log(u) / weight


def spec_ranking(frame: list[tuple[str, int, str]], seed: str, stratum: str = "") -> list[str]:
    members = [(spec_key(seed, i, w), i) for i, w, s in frame if s == stratum]
    return [i for _, i in sorted(members)]


def items_of(frame: list[tuple[str, int, str]]) -> list[FrameItem]:
    return [FrameItem(i, w, s) for i, w, s in frame]


# --- Known answers ------------------------------------------------------------------------------------------

SMALL_FRAME = [
    ("91350100MA2XN0001A/P0001", 1, "350102"),
    ("91350100MA2XN0001A/P0002", 3, "350102"),
    ("91350100MA2XN0002B/P0001", 1, "350102"),
    ("91350100MA2XN0003C/P0001", 2, "350103"),
    ("91350100MA2XN0004D/P0001", 1, "350103"),
    ("91350100MA2XN0005E/P0001", 5, "350103"),
    ("91350100MA2XN0006F/P0001", 1, "350103"),
    ("福州市鼓楼区某某食品厂/酱油", 2, "350102"),
]


def test_known_answer_matches_literal_spec() -> None:
    items = items_of(SMALL_FRAME)
    quotas = {"350102": 2, "350103": 1}
    result = sampler.draw(items, SEED, quotas)
    assert sampler.frame_digest(items) == spec_digest(SMALL_FRAME)
    assert sampler.canonical_frame_text(items).startswith("91350100MA2XN0001A/P0001\t1\t350102\n")
    for stratum, quota in quotas.items():
        ranking = spec_ranking(SMALL_FRAME, SEED, stratum)
        assert result.selected[stratum] == ranking[:quota]
        assert result.alternates[stratum] == ranking[quota:]
    assert result.shortfall == {}
    for i, w, _ in SMALL_FRAME:
        assert sampler.item_key(SEED, FrameItem(i, w)) == spec_key(SEED, i, w)


def test_known_answer_pinned() -> None:
    """Fixed values, so that any change to the algorithm (in both implementations at once) shows."""
    frame = [("A", 1, ""), ("B", 2, ""), ("C", 1, ""), ("D", 4, ""), ("E", 1, "")]
    seed = "01234567890123456789"
    assert sampler.canonical_frame_text(items_of(frame)) == "A\t1\t\nB\t2\t\nC\t1\t\nD\t4\t\nE\t1\t\n"
    assert sampler.frame_digest(items_of(frame)) == PINNED_DIGEST
    result = sampler.draw(items_of(frame), seed, {"": 2})
    assert result.selected[""] + result.alternates[""] == spec_ranking(frame, seed) == PINNED_RANKING
    assert result.selected[""] == PINNED_RANKING[:2]


PINNED_DIGEST = "797c4ad25150be164117279fbf0330c248f750163377a4001ab7e13bedb32269"
PINNED_RANKING = ["D", "C", "B", "A", "E"]


def test_u_from_digest_bytes_matches_the_spec_at_the_edges() -> None:
    """The bulk byte trick gives the spec's u bit for bit, including u = 1.0 and the smallest u."""
    rng = random.Random(7)
    digests = [b"\xff" * 32, bytes(32), b"\x80" + bytes(31), b"\x7f" + b"\xff" * 31]
    digests += [bytes(7) + bytes([b]) + bytes(24) for b in range(0, 256, 17)]  # low bits of x and below
    digests += [
        struct.pack(">Q", (k << 11) | low) + bytes(24)
        for k in (2**52 - 1, 2**52, 2**53 - 1)
        for low in (0, 1023, 1024, 2047)
    ]
    digests += [rng.randbytes(32) for _ in range(2000)]
    u_values = sampler.u_values(b"".join(digests)).tolist()
    for digest, u in zip(digests, u_values, strict=True):
        t = int.from_bytes(digest, "big")
        assert u == ((t >> 203) + 0.5) / 2**53


def test_equal_keys_are_ranked_by_id() -> None:
    ids = ["a", "b", "c", "d"]
    assert sampler._ranked(ids, [0.25, 0.5, 0.25, 0.5]) == ["b", "d", "a", "c"]
    assert sampler._ranked(ids, [0.5, 0.5, 0.125, 0.5]) == ["a", "b", "d", "c"]
    # Equal keys from different u and weights: -ln(0.25)/2 == -ln(0.5)/1 (exactly, in IEEE-754).
    assert sampler._ranked(ids, [0.25, 0.5, 0.9, 0.5], [2, 1, 1, 1]) == ["c", "a", "b", "d"]


# --- Properties -----------------------------------------------------------------------------------------------

ids = st.text(st.characters(codec="utf-8", exclude_characters="\t\n\r"), min_size=1, max_size=12)
weights = st.one_of(st.integers(1, 10), st.sampled_from([1, 2**20, 2**53]))
strata = st.sampled_from(["", "350102", "350103", "食品/3501"])
frames = st.lists(st.tuples(ids, weights, strata), max_size=60, unique_by=lambda t: t[0])
seeds = st.text(st.characters(codec="utf-8"), min_size=20, max_size=40)


def all_quotas(frame, rng: random.Random) -> dict[str, int]:
    return {s: rng.randrange(0, 8) for s in {s for _, _, s in frame} | {""}}


@settings(max_examples=150, deadline=None)
@given(frames, seeds, st.randoms(use_true_random=False))
def test_draw_equals_the_literal_spec(frame, seed, rng) -> None:
    quotas = all_quotas(frame, rng)
    result = sampler.draw(items_of(frame), seed, quotas)
    assert list(result.selected) == sorted(quotas) == list(result.alternates)
    for stratum, quota in quotas.items():
        ranking = spec_ranking(frame, seed, stratum)
        assert result.selected[stratum] == ranking[:quota]
        assert result.alternates[stratum] == ranking[quota:]  # alternates continue the ranking
        assert result.shortfall.get(stratum, 0) == max(0, quota - len(ranking))
    assert sampler.frame_digest(items_of(frame)) == spec_digest(frame)


@settings(max_examples=100, deadline=None)
@given(frames, seeds, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_frame_order(frame, seed, rng) -> None:
    quotas = all_quotas(frame, rng)
    shuffled = frame[:]
    rng.shuffle(shuffled)
    assert sampler.draw(items_of(shuffled), seed, quotas) == sampler.draw(items_of(frame), seed, quotas)
    assert sampler.frame_digest(items_of(shuffled)) == sampler.frame_digest(items_of(frame))


@settings(max_examples=100, deadline=None)
@given(frames, seeds, st.integers(0, 30), st.integers(0, 30))
def test_raising_a_quota_only_appends(frame, seed, low, extra) -> None:
    frame = [(i, w, "") for i, w, _ in frame]
    small = sampler.draw(items_of(frame), seed, {"": low})
    large = sampler.draw(items_of(frame), seed, {"": low + extra})
    assert large.selected[""][: len(small.selected[""])] == small.selected[""]
    assert small.selected[""] + small.alternates[""] == large.selected[""] + large.alternates[""]


def test_large_stratified_draw_equals_the_literal_spec() -> None:
    rng = random.Random(2026)
    frame = [(f"913501{n:012d}/P{n % 7}", rng.randint(1, 9), rng.choice("ABCDE")) for n in range(20_000)]
    rng.shuffle(frame)
    quotas = {s: 25 for s in "ABCDE"}
    result = sampler.draw(items_of(frame), SEED, quotas)
    for stratum in quotas:
        assert result.selected[stratum] + result.alternates[stratum] == spec_ranking(frame, SEED, stratum)


def chi_square(counts: list[int], probabilities: list[float]) -> float:
    total = sum(counts)
    return sum((c - total * p) ** 2 / (total * p) for c, p in zip(counts, probabilities, strict=True))


def selection_counts(weights_: list[int], draws: int, tag: str) -> list[int]:
    items = [FrameItem(f"item-{n}", w) for n, w in enumerate(weights_)]
    counts = [0] * len(items)
    for k in range(draws):
        (chosen,) = sampler.draw(items, f"{tag}-seed-{k:06d}-fixed", {"": 1}).selected[""]
        counts[int(chosen.removeprefix("item-"))] += 1
    return counts


def test_equal_weights_give_a_uniform_draw() -> None:
    counts = selection_counts([1] * 10, 5000, "uniform")
    assert chi_square(counts, [0.1] * 10) < 27.88  # 0.999 quantile, 9 degrees of freedom; seeds are fixed


def test_uniform_without_replacement_over_pairs() -> None:
    items = [FrameItem(f"item-{n}") for n in range(5)]
    counts: dict[tuple[str, ...], int] = {}
    for k in range(3000):
        pair = tuple(sorted(sampler.draw(items, f"pairs-seed-{k:06d}-fixed", {"": 2}).selected[""]))
        counts[pair] = counts.get(pair, 0) + 1
    assert len(counts) == 10 and all(len(set(pair)) == 2 for pair in counts)
    assert chi_square(list(counts.values()), [0.1] * 10) < 27.88


def test_chance_grows_with_weight() -> None:
    counts = selection_counts([1, 2, 4, 8], 4000, "weighted")
    assert counts[0] < counts[1] < counts[2] < counts[3]
    # Selecting one item with exponential keys picks item i with probability w_i / sum(w).
    assert chi_square(counts, [1 / 15, 2 / 15, 4 / 15, 8 / 15]) < 16.27  # 0.999 quantile, 3 d.o.f.


# --- Quotas and shortfall -------------------------------------------------------------------------------------


def test_shortfall_is_reported() -> None:
    items = items_of([("a", 1, "x"), ("b", 1, "x"), ("c", 1, "y")])
    result = sampler.draw(items, SEED, {"x": 5, "y": 1, "z": 2})
    assert sorted(result.selected["x"]) == ["a", "b"] and result.alternates["x"] == []
    assert result.selected["z"] == [] and result.alternates["z"] == []
    assert result.shortfall == {"x": 3, "z": 2}


def test_quota_zero_ranks_everything_as_alternates() -> None:
    items = items_of(SMALL_FRAME)
    result = sampler.draw(items, SEED, {"350102": 0, "350103": 0})
    assert result.selected == {"350102": [], "350103": []}
    assert result.alternates["350103"] == spec_ranking(SMALL_FRAME, SEED, "350103")


def test_stratum_without_quota_is_an_error() -> None:
    with pytest.raises(DrawError, match=r"'91350100MA2XN0003C/P0001' is in stratum '350103', which has no quota"):
        sampler.draw(items_of(SMALL_FRAME), SEED, {"350102": 1})
    with pytest.raises(DrawError, match="has no quota"):
        sampler.draw([FrameItem("a")], SEED, {"x": 1})


@pytest.mark.parametrize("quotas", [{"": -1}, {"": True}, {"": 1.0}, {"": "2"}, {"a\tb": 1}, [("", 1)]])
def test_bad_quotas(quotas) -> None:
    with pytest.raises(DrawError):
        sampler.draw([FrameItem("a")], SEED, quotas)


def test_empty_frame() -> None:
    assert sampler.draw([], SEED, {"": 2}) == sampler.DrawResult({"": []}, {"": []}, {"": 2})
    assert sampler.frame_digest([]) == hashlib.sha256(b"").hexdigest()


# --- Frame validation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("",), "empty id"),
        (("a\tb",), "'a\\\\tb': id 'a\\\\tb' contains a TAB"),
        (("a\nb",), "contains a LF"),
        (("a\rb",), "contains a CR"),
        (("x\ud800",), "UTF-8"),
        ((7,), "id must be a string"),
        (("a", 0), "'a': weight must be an integer from 1 to 2\\*\\*53, got 0"),
        (("a", -3), "from 1 to 2"),
        (("a", 2**53 + 1), "from 1 to 2"),
        (("a", True), "'a': weight must be an integer, got True"),
        (("a", 1.0), "weight must be an integer"),
        (("a", "2"), "weight must be an integer"),
        (("a", 1, "x\ty"), "'a': stratum 'x\\\\ty' contains a TAB"),
        (("a", 1, "x\n"), "stratum .* LF"),
        (("a", 1, None), "stratum must be a string"),
    ],
)
def test_frame_item_validation(args, message) -> None:
    with pytest.raises(FrameError, match=message):
        FrameItem(*args)


def test_frame_item_normalises_subclasses() -> None:
    class Id(str):
        pass

    item = FrameItem(Id("a"), weight=__import__("enum").IntEnum("W", "LOW HIGH").HIGH)
    assert type(item.id) is str and type(item.weight) is int and item.weight == 2
    with pytest.raises(AttributeError):
        item.weight = 3  # frozen


def test_duplicate_ids_are_rejected() -> None:
    items = [FrameItem("b"), FrameItem("a", 2), FrameItem("b", 1, "x")]
    for call in (sampler.frame_digest, sampler.canonical_frame_text, lambda i: sampler.draw(i, SEED, {"": 1})):
        with pytest.raises(FrameError, match="duplicate id 'b'"):
            call(items)


def test_frame_needs_frame_items() -> None:
    with pytest.raises(FrameError, match="FrameItem"):
        sampler.frame_digest([FrameItem("a"), ("b", 1, "")])


def test_ids_sort_by_code_point() -> None:
    items = items_of([("b", 1, ""), ("B", 1, ""), ("é", 1, ""), ("z", 1, ""), ("中", 1, ""), ("😀", 1, "")])
    order = [line.split("\t")[0] for line in sampler.canonical_frame_text(items).splitlines()]
    assert order == ["B", "b", "z", "é", "中", "😀"]


# --- Seeds ----------------------------------------------------------------------------------------------------


def test_ceremony_seed_and_commitments() -> None:
    digest = sampler.frame_digest(items_of(SMALL_FRAME))
    secrets = {"王五": "dice 6 2 3 3 1 5 4 4", "regulator": "r-secret-0001", "Zhang": "z-secret-0002"}
    expected = hashlib.sha256(
        "\n".join([digest, secrets["Zhang"], secrets["regulator"], secrets["王五"]]).encode()
    ).hexdigest()
    assert sampler.ceremony_seed(digest, secrets) == expected
    assert sampler.ceremony_seed(digest, dict(reversed(secrets.items()))) == expected  # order of the dict is moot
    for secret in secrets.values():
        commitment = sampler.commitment(secret)
        assert commitment == hashlib.sha256(secret.encode()).hexdigest()
        assert sampler.check_reveal(commitment, secret)
        assert not sampler.check_reveal(commitment, secret + " ")
        assert not sampler.check_reveal(commitment.upper(), secret)
        assert not sampler.check_reveal(commitment, None)
    with pytest.raises(SeedError, match="at least one"):
        sampler.ceremony_seed(digest, {})
    with pytest.raises(SeedError, match="64 lowercase hex"):
        sampler.ceremony_seed(digest.upper(), secrets)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 1 4 1 5 9 2 6 5", "at least 20 characters"),
        (" 31415926535897932384", "white space"),
        ("31415926535897932384\n", "white space"),
        (31415926535897932384, "must be a string"),
    ],
)
def test_external_seed_rules(text, message) -> None:
    with pytest.raises(SeedError, match=message):
        sampler.external_seed(text)


def test_external_seed_is_returned_unchanged() -> None:
    assert sampler.external_seed("6 2 3 3 1 5 4 4 2 6 1 1") == "6 2 3 3 1 5 4 4 2 6 1 1"


def test_draw_needs_a_seed_of_20_characters() -> None:
    with pytest.raises(SeedError, match="at least 20"):
        sampler.draw([FrameItem("a")], "short", {"": 1})


def test_inspector_seed() -> None:
    assert sampler.inspector_seed(SEED, "RW-2026-000123") == f"{SEED}/RW-2026-000123"
    with pytest.raises(SeedError):
        sampler.inspector_seed(SEED, "")


# --- Records --------------------------------------------------------------------------------------------------


def ceremony_record(**changes) -> dict:
    items = items_of(SMALL_FRAME)
    secrets = {"李四": "li-si-secret-7781", "张三": "zhang-san-secret-2290"}
    seed = sampler.ceremony_seed(sampler.frame_digest(items), secrets)
    arguments = {
        "purpose": "enterprises",
        "items": items,
        "quotas": {"350103": 2, "350102": 1},
        "seed": seed,
        "seed_source": {
            "secrets": secrets,
            "kind": "ceremony",
            "commitments": {name: sampler.commitment(s) for name, s in secrets.items()},
        },
        "created_at": "2026-03-05T09:30:00Z",
    }
    return sampler.build_record(**(arguments | changes))


def test_record_shape_and_text() -> None:
    record = ceremony_record()
    assert list(record) == [
        "algorithm", "purpose", "frame_digest", "frame", "quotas", "seed", "seed_source", "selected",
        "alternates", "created_at",
    ]  # fmt: skip
    assert record["algorithm"] == "choujian-draw-v1"
    assert [entry["id"] for entry in record["frame"]] == sorted(i for i, _, _ in SMALL_FRAME)
    assert list(record["frame"][0]) == ["id", "weight", "stratum"]
    assert list(record["quotas"]) == ["350102", "350103"]
    assert list(record["seed_source"]) == ["kind", "commitments", "secrets"]
    assert list(record["seed_source"]["secrets"]) == ["张三", "李四"]  # code point order: 张 U+5F20 < 李 U+674E
    text = sampler.record_json(record)
    assert text.startswith('{\n  "algorithm": "choujian-draw-v1",\n  "purpose": "enterprises",\n')
    assert "福州市鼓楼区某某食品厂/酱油" in text and not text.endswith("\n")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seed": "f" * 64}, "is not the ceremony seed"),
        ({"created_at": "2026-03-05 09:30"}, "created_at"),
        ({"purpose": ""}, "purpose"),
        ({"seed_source": {"kind": "lottery"}}, "unknown seed_source kind"),
        ({"seed_source": {"kind": "external"}, "seed": " 1234567890123456789012"}, "white space"),
        ({"seed_source": {"kind": "derived", "plan_seed": SEED, "task": "RW-1"}}, "derived seed"),
    ],
)
def test_record_rejects_inconsistent_seeds(changes, message) -> None:
    with pytest.raises(ValueError, match=message):
        ceremony_record(**changes)


def test_record_rejects_a_wrong_secret() -> None:
    secrets = {"李四": "li-si-secret-7781", "张三": "zhang-san-secret-2290"}
    source = {
        "kind": "ceremony",
        "commitments": {name: sampler.commitment(s) for name, s in secrets.items()},
        "secrets": secrets | {"张三": "something else"},
    }
    with pytest.raises(SeedError, match="commitment of 张三 does not match"):
        ceremony_record(seed_source=source)
    with pytest.raises(SeedError, match="same participants"):
        ceremony_record(seed_source=source | {"secrets": {"李四": secrets["李四"]}})


def test_derived_and_external_records() -> None:
    seed = sampler.inspector_seed(SEED, "RW-2026-000001")
    record = ceremony_record(seed=seed, seed_source={"task": "RW-2026-000001", "plan_seed": SEED, "kind": "derived"})
    assert list(record["seed_source"]) == ["kind", "plan_seed", "task"]
    record = ceremony_record(
        seed="6 2 3 3 1 5 4 4 2 6 1 1", seed_source={"kind": "external", "description": "掷骰 12 次"}
    )
    assert record["seed_source"] == {"kind": "external", "description": "掷骰 12 次"}


def spec_ranked(ids: list[str], u_values: list[float], weights: list[int]) -> list[str]:
    return [i for _, i in sorted((-math.log(u) / w, i) for i, u, w in zip(ids, u_values, weights, strict=True))]


@settings(max_examples=200, deadline=None)
@given(st.randoms(use_true_random=False))
def test_keys_closer_than_numpys_log_can_tell_are_ranked_exactly(rng) -> None:
    """Runs of u one or two units in the last place apart, some with weights making the keys equal, rank as the spec."""
    u_values, weights = [], []
    for _ in range(rng.randrange(1, 30)):
        u = rng.uniform(1e-12, 1.0 - 1e-12)
        for _ in range(rng.randrange(1, 4)):
            u_values.append(u)
            weights.append(rng.choice([1, 1, 2, 3]))
            u = math.nextafter(u, rng.choice([0.0, 1.0]))
    u_values.append(0.25)
    weights.append(2)
    u_values.append(0.5)  # -ln(0.25)/2 == -ln(0.5)/1: equal keys, ranked by id
    weights.append(1)
    ids = sorted(f"id{k:04d}" for k in range(len(u_values)))
    assert sampler._ranked(ids, u_values, weights) == spec_ranked(ids, u_values, weights)


def test_numpys_log_stays_far_inside_the_closeness_margin() -> None:
    import numpy as np

    rng = random.Random(11)
    u = [
        ((x >> 11) + 0.5) / 2**53
        for x in [0, 1, 2**64 - 1, 2**63, 2**63 - 1] + [rng.getrandbits(64) for _ in range(20000)]
    ]
    approx = (-np.log(np.array(u))).tolist()
    for value, estimate in zip(u, approx, strict=True):
        exact = -math.log(value)
        assert abs(estimate - exact) <= exact * 2.0**-45
