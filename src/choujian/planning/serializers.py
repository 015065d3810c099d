"""Thin API serializers for plans, frames, ceremonies and tasks: shapes and references; rules live in services."""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.scope import organisations_visible_to
from choujian.accounts.selectors import active_organisations
from choujian.core.examples import documented
from choujian.planning.models import Plan, PlanLine, Task, risk_rule_errors
from choujian.registry.models import ProductCategory
from choujian.registry.serializers import ScopedSlugField

REGION = re.compile(r"^\d{6}$")


def _agencies(user):
    return active_organisations(OrganisationKind.KIND_SAMPLING_AGENCY)


def _laboratories(user):
    return active_organisations(OrganisationKind.KIND_LABORATORY)


def _regulators(user):
    return organisations_visible_to(user).filter(kind=OrganisationKind.KIND_REGULATOR, active=True)


class OrgRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


@documented(
    {
        "category": "JT-0303",
        "quota": 1,
        "strata_by": "none",
        "sampling_mode": "production",
        "agency": "00000000-0000-4000-8000-000000000000",
        "laboratory": "00000000-0000-4000-8000-000000000000",
    }
)
class PlanLineSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", queryset=ProductCategory.objects.all())
    category_name = serializers.CharField(source="category.name", read_only=True)
    quota = serializers.IntegerField(min_value=1, max_value=100000)
    stratum_quotas = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100000),
        required=False,
        help_text='分层时各层（6 位行政区划代码）的批次，如 {"350100": 3}',
    )
    sampling_mode_label = serializers.CharField(source="get_sampling_mode_display", read_only=True)
    strata_by_label = serializers.CharField(source="get_strata_by_display", read_only=True)
    agency = ScopedSlugField(_agencies, help_text="抽样机构的公开编号")
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    laboratory = ScopedSlugField(_laboratories, help_text="检验机构的公开编号（不能与抽样机构相同）")
    laboratory_name = serializers.CharField(source="laboratory.name", read_only=True)

    class Meta:
        model = PlanLine
        fields = [
            "id",
            "category",
            "category_name",
            "quota",
            "strata_by",
            "strata_by_label",
            "stratum_quotas",
            "sampling_mode",
            "sampling_mode_label",
            "agency",
            "agency_name",
            "laboratory",
            "laboratory_name",
        ]

    def validate_stratum_quotas(self, value: dict) -> dict:
        bad = [key for key in value if not REGION.match(str(key))]
        if bad:
            raise serializers.ValidationError(f"层应为 6 位行政区划代码：{'、'.join(map(str, bad[:5]))}")
        return value


class FrameSummarySerializer(serializers.Serializer):
    digest = serializers.CharField()
    frozen_at = serializers.DateTimeField(allow_null=True)
    quotas = serializers.DictField(child=serializers.IntegerField())
    item_count = serializers.IntegerField()
    exclusion_count = serializers.IntegerField()


def _counted(plan: Plan, annotation: str, rows) -> int:
    """A count read with the plan (`selectors.with_frame_summaries`), else counted now (a plan just written)."""
    return getattr(plan, annotation) if hasattr(plan, annotation) else rows.count()


class CeremonySummarySerializer(serializers.Serializer):
    kind = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    reveal_deadline = serializers.DateTimeField()
    seed = serializers.CharField()


@documented(
    {
        "name": "2026 年第四季度公路工程材料质量监督抽查",
        "kind": "quarterly",
        "year": 2026,
        "regulator": "00000000-0000-4000-8000-000000000000",
        "lookback_days": 365,
        "delivery_working_days": 5,
        "budget_per_sample": "3000.00",
        "budget_total": "30000.00",
        "risk_based": False,
        "participants": ["张明", "李华"],
    }
)
class PlanSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    regulator = ScopedSlugField(_regulators, required=False, help_text="组织单位的公开编号（只有一个单位时可省略）")
    regulator_name = serializers.CharField(source="regulator.name", read_only=True)
    region = serializers.CharField(max_length=6, required=False, help_text="抽查范围，默认为组织单位的行政区划")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    participants = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=30, help_text="抽取仪式参与人姓名，至少两人"
    )
    risk_rule = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=1000),
        required=False,
        help_text='风险加权规则，如 {"base": 1, "per_nonconformity": 2, "per_signal": 3, "max": 10}'
        "（per_signal：每个风险信号，如列入黑名单，增加的权重）；"
        '{"scores": 1, "holdout": 20} 按企业风险评分加权（权重 = 风险评分 × 1000），每层 20% 的批次等权抽取作为对照组',
    )
    drafted_by = serializers.StringRelatedField(help_text="起草人")
    approved_by = serializers.StringRelatedField(help_text="批准人（须与起草人不同）")
    lines = PlanLineSerializer(many=True, read_only=True)
    frame = serializers.SerializerMethodField()
    ceremony = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False, min_value=1, help_text="修改时必填：读取时的版本号")

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "year",
            "regulator",
            "regulator_name",
            "region",
            "status",
            "status_label",
            "lookback_days",
            "delivery_working_days",
            "budget_per_sample",
            "budget_total",
            "risk_based",
            "risk_rule",
            "participants",
            "drafted_by",
            "approved_by",
            "approved_at",
            "lines",
            "frame",
            "ceremony",
            "created_at",
            "version",
        ]
        read_only_fields = ["code", "status", "approved_at", "created_at"]

    def validate_risk_rule(self, value: dict) -> dict:
        errors = risk_rule_errors(value)
        if errors:
            raise serializers.ValidationError(errors)
        return value

    @extend_schema_field(FrameSummarySerializer(allow_null=True))
    def get_frame(self, plan: Plan):
        frame = getattr(plan, "frame", None)
        if frame is None:
            return None
        return {
            "digest": frame.digest,
            "frozen_at": serializers.DateTimeField().to_representation(frame.frozen_at) if frame.frozen_at else None,
            "quotas": frame.quotas,
            "item_count": _counted(plan, "frame_item_count", frame.items),
            "exclusion_count": _counted(plan, "frame_exclusion_count", frame.exclusions),
        }

    @extend_schema_field(CeremonySummarySerializer(allow_null=True))
    def get_ceremony(self, plan: Plan):
        ceremony = getattr(plan, "ceremony", None)
        return CeremonySummarySerializer(ceremony).data if ceremony else None


@documented({"reason": "抽查批次与预算不符，请调整后重新提交"})
class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="退回原因")


class EnterpriseRefSerializer(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()


class ProductRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    model_spec = serializers.CharField()


class InspectorRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="inspector.public_id")
    name = serializers.CharField(source="inspector.__str__")
    rank = serializers.IntegerField()


class TaskSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    plan = serializers.CharField(source="plan.code")
    category = serializers.CharField(source="line.category.code")
    enterprise = EnterpriseRefSerializer()
    product = ProductRefSerializer()
    delivery = serializers.UUIDField(source="delivery.public_id", allow_null=True, default=None)
    agency = OrgRefSerializer()
    laboratory = OrgRefSerializer()
    status_label = serializers.CharField(source="get_status_display")
    replaces = serializers.CharField(source="replaces.code", allow_null=True, default=None)
    inspectors = InspectorRefSerializer(many=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "code",
            "plan",
            "category",
            "frame_item_id",
            "stratum",
            "rank",
            "enterprise",
            "product",
            "delivery",
            "agency",
            "laboratory",
            "status",
            "status_label",
            "replaces",
            "drawn_at",
            "inspectors",
        ]
        read_only_fields = fields
