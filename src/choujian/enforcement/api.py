"""Enforcement API: `GET /api/v1/enforcement/cases/` and the actions on a case (POST), each through the services."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from choujian.enforcement import rechecks, selectors, serializers, services


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """后处理案件: a failed batch or a refused sampling on its legal clock, with every step, its basis and due date."""

    access = "login"
    serializer_class = serializers.CaseSerializer
    lookup_field = "code"
    filterset_fields = ["status", "ladder", "cause", "stage"]

    def get_queryset(self):
        return selectors.cases_visible_to(self.request.user).prefetch_related("steps__recheck__task")

    def _answer(self, case):
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(request=serializers.StepTakeSerializer, responses={200: serializers.CaseSerializer})
    @action(detail=True, methods=["post"])
    def step(self, request, code=None):
        """Do the current step with a result; out of order, by the wrong party, too early or too late is refused."""
        case = self.get_object()
        form = serializers.StepTakeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(services.step_take(actor=request.user, case=case, **form.validated_data))

    @extend_schema(request=serializers.VersionSerializer, responses={200: serializers.CaseSerializer})
    @action(detail=True, methods=["post"])
    def recheck(self, request, code=None):
        """Order the 复查 of the current (sampled) step: a new sampling task at the maker, inspectors drawn, tested
        blind; its final conclusion becomes the step's result by itself (regulators)."""
        case = self.get_object()
        form = serializers.VersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rechecks.recheck_order(actor=request.user, case=case, **form.validated_data)
        return self._answer(case)

    @extend_schema(request=serializers.SuspendSerializer, responses={200: serializers.CaseSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, code=None):
        """Stop the current step's clock with a reason (regulators)."""
        case = self.get_object()
        form = serializers.SuspendSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(services.step_suspend(actor=request.user, case=case, **form.validated_data))

    @extend_schema(request=serializers.VersionSerializer, responses={200: serializers.CaseSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, code=None):
        """Restart the clock; the days it stood still are added to the deadline (regulators)."""
        case = self.get_object()
        form = serializers.VersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(services.step_resume(actor=request.user, case=case, **form.validated_data))

    @extend_schema(request=serializers.VersionSerializer, responses={200: serializers.CaseSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, code=None):
        """The regulator the case was referred to confirms it took the case over."""
        case = self.get_object()
        form = serializers.VersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case = services.referral_acknowledge(actor=request.user, case=case, **form.validated_data)
        return self._answer(case)
