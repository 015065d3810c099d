"""REST endpoints of the laboratory: the blind worklist and results (by lab code), intake, reports, objections,
re-tests, outcomes and the laboratory comparison. Thin: selectors read, services write."""

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from choujian.accounts.choices import Role
from choujian.core.parsers import BoundedJSONParser as JSONParser
from choujian.core.parsers import FormParser, MultiPartParser
from choujian.testing import objections, selectors, serializers, services
from choujian.testing.comparison_data import laboratory_comparison
from choujian.testing.links import verify_url
from choujian.testing.models import Result

LAB_CODE = r"L[0-9A-Z]{4}-[0-9A-Z]{5}"
CODE = r"[A-Za-z0-9-]{1,20}"
PARSERS = [MultiPartParser, FormParser, JSONParser]


class WorklistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """盲样工作单: the laboratory's blind samples by lab code — category, rules, items, limits, deadlines, results."""

    access = "login"
    serializer_class = serializers.BlindSampleSerializer
    lookup_field = "lab_code"
    lookup_value_regex = LAB_CODE
    filterset_fields = ["status"]
    search_fields = ["lab_code"]
    ordering_fields = ["due_on", "lab_code"]

    def get_queryset(self):
        results = Prefetch("results", queryset=Result.objects.select_related("entered_by"))
        return selectors.worklist_for(self.request.user).select_related("report").prefetch_related(results)

    @extend_schema(request=serializers.ResultEntrySerializer, responses={201: serializers.ResultSerializer})
    @action(detail=True, methods=["post"])
    def results(self, request, lab_code=None):
        """Enter an item's replicate values (a correction keeps the old values and needs `reason`)."""
        form = serializers.ResultEntrySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = services.result_enter(actor=request.user, lab_sample=self.get_object(), **form.validated_data)
        return Response(serializers.ResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.BlindSampleSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, lab_code=None):
        """The tester submits the results for review; the overall judgment follows the rules."""
        lab_sample = self.get_object()
        services.report_submit(actor=request.user, lab_sample=lab_sample)
        return Response(self.get_serializer(self.get_queryset().get(pk=lab_sample.pk)).data)

    @extend_schema(request=serializers.ReviewSerializer, responses={200: serializers.BlindSampleSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, lab_code=None):
        """审核 by a reviewer other than the tester: approve, or return with a note."""
        lab_sample = self.get_object()
        form = serializers.ReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        report = selectors.report_of(lab_sample)
        if report is None:
            raise ValidationError({"status": ["尚未提交报告"]})
        services.report_review(actor=request.user, report=report, **form.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=lab_sample.pk)).data)

    @extend_schema(request=None, responses={200: serializers.ReportSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, lab_code=None):
        """批准 by a third person: locks the results, unblinds and issues the report PDF, notifies."""
        lab_sample = self.get_object()
        report = selectors.report_of(lab_sample)
        if report is None:
            raise ValidationError({"status": ["尚未提交报告"]})
        report = services.report_approve(actor=request.user, report=report, verify_url=lambda r: verify_url(request, r))
        return Response(serializers.ReportSerializer(report).data)


class IntakeView(APIView):
    """样品接收: the intake clerk checks a received sample against its sampling form and accepts (a lab code is
    issued) or rejects it. GET lists the samples waiting at the clerk's laboratory."""

    access = "login"
    parser_classes = PARSERS

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        queue = selectors.intake_queue(request.user)
        return Response(
            [
                {
                    "sample": s.code,
                    "category": s.task.line.category.name,
                    "record": s.record.code,
                    "seal_numbers": s.record.seal_numbers,
                    "received_at": s.received_at,
                }
                for s in queue
            ]
        )

    @extend_schema(request=serializers.IntakeSerializer, responses={201: serializers.IntakeResultSerializer})
    def post(self, request):
        form = serializers.IntakeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        sample = selectors.intake_queue(request.user).filter(code=data["sample"]).first()
        if sample is None:
            raise Http404("本机构没有待接收的该样品")
        retest = selectors.retest_for_intake(request.user, sample)
        common = {
            "actor": request.user,
            "sample": sample,
            "seals_intact": data["seals_intact"],
            "matches_form": data["matches_form"],
            "condition": data["condition"],
            "photos": data.get("photos") or [],
        }
        if data["accept"]:
            lab_sample = services.intake_accept(variant=data.get("variant", ""), retest=retest, **common)
            body = {"sample": sample.code, "decision": "accepted", "lab_code": lab_sample.lab_code}
        else:
            services.intake_reject(reason=data.get("reason", ""), retest=retest, **common)
            body = {"sample": sample.code, "decision": "rejected", "lab_code": None}
        return Response(body, status=status.HTTP_201_CREATED)


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """检验报告 (unblinded): approvers, the organiser, and the inspected party once approved."""

    access = "login"
    serializer_class = serializers.ReportSerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    parser_classes = PARSERS
    filterset_fields = ["status", "judgment"]
    search_fields = ["code"]

    def get_queryset(self):
        return selectors.reports_visible_to(self.request.user).select_related("notice")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, code=None):
        report = self.get_object()
        if not report.pdf:
            raise Http404("报告尚未批准")
        response = FileResponse(report.pdf.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{report.code}.pdf"'
        return response

    @extend_schema(request=None, responses={200: serializers.ReportSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, code=None):
        """The inspected party confirms it has received the result."""
        report = self.get_object()
        notice = getattr(report, "notice", None)
        if notice is None:
            raise ValidationError({"report": ["该报告没有结果通知"]})
        objections.notice_acknowledge(actor=request.user, notice=notice)
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(
        request={"multipart/form-data": serializers.PaperServiceSerializer},
        responses={200: serializers.ReportSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def service(self, request, code=None):
        """The organiser records a paper service (送达回证): the objection period runs from that day."""
        report = self.get_object()
        notice = getattr(report, "notice", None)
        if notice is None:
            raise ValidationError({"report": ["该报告没有结果通知"]})
        form = serializers.PaperServiceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        objections.notice_serve_paper(
            actor=request.user,
            notice=notice,
            served_on=form.validated_data["served_on"],
            proof=form.validated_data["proof"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(request=serializers.ObjectionCreateSerializer, responses={201: serializers.ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def objection(self, request, code=None):
        """The inspected party objects within the period (15 days by default), with reasons and attachments."""
        report = self.get_object()
        form = serializers.ObjectionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        made = objections.objection_file(
            actor=request.user,
            report=report,
            reasons=form.validated_data["reasons"],
            client_uuid=form.validated_data["client_uuid"],
            attachments=form.validated_data.get("attachments") or [],
        )
        return Response(serializers.ObjectionSerializer(made).data, status=status.HTTP_201_CREATED)


class ObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """异议: the organiser decides within 3 working days; accepted → a re-test at a drawn laboratory."""

    access = "login"
    serializer_class = serializers.ObjectionSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.objections_visible_to(self.request.user)

    @extend_schema(request=serializers.ObjectionDecisionSerializer, responses={200: serializers.ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, public_id=None):
        form = serializers.ObjectionDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        made = objections.objection_decide(actor=request.user, objection=self.get_object(), **form.validated_data)
        return Response(self.get_serializer(made).data)


class RetestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """复检: the drawn laboratory, the backup portion, and both sides' confirmation of its seal."""

    access = "login"
    serializer_class = serializers.RetestSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        return selectors.retests_visible_to(self.request.user)

    @extend_schema(request=serializers.ConfirmSerializer, responses={200: serializers.RetestSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, public_id=None):
        form = serializers.ConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        retest = objections.retest_confirm(actor=request.user, retest=self.get_object(), **form.validated_data)
        return Response(self.get_serializer(retest).data)


class OutcomeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """最终结论: final results; non-conforming ones are ready for enforcement."""

    access = "login"
    serializer_class = serializers.OutcomeSerializer
    filterset_fields = ["judgment", "ready_for_enforcement"]

    def get_queryset(self):
        return selectors.outcomes_visible_to(self.request.user)


class ComparisonView(APIView):
    """实验室比对: agreement rate and ISO 13528 z-scores per laboratory and item, from re-tests (regulators)."""

    access = "login"

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        if not request.user.roles & Role.REGULATOR_ROLES:
            raise Http404
        return Response(laboratory_comparison(request.user))
