"""Limits, both comparison methods of GB/T 8170 §4, combination of replicates, and the product's judgment."""

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from choujian.rules.judgment import (
    EACH,
    FAIL,
    FULL,
    INCOMPLETE,
    MAX,
    MEAN,
    MEDIAN,
    MIN,
    PASS,
    ROUNDED,
    ItemRule,
    RuleError,
    evaluate,
    judge_category,
    judge_item,
    parse_limit,
)

D = Decimal


@pytest.mark.parametrize(
    ("text", "low", "low_inclusive", "high", "high_inclusive"),
    [
        (">=97.0", D("97.0"), True, None, True),
        (">97.0", D("97.0"), False, None, True),
        ("<=2.5", None, True, D("2.5"), True),
        ("<2.5", None, True, D("2.5"), False),
        ("≥260", D("260"), True, None, True),
        ("≤ -45", None, True, D("-45"), True),
        ("＞5", D("5"), False, None, True),
        ("不小于 1.25", D("1.25"), True, None, True),
        ("不大于1.30", None, True, D("1.30"), True),
        ("60~80", D("60"), True, D("80"), True),
        ("60～80", D("60"), True, D("80"), True),
        ("-1.5~+1.0", D("-1.5"), True, D("1.0"), True),
        ("-90 ~ +120", D("-90"), True, D("120"), True),
        ("195±10", D("185"), True, D("205"), True),
        ("4.00 ± 0.18", D("3.82"), True, D("4.18"), True),
    ],
)
def test_it_parses_every_written_form_of_a_numeric_limit(text, low, low_inclusive, high, high_inclusive):
    limit = parse_limit(text)
    assert (limit.low, limit.high) == (low, high)
    if low is not None:
        assert limit.low_inclusive is low_inclusive
    if high is not None:
        assert limit.high_inclusive is high_inclusive
    assert not limit.qualitative


def test_ranges_and_tolerances_are_closed_and_one_sided_limits_respect_their_sign():
    assert parse_limit("60~80").contains(D("60")) and parse_limit("60~80").contains(D("80"))
    assert not parse_limit("60~80").contains(D("80.01"))
    assert parse_limit("195±10").contains(D("205")) and not parse_limit("195±10").contains(D("205.1"))
    assert parse_limit(">=97.0").contains(D("97.0")) and not parse_limit(">97.0").contains(D("97.0"))
    assert parse_limit("<=2.5").contains(D("2.5")) and not parse_limit("<2.5").contains(D("2.5"))


def test_it_reads_qualitative_limits():
    assert parse_limit("qualitative").qualitative
    assert parse_limit("定性").qualitative


def test_a_limits_place_is_its_default_rounding_step():
    assert parse_limit(">=97.0").default_step() == D("0.1")
    assert parse_limit(">=260").default_step() == D("1")
    assert parse_limit("0.0010~0.99").default_step() == D("0.0001")
    assert parse_limit("4.00±0.18").default_step() == D("0.01")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "无法识别"),
        (">=", "无法识别"),
        (">=abc", "无法识别"),
        ("", "不能为空"),
        ("   ", "不能为空"),
        ("80~60", "下限大于上限"),
        ("60~", "范围应写成"),
        ("1~2~3", "无法识别"),
        ("±5", "无法识别"),
        ("5±-1", "不能为负"),
        (">=1e3", "无法识别"),
        ("97.0", "无法识别"),
        ("x" * 200, "过长"),
        (97, "应为文字"),
        (None, "应为文字"),
    ],
)
def test_it_explains_a_malformed_limit_and_names_the_field(text, message):
    with pytest.raises(RuleError, match=message) as caught:
        parse_limit(text)
    assert caught.value.field == "limit"


def test_the_key_example_fails_in_full_and_passes_rounded():
    full = evaluate(["96.96"], ">=97.0", step="0.1", method=FULL)
    rounded = evaluate(["96.96"], ">=97.0", step="0.1", method=ROUNDED)
    assert (full.judgment, str(full.rounded)) == (FAIL, "97.0")
    assert (rounded.judgment, str(rounded.rounded)) == (PASS, "97.0")
    assert full.as_dict()["rounded"] == "97.0" and full.as_dict()["judgment"] == "fail"


def test_full_comparison_is_the_default_and_any_excess_fails():
    assert evaluate(["2.51"], "<=2.5").judgment == FAIL
    assert evaluate(["2.51"], "<=2.5", method=ROUNDED).judgment == PASS
    assert evaluate(["2.56"], "<=2.5", method=ROUNDED).judgment == FAIL


def test_rounded_comparison_uses_the_half_even_rule_at_the_limit():
    # 96.95 → 97.0 (the kept digit 9 is odd, so the 5 rounds up); 97.05 → 97.0 (0 is even, the 5 is dropped).
    assert str(evaluate(["96.95"], ">=97.0", method=ROUNDED).rounded) == "97.0"
    assert evaluate(["96.95"], ">=97.0", method=ROUNDED).judgment == PASS
    assert evaluate(["96.85"], ">=96.9", method=ROUNDED).judgment == FAIL  # → 96.8
    assert evaluate(["97.05"], "<=97.0", method=ROUNDED).judgment == PASS  # → 97.0
    assert evaluate(["97.05"], "<=97.0", method=FULL).judgment == FAIL


def test_mean_is_computed_unrounded_then_rounded_once():
    result = evaluate(["96.94", "96.96", "97.02"], ">=97.0", step="0.1", method=ROUNDED, combine=MEAN)
    assert result.combined == D("96.97333333333333333333333333333333")
    assert str(result.rounded) == "97.0" and result.judgment == PASS
    assert evaluate(["96.94", "96.96", "97.02"], ">=97.0", combine=MEAN).judgment == FAIL


def test_each_requires_every_value_to_pass():
    result = evaluate(["262", "259", "265"], ">=260", combine=EACH)
    assert result.judgment == FAIL
    assert [v.passed for v in result.values] == [True, False, True]
    assert result.combined is None and result.rounded is None
    assert evaluate(["262", "261", "265"], ">=260", combine=EACH).judgment == PASS


def test_min_and_max_compare_the_extreme_value():
    assert evaluate(["3", "9", "5"], ">=4", combine=MIN).judgment == FAIL
    assert evaluate(["3", "9", "5"], ">=4", combine=MIN).combined == D("3")
    assert evaluate(["3", "9", "5"], "<=8", combine=MAX).judgment == FAIL
    assert evaluate(["3", "7", "5"], "<=8", combine=MAX).judgment == PASS


def test_median_is_the_middle_specimen_as_gb_t_528_reports_it():
    # One strong specimen carries the mean over the limit, not the median.
    values = ["9.5", "12.5", "9.9", "12.0", "9.8"]
    assert evaluate(values, ">=10", combine=MEAN).judgment == PASS
    result = evaluate(values, ">=10", combine=MEDIAN)
    assert (result.combined, result.judgment, result.combine) == (D("9.9"), FAIL, MEDIAN)
    assert result.as_dict()["combine_label"] == "取中位数"


def test_the_median_of_an_even_number_is_the_mean_of_the_two_middle_values_rounded_once():
    result = evaluate(["9", "30", "11", "10"], "<=10", step="1", method=ROUNDED, combine=MEDIAN)
    assert result.combined == D("10.5") and str(result.rounded) == "10" and result.judgment == PASS
    assert evaluate(["9", "30", "11", "10"], "<=10", step="1", method=FULL, combine=MEDIAN).judgment == FAIL


def test_half_unit_steps_are_used_for_rounding():
    result = evaluate(["3.26"], ">=3.5", step="0.5", method=ROUNDED)
    assert str(result.rounded) == "3.5" and result.judgment == PASS
    assert evaluate(["3.24"], ">=3.5", step="0.5", method=ROUNDED).judgment == FAIL


def test_qualitative_results_pass_only_when_every_one_passes():
    assert evaluate(["合格", "pass"], "qualitative").judgment == PASS
    assert evaluate(["合格", "不合格"], "定性").judgment == FAIL
    with pytest.raises(RuleError, match="合格") as caught:
        evaluate(["maybe"], "qualitative")
    assert (caught.value.field, caught.value.index) == ("values", 0)
    with pytest.raises(RuleError) as caught:
        evaluate([True], "qualitative")
    assert caught.value.field == "values"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"values": ["abc"]}, "values"),
        ({"values": ["1", 2.5]}, "values"),
        ({"values": []}, "values"),
        ({"values": "96.96"}, "values"),
        ({"values": ["1"], "limit": "≥≥1"}, "limit"),
        ({"values": ["1"], "step": "0.3"}, "unit_step"),
        ({"values": ["1"], "method": "approx"}, "method"),
        ({"values": ["1"], "combine": "mode"}, "combine"),
    ],
)
def test_bad_input_names_its_field(kwargs, field):
    arguments = {"limit": ">=1", **kwargs}
    values = arguments.pop("values")
    limit = arguments.pop("limit")
    with pytest.raises(RuleError) as caught:
        evaluate(values, limit, **arguments)
    assert caught.value.field == field


def test_a_float_value_is_refused_and_located():
    with pytest.raises(RuleError, match="浮点数") as caught:
        evaluate(["1", 2.5], ">=1")
    assert caught.value.index == 1


def rule(code, cls, limit=">=10", replicates=1, verified=True, combine=MEAN):
    return ItemRule(code=code, name=f"项目{code}", cls=cls, limit=parse_limit(limit), replicates=replicates,
                    verified=verified, combine=combine)  # fmt: skip


RULES = [rule("a1", "A"), rule("b1", "B"), rule("c1", "C"), rule("c2", "C"), rule("c3", "C", verified=False)]
ALL_PASS = {"a1": ["11"], "b1": ["11"], "c1": ["11"], "c2": ["11"], "c3": ["11"]}


def test_a_product_passes_when_every_item_passes():
    verdict = judge_category(RULES, ALL_PASS)
    assert verdict.judgment == PASS and verdict.reasons == ()


@pytest.mark.parametrize("failing", ["a1", "b1", "c1"])
def test_any_failed_item_fails_the_product_when_no_failures_are_allowed(failing):
    verdict = judge_category(RULES, {**ALL_PASS, failing: ["9"]})
    assert verdict.judgment == FAIL
    assert failing in sum(verdict.failures.values(), ())


def test_a_or_b_failures_fail_even_when_c_failures_are_allowed():
    allowed = {"A": 0, "B": 0, "C": 2}
    assert judge_category(RULES, {**ALL_PASS, "c1": ["9"], "c2": ["9"]}, allowed).judgment == PASS
    assert judge_category(RULES, {**ALL_PASS, "c1": ["9"], "c2": ["9"], "c3": ["9"]}, allowed).judgment == FAIL
    assert judge_category(RULES, {**ALL_PASS, "b1": ["9"]}, allowed).judgment == FAIL
    verdict = judge_category(RULES, {**ALL_PASS, "a1": ["9"]}, allowed)
    assert verdict.judgment == FAIL and "A 类不合格 1 项" in verdict.reasons[0]


def test_missing_items_leave_the_product_incomplete_unless_it_already_failed():
    partial = {"a1": ["11"], "b1": ["11"]}
    verdict = judge_category(RULES, partial)
    assert verdict.judgment == INCOMPLETE and set(verdict.missing) == {"c1", "c2", "c3"}
    assert judge_category(RULES, {"a1": ["9"]}).judgment == FAIL


def test_the_verdict_flags_items_judged_by_unverified_limits():
    assert judge_category(RULES, ALL_PASS).unverified == ("c3",)


def test_it_refuses_unknown_items_and_the_wrong_number_of_replicates():
    with pytest.raises(RuleError, match="没有检验项目") as caught:
        judge_category(RULES, {**ALL_PASS, "zz": ["1"]})
    assert caught.value.field == "results"
    with pytest.raises(RuleError, match="应有 3 个测定值") as caught:
        judge_item(rule("x", "A", replicates=3), ["1", "2"])
    assert caught.value.field == "results.x"
    with pytest.raises(RuleError, match="非负整数"):
        judge_category(RULES, ALL_PASS, {"C": -1})
    with pytest.raises(RuleError, match="类别"):
        judge_category(RULES, ALL_PASS, {"D": 1})


def test_the_rounding_judgment_and_schema_modules_import_nothing_from_django():
    import subprocess
    import sys

    code = (
        "import sys; import choujian.rules.rounding, choujian.rules.judgment, choujian.rules.schema; "
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'django imported'"
    )
    src = Path(__file__).resolve().parents[2] / "src"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(src)})


def test_a_limit_too_fine_to_round_to_is_reported_not_raised_as_another_error():
    with pytest.raises(RuleError) as caught:
        evaluate(["1"], ">=0." + "0" * 80 + "1")
    assert caught.value.field == "unit_step"


specimens = st.lists(
    st.builds(lambda n, places: Decimal(n).scaleb(-places), st.integers(-(10**9), 10**9), st.integers(0, 4)),
    min_size=1,
    max_size=15,
)


@given(specimens, st.randoms(use_true_random=False))
def test_the_median_lies_between_the_extremes_and_ignores_the_order(values, random):
    median = evaluate([str(v) for v in values], ">=0", combine=MEDIAN).combined
    assert min(values) <= median <= max(values)
    assert sum(v <= median for v in values) * 2 >= len(values)
    assert sum(v >= median for v in values) * 2 >= len(values)
    shuffled = list(values)
    random.shuffle(shuffled)
    assert evaluate([str(v) for v in shuffled], ">=0", combine=MEDIAN).combined == median


@given(specimens, st.integers(-(10**6), 10**6))
def test_the_median_moves_with_every_value(values, shift):
    median = evaluate([str(v) for v in values], ">=0", combine=MEDIAN).combined
    moved = evaluate([str(v + shift) for v in values], ">=0", combine=MEDIAN).combined
    assert moved == median + shift


@given(specimens.filter(lambda values: len(values) % 2 == 1), st.integers(-(10**9), 10**9))
def test_an_odd_number_passes_a_lower_limit_by_median_when_most_specimens_pass(values, limit):
    passing = sum(v >= limit for v in values)
    result = evaluate([str(v) for v in values], f">={limit}", combine=MEDIAN)
    assert result.passed == (passing * 2 > len(values))
