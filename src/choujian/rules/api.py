"""REST endpoints for implementation rules and GB/T 8170 judgment: thin views over `judgment`, selectors, services.

Access: every signed-in user (`login`) reads rule sets and uses the calculators — rules carry no enterprise or
sample data, and testers need them. Writes (draft, edit, activate, retire) are further limited by the services to
regulator admins of national and provincial regulators (403 for others). Anonymous requests get 401.
"""

import codecs
import json
from decimal import Decimal

import django_filters
from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from choujian.core.api import ScopedModelViewSet
from choujian.core.parsers import BoundedJSONParser as JSONParser
from choujian.rules import judgment, rounding, schema, selectors, serializers, services
from choujian.rules.models import RuleSet


def _no_constants(name: str):
    raise ValueError(f"{name} 不是有效的数字")


class DecimalJSONParser(JSONParser):
    """JSON whose numbers are read as exact decimals: 96.96 stays 96.96 instead of the nearest binary float."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.load(codecs.getreader(encoding)(stream), parse_float=Decimal, parse_constant=_no_constants)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON 格式错误：{exc}") from None


def _field_errors(exc: judgment.RuleError) -> dict:
    """`results.max_force` → {"results": {"max_force": [message]}}: the error names the field, nested as sent."""
    errors: dict = {}
    node = errors
    parts = exc.field.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = [str(exc)]
    return errors


EXAMPLE = OpenApiExample(
    "修约值比较法",
    value={"values": ["96.96"], "limit": ">=97.0", "unit_step": "0.1", "method": "rounded"},
    request_only=True,
)


class EvaluateView(APIView):
    """Round and judge replicate values against one limit (GB/T 8170-2008 §3 and §4)."""

    access = "login"
    parser_classes = [DecimalJSONParser]

    @extend_schema(
        request=serializers.EvaluateSerializer,
        responses={
            200: serializers.EvaluationSerializer,
            400: OpenApiResponse(description="输入有误：错误信息按字段给出（values、limit、unit_step…）"),
        },
        examples=[EXAMPLE],
        summary="数值修约与判定",
    )
    def post(self, request):
        form = serializers.EvaluateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            limit = judgment.parse_limit(data["limit"])
            step = None
            if not limit.qualitative:
                interval = data.get("unit_step")
                if interval in (None, ""):
                    interval = limit.default_step()
                step = rounding.effective_step(interval, data["rounding"])
        except judgment.RuleError as exc:
            raise ValidationError(_field_errors(exc)) from None
        except rounding.NumberError as exc:
            raise ValidationError({"unit_step": [str(exc)]}) from None
        try:
            result = judgment.evaluate(data["values"], limit, step=step, method=data["method"], combine=data["combine"])
        except judgment.RuleError as exc:
            raise ValidationError(_field_errors(exc)) from None
        return Response(result.as_dict())


class RuleSetFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__code", help_text="产品类别代码，如 JT-0303")

    class Meta:
        model = RuleSet
        fields = ["category", "status"]


class RuleSetViewSet(ScopedModelViewSet, viewsets.ModelViewSet):
    """实施细则: every signed-in user reads every version; regulator admins of national and provincial
    regulators draft (POST with the rule document as `content`), edit drafts (PATCH with `version`), activate
    and retire them."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [DecimalJSONParser]
    serializer_class = serializers.RuleSetDetailSerializer
    selector = staticmethod(selectors.rulesets_visible_to)
    create_service = staticmethod(services.ruleset_create)
    update_service = staticmethod(services.ruleset_update)
    object_arg = "ruleset"
    filterset_class = RuleSetFilter
    search_fields = ["title", "rule_version", "category__code", "category__name"]
    ordering_fields = ["effective_date", "category__code", "rule_version", "created_at"]

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.RuleSetSummarySerializer
        return serializers.RuleSetDetailSerializer

    def _transition(self, request, service) -> Response:
        ruleset = self.get_object()
        form = serializers.VersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ruleset = service(actor=request.user, ruleset=ruleset, version=form.validated_data["version"])
        return Response(serializers.RuleSetDetailSerializer(ruleset).data)

    @extend_schema(request=serializers.VersionSerializer, responses=serializers.RuleSetDetailSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, public_id=None):
        """Put a draft in force from its effective date (regulator admins of national or provincial regulators)."""
        return self._transition(request, services.ruleset_activate)

    @extend_schema(request=serializers.VersionSerializer, responses=serializers.RuleSetDetailSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, public_id=None):
        """Retire an active version; reports judged by it keep citing it."""
        return self._transition(request, services.ruleset_retire)

    @extend_schema(
        request=serializers.JudgeSerializer,
        responses={
            200: serializers.VerdictSerializer,
            400: OpenApiResponse(description="规格、项目代码或测定值有误：错误信息按字段给出"),
        },
        summary="按细则判定一个样品",
    )
    @action(detail=True, methods=["post"])
    def judge(self, request, public_id=None):
        """Judge one sample by this rule version: each item's values against its limit, then the product by class."""
        ruleset = self.get_object()
        form = serializers.JudgeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        variant = form.validated_data.get("variant") or None
        try:
            rules = schema.item_rules(ruleset.content, variant)
            verdict = judgment.judge_category(
                rules, form.validated_data["results"], ruleset.content["judgment"]["allowed_failures"]
            )
        except judgment.RuleError as exc:
            raise ValidationError(_field_errors(exc)) from None
        body = {
            "ruleset": str(ruleset.public_id),
            "rule_version": ruleset.rule_version,
            "content_sha256": ruleset.content_sha256,
            "variant": variant,
            **verdict.as_dict(),
        }
        return Response(body, status=status.HTTP_200_OK)
