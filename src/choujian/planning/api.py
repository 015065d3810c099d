"""REST endpoints for plans and tasks: thin viewsets over selectors and services.

Plans: create, edit (version required), category lines, submit, approve or return (a second admin), frame
build and review, freeze (opens the seed ceremony), external seed, ceremony status. Tasks: read, replace by the
next alternate with reason and evidence. Service errors become 400, refusals 403, stale versions 409.
"""

import django_filters
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from choujian.core.api import ScopedModelViewSet
from choujian.core.parsers import BoundedJSONParser as JSONParser
from choujian.core.parsers import FormParser, MultiPartParser
from choujian.draws import selectors as draw_selectors
from choujian.draws import services as draw_services
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
        return super().get_queryset().prefetch_related("lines__category", "lines__agency", "lines__laboratory")

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

    def _regulated(self) -> Plan:
        """Frames and ceremonies name enterprises and hold capability links: the regulator's side only."""
        return get_object_or_404(selectors.plans_regulated_by(self.request.user), code=self.kwargs["code"])

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

    @extend_schema(methods=["GET"], responses=serializers.FrameSerializer)
    @extend_schema(methods=["POST"], request=None, responses={201: serializers.FrameSerializer})
    @action(detail=True, methods=["get", "post"])
    def frame(self, request, code=None):
        """GET: the frame (items with weights and why, exclusions with why, digest). POST: build or rebuild it."""
        plan = self._regulated()
        if request.method == "POST":
            draw_services.frame_build(actor=request.user, plan=plan)
        frame = draw_selectors.frame_of(plan)
        if frame is None:
            raise Http404("尚未生成抽样框")
        data = {
            "plan": plan,
            "digest": frame.digest,
            "frozen_at": frame.frozen_at,
            "quotas": frame.quotas,
            "items": frame.items.select_related("enterprise", "product").order_by("item_id"),
            "exclusions": frame.exclusions.select_related("enterprise", "product").order_by("item_id"),
        }
        code = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
        return Response(serializers.FrameSerializer(data).data, status=code)

    def _ceremony_response(self, plan: Plan, code: int = status.HTTP_200_OK) -> Response:
        ceremony = draw_selectors.ceremony_of(plan)
        if ceremony is None:
            raise Http404("抽样框尚未锁定，仪式尚未开始")
        data = draw_selectors.ceremony_status(ceremony)
        return Response(serializers.CeremonySerializer(data).data, status=code)

    @extend_schema(request=serializers.LinkRequestSerializer, responses={201: serializers.LinkSerializer})
    @action(detail=True, methods=["post"], url_path="ceremony/links")
    def ceremony_links(self, request, code=None):
        """Issue a participant's personal link; it is returned this once and never listed again."""
        plan = self._regulated()
        form = serializers.LinkRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ceremony = draw_selectors.ceremony_of(plan)
        participant = (
            ceremony.participants.filter(name=form.validated_data["participant"]).first() if ceremony else None
        )
        if participant is None:
            raise Http404("没有这位参与人")
        token = draw_services.ceremony_link_issue(actor=request.user, participant=participant)
        link = request.build_absolute_uri(reverse("ceremony:participant", args=[token]))
        return Response({"participant": participant.name, "link": link}, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.BeaconSerializer, responses={200: serializers.CeremonySerializer})
    @action(detail=True, methods=["post"], url_path="ceremony/beacon")
    def ceremony_beacon(self, request, code=None):
        """A second person enters the public beacon's value once it is published; the seed and the draw follow."""
        plan = self._regulated()
        form = serializers.BeaconSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ceremony = draw_selectors.ceremony_of(plan)
        if ceremony is None:
            raise Http404("抽样框尚未锁定，仪式尚未开始")
        draw_services.ceremony_beacon_enter(actor=request.user, ceremony=ceremony, value=form.validated_data["value"])
        return self._ceremony_response(plan)

    @extend_schema(request=None, responses={200: serializers.PlanSerializer})
    @action(detail=True, methods=["post"], url_path="close-sampling")
    def close_sampling(self, request, code=None):
        """End the plan's sampling: its draw is revealed in full (frame with salts, selection, alternates)."""
        plan = draw_services.plan_sampling_close(actor=request.user, plan=self._regulated())
        return Response(serializers.PlanSerializer(plan, context={"request": request}).data)

    @extend_schema(request=serializers.FreezeSerializer, responses={201: serializers.CeremonySerializer})
    @action(detail=True, methods=["post"])
    def freeze(self, request, code=None):
        """Lock the frame, publish its digest to the ledger and open the seed ceremony (or external seed)."""
        plan = self._regulated()
        form = serializers.FreezeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        draw_services.frame_freeze(actor=request.user, plan=plan, **form.validated_data)
        return self._ceremony_response(plan, status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.CeremonySerializer)
    @action(detail=True, methods=["get"])
    def ceremony(self, request, code=None):
        """The seed ceremony: participants, commitments, reveals, deadline (and personal links for the organiser)."""
        return self._ceremony_response(self._regulated())

    @extend_schema(request=serializers.ExternalSeedSerializer, responses=serializers.CeremonySerializer)
    @action(detail=True, methods=["post"], url_path="external-seed")
    def external_seed(self, request, code=None):
        """Enter an external seed (e.g. dice read out in public) for a plan frozen with the external seed mode."""
        plan = self._regulated()
        form = serializers.ExternalSeedSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ceremony = draw_selectors.ceremony_of(plan)
        if ceremony is None:
            raise ValidationError({"seed": ["请先锁定抽样框"]})
        draw_services.ceremony_external_seed(actor=request.user, ceremony=ceremony, **form.validated_data)
        return self._ceremony_response(plan)


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

    @extend_schema(
        request={"multipart/form-data": serializers.ReplaceSerializer},
        responses={
            201: serializers.TaskSerializer,
            400: OpenApiResponse(description="原因、证据缺失或已无备选对象"),
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def replace(self, request, code=None):
        """Replace this task's item by the next alternate of its stratum (递补), with a reason and evidence."""
        task = self.get_object()
        form = serializers.ReplaceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        replacement = draw_services.task_replace(actor=request.user, task=task, **form.validated_data)
        replacement = self.get_queryset().filter(pk=replacement.pk).first() or replacement
        return Response(serializers.TaskSerializer(replacement).data, status=status.HTTP_201_CREATED)
