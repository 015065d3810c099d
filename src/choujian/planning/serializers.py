"""Thin API serializers for plans, frames, ceremonies and tasks: shapes and references; rules live in services."""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.scope import organisations_visible_to
from choujian.accounts.selectors import active_organisations
from choujian.core.dates import DateSerializerField
from choujian.core.examples import documented
from choujian.draws.choices import SeedKind
from choujian.planning.choices import ReplacementReason
from choujian.planning.models import Plan, PlanLine, Task
from choujian.registry.models import ProductCategory
from choujian.registry.serializers import ScopedSlugField

REGION = re.compile(r"^\d{6}$")
RISK_KEYS = ("base", "per_nonconformity", "max")


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
        help_text='风险加权规则，如 {"base": 1, "per_nonconformity": 2, "max": 10}',
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
        unknown = sorted(set(value) - set(RISK_KEYS))
        if unknown:
            raise serializers.ValidationError(f"未知的加权参数：{'、'.join(unknown)}（可用 {'、'.join(RISK_KEYS)}）")
        if value.get("max", 1) < 1:
            raise serializers.ValidationError("最大权重至少为 1")
        return value

    @extend_schema_field(FrameSummarySerializer(allow_null=True))
    def get_frame(self, plan: Plan):
        from choujian.draws.selectors import frame_of

        frame = frame_of(plan)
        if frame is None:
            return None
        return {
            "digest": frame.digest,
            "frozen_at": serializers.DateTimeField().to_representation(frame.frozen_at) if frame.frozen_at else None,
            "quotas": frame.quotas,
            "item_count": frame.items.count(),
            "exclusion_count": frame.exclusions.count(),
        }

    @extend_schema_field(CeremonySummarySerializer(allow_null=True))
    def get_ceremony(self, plan: Plan):
        from choujian.draws.selectors import ceremony_of

        ceremony = ceremony_of(plan)
        return CeremonySummarySerializer(ceremony).data if ceremony else None


@documented({"reason": "抽查批次与预算不符，请调整后重新提交"})
class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="退回原因")


@documented({"reveal_hours": 72, "seed_kind": "ceremony"})
class FreezeSerializer(serializers.Serializer):
    reveal_hours = serializers.IntegerField(
        min_value=1, max_value=720, default=72, help_text="公开随机数的期限（小时）"
    )
    seed_kind = serializers.ChoiceField(choices=SeedKind.CHOICES, default=SeedKind.KIND_CEREMONY)
    beacon_source = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="公共随机信标来源，如某期彩票开奖号码"
    )
    beacon_fixed_on = DateSerializerField(required=False, allow_null=True, help_text="信标公布日期（不早于今天）")


@documented({"seed": "3614256132456123456135", "description": "抽查工作会议上当众掷骰 22 次，按顺序记录点数"})
class ExternalSeedSerializer(serializers.Serializer):
    seed = serializers.CharField(max_length=400, trim_whitespace=False, help_text="公开产生的随机数，至少 20 个字符")
    description = serializers.CharField(max_length=300, help_text="来源说明，如公开会议掷骰 20 次")


class EnterpriseRefSerializer(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()


class ProductRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    model_spec = serializers.CharField()


class FrameItemSerializer(serializers.Serializer):
    id = serializers.CharField(source="item_id")
    weight = serializers.IntegerField()
    stratum = serializers.CharField()
    weight_reason = serializers.CharField()
    enterprise = EnterpriseRefSerializer()
    product = ProductRefSerializer()


class FrameExclusionSerializer(serializers.Serializer):
    id = serializers.CharField(source="item_id")
    reason = serializers.CharField()
    enterprise = EnterpriseRefSerializer()
    product = ProductRefSerializer()


class FrameSerializer(serializers.Serializer):
    plan = serializers.CharField(source="plan.code")
    digest = serializers.CharField()
    frozen_at = serializers.DateTimeField(allow_null=True)
    quotas = serializers.DictField(child=serializers.IntegerField())
    items = FrameItemSerializer(many=True)
    exclusions = FrameExclusionSerializer(many=True)


class ParticipantStatusSerializer(serializers.Serializer):
    name = serializers.CharField()
    committed = serializers.BooleanField()
    committed_at = serializers.DateTimeField(allow_null=True)
    commitment = serializers.CharField()
    revealed = serializers.BooleanField()
    revealed_at = serializers.DateTimeField(allow_null=True)
    secret = serializers.CharField(allow_null=True, help_text="仪式完成后公开")
    link_issued_at = serializers.DateTimeField(
        allow_null=True, help_text="个人链接发放时间（链接本身只在发放时显示一次）"
    )


class CeremonySerializer(serializers.Serializer):
    plan = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    reveal_deadline = serializers.DateTimeField()
    frame_digest = serializers.CharField()
    seed = serializers.CharField()
    external_description = serializers.CharField()
    beacon = serializers.DictField(allow_null=True, help_text="公共随机信标：来源、日期、数值（公布后录入）")
    participants = ParticipantStatusSerializer(many=True)


@documented({"participant": "张明"})
class LinkRequestSerializer(serializers.Serializer):
    participant = serializers.CharField(max_length=100, help_text="参与人姓名")


class LinkSerializer(serializers.Serializer):
    participant = serializers.CharField()
    link = serializers.CharField(help_text="个人链接：只在此次返回，平台不保存")


@documented({"value": "03 11 19 24 30 + 05 12"})
class BeaconSerializer(serializers.Serializer):
    value = serializers.CharField(max_length=200, help_text="信标数值，按公布的原样")


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


@documented({"reason": "closed", "note": "企业已于 2026 年 10 月注销，现场照片为证", "evidence": "现场照片.png"})
class ReplaceSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReplacementReason.CHOICES)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    evidence = serializers.FileField(help_text="证据：照片或文件（到达时计算 SHA-256）")
