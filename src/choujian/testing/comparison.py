"""Inter-laboratory comparison from re-tests of retained samples: agreement rates, robust statistics and z-scores.

When an enterprise objects to a result (异议复检), or when a retained sample is checked (留样复检), the backup
portion of the same sample is tested by a second laboratory. Each re-test gives, for every test item, a
:class:`Pair`: the laboratory's reported value, the other laboratory's value on the same sample (the *reference*),
and whether the two pass/fail judgments agreed. This module turns those pairs into per-laboratory, per-item
statistics:

* **Agreement rate** — the share of a laboratory's pairs whose judgments agreed.
* **Relative difference** — ``(value − reference) / |reference|``, which puts results on different samples and at
  different levels on one dimensionless scale. A reference of 0 gives no relative difference; such pairs still count
  towards the agreement rate.
* **Robust consensus** — for each item, the relative differences of *all* laboratories are pooled and summarised
  with Algorithm A of ISO 13528:2022 (*Statistical methods for use in proficiency testing by interlaboratory
  comparison*), Annex C, C.3 ("Algorithm A", C.3.1 in the 2015 edition). Clause numbers here are cited from
  memory of the 2015 and 2022 editions and should be checked against the text of the standard.
  Algorithm A is Huber's M-estimator with iterated scale: it starts from the median and the scaled median absolute
  deviation (MAD) and then repeatedly winsorises the data at ``x* ± 1.5 s*``::

      x* = median(x_i)                s* = 1.483 · median(|x_i − x*|)
      repeat:  δ = 1.5 · s*
               x_i' = min(max(x_i, x* − δ), x* + δ)
               x*  = mean(x_i')       s* = 1.134 · stdev(x_i')        (stdev with divisor n − 1)

  1.483 makes the MAD consistent with the standard deviation of a normal distribution, and 1.134 compensates for
  the variance lost by winsorising at 1.5 standard deviations. The standard iterates until x* and s* no longer change
  in the third significant figure; :func:`algorithm_a` stops when both change by less than ``tolerance`` × s*, which
  is stricter in practice and, being measured on the data's own scale, also works when x* is close to 0 (a relative
  difference of 0 is the expected value here) and does not depend on where the data lie or on their unit.
* **z-score** — ``z = (x_i − x_pt) / σ_pt`` (ISO 13528:2022 clause 9.4, "z scores"; the same clause in the 2015
  edition), with the robust mean x* as assigned value x_pt and the robust standard deviation s* as σ_pt, both taken
  from the participants' results as ISO 13528 allows when no independent values exist. The conventional reading
  is: |z| ≤ 2.0 acceptable (满意), 2.0 < |z| < 3.0 warning signal (可疑), |z| ≥ 3.0 action signal (不满意); see
  :func:`performance`.

Two choices here go beyond the letter of the standard:

* A laboratory's z uses the **mean of its relative differences** on the item, compared with x* and s* of the
  individual differences. A laboratory with a systematic bias *b* gets z ≈ (b − x*) / s* however many re-tests it
  has; random scatter averages out, so a laboratory with many pairs is, if anything, flagged less readily than one
  scored result by result.
* ISO 13528 warns that robust statistics from few participants are unreliable. :func:`summarise` computes z only
  when an item has at least ``min_results`` usable relative differences (default 5) and says so in the note
  otherwise; Algorithm A itself needs at least 3 values. Robustness also has limits when few laboratories share an
  item: a single biased laboratory that supplies a quarter of the item's results pulls x* and inflates s* enough to
  stay "satisfactory" (with four laboratories, one 10 % high against ±2 % scatter, its z is about 1.4; with eight
  it is about 4.8).

**When the MAD is 0.** If at least half of the results are identical (typical when many re-tests reproduce the
original value exactly) the MAD is 0 and Algorithm A cannot start. :func:`algorithm_a` then starts from the ordinary
sample standard deviation instead and iterates as usual. From there the iteration either settles at a positive s*
(the other results are spread widely enough) or drains s* geometrically towards 0, the identical majority absorbing
everything. In the second case (s* falls below ``tolerance`` × its starting value, or has not settled after
``max_iterations``) the function returns ``(median, 0.0)``: the identical majority is the consensus and there is no
spread left to scale a z-score by; :func:`summarise` reports "稳健标准差为 0". If all values are equal the result is
``(value, 0.0)`` straight away.

Pure Python (``math``, ``statistics``, ``dataclasses``); no Django, no numpy.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "LabItemStat",
    "Pair",
    "algorithm_a",
    "performance",
    "relative_difference",
    "summarise",
]

MAD_FACTOR = 1.483
"""Scales the median absolute deviation to a standard deviation for normally distributed data."""

WINSOR_FACTOR = 1.5
"""Values are winsorised at x* ± 1.5 s*."""

VARIANCE_FACTOR = 1.134
"""Corrects the standard deviation of values winsorised at ±1.5 s* back to the normal-distribution scale."""

MIN_VALUES = 3
"""Algorithm A needs at least this many values."""


def algorithm_a(values: Sequence[float], *, tolerance: float = 1e-6, max_iterations: int = 100) -> tuple[float, float]:
    """Robust mean x* and robust standard deviation s* of ``values`` by ISO 13528 Algorithm A.

    Iteration stops once x* and s* both change by at most ``tolerance`` × s*. Raises :class:`ValueError` for fewer
    than 3 values, for NaN or infinite values, and for a non-positive ``tolerance`` or ``max_iterations``.
    See the module docstring for what happens when the median absolute deviation is 0. If the iteration has not
    settled after ``max_iterations`` rounds although the MAD was positive (not expected with real data), the latest
    estimates are returned.
    """
    if not tolerance > 0:
        raise ValueError("收敛容差必须为正数")
    if max_iterations < 1:
        raise ValueError("最大迭代次数必须至少为 1")
    data = [float(v) for v in values]
    if len(data) < MIN_VALUES:
        raise ValueError(f"至少需要 {MIN_VALUES} 个结果，实际 {len(data)} 个")
    if not all(math.isfinite(v) for v in data):
        raise ValueError("结果必须是有限数值（不能是 NaN 或无穷大）")

    median = statistics.median(data)
    mad = statistics.median(abs(v - median) for v in data)
    degenerate = mad == 0
    x_star = median
    s_star = MAD_FACTOR * mad if not degenerate else statistics.stdev(data)
    if s_star == 0:
        return median, 0.0
    s_start = s_star

    for _ in range(max_iterations):
        delta = WINSOR_FACTOR * s_star
        low, high = x_star - delta, x_star + delta
        winsorised = [min(max(v, low), high) for v in data]
        new_x = statistics.fmean(winsorised)
        new_s = VARIANCE_FACTOR * statistics.stdev(winsorised)
        if new_s <= tolerance * s_start:
            return (median, 0.0) if degenerate else (new_x, 0.0)
        converged = abs(new_x - x_star) <= tolerance * new_s and abs(new_s - s_star) <= tolerance * new_s
        x_star, s_star = new_x, new_s
        if converged:
            return x_star, s_star
    if degenerate:
        return median, 0.0
    return x_star, s_star


@dataclass(frozen=True)
class Pair:
    """One re-test comparison for one test item.

    ``value`` is this laboratory's result and ``reference`` the other laboratory's result on the same sample for the
    same item; ``agreed`` says whether their pass/fail judgments were the same. Decimal results from the database
    should be passed as ``float(...)``.
    """

    laboratory: str
    item: str
    value: float
    reference: float
    agreed: bool


@dataclass(frozen=True)
class LabItemStat:
    """A laboratory's standing on one test item.

    ``count`` counts all its pairs and ``agreement_rate`` is the share of them that agreed. ``mean_relative_difference``
    averages the usable relative differences (None if every reference was 0). ``z`` is None when it could not be
    computed, and ``note`` then says why (in Chinese; empty when there is nothing to remark).
    """

    laboratory: str
    item: str
    count: int
    agreement_rate: float
    mean_relative_difference: float | None
    z: float | None
    note: str


def relative_difference(value: float, reference: float) -> float | None:
    """``(value − reference) / |reference|``; None when the reference is 0.

    Raises :class:`ValueError` for NaN or infinite inputs.
    """
    value, reference = float(value), float(reference)
    if not (math.isfinite(value) and math.isfinite(reference)):
        raise ValueError("结果必须是有限数值（不能是 NaN 或无穷大）")
    if reference == 0:
        return None
    return (value - reference) / abs(reference)


def summarise(pairs: Iterable[Pair], *, min_results: int = 5) -> list[LabItemStat]:
    """Agreement rate, mean relative difference and z-score per (laboratory, item), sorted by item then laboratory.

    For each item the relative differences of all laboratories are pooled; with at least ``min_results`` of them,
    Algorithm A gives x* and s*, and each laboratory's z is ``(mean of its relative differences − x*) / s*``.
    ``min_results`` must be at least 3.
    """
    if min_results < MIN_VALUES:
        raise ValueError(f"min_results 至少为 {MIN_VALUES}")

    groups: dict[tuple[str, str], list[Pair]] = {}
    for pair in pairs:
        groups.setdefault((pair.item, pair.laboratory), []).append(pair)

    differences: dict[tuple[str, str], list[float]] = {}
    pooled: dict[str, list[float]] = {}
    for (item, laboratory), group in groups.items():
        usable = [d for d in (relative_difference(p.value, p.reference) for p in group) if d is not None]
        differences[(item, laboratory)] = usable
        pooled.setdefault(item, []).extend(usable)

    consensus: dict[str, tuple[float, float] | str] = {}
    for item, values in pooled.items():
        if len(values) < min_results:
            consensus[item] = f"该项目可用结果 {len(values)} 个，不足 {min_results} 个，未计算 z 值"
            continue
        x_star, s_star = algorithm_a(values)
        consensus[item] = (x_star, s_star) if s_star > 0 else "稳健标准差为 0，未计算 z 值"

    stats = []
    for (item, laboratory), group in sorted(groups.items(), key=lambda entry: entry[0]):
        usable = differences[(item, laboratory)]
        notes = []
        skipped = len(group) - len(usable)
        if skipped:
            notes.append(f"{skipped} 个比对的参照结果为 0，未计入相对偏差")
        mean_difference = statistics.fmean(usable) if usable else None
        z = None
        item_consensus = consensus[item]
        if isinstance(item_consensus, str):
            notes.append(item_consensus)
        elif mean_difference is None:
            notes.append("无可用的相对偏差，未计算 z 值")
        else:
            x_star, s_star = item_consensus
            z = (mean_difference - x_star) / s_star
        stats.append(
            LabItemStat(
                laboratory=laboratory,
                item=item,
                count=len(group),
                agreement_rate=sum(p.agreed for p in group) / len(group),
                mean_relative_difference=mean_difference,
                z=z,
                note="；".join(notes),
            )
        )
    return stats


def performance(z: float | None) -> str:
    """Conventional reading of a z-score: "满意" (|z| ≤ 2), "可疑" (2 < |z| < 3), "不满意" (|z| ≥ 3), "—" for None."""
    if z is None:
        return "—"
    if abs(z) <= 2:
        return "满意"
    if abs(z) < 3:
        return "可疑"
    return "不满意"
