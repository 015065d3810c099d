"""Thin API shapes for rule sets and evaluations; parsing, rounding and judging live in `judgment` and `rounding`."""

from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from choujian.core.examples import documented
from choujian.rules import judgment, rounding
from choujian.rules.choices import RuleSetStatus
from choujian.rules.models import RuleSet

MAX_VALUE_CHARS = 100


def _inline_enum(labels: dict[str, str]):
    """A read-only text field documented as an enum. Each enum appears in one shape only (others say it in their
    help text): the field names `status` and `judgment` carry other choice sets elsewhere, and an enum shared by
    several shapes would get an unreadable generated name."""

    @extend_schema_field(
        {"type": "string", "enum": list(labels), "description": "；".join(f"{k} {v}" for k, v in labels.items())}
    )
    class EnumText(serializers.CharField):
        pass

    return EnumText


PassFail = _inline_enum({judgment.PASS: "合格", judgment.FAIL: "不合格"})
VerdictText = _inline_enum(judgment.JUDGMENTS)
StatusText = _inline_enum(dict(RuleSetStatus.record_choices()))
KindText = _inline_enum({judgment.NUMERIC: "数值", judgment.QUALITATIVE: "定性"})


@extend_schema_field(OpenApiTypes.STR)
class ValueField(serializers.Field):
    """A measured value or step as text ("96.96"); a JSON number is taken as the text it was written with.

    Floats never reach the arithmetic: the API parser reads JSON numbers as exact decimals, and a float from any
    other parser is converted through `str`. Qualitative results ("合格", "不合格") are text too.
    """

    default_error_messages = {
        "invalid": '应为数字或文字，建议写成字符串，如 "96.96"',
        "max_length": f"不能超过 {MAX_VALUE_CHARS} 个字符",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float | Decimal):
            self.fail("invalid")
        text = data if isinstance(data, str) else format(data, "f") if isinstance(data, Decimal) else str(data)
        if len(text) > MAX_VALUE_CHARS:
            self.fail("max_length")
        return text

    def to_representation(self, value):
        return str(value)


class EvaluateSerializer(serializers.Serializer):
    values = serializers.ListField(
        child=ValueField(), min_length=1, max_length=judgment.MAX_VALUES, help_text='测定值列表，如 ["96.96"]'
    )
    limit = serializers.CharField(
        max_length=100, trim_whitespace=True, help_text="限值：>=a、>a、<=b、<b、a~b、a±t 或 qualitative（定性）"
    )
    unit_step = ValueField(
        required=False,
        allow_null=True,
        help_text="修约间隔，如 0.1、1、1000（也可直接写 0.5、20 等 0.5/0.2 单位步长）；缺省为限值的末位",
    )
    method = serializers.ChoiceField(
        choices=list(judgment.METHODS.items()),
        default=judgment.FULL,
        help_text="full 全数值比较法；rounded 修约值比较法",
    )
    combine = serializers.ChoiceField(
        choices=list(judgment.COMBINES.items()),
        default=judgment.MEAN,
        help_text="多个测定值的组合：mean、median（中位数）、each、min、max",
    )
    rounding = serializers.ChoiceField(
        choices=list(rounding.UNIT_LABELS.items()),
        default=rounding.UNIT,
        help_text="unit 按修约间隔；half 0.5 单位修约；fifth 0.2 单位修约",
    )


class LimitSerializer(serializers.Serializer):
    text = serializers.CharField()
    kind = KindText()
    low = serializers.CharField(allow_null=True)
    low_inclusive = serializers.BooleanField()
    high = serializers.CharField(allow_null=True)
    high_inclusive = serializers.BooleanField()
    description = serializers.CharField()


class ValueResultSerializer(serializers.Serializer):
    value = serializers.CharField()
    rounded = serializers.CharField(allow_null=True)
    judgment = serializers.CharField(help_text="pass 合格；fail 不合格")


class EvaluationSerializer(serializers.Serializer):
    judgment = PassFail()
    judgment_label = serializers.CharField()
    rounded = serializers.CharField(allow_null=True, help_text="组合值按修约间隔修约后的结果（逐个判定时为空）")
    combined = serializers.CharField(allow_null=True, help_text="未修约的组合值：平均值、中位数、最小值或最大值")
    step = serializers.CharField(allow_null=True, help_text="实际使用的修约步长")
    method = serializers.CharField()
    method_label = serializers.CharField()
    combine = serializers.CharField()
    combine_label = serializers.CharField()
    limit = LimitSerializer()
    values = ValueResultSerializer(many=True)


class ItemEvaluationSerializer(EvaluationSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    verified = serializers.BooleanField(help_text="限值是否已与标准原文核对")
    judgment = serializers.CharField(help_text="pass 合格；fail 不合格")

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = serializers.ChoiceField(choices=list(judgment.CLASSES))
        return fields


@documented({"variant": "1×7-15.20-1860", "results": {"max_force": ["262", "265", "261"]}})
class JudgeSerializer(serializers.Serializer):
    variant = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="规格代码（细则分规格时必填）"
    )
    results = serializers.DictField(
        child=serializers.ListField(child=ValueField(), min_length=1, max_length=judgment.MAX_VALUES),
        help_text='各检验项目的测定值，如 {"max_force": ["262", "265", "261"]}',
    )


class VerdictSerializer(serializers.Serializer):
    ruleset = serializers.UUIDField()
    rule_version = serializers.CharField()
    content_sha256 = serializers.CharField()
    variant = serializers.CharField(allow_null=True)
    judgment = VerdictText(help_text="incomplete：尚有项目未出结果")
    judgment_label = serializers.CharField()
    failures = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    missing = serializers.ListField(child=serializers.CharField())
    unverified = serializers.ListField(child=serializers.CharField(), help_text="所用限值尚未与标准原文核对的项目")
    reasons = serializers.ListField(child=serializers.CharField())
    items = ItemEvaluationSerializer(many=True)


class UnverifiedSerializer(serializers.Serializer):
    where = serializers.CharField()
    note = serializers.CharField()


class RuleSetSerializer(serializers.ModelSerializer):
    """A rule version. Writes send the whole rule document as `content` (and `version` when editing)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft 草拟中；active 现行；retired 已废止")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    unverified_count = serializers.SerializerMethodField()
    content = serializers.JSONField(encoder=DjangoJSONEncoder, help_text="细则文档（格式见 choujian-rules/1）")
    version = serializers.IntegerField(required=False, help_text="读取时的记录版本号，修改时必填（防止覆盖他人修改）")

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "category",
            "category_name",
            "rule_version",
            "title",
            "effective_date",
            "status",
            "status_label",
            "content_sha256",
            "source_file",
            "unverified_count",
            "content",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["rule_version", "title", "effective_date", "status", "content_sha256", "source_file"]

    def get_unverified_count(self, ruleset: RuleSet) -> int:
        return len(ruleset.unverified)


class RuleSetSummarySerializer(RuleSetSerializer):
    class Meta(RuleSetSerializer.Meta):
        fields = [f for f in RuleSetSerializer.Meta.fields if f != "content"]


MINIMAL_RULES = {
    "schema": "choujian-rules/1",
    "category": {"code": "JT-0301", "name": "道路石油沥青"},
    "version": "2027.1",
    "title": "道路石油沥青产品质量监督抽查实施细则",
    "effective_date": "2027-01-01",
    "product_standards": ["JTG F40-2004"],
    "scope": "适用于高速公路、一级公路用 A 级 70 号道路石油沥青的监督抽查。",
    "variants": [{"code": "70号A级", "name": "70 号 A 级道路石油沥青", "match": ["^(A-?70|70号?A级?)"]}],
    "sampling": {"unit": "kg", "test_quantity": 4, "backup_quantity": 4, "min_lot": {"quantity": "20", "unit": "t"}},
    "judgment": {"allowed_failures": {"A": 0, "B": 0, "C": 0}},
    "items": [
        {
            "code": "penetration",
            "name": "针入度（25 ℃，5 s，100 g）",
            "class": "A",
            "test_method": "JTG E20-2011 T 0604",
            "unit": "0.1 mm",
            "replicates": 3,
            "combine": "mean",
            "step": "1",
            "limit": {"70号A级": "60~80"},
            "source": "JTG F40-2004 表 4.2.1-2",
            "verified": True,
        }
    ],
}


@documented({"content": MINIMAL_RULES})
class RuleSetDetailSerializer(RuleSetSerializer):
    status = StatusText(read_only=True)
    unverified = serializers.SerializerMethodField()

    class Meta(RuleSetSerializer.Meta):
        fields = [*RuleSetSerializer.Meta.fields, "unverified"]

    @extend_schema_field(UnverifiedSerializer(many=True))
    def get_unverified(self, ruleset: RuleSet) -> list[dict]:
        return [{"where": where, "note": note} for where, note in ruleset.unverified]


@documented({"version": 1})
class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="读取时的记录版本号")
