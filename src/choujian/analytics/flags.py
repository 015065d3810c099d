"""The risk scores as frame weights for plans that weigh by them (see `core.risk_scores`)."""

from choujian.analytics import stats
from choujian.analytics.risk import category_scores
from choujian.core.risk_scores import CategoryScores, provides
from choujian.registry.models import Enterprise


@provides
def scores_for_frame(category_code: str) -> CategoryScores:
    prior, scores = category_scores(category_code)
    ids = dict(Enterprise.objects.filter(uscc__in=[s.uscc for s in scores]).values_list("uscc", "pk"))
    found = {
        ids[s.uscc]: (
            s.score,
            f"后验均值 {s.posterior_mean:.4f} × 风险信号系数 {s.signal_factor:.2f}（{s.n} 批次，{s.x} 批不合格）",
        )
        for s in scores
        if s.uscc in ids
    }
    return CategoryScores(stats.posterior_mean(0, 0, prior), found)
