"""The statistics of spot-check results, pure (no Django), each as its reference states it:

- `wilson`: the Wilson score interval of a proportion (95 % by default), sound for small n and for 0 or n failures;
- `funnel_limits`: the control limits of a funnel plot around a target rate (Spiegelhalter 2005, normal
  approximation to the binomial), so an enterprise with one batch and one failure is not ranked worst;
- `beta_binomial_prior`: the empirical-Bayes prior (α, β) of failure rates across enterprises by the method of
  moments with unequal batch counts (Kleinman 1973); `posterior_mean` = (x + α) / (n + α + β);
- `cusum`: the upper tabular CUSUM of standardised monthly rates (k = 0.5σ, h = 5σ) and `western_electric`, the four
  Western Electric run rules on the same standardised values;
- `newcombe_difference`: the interval of a difference of two proportions by Newcombe's hybrid score method (1998,
  method 10), built from the two Wilson intervals — the lift of risk-targeted draws over their control group;
- `algorithm_a`: the robust mean and standard deviation of ISO 13528:2022 Annex C.3 (Algorithm A) and z-scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

Z95 = 1.959963984540054
Z998 = 3.090232306167813  # two-sided 99.8 %


def wilson(failed: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for failed/n; (0, 1) when there is nothing to estimate from."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= failed <= n:
        raise ValueError(f"failed ({failed}) must lie between 0 and n ({n})")
    p = failed / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # exactly 0 and 1 at the ends (the formula gives them, floating point only nearly)
    return (0.0 if failed == 0 else max(0.0, centre - half)), (1.0 if failed == n else min(1.0, centre + half))


def funnel_limits(target: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The funnel around `target` at sample size n (normal approximation, clipped to [0, 1])."""
    if n <= 0:
        return 0.0, 1.0
    half = z * math.sqrt(max(target * (1 - target), 0.0) / n)
    return max(0.0, target - half), min(1.0, target + half)


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """(p1 − p2, low, high) for failed x1/n1 against x2/n2; the interval is (−1, 1) when either group is empty."""
    if n1 <= 0 or n2 <= 0:
        return 0.0, -1.0, 1.0
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1, z), wilson(x2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, max(-1.0, low), min(1.0, high)


@dataclass(frozen=True)
class Prior:
    alpha: float
    beta: float
    rate: float  # pooled failure rate of the category
    rho: float  # between-enterprise (intra-class) correlation the moments imply

    @property
    def strength(self) -> float:
        return self.alpha + self.beta


def beta_binomial_prior(counts: Sequence[tuple[float, float]]) -> Prior:
    """Fit (α, β) from (failed, batches) per enterprise. Without over-dispersion (ρ ≤ 0: enterprises differ no more
    than chance) the prior is as strong as all the data together, so every enterprise is pulled to the pooled rate."""
    counts = [(float(x), float(n)) for x, n in counts if n > 0]
    total = sum(n for _, n in counts)
    if total <= 0:
        return Prior(alpha=1.0, beta=1.0, rate=0.5, rho=0.0)
    failed = sum(x for x, _ in counts)
    # a rate of exactly 0 or 1 would give a degenerate prior: half a batch either way
    rate = min(max(failed / total, 0.5 / total), 1 - 0.5 / total)
    k = len(counts)
    spread = sum(n * (x / n - rate) ** 2 for x, n in counts)
    denominator = rate * (1 - rate) * (total - sum(n * n for _, n in counts) / total - (k - 1))
    rho = (spread - rate * (1 - rate) * (k - 1)) / denominator if denominator > 0 else 0.0
    strength = (1 - rho) / rho if 0 < rho < 1 else total
    strength = min(strength, total)
    return Prior(alpha=rate * strength, beta=(1 - rate) * strength, rate=rate, rho=max(rho, 0.0))


def posterior_mean(failed: float, n: float, prior: Prior) -> float:
    return (failed + prior.alpha) / (n + prior.alpha + prior.beta)


def decay(age_days: float, half_life_days: float) -> float:
    """The weight of something `age_days` old: one half per half-life."""
    return 0.5 ** (max(age_days, 0.0) / half_life_days)


def standardised(failed: Sequence[int], n: Sequence[int], target: float) -> list[float | None]:
    """Each month's failures as a standard normal score of the binomial(n_t, p0) they came from, by the mid-p
    probability z_t = Φ⁻¹(P(X < x) + ½·P(X = x)). For many batches this is (p_t − p0)/√(p0(1−p0)/n_t); for the few
    batches of a small month it does not turn one failure in two batches into a 3σ event."""
    normal = NormalDist()
    scores: list[float | None] = []
    for x, m in zip(failed, n, strict=True):
        if m <= 0:
            scores.append(None)
            continue
        below = sum(_binomial_pmf(k, m, target) for k in range(x))
        mid = min(max(below + 0.5 * _binomial_pmf(x, m, target), 1e-15), 1 - 1e-15)
        scores.append(normal.inv_cdf(mid))
    return scores


def _binomial_pmf(k: int, n: int, p: float) -> float:
    if p <= 0:
        return 1.0 if k == 0 else 0.0
    if p >= 1:
        return 1.0 if k == n else 0.0
    log = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)
    return math.exp(log)


def cusum(z: Sequence[float | None], k: float = 0.5, h: float = 5.0) -> tuple[list[float], list[int]]:
    """Upper CUSUM S_t = max(0, S_{t−1} + z_t − k); a signal at each t where S_t > h (then it starts again)."""
    sums, signals, s = [], [], 0.0
    for t, value in enumerate(z):
        if value is not None:
            s = max(0.0, s + value - k)
        sums.append(s)
        if s > h:
            signals.append(t)
            s = 0.0
    return sums, signals


def western_electric(z: Sequence[float | None]) -> dict[int, list[str]]:
    """Upward signals by the Western Electric rules: 1) a point beyond 3σ; 2) two of three beyond 2σ; 3) four of five
    beyond 1σ; 4) eight in a row above the centre line. Months without batches are skipped, not counted."""
    points = [(t, v) for t, v in enumerate(z) if v is not None]
    found: dict[int, list[str]] = {}

    def mark(t: int, rule: str) -> None:
        found.setdefault(t, []).append(rule)

    for i, (t, value) in enumerate(points):
        if value > 3:
            mark(t, "rule1")
        last3 = [v for _, v in points[max(0, i - 2) : i + 1]]
        if len(last3) == 3 and sum(v > 2 for v in last3) >= 2:
            mark(t, "rule2")
        last5 = [v for _, v in points[max(0, i - 4) : i + 1]]
        if len(last5) == 5 and sum(v > 1 for v in last5) >= 4:
            mark(t, "rule3")
        last8 = [v for _, v in points[max(0, i - 7) : i + 1]]
        if len(last8) == 8 and all(v > 0 for v in last8):
            mark(t, "rule4")
    return found


@dataclass(frozen=True)
class Robust:
    mean: float
    sd: float
    iterations: int


def algorithm_a(values: Sequence[float], tolerance: float = 1e-9, limit: int = 1000) -> Robust:
    """ISO 13528 Annex C.3: start from the median and 1.483 × MAD; winsorise at ±1.5 s*; x* = mean, s* = 1.134 × the
    standard deviation of the winsorised values; repeat until neither changes."""
    data = sorted(float(v) for v in values)
    if len(data) < 2:
        raise ValueError("Algorithm A needs at least two values")
    x = _median(data)
    s = 1.483 * _median(sorted(abs(v - x) for v in data))
    for iteration in range(1, limit + 1):
        if s == 0:
            return Robust(x, 0.0, iteration)
        delta = 1.5 * s
        clipped = [min(max(v, x - delta), x + delta) for v in data]
        new_x = sum(clipped) / len(clipped)
        new_s = 1.134 * math.sqrt(sum((v - new_x) ** 2 for v in clipped) / (len(clipped) - 1))
        # relative to the spread, so that a shift or a change of unit never changes when it stops
        if abs(new_x - x) <= tolerance * s and abs(new_s - s) <= tolerance * s:
            return Robust(new_x, new_s, iteration)
        x, s = new_x, new_s
    return Robust(x, s, limit)


def z_score(value: float, robust: Robust) -> float | None:
    return None if robust.sd == 0 else (value - robust.mean) / robust.sd


def _median(data: Sequence[float]) -> float:
    middle = len(data) // 2
    return data[middle] if len(data) % 2 else (data[middle - 1] + data[middle]) / 2
