"""REST endpoints of a plan's frame, seed ceremony and draw, and of replacing a drawn task (under the plan and task
paths: /api/v1/plans/{code}/frame/, …, /api/v1/tasks/{code}/replace/). Frames and ceremonies name enterprises and
hold capability links: only the plan's regulators reach them. Service errors become 400, refusals 403."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from choujian.core.parsers import BoundedJSONParser as JSONParser
from choujian.core.parsers import FormParser, MultiPartParser
from choujian.draws import selectors, serializers, services
from choujian.planning import selectors as planning_selectors
from choujian.planning import serializers as planning_serializers
from choujian.planning.api import CODE
from choujian.planning.models import Plan


class PlanDrawViewSet(viewsets.GenericViewSet):
    """抽样框、抽取仪式与抽取结果：仅计划所属及上级监管部门。"""

    access = "login"
    lookup_field = "code"
    lookup_value_regex = CODE
    serializer_class = serializers.CeremonySerializer

    def get_queryset(self):
        return planning_selectors.plans_regulated_by(self.request.user)

    @extend_schema(methods=["GET"], responses=serializers.FrameSerializer)
    @extend_schema(methods=["POST"], request=None, responses={201: serializers.FrameSerializer})
    @action(detail=True, methods=["get", "post"])
    def frame(self, request, code=None):
        """GET: the frame (items with weights and why, exclusions with why, digest). POST: build or rebuild it."""
        plan = self.get_object()
        if request.method == "POST":
            services.frame_build(actor=request.user, plan=plan)
        frame = selectors.frame_of(plan)
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
        ceremony = selectors.ceremony_of(plan)
        if ceremony is None:
            raise Http404("抽样框尚未锁定，仪式尚未开始")
        data = selectors.ceremony_status(ceremony)
        return Response(serializers.CeremonySerializer(data).data, status=code)

    @extend_schema(request=serializers.LinkRequestSerializer, responses={201: serializers.LinkSerializer})
    @action(detail=True, methods=["post"], url_path="ceremony/links")
    def ceremony_links(self, request, code=None):
        """Issue a participant's personal link; it is returned this once and never listed again."""
        plan = self.get_object()
        form = serializers.LinkRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ceremony = selectors.ceremony_of(plan)
        participant = (
            ceremony.participants.filter(name=form.validated_data["participant"]).first() if ceremony else None
        )
        if participant is None:
            raise Http404("没有这位参与人")
        token = services.ceremony_link_issue(actor=request.user, participant=participant)
        link = request.build_absolute_uri(reverse("ceremony:participant", args=[token]))
        return Response({"participant": participant.name, "link": link}, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.BeaconSerializer, responses={200: serializers.CeremonySerializer})
    @action(detail=True, methods=["post"], url_path="ceremony/beacon")
    def ceremony_beacon(self, request, code=None):
        """A second person enters the public beacon's value once it is published; the seed and the draw follow."""
        plan = self.get_object()
        form = serializers.BeaconSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ceremony = selectors.ceremony_of(plan)
        if ceremony is None:
            raise Http404("抽样框尚未锁定，仪式尚未开始")
        services.ceremony_beacon_enter(actor=request.user, ceremony=ceremony, value=form.validated_data["value"])
        return self._ceremony_response(plan)

    @extend_schema(request=None, responses={200: planning_serializers.PlanSerializer})
    @action(detail=True, methods=["post"], url_path="close-sampling")
    def close_sampling(self, request, code=None):
        """End the plan's sampling: its draw is revealed in full (frame with salts, selection, alternates)."""
        plan = services.plan_sampling_close(actor=request.user, plan=self.get_object())
        return Response(planning_serializers.PlanSerializer(plan, context={"request": request}).data)

    @extend_schema(request=serializers.FreezeSerializer, responses={201: serializers.CeremonySerializer})
    @action(detail=True, methods=["post"])
    def freeze(self, request, code=None):
        """Lock the frame, publish its digest to the ledger and open the seed ceremony (or external seed)."""
        plan = self.get_object()
        form = serializers.FreezeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.frame_freeze(actor=request.user, plan=plan, **form.validated_data)
        return self._ceremony_response(plan, status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.CeremonySerializer)
    @action(detail=True, methods=["get"])
    def ceremony(self, request, code=None):
        """The seed ceremony: participants, commitments, reveals, deadline (and personal links for the organiser)."""
        return self._ceremony_response(self.get_object())

    @extend_schema(request=serializers.ExternalSeedSerializer, responses=serializers.CeremonySerializer)
    @action(detail=True, methods=["post"], url_path="external-seed")
    def external_seed(self, request, code=None):
        """Enter an external seed (e.g. dice read out in public) for a plan frozen with the external seed mode."""
        plan = self.get_object()
        form = serializers.ExternalSeedSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ceremony = selectors.ceremony_of(plan)
        if ceremony is None:
            raise ValidationError({"seed": ["请先锁定抽样框"]})
        services.ceremony_external_seed(actor=request.user, ceremony=ceremony, **form.validated_data)
        return self._ceremony_response(plan)


class TaskReplaceViewSet(viewsets.GenericViewSet):
    """递补：以同层下一个备选对象替换已抽中的任务。"""

    access = "login"
    lookup_field = "code"
    lookup_value_regex = CODE
    serializer_class = planning_serializers.TaskSerializer

    def get_queryset(self):
        return planning_selectors.tasks_visible_to(self.request.user)

    @extend_schema(
        request={"multipart/form-data": serializers.ReplaceSerializer},
        responses={
            201: planning_serializers.TaskSerializer,
            400: OpenApiResponse(description="原因、证据缺失或已无备选对象"),
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def replace(self, request, code=None):
        """Replace this task's item by the next alternate of its stratum (递补), with a reason and evidence."""
        task = self.get_object()
        form = serializers.ReplaceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        replacement = services.task_replace(actor=request.user, task=task, **form.validated_data)
        replacement = planning_selectors.tasks_visible_to(request.user).filter(pk=replacement.pk).first() or replacement
        return Response(planning_serializers.TaskSerializer(replacement).data, status=status.HTTP_201_CREATED)
