"""The statistics are what their references say, for any input (hypothesis), and on worked examples."""

import math
import statistics as pystats

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from choujian.analytics import stats

counts = st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@given(counts)
def test_the_wilson_interval_holds_the_observed_rate_inside_zero_and_one(pair):
    failed, n = pair
    low, high = stats.wilson(failed, n)
    assert 0 <= low <= failed / n <= high <= 1


@given(counts)
def test_the_wilson_interval_is_symmetric_between_failures_and_passes(pair):
    failed, n = pair
    low, high = stats.wilson(failed, n)
    other_low, other_high = stats.wilson(n - failed, n)
    assert math.isclose(low, 1 - other_high, abs_tol=1e-12) and math.isclose(high, 1 - other_low, abs_tol=1e-12)


@given(st.integers(1, 200), st.floats(0.01, 0.99))
def test_more_batches_never_widen_the_interval_at_the_same_rate(n, p):
    failed = round(p * n)
    low, high = stats.wilson(failed, n)
    low4, high4 = stats.wilson(failed * 4, n * 4)
    assert high4 - low4 <= high - low + 1e-12


def test_the_wilson_interval_matches_a_worked_example():
    # 1 failure in 10 batches: the textbook 95 % Wilson interval is 0.0179 – 0.4042
    low, high = stats.wilson(1, 10)
    assert round(low, 4) == 0.0179 and round(high, 4) == 0.4042
    assert stats.wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        stats.wilson(11, 10)


@given(st.floats(0, 1), st.integers(1, 10_000))
def test_the_funnel_holds_its_target_and_narrows_with_more_batches(target, n):
    low95, high95 = stats.funnel_limits(target, n)
    low998, high998 = stats.funnel_limits(target, n, stats.Z998)
    assert low998 <= low95 <= target <= high95 <= high998
    assert stats.funnel_limits(target, n * 4)[1] <= high95 + 1e-12


@given(st.lists(counts, min_size=1, max_size=40))
def test_the_prior_is_proper_and_its_mean_is_the_pooled_rate(pairs):
    prior = stats.beta_binomial_prior(pairs)
    total = sum(n for _, n in pairs)
    assert prior.alpha > 0 and prior.beta > 0 and prior.strength <= total + 1e-9
    pooled = sum(x for x, _ in pairs) / total
    assert abs(prior.alpha / prior.strength - pooled) <= 0.5 / total + 1e-9


@given(st.lists(counts, min_size=1, max_size=40), counts)
def test_the_posterior_mean_lies_between_the_enterprise_s_rate_and_the_category_s(pairs, own):
    prior = stats.beta_binomial_prior(pairs)
    x, n = own
    mean = stats.posterior_mean(x, n, prior)
    assert math.isclose(mean, (x + prior.alpha) / (n + prior.alpha + prior.beta))
    lower, upper = sorted((x / n, prior.alpha / prior.strength))
    assert lower - 1e-12 <= mean <= upper + 1e-12


def test_enterprises_that_differ_more_than_chance_get_a_weaker_prior():
    alike = stats.beta_binomial_prior([(5, 100)] * 20)
    apart = stats.beta_binomial_prior([(0, 100)] * 10 + [(10, 100)] * 10)
    assert alike.rho == 0 and alike.strength == 2000  # no over-dispersion: as strong as all data together
    assert apart.rho > 0 and apart.strength < 200
    assert math.isclose(apart.alpha / apart.strength, 0.05)


@given(st.floats(0, 3650), st.floats(1, 3650))
def test_decay_halves_every_half_life(age, half_life):
    # past ~1,000 half-lives the weight is a subnormal double, which has no relative precision left to compare
    assume(age + half_life <= 1000 * half_life)
    assert math.isclose(stats.decay(age + half_life, half_life), stats.decay(age, half_life) / 2, rel_tol=1e-9)


@given(st.lists(st.one_of(st.none(), st.floats(-6, 6)), max_size=60))
def test_the_cusum_never_goes_below_zero_and_signals_only_above_h(z):
    sums, signals = stats.cusum(z)
    assert all(s >= 0 for s in sums)
    assert all(sums[t] > 5 for t in signals)


def test_the_cusum_accumulates_a_sustained_small_shift_that_no_single_month_shows():
    z = [0.0] * 6 + [1.6] * 6
    assert max(v for v in z) < 2
    sums, signals = stats.cusum(z)
    assert signals == [10] and math.isclose(sums[10], 5.5)
    assert stats.western_electric(z) == {t: ["rule3"] for t in (9, 10, 11)}


def test_the_western_electric_rules_each_fire_on_their_pattern():
    assert stats.western_electric([0, 3.2, 0]) == {1: ["rule1"]}
    assert stats.western_electric([2.5, 0, 2.5]) == {2: ["rule2"]}
    assert stats.western_electric([1.5, 1.5, 0, 1.5, 1.5]) == {4: ["rule3"]}
    assert stats.western_electric([0.2] * 8) == {7: ["rule4"]}
    assert stats.western_electric([-3.5, -2.5, -2.5]) == {}  # only a rise in failures is a warning


@given(st.integers(2, 400).flatmap(lambda n: st.tuples(st.integers(1, n // 2), st.just(n))))
def test_a_month_exactly_at_the_target_scores_about_zero(pair):
    failed, n = pair
    [z] = stats.standardised([failed], [n], failed / n)
    assert abs(z) < 0.7


def test_the_standard_score_agrees_with_the_normal_approximation_for_many_batches():
    [z] = stats.standardised([130], [1000], 0.1)
    assert abs(z - (0.13 - 0.1) / math.sqrt(0.1 * 0.9 / 1000)) < 0.15
    [small] = stats.standardised([1], [2], 0.05)
    assert small < 2  # one failure in two batches is not a 3σ event


values = st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=3, max_size=40)


@given(values, st.floats(-1e3, 1e3), st.floats(0.1, 100))
def test_algorithm_a_moves_with_the_data_shift_and_scale(data, shift, scale):
    # a spread far above floating-point resolution: a shift must not round values together
    assume(pystats.median(abs(v - pystats.median(data)) for v in data) > 1e-3)
    base = stats.algorithm_a(data)
    moved = stats.algorithm_a([v * scale + shift for v in data])
    assert math.isclose(moved.mean, base.mean * scale + shift, rel_tol=1e-6, abs_tol=1e-4 * scale)
    assert math.isclose(moved.sd, base.sd * scale, rel_tol=1e-6, abs_tol=1e-4 * scale)


def test_algorithm_a_is_not_pulled_by_an_outlier():
    data = [10.1, 10.0, 9.9, 10.2, 9.8, 10.0, 10.1, 25.0]
    robust = stats.algorithm_a(data)
    assert abs(robust.mean - 10.0) < 0.15 and robust.sd < 0.5
    assert stats.z_score(25.0, robust) > 3
    assert pystats.mean(data) > 11.8  # the plain mean is


def test_the_difference_interval_matches_newcombes_worked_example():
    # Newcombe (1998), example (a): 56/70 against 48/80, method 10 gives 0.0524 – 0.3339
    d, low, high = stats.newcombe_difference(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


@given(counts, counts)
def test_the_difference_interval_holds_the_observed_difference_inside_minus_one_and_one(first, second):
    (x1, n1), (x2, n2) = first, second
    d, low, high = stats.newcombe_difference(x1, n1, x2, n2)
    assert -1 <= low <= d + 1e-12 and d - 1e-12 <= high <= 1
    mirrored = stats.newcombe_difference(x2, n2, x1, n1)
    assert mirrored[1] == pytest.approx(-high) and mirrored[2] == pytest.approx(-low)
