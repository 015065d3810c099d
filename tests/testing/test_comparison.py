"""Robust inter-laboratory statistics: ISO 13528 Algorithm A, z-scores and per-laboratory summaries."""

import math
import statistics
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from choujian.testing.comparison import (
    LabItemStat,
    Pair,
    algorithm_a,
    performance,
    relative_difference,
    summarise,
)


def _literal_algorithm_a(values: list[float]) -> tuple[float, float]:
    """Algorithm A written out step by step in 50-digit decimal arithmetic, iterated until nothing moves."""
    with localcontext() as ctx:
        ctx.prec = 50
        data = sorted(Decimal(v) for v in values)
        n = len(data)

        def median(sorted_values: list[Decimal]) -> Decimal:
            middle = len(sorted_values) // 2
            if len(sorted_values) % 2:
                return sorted_values[middle]
            return (sorted_values[middle - 1] + sorted_values[middle]) / 2

        x = median(data)
        s = Decimal("1.483") * median(sorted(abs(v - x) for v in data))
        for _ in range(10_000):
            delta = Decimal("1.5") * s
            winsorised = []
            for v in data:
                if v < x - delta:
                    winsorised.append(x - delta)
                elif v > x + delta:
                    winsorised.append(x + delta)
                else:
                    winsorised.append(v)
            new_x = sum(winsorised) / n
            new_s = Decimal("1.134") * (sum((w - new_x) ** 2 for w in winsorised) / (n - 1)).sqrt()
            if abs(new_x - x) < Decimal("1e-30") and abs(new_s - s) < Decimal("1e-30"):
                break
            x, s = new_x, new_s
        return float(new_x), float(new_s)


# --- Algorithm A: known answers -------------------------------------------------------------------------------------


def test_no_winsorising_needed_gives_mean_and_scaled_standard_deviation() -> None:
    # median 3, MAD 1, s* = 1.483, δ = 2.2245: nothing is clipped, so x* = 3 and s* = 1.134 × stdev = 1.134 × √2.5;
    # then δ = 2.69 and again nothing is clipped, so that is the fixed point.
    x_star, s_star = algorithm_a([1, 2, 3, 4, 5])
    assert x_star == pytest.approx(3.0)
    assert s_star == pytest.approx(1.134 * math.sqrt(2.5))


def test_worked_example_with_one_clipped_value() -> None:
    # Seven results around 10 and one at 50. At the fixed point the seven lie inside x* ± δ and 50 is clipped to
    # x* + δ (asserted below), so with δ = 1.5 s*, n = 8 and the seven summing to 70:
    #   x* = (70 + x* + δ) / 8                      →  x* = 10 + δ / 7
    #   Σ(b − x*)² = Σ(b − 10)² + 7 (δ/7)² = 0.105 + δ²/7, and the clipped value adds δ²
    #   s*² = 1.134² (0.105 + 8δ²/7) / 7,  δ² = 2.25 s*²
    #   → δ² = 0.105 a / (1 − 8a/7) with a = 2.25 × 1.134² / 7
    bulk = [10.1, 9.9, 10.0, 10.2, 9.8, 10.05, 9.95]
    a = 2.25 * 1.134**2 / 7
    delta = math.sqrt(0.105 * a / (1 - 8 * a / 7))
    expected_x, expected_s = 10 + delta / 7, delta / 1.5

    x_star, s_star = algorithm_a([*bulk, 50.0])
    assert x_star == pytest.approx(expected_x, abs=1e-5 * expected_s)
    assert s_star == pytest.approx(expected_s, rel=1e-5)

    x_star, s_star = algorithm_a([*bulk, 50.0], tolerance=1e-13)
    assert x_star == pytest.approx(expected_x, rel=1e-12)
    assert s_star == pytest.approx(expected_s, rel=1e-10)

    assert expected_x == pytest.approx(10.04097, abs=1e-5)
    assert expected_s == pytest.approx(0.19121, abs=1e-5)
    assert all(abs(b - expected_x) < delta for b in bulk)
    assert 50.0 > expected_x + delta


@pytest.mark.parametrize(
    "values",
    [
        [1, 2, 3, 4, 10],
        [24.140, 20.155, 19.500, 20.300, 20.705, 17.570, 20.100, 20.940, 21.185],
        [0.031, -0.012, 0.004, 0.0, 0.018, -0.025, 0.097, 0.011, -0.003, 0.007, 0.150, -0.008],
        [5.2, 5.4, 5.1, 5.3, 9.9, 1.0, 5.25, 5.35],
    ],
)
def test_matches_a_literal_high_precision_implementation(values: list[float]) -> None:
    expected_x, expected_s = _literal_algorithm_a(values)
    x_star, s_star = algorithm_a(values)
    assert x_star == pytest.approx(expected_x, rel=1e-5, abs=1e-5 * expected_s)
    assert s_star == pytest.approx(expected_s, rel=1e-5)


def test_result_is_a_fixed_point_of_the_iteration() -> None:
    values = [0.031, -0.012, 0.004, 0.0, 0.018, -0.025, 0.097, 0.011, -0.003, 0.007, 0.150, -0.008]
    x_star, s_star = algorithm_a(values, tolerance=1e-12)
    delta = 1.5 * s_star
    winsorised = [min(max(v, x_star - delta), x_star + delta) for v in values]
    assert statistics.fmean(winsorised) == pytest.approx(x_star, rel=1e-9)
    assert 1.134 * statistics.stdev(winsorised) == pytest.approx(s_star, rel=1e-9)


def test_gross_outlier_barely_moves_the_robust_mean() -> None:
    values = [10.1, 9.9, 10.0, 10.2, 9.8, 10.05, 9.95, 500.0]
    x_star, s_star = algorithm_a(values)
    assert statistics.fmean(values) > 70
    assert x_star == pytest.approx(10.0, abs=0.1)
    assert s_star < 0.5
    assert statistics.stdev(values) > 100


# --- Algorithm A: degenerate data and errors -----------------------------------------------------------------------


def test_all_values_equal_gives_zero_spread() -> None:
    assert algorithm_a([2.5, 2.5, 2.5, 2.5]) == (2.5, 0.0)


def test_identical_majority_with_a_single_stray_value_collapses_to_zero_spread() -> None:
    # MAD = 0; started from the plain standard deviation the iteration drains s* towards 0.
    assert algorithm_a([0.0] * 9 + [1.0]) == (0.0, 0.0)
    assert algorithm_a([0.0, 0.0, 0.0, 0.0, 1.0]) == (0.0, 0.0)


def test_identical_majority_with_balanced_spread_keeps_a_positive_spread() -> None:
    # MAD = 0, but from the standard deviation nothing gets clipped: x* = 0, s* = 1.134 × stdev.
    x_star, s_star = algorithm_a([-1.0, 0.0, 0.0, 0.0, 1.0])
    assert x_star == pytest.approx(0.0, abs=1e-12)
    assert s_star == pytest.approx(1.134 * math.sqrt(0.5))


@pytest.mark.parametrize("values", [[], [1.0], [1.0, 2.0]])
def test_fewer_than_three_values_are_rejected(values: list[float]) -> None:
    with pytest.raises(ValueError, match="至少需要 3 个结果"):
        algorithm_a(values)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="有限数值"):
        algorithm_a([1.0, 2.0, bad, 3.0])


def test_invalid_settings_are_rejected() -> None:
    with pytest.raises(ValueError):
        algorithm_a([1.0, 2.0, 3.0], tolerance=0)
    with pytest.raises(ValueError):
        algorithm_a([1.0, 2.0, 3.0], max_iterations=0)


# --- Algorithm A: properties ---------------------------------------------------------------------------------------

# Integer-valued data keep shifting and rescaling free of rounding surprises (ties stay ties). The narrow range
# produces many ties, so the zero-MAD path is exercised too.
integer_samples = st.one_of(
    st.lists(st.integers(-1_000_000, 1_000_000), min_size=3, max_size=25),
    st.lists(st.integers(-3, 3), min_size=3, max_size=25),
).map(lambda xs: [float(x) for x in xs])
float_samples = st.lists(st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False), min_size=3, max_size=25)


def _spread(values: list[float]) -> float:
    return max(values) - min(values)


@given(integer_samples, st.integers(-1_000_000, 1_000_000))
def test_translation_equivariance(values: list[float], shift: int) -> None:
    x_star, s_star = algorithm_a(values)
    shifted_x, shifted_s = algorithm_a([v + shift for v in values])
    tolerance = 1e-3 * _spread(values) + 1e-6
    assert shifted_x == pytest.approx(x_star + shift, abs=tolerance)
    assert shifted_s == pytest.approx(s_star, abs=tolerance)


@given(integer_samples, st.floats(1e-3, 1e3))
def test_scale_equivariance(values: list[float], factor: float) -> None:
    x_star, s_star = algorithm_a(values)
    scaled_x, scaled_s = algorithm_a([v * factor for v in values])
    tolerance = factor * (1e-3 * _spread(values) + 1e-6)
    assert scaled_x == pytest.approx(x_star * factor, abs=tolerance)
    assert scaled_s == pytest.approx(s_star * factor, abs=tolerance)


@given(float_samples)
def test_robust_mean_lies_within_the_data_and_spread_is_not_negative(values: list[float]) -> None:
    x_star, s_star = algorithm_a(values)
    assert min(values) <= x_star <= max(values)
    assert s_star >= 0


@given(st.data(), float_samples)
def test_permutation_invariance(data: st.DataObject, values: list[float]) -> None:
    shuffled = data.draw(st.permutations(values))
    x_star, s_star = algorithm_a(values)
    shuffled_x, shuffled_s = algorithm_a(shuffled)
    tolerance = 1e-12 * (_spread(values) + max(abs(v) for v in values))
    assert shuffled_x == pytest.approx(x_star, rel=1e-12, abs=tolerance)
    assert shuffled_s == pytest.approx(s_star, rel=1e-12, abs=tolerance)


# --- relative differences and performance --------------------------------------------------------------------------


def test_relative_difference() -> None:
    assert relative_difference(11.0, 10.0) == pytest.approx(0.1)
    assert relative_difference(9.0, 10.0) == pytest.approx(-0.1)
    assert relative_difference(-9.0, -10.0) == pytest.approx(0.1)
    assert relative_difference(Decimal("0.55"), Decimal("0.50")) == pytest.approx(0.1)
    assert relative_difference(3.0, 0.0) is None
    assert relative_difference(0.0, 0.0) is None
    with pytest.raises(ValueError):
        relative_difference(math.nan, 1.0)


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (0.0, "满意"),
        (2.0, "满意"),
        (-2.0, "满意"),
        (2.01, "可疑"),
        (-2.99, "可疑"),
        (3.0, "不满意"),
        (-4.5, "不满意"),
        (None, "—"),
    ],
)
def test_performance(z: float | None, expected: str) -> None:
    assert performance(z) == expected


# --- summarise -----------------------------------------------------------------------------------------------------

REFERENCES = [10.0, 12.5, 8.0, 20.0, 15.0]
SCATTER = [-0.02, -0.01, 0.0, 0.01, 0.02]


def _round_robin(laboratories: list[str], item: str, biased: str | None = None) -> list[Pair]:
    """Five re-tests per laboratory; each within ±2 % of the reference, except ``biased``, which is 10 % high."""
    pairs = []
    for i, laboratory in enumerate(laboratories):
        for j, reference in enumerate(REFERENCES):
            factor = 1.10 if laboratory == biased else 1 + SCATTER[(i + j) % len(SCATTER)]
            pairs.append(Pair(laboratory, item, reference * factor, reference, agreed=laboratory != biased))
    return pairs


def _by_laboratory(stats: list[LabItemStat], item: str) -> dict[str, LabItemStat]:
    return {s.laboratory: s for s in stats if s.item == item}


def test_agreement_rate_and_count() -> None:
    pairs = [
        Pair("甲检测所", "铅", 1.0, 1.0, agreed=True),
        Pair("甲检测所", "铅", 1.1, 1.0, agreed=True),
        Pair("甲检测所", "铅", 2.0, 1.0, agreed=False),
        Pair("乙检测所", "铅", 1.0, 1.0, agreed=False),
    ]
    stats = _by_laboratory(summarise(pairs), "铅")
    assert stats["甲检测所"].count == 3
    assert stats["甲检测所"].agreement_rate == pytest.approx(2 / 3)
    assert stats["甲检测所"].mean_relative_difference == pytest.approx((0 + 0.1 + 1.0) / 3)
    assert stats["乙检测所"].agreement_rate == 0.0


def test_too_few_results_gives_no_z_and_says_why() -> None:
    pairs = [Pair("甲检测所", "镉", v, 1.0, agreed=True) for v in (1.0, 1.02, 0.99, 1.01)]
    (stat,) = summarise(pairs)
    assert stat.z is None
    assert "不足 5 个" in stat.note
    assert "未计算 z 值" in stat.note
    assert performance(stat.z) == "—"

    (stat,) = summarise(pairs, min_results=4)
    assert stat.z is not None
    assert stat.note == ""


def test_systematically_high_laboratory_is_unsatisfactory() -> None:
    laboratories = [f"检测所{i}" for i in range(1, 9)]
    stats = _by_laboratory(summarise(_round_robin(laboratories, "铅", biased="检测所1")), "铅")

    biased = stats["检测所1"]
    assert biased.mean_relative_difference == pytest.approx(0.10)
    assert biased.z is not None and biased.z >= 3
    assert performance(biased.z) == "不满意"
    assert biased.agreement_rate == 0.0
    for name in laboratories[1:]:
        assert stats[name].z is not None and abs(stats[name].z) < 1
        assert performance(stats[name].z) == "满意"
        assert stats[name].agreement_rate == 1.0
        assert stats[name].note == ""


def test_reference_zero_counts_for_agreement_but_not_for_differences() -> None:
    laboratories = ["甲", "乙", "丙"]
    pairs = _round_robin(laboratories, "铅")
    pairs.append(Pair("甲", "铅", 0.3, 0.0, agreed=False))
    pairs += [Pair("丁", "铅", 0.0, 0.0, agreed=True), Pair("丁", "铅", 0.1, 0.0, agreed=True)]

    stats = _by_laboratory(summarise(pairs), "铅")

    assert stats["甲"].count == 6
    assert stats["甲"].agreement_rate == pytest.approx(5 / 6)
    assert stats["甲"].z is not None
    assert "1 个比对的参照结果为 0" in stats["甲"].note
    only_zero = stats["丁"]
    assert only_zero.count == 2
    assert only_zero.agreement_rate == 1.0
    assert only_zero.mean_relative_difference is None
    assert only_zero.z is None
    assert "无可用的相对偏差" in only_zero.note


def test_zero_robust_spread_gives_no_z() -> None:
    pairs = [Pair(f"检测所{i}", "pH", 7.0, 7.0, agreed=True) for i in range(6)]
    stats = summarise(pairs)
    assert all(s.z is None and "稳健标准差为 0" in s.note for s in stats)


def test_items_are_independent_and_sorted() -> None:
    pairs = _round_robin(["乙", "甲", "丙"], "镉") + _round_robin(["乙", "甲"], "铅")[:4]
    stats = summarise(pairs)
    assert [(s.item, s.laboratory) for s in stats] == sorted((s.item, s.laboratory) for s in stats)
    assert {s.item for s in stats} == {"镉", "铅"}
    assert all(s.z is not None for s in stats if s.item == "镉")
    assert all(s.z is None for s in stats if s.item == "铅")


def test_empty_input_and_invalid_minimum() -> None:
    assert summarise([]) == []
    with pytest.raises(ValueError):
        summarise([], min_results=2)
