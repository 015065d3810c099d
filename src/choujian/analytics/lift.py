"""The measured lift of risk-targeted draws (reads only): per product category and year, the failure rate found by
the draws weighed by risk scores against the rate of their control group drawn with equal weights from the same
strata, with Wilson intervals for each and Newcombe's interval for the difference. A difference whose interval
lies above zero means targeting found more failures than chance would have."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from choujian.analytics import stats
from choujian.analytics.choices import DrawArm
from choujian.analytics.selectors import Rate, facts


@dataclass
class Lift:
    category: str
    category_name: str
    year: int
    targeted: Rate
    holdout: Rate

    @property
    def difference(self) -> tuple[float, float, float]:
        """(targeted − control failure rate, 95 % low, high)."""
        t, h = self.targeted, self.holdout
        return stats.newcombe_difference(t.failed, t.lots, h.failed, h.lots)

    @property
    def ratio(self) -> float | None:
        """How many times the control group's failure rate targeting found (None when the control found none)."""
        t, h = self.targeted.failure_rate, self.holdout.failure_rate
        return t / h if t is not None and h else None

    @property
    def significant(self) -> bool:
        _d, low, high = self.difference
        return low > 0 or high < 0


def lift(user, *, year: int | None = None, **filters) -> list[Lift]:
    rows = facts(user, **filters).exclude(draw_arm=DrawArm.ARM_NONE).filter(refused=False)
    counted = (
        rows.annotate(year=ExtractYear("final_on"))
        .values("category_code", "category_name", "year", "draw_arm")
        .annotate(lots=Count("pk"), failed=Count("pk", filter=Q(passed=False)))
    )
    if year:
        counted = counted.filter(year=year)
    groups: dict[tuple, dict[str, Rate]] = {}
    for row in counted.order_by("-year", "category_code"):
        key = (row["category_code"], row["category_name"], row["year"])
        filters_of = {"category": row["category_code"], "year": row["year"], "arm": row["draw_arm"]}
        groups.setdefault(key, {})[row["draw_arm"]] = Rate(
            row["draw_arm"], DrawArm.label(row["draw_arm"]), row["lots"], row["failed"], filters=filters_of
        )
    empty = Rate("", "", 0, 0)
    return [
        Lift(code, name, year, arms.get(DrawArm.ARM_TARGETED, empty), arms.get(DrawArm.ARM_HOLDOUT, empty))
        for (code, name, year), arms in groups.items()
    ]


def pooled(rows: list[Lift]) -> Lift | None:
    """All categories and years together (the platform's overall measure of targeting)."""
    if not rows:
        return None
    t = Rate("targeted", "", sum(r.targeted.lots for r in rows), sum(r.targeted.failed for r in rows))
    h = Rate("holdout", "", sum(r.holdout.lots for r in rows), sum(r.holdout.failed for r in rows))
    return Lift("", "全部类别", 0, t, h)
