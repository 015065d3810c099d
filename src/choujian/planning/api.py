"""REST endpoints for plans and tasks: thin viewsets over selectors and services.

Plans: create, edit (version required), category lines, submit, approve or return (a second admin). Tasks: read.
(A plan's frame, ceremony and draw, and the replacement of a task, are the draws app's: `choujian.draws.plan_api`.)
Service errors become 400, refusals 403, stale versions 409.
"""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from choujian.core.api import ScopedModelViewSet
from choujian.planning import selectors, serializers, services
from choujian.planning.models import Plan, Task

CODE = r"[A-Za-z0-9-]{1,20}"


class PlanViewSet(ScopedModelViewSet, viewsets.ModelViewSet):
    """抽查计划: regulators see their region's plans and those of the regulators above them."""

    serializer_class = serializers.PlanSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_field = "code"
    lookup_value_regex = CODE
    selector = staticmethod(selectors.plans_visible_to)
    update_service = staticmethod(services.plan_update)
    object_arg = "plan"
    filterset_fields = ["status", "year", "kind"]
    search_fields = ["code", "name"]
    ordering_fields = ["year", "created_at", "code"]

    def get_queryset(self):
        plans = selectors.with_frame_summaries(super().get_queryset())
        return plans.prefetch_related("lines__category", "lines__agency", "lines__laboratory")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        regulator = data.pop("regulator", None)
        if regulator is None:
            mine = selectors.writable_regulators(self.request.user)
            if len(mine) != 1:
                raise ValidationError({"regulator": ["请指定组织单位（填写其公开编号）"]})
            regulator = mine[0]
        data.setdefault("region", regulator.region)
        serializer.instance = services.plan_create(actor=self.request.user, regulator=regulator, **data)

    def _plan(self) -> Plan:
        return self.get_object()

    def _plan_response(self, plan: Plan, code: int = status.HTTP_200_OK) -> Response:
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(serializers.PlanSerializer(plan, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=serializers.PlanLineSerializer, responses={201: serializers.PlanLineSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request, code=None):
        """Add a product category with its quota, strata, sampling mode, agency and laboratory (draft plans)."""
        plan = self._plan()
        form = serializers.PlanLineSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        line = services.plan_line_add(actor=request.user, plan=plan, **form.validated_data)
        return Response(serializers.PlanLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], url_path=r"lines/(?P<line_id>[0-9a-fA-F-]{36})/remove")
    def remove_line(self, request, code=None, line_id=None):
        """Remove a category line from a draft plan."""
        plan = self._plan()
        line = get_object_or_404(plan.lines.all(), public_id=line_id)
        services.plan_line_remove(actor=request.user, line=line)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=serializers.PlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, code=None):
        """Submit a draft for approval by a regulator admin other than the drafter."""
        return self._plan_response(services.plan_submit(actor=request.user, plan=self._plan()))

    @extend_schema(request=None, responses=serializers.PlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, code=None):
        """Approve a submitted plan. The drafter may not approve their own plan (400)."""
        return self._plan_response(services.plan_approve(actor=request.user, plan=self._plan()))

    @extend_schema(request=serializers.ReturnSerializer, responses=serializers.PlanSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_draft(self, request, code=None):
        """Send a submitted plan back to its drafter with a reason."""
        form = serializers.ReturnSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        plan = services.plan_return(actor=request.user, plan=self._plan(), reason=form.validated_data["reason"])
        return self._plan_response(plan)


class TaskFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__code", help_text="计划编号")

    class Meta:
        model = Task
        fields = ["plan", "status"]


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """抽查任务: regulators see their plans' tasks; agency staff their agency's; samplers those they are drawn for."""

    access = "login"
    serializer_class = serializers.TaskSerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    filterset_class = TaskFilter
    search_fields = ["code", "enterprise__name", "product__name"]
    ordering_fields = ["code", "rank", "drawn_at"]

    def get_queryset(self):
        return selectors.tasks_visible_to(self.request.user).prefetch_related("inspectors__inspector")
