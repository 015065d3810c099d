"""Serializers of a plan's frame, seed ceremony and replacements (the draws side of the plan API)."""

from rest_framework import serializers

from choujian.core.dates import DateSerializerField
from choujian.core.examples import documented
from choujian.draws.choices import SeedKind
from choujian.planning.choices import ReplacementReason
from choujian.planning.serializers import EnterpriseRefSerializer, ProductRefSerializer


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


@documented({"reason": "closed", "note": "企业已于 2026 年 10 月注销，现场照片为证", "evidence": "现场照片.png"})
class ReplaceSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReplacementReason.CHOICES)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    evidence = serializers.FileField(help_text="证据：照片或文件（到达时计算 SHA-256）")
