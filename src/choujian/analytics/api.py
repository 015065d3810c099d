"""The statistics API: pass rates by a dimension with their Wilson intervals, and risk scores with their parts."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from choujian.analytics import lift, params, risk, selectors
from choujian.core.errors import ServiceError


class RateSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="分组键：类别代码、行政区划代码、信用代码、检验机构、月份（2026-03）等")
    label = serializers.CharField(help_text="名称")
    lots = serializers.IntegerField(help_text="检验批次数（不含拒检）")
    failed = serializers.IntegerField(help_text="不合格批次数")
    refused = serializers.IntegerField(help_text="拒检次数")
    rate = serializers.FloatField(allow_null=True, help_text="批次合格率")
    ci_low = serializers.FloatField(help_text="合格率 95% 置信区间下限（Wilson）")
    ci_high = serializers.FloatField(help_text="合格率 95% 置信区间上限（Wilson）")

    def to_representation(self, rate):
        low, high = rate.interval
        return {"key": rate.key, "label": rate.label, "lots": rate.lots, "failed": rate.failed,
                "refused": rate.refused, "rate": rate.rate, "ci_low": low, "ci_high": high}  # fmt: skip


class PassRateView(APIView):
    """批次合格率：按产品类别、地区、企业、检验机构或月份分组，含 Wilson 95% 置信区间。只计入您可见的最终结论
    （不含复查）。"""

    access = "login"

    @extend_schema(
        parameters=[
            OpenApiParameter("by", OpenApiTypes.STR, enum=list(selectors.DIMENSIONS), description="分组维度"),
            OpenApiParameter("level", OpenApiTypes.STR, enum=list(selectors.REGION_LEVELS),
                             description="by=region 时的层级（默认 city）"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="结论日期起"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="结论日期止"),
            *[OpenApiParameter(key, OpenApiTypes.STR, description="只统计该值") for key in params.KEYS],
        ],
        responses=RateSerializer(many=True),
    )  # fmt: skip
    def get(self, request):
        filters, problems = params.read(request.query_params)
        if problems:
            raise ServiceError({"filters": problems})
        by = filters.pop("by")
        return Response(RateSerializer(selectors.pass_rates(request.user, by, **filters), many=True).data)


class ScoreSerializer(serializers.Serializer):
    enterprise = serializers.CharField(help_text="统一社会信用代码")
    name = serializers.CharField(help_text="企业名称")
    n = serializers.IntegerField(help_text="检验批次数（未加权）")
    x = serializers.IntegerField(help_text="不合格批次数（未加权）")
    n_weighted = serializers.FloatField(help_text="按时间衰减加权的批次数")
    x_weighted = serializers.FloatField(help_text="按时间衰减和不合格项类别加权的不合格数")
    alpha = serializers.FloatField(help_text="类别先验 α（经验贝叶斯，矩估计）")
    beta = serializers.FloatField(help_text="类别先验 β")
    posterior_mean = serializers.FloatField(help_text="(x_weighted + α) / (n_weighted + α + β)")
    signal_factor = serializers.FloatField(help_text="1 + Σ 风险信号权重 × 时间衰减")
    score = serializers.FloatField(help_text="posterior_mean × signal_factor")
    components = serializers.JSONField(help_text="风险信号明细：[{what, weight, decay, value, day}]")

    def to_representation(self, score):
        return {
            "enterprise": score.uscc, "name": score.enterprise, "n": score.n, "x": score.x,
            "n_weighted": round(score.n_weighted, 6), "x_weighted": round(score.x_weighted, 6),
            "alpha": score.alpha, "beta": score.beta, "posterior_mean": score.posterior_mean,
            "signal_factor": score.signal_factor, "score": score.score,
            "components": [{"what": c.what, "weight": c.weight, "decay": c.decay, "value": c.value,
                            "day": c.day.isoformat() if c.day else None} for c in score.signals],
        }  # fmt: skip


class RiskScoreView(APIView):
    """风险评分：某产品类别下各企业的经验贝叶斯不合格率（按时间和不合格项类别加权）乘以风险信号系数，含各组成部分，
    任何人可据此复算。先验由该类别全部企业的历史拟合；只列出您可见的企业。"""

    access = "login"

    @extend_schema(
        parameters=[OpenApiParameter("category", OpenApiTypes.STR, required=True, description="产品类别代码")],
        responses=ScoreSerializer(many=True),
    )
    def get(self, request):
        category = (request.query_params.get("category") or "").strip()[:32]
        if not category:
            raise ServiceError({"category": ["请指定产品类别代码，如 JT-0303"]})
        visible = set(selectors.facts_visible_to(request.user).filter(category_code=category)
                      .values_list("uscc", flat=True))  # fmt: skip
        _, scores = risk.category_scores(category, usccs=visible)
        return Response(ScoreSerializer(scores, many=True).data)


class BulletinSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="通报编号")
    title = serializers.CharField(help_text="标题")
    year = serializers.IntegerField(help_text="年度")
    quarter = serializers.IntegerField(help_text="季度")
    regulator = serializers.CharField(help_text="发布单位")
    status = serializers.CharField(help_text="draft（草稿，仅发布单位可见）或 published")
    published_at = serializers.DateTimeField(allow_null=True, help_text="公开时间")
    pdf = serializers.CharField(help_text="PDF 地址")
    pdf_sha256 = serializers.CharField(help_text="已公开 PDF 的 SHA-256")
    figures = serializers.JSONField(help_text="通报所依据的统计数据（起草时冻结）")

    def to_representation(self, bulletin):
        from django.urls import reverse

        return {
            "code": bulletin.code, "title": bulletin.title, "year": bulletin.year, "quarter": bulletin.quarter,
            "regulator": bulletin.regulator.name, "status": bulletin.status,
            "published_at": bulletin.published_at.isoformat() if bulletin.published_at else None,
            "pdf": self.context["request"].build_absolute_uri(reverse("analytics:bulletin_pdf", args=[bulletin.code])),
            "pdf_sha256": bulletin.pdf_sha256, "figures": bulletin.figures,
        }  # fmt: skip


class BulletinListView(APIView):
    """季度质量通报（一季一通报）：已公开的通报，任何人可读；发布单位的监管人员另见其草稿。每份附 PDF 地址及摘要。"""

    access = "public"
    permission_classes = []

    @extend_schema(responses=BulletinSerializer(many=True))
    def get(self, request):
        found = selectors.bulletins_visible_to(request.user)[:200]
        return Response(BulletinSerializer(found, many=True, context={"request": request}).data)


class ComparisonRowSerializer(serializers.Serializer):
    round = serializers.CharField(help_text="比对编号")
    kind = serializers.CharField(help_text="retest（复检）或 retained（留样比对）")
    item = serializers.CharField(help_text="检验项目代码")
    item_name = serializers.CharField(help_text="检验项目")
    unit = serializers.CharField(help_text="单位")
    held_on = serializers.DateField(help_text="比对日期")
    laboratory = serializers.CharField(help_text="检验机构")
    value = serializers.FloatField(help_text="该机构的测得值")
    values = serializers.ListField(child=serializers.FloatField(), help_text="本轮全部测得值（算法 A 的输入）")
    robust_mean = serializers.FloatField(help_text="本轮稳健平均值 x*（ISO 13528 算法 A）")
    robust_sd = serializers.FloatField(allow_null=True, help_text="σ = s_rel × |x*|")
    relative_sd = serializers.FloatField(
        allow_null=True, help_text="该项目全部轮次相对偏差的稳健标准差 s_rel（算法 A）"
    )
    z = serializers.FloatField(allow_null=True, help_text="(value − x*) / σ")
    verdict = serializers.CharField(help_text="ok、watch（2 ≤ |z| < 3）或 warning（|z| ≥ 3）")

    def to_representation(self, row):
        return {
            "round": row.round.code, "kind": row.round.kind, "item": row.round.item, "item_name": row.round.item_name,
            "unit": row.round.unit, "held_on": row.round.held_on.isoformat(), "laboratory": row.laboratory,
            "value": row.value, "values": row.values, "robust_mean": row.robust_mean, "robust_sd": row.robust_sd,
            "relative_sd": row.relative_sd, "z": row.z, "verdict": row.verdict,
        }  # fmt: skip


class LabComparisonView(APIView):
    """实验室比对：每轮（同一样品、同一项目）各检验机构的测得值、稳健平均值、标准差和 z 值（ISO 13528 算法 A），
    任何人可据 values 复算。|z| ≥ 3 为不满意（预警），2 ≤ |z| < 3 为可疑（关注）。"""

    access = "login"

    @extend_schema(responses=ComparisonRowSerializer(many=True))
    def get(self, request):
        from choujian.analytics.comparison import rows

        found = rows(selectors.comparisons_visible_to(request.user))
        return Response(ComparisonRowSerializer(found, many=True).data)


class LiftSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="产品类别代码")
    category_name = serializers.CharField(help_text="产品类别")
    year = serializers.IntegerField(help_text="结论年度")
    targeted_lots = serializers.IntegerField(help_text="风险定向抽取的检验批次")
    targeted_failed = serializers.IntegerField(help_text="其中不合格")
    holdout_lots = serializers.IntegerField(help_text="对照组（等权抽取）的检验批次")
    holdout_failed = serializers.IntegerField(help_text="其中不合格")
    difference = serializers.FloatField(help_text="不合格率之差（定向 − 对照）")
    ci_low = serializers.FloatField(help_text="差值 95% 置信区间下限（Newcombe）")
    ci_high = serializers.FloatField(help_text="差值 95% 置信区间上限（Newcombe）")
    ratio = serializers.FloatField(allow_null=True, help_text="定向不合格率是对照组的几倍（对照组无不合格时为空）")

    def to_representation(self, item):
        difference, low, high = item.difference
        return {"category": item.category, "category_name": item.category_name, "year": item.year,
                "targeted_lots": item.targeted.lots, "targeted_failed": item.targeted.failed,
                "holdout_lots": item.holdout.lots, "holdout_failed": item.holdout.failed,
                "difference": difference, "ci_low": low, "ci_high": high, "ratio": item.ratio}  # fmt: skip


class LiftView(APIView):
    """风险定向抽取的效果：按风险评分加权的计划中，定向部分与对照组（等权抽取）的不合格率之差及其置信区间，
    按产品类别和年度。"""

    access = "login"

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="结论年度"),
            OpenApiParameter("category", OpenApiTypes.STR, description="产品类别代码"),
        ],
        responses=LiftSerializer(many=True),
    )
    def get(self, request):
        filters, problems = params.read(request.query_params)
        if problems:
            raise ServiceError({"filters": problems})
        filters.pop("by"), filters.pop("region_level"), filters.pop("arm", "")
        year = filters.pop("year", "")
        found = lift.lift(request.user, year=int(year) if year else None, **filters)
        return Response(LiftSerializer(found, many=True).data)
