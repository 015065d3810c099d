"""Risk scores per enterprise × product category, each shown with its parts so anyone can see why:

    posterior_mean = (x + α) / (n + α + β)        score = posterior_mean × signal_factor

- n, x: the enterprise's tested batches and failures in the category, each weighted by its age (one half per
  `CHOUJIAN_RISK_HALF_LIFE_DAYS`, default 730) and each failure by the class of its worst item (A 1.0, B 0.6,
  C 0.3; the raw counts are given beside them);
- α, β: the empirical-Bayes prior of the category, fitted from every enterprise's raw counts by the method of
  moments (`stats.beta_binomial_prior`), so an enterprise with one batch is pulled to the category's rate;
- signal_factor = 1 + Σ weight × decay(age) over the enterprise's risk signals (complaints, accidents, other
  regions' failures, media reports as registered, and the blacklist, weight `CHOUJIAN_RISK_BLACKLIST_WEIGHT`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from choujian.analytics import stats
from choujian.analytics.models import ResultFact, RiskSignal
from choujian.core import signals_of_risk
from choujian.registry.models import Enterprise

SEVERITY = {"A": 1.0, "B": 0.6, "C": 0.3}


@dataclass
class Component:
    what: str
    weight: float
    decay: float
    day: dt.date | None = None

    @property
    def value(self) -> float:
        return self.weight * self.decay


@dataclass
class Score:
    uscc: str
    enterprise: str
    category: str
    n: int
    x: int
    n_weighted: float
    x_weighted: float
    alpha: float
    beta: float
    posterior_mean: float
    signals: list[Component] = field(default_factory=list)

    @property
    def signal_factor(self) -> float:
        return 1 + sum(signal.value for signal in self.signals)

    @property
    def score(self) -> float:
        return self.posterior_mean * self.signal_factor


def half_life() -> float:
    return float(getattr(settings, "CHOUJIAN_RISK_HALF_LIFE_DAYS", 730))


def _signals(category: str, today: dt.date) -> dict[str, list[Component]]:
    found: dict[str, list[Component]] = {}
    rows = RiskSignal.objects.filter(withdrawn_reason="").select_related("enterprise")
    for signal in rows.filter(category_code__in=["", category]):
        age = (today - signal.observed_on).days
        found.setdefault(signal.enterprise.uscc, []).append(
            Component(
                f"{signal.get_kind_display()}：{signal.source}",
                float(signal.weight),
                stats.decay(age, half_life()),
                signal.observed_on,
            )  # fmt: skip
        )
    weight = float(getattr(settings, "CHOUJIAN_RISK_BLACKLIST_WEIGHT", 1.0))
    listed = signals_of_risk.enterprise_risk_signals()
    for pk, uscc in Enterprise.objects.filter(pk__in=listed).values_list("pk", "uscc"):
        for reason in listed[pk]:
            found.setdefault(uscc, []).append(Component(reason, weight, 1.0))
    return found


def category_scores(category: str, *, today: dt.date | None = None, usccs=None) -> tuple[stats.Prior, list[Score]]:
    """Every enterprise with a tested batch in the category (or only `usccs`), highest score first. The prior is
    always fitted from all enterprises of the category."""
    today = today or timezone.localdate()
    rows = ResultFact.objects.filter(category_code=category, recheck=False, refused=False, final_on__lte=today)
    per: dict[str, dict] = {}
    for uscc, name, passed, worst, day in rows.values_list("uscc", "enterprise_name", "passed", "worst_class",
                                                            "final_on").order_by("final_on"):  # fmt: skip
        entry = per.setdefault(uscc, {"name": name, "n": 0, "x": 0, "nw": 0.0, "xw": 0.0})
        weight = stats.decay((today - day).days, half_life())
        entry["name"] = name
        entry["n"] += 1
        entry["nw"] += weight
        if not passed:
            entry["x"] += 1
            entry["xw"] += weight * SEVERITY.get(worst, SEVERITY["C"])
    prior = stats.beta_binomial_prior([(e["x"], e["n"]) for e in per.values()])
    signals = _signals(category, today)
    scores = [
        Score(
            uscc,
            e["name"],
            category,
            e["n"],
            e["x"],
            e["nw"],
            e["xw"],
            prior.alpha,
            prior.beta,
            stats.posterior_mean(e["xw"], e["nw"], prior),
            signals.get(uscc, []),
        )  # fmt: skip
        for uscc, e in per.items()
        if usccs is None or uscc in usccs
    ]
    scores.sort(key=lambda s: (-s.score, s.uscc))
    return prior, scores
