"""REST endpoints of field sampling and custody: thin views over `selectors`, `services` and `custody`.

Every create takes the phone's `client_uuid`: a retry returns the record made the first time (200 instead of 201).
Service errors become 400 naming the field, refusals 403, stale versions 409, rows outside the selector 404.
"""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from choujian.core.parsers import BoundedJSONParser as JSONParser
from choujian.core.parsers import FormParser, MultiPartParser
from choujian.core.stored import ALTERED, AlteredFile, open_verified
from choujian.planning.selectors import tasks_visible_to
from choujian.sampling import custody, selectors, serializers, services
from choujian.sampling.choices import RecordStatus
from choujian.sampling.links import label_url
from choujian.sampling.models import AlternateRequest, Evidence, Handover, SamplingRecord, Signature
from choujian.sampling.policy import form_copies_for, may_print_labels

CODE = r"[A-Za-z0-9-]{1,20}"
PARSERS = [MultiPartParser, FormParser, JSONParser]


def _created(existing_before: bool) -> int:
    return status.HTTP_200_OK if existing_before else status.HTTP_201_CREATED


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """抽样单: the sampling form of a task, filled on site. Samplers drawn for the task write; others read."""

    access = "login"
    serializer_class = serializers.RecordSerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    parser_classes = PARSERS
    filterset_fields = ["status"]
    search_fields = ["code", "task__code"]
    ordering_fields = ["created_at", "code"]

    def get_queryset(self):
        records = selectors.records_visible_to(self.request.user).select_related("task", "sample")
        return records.prefetch_related("samplers", "evidence", "signatures__signer")

    @extend_schema(request=serializers.RecordStartSerializer, responses={201: serializers.RecordSerializer})
    def create(self, request):
        """Open the form of a task (idempotent by `client_uuid`)."""
        form = serializers.RecordStartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        task = get_object_or_404(tasks_visible_to(request.user), code=form.validated_data["task"])
        existed = selectors.submitted(SamplingRecord, form.validated_data["client_uuid"])
        record = services.record_start(actor=request.user, task=task, client_uuid=form.validated_data["client_uuid"])
        return Response(self.get_serializer(record).data, status=_created(existed))

    @extend_schema(request=serializers.RecordSerializer, responses={200: serializers.RecordSerializer})
    def partial_update(self, request, code=None):
        """Change form fields (send `version`, or `If-Match`). A change after signing voids the signatures."""
        record = self.get_object()
        form = self.get_serializer(record, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        version = data.pop("version", None) or _if_match(request)
        if version is None:
            raise ValidationError({"version": ["请提供读取时的版本号（version 或 If-Match），以免覆盖他人的修改"]})
        record = services.record_update(actor=request.user, record=record, version=version, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(request=serializers.EvidenceUploadSerializer, responses={201: serializers.EvidenceSerializer})
    @action(detail=True, methods=["post"])
    def evidence(self, request, code=None):
        """Upload a photo, video or capture (hashed on arrival; `sha256` from the phone detects a cut-off upload)."""
        record = self.get_object()
        form = serializers.EvidenceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        existed = selectors.submitted(Evidence, data["client_uuid"])
        evidence = services.evidence_attach(
            actor=request.user,
            record=record,
            kind=data["kind"],
            upload=data["file"],
            client_uuid=data["client_uuid"],
            declared_sha256=data.get("sha256", ""),
        )
        return Response(serializers.EvidenceSerializer(evidence).data, status=_created(existed))

    @extend_schema(request=serializers.SignatureUploadSerializer, responses={201: serializers.SignatureSerializer})
    @action(detail=True, methods=["post"])
    def signatures(self, request, code=None):
        """Add a handwritten signature bound to the form content the signer saw (`content_sha256`)."""
        record = self.get_object()
        form = serializers.SignatureUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        signer = None
        if data.get("signer"):
            signer = record.samplers.filter(public_id=data["signer"]).first()
            if signer is None:
                raise ValidationError({"signer": ["请选择本抽样单上的抽样人员"]})
        existed = selectors.submitted(Signature, data["client_uuid"])
        signature = services.signature_add(
            actor=request.user,
            record=record,
            role=data["role"],
            image=data["image"],
            content_sha256=data["content_sha256"],
            client_uuid=data["client_uuid"],
            signer=signer,
            signer_name=data.get("signer_name", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            image_sha256=data.get("image_sha256", ""),
            signer_password=data.get("signer_password", ""),
            signer_id_digits=data.get("signer_id_digits", ""),
            signer_phone=data.get("signer_phone", ""),
            person_photo=data.get("person_photo"),
        )
        return Response(serializers.SignatureSerializer(signature).data, status=_created(existed))

    @extend_schema(request=None, responses={201: serializers.SampleSerializer})
    @action(detail=True, methods=["post"])
    def seal(self, request, code=None):
        """Seal: creates the sample (CJ-<year>-<6 digits>) and its portions. 400 lists what is still missing."""
        record = self.get_object()
        if record.status == RecordStatus.STATUS_SEALED:
            return Response(serializers.SampleSerializer(record.sample).data)
        sample = services.record_seal(actor=request.user, record=record)
        return Response(serializers.SampleSerializer(sample).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.RecordSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, code=None):
        """Record a refusal (拒检) with reason, evidence and the samplers' signatures."""
        record = services.record_refuse(actor=request.user, record=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(
        parameters=[OpenApiParameter("copy", str, enum=["party", "laboratory", "organiser", "all"])],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request, code=None):
        """The 抽样单 as a PDF (refused forms included), in the copies the user may have."""
        return _form_pdf(request, self.get_object())


def _if_match(request) -> int | None:
    value = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else None


def _form_pdf(request, record: SamplingRecord) -> HttpResponse:
    from choujian.sampling.documents import sampling_form_pdf

    wanted = request.query_params.get("copy", "all")
    copies = form_copies_for(request.user, record)
    if wanted != "all":
        if wanted not in ("party", "laboratory", "organiser"):
            raise ValidationError({"copy": ["联次应为 party、laboratory、organiser 或 all"]})
        if wanted not in copies:
            raise Http404
        copies = [wanted]
    if not copies:
        raise Http404
    pdf = sampling_form_pdf(record, label_url=lambda p: label_url(request, p), copies=copies)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{record.code}.pdf"'
    return response


class SampleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """样品: sealed samples with their portions; labels and the sampling form as PDFs."""

    access = "login"
    serializer_class = serializers.SampleSerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    filterset_fields = ["status"]
    search_fields = ["code"]
    ordering_fields = ["sealed_at", "code", "delivery_due"]

    def get_queryset(self):
        return selectors.samples_visible_to(self.request.user).prefetch_related(
            "portions__custodian", "portions__custodian_org"
        )

    @extend_schema(responses={200: serializers.HandoverSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def handovers(self, request, code=None):
        """Every handover of the sample, in order (the chain of custody)."""
        sample = self.get_object()
        return Response(serializers.HandoverSerializer(selectors.handovers_of(sample), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("layout", str, enum=["label", "a4"])],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="labels.pdf")
    def labels(self, request, code=None):
        """QR labels, one per portion: 60×40 mm for label printers, or `?layout=a4` for a sheet."""
        from choujian.sampling.labels import labels_pdf

        sample = self.get_object()
        if not may_print_labels(request.user, sample):
            raise Http404
        layout = request.query_params.get("layout", "label")
        if layout not in ("label", "a4"):
            raise ValidationError({"layout": ["版式应为 label（60×40 mm 标签）或 a4"]})
        pdf = labels_pdf(sample, label_url=lambda p: label_url(request, p), layout=layout)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{sample.code}-labels.pdf"'
        return response

    @extend_schema(
        parameters=[OpenApiParameter("copy", str, enum=["party", "laboratory", "organiser", "all"])],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="sampling-form.pdf")
    def sampling_form(self, request, code=None):
        """The 抽样单 of the sample: the inspected party gets its copy, the laboratory its copy, the organiser all."""
        return _form_pdf(request, self.get_object().record)


class EvidenceViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """现场证据: metadata and the file itself, for those who see the form, handover or request it belongs to."""

    access = "login"
    serializer_class = serializers.EvidenceSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        return selectors.evidence_visible_to(self.request.user)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request, public_id=None):
        evidence = self.get_object()
        try:
            content = open_verified(evidence.file, evidence.sha256)
        except AlteredFile:
            return Response({"detail": ALTERED}, status=409)
        return FileResponse(content, content_type=evidence.content_type)

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def thumbnail(self, request, public_id=None):
        evidence = self.get_object()
        if not evidence.thumbnail:
            raise Http404
        return FileResponse(evidence.thumbnail.open("rb"), content_type="image/jpeg")


class SignatureViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """签字: each signature with the SHA-256 of what it signs; `image` returns the handwriting."""

    access = "login"
    serializer_class = serializers.SignatureSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        return selectors.signatures_visible_to(self.request.user)

    @extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def image(self, request, public_id=None):
        return FileResponse(self.get_object().image.open("rb"), content_type="image/png")


class PortionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """样品份: a test or backup portion; its custodian confirms where a retained portion is stored."""

    access = "login"
    serializer_class = serializers.PortionSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    parser_classes = PARSERS

    def get_queryset(self):
        return selectors.portions_visible_to(self.request.user)

    @extend_schema(request=serializers.StoreSerializer, responses={200: serializers.PortionSerializer})
    @action(detail=True, methods=["post"])
    def store(self, request, public_id=None):
        """Confirm the storage place of a retained portion with the custodian's (and witnesses') signatures."""
        portion = self.get_object()
        form = serializers.StoreSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        portion = custody.portion_store(actor=request.user, portion=portion, **form.validated_data)
        return Response(serializers.PortionSerializer(portion).data)


class HandoverViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """样品交接: the custodian hands portions over and signs; the receiver checks seals, signs and takes custody."""

    access = "login"
    serializer_class = serializers.HandoverSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    parser_classes = PARSERS
    filterset_fields = ["status"]

    def get_queryset(self):
        handovers = selectors.handovers_visible_to(self.request.user)
        handovers = handovers.select_related("sample", "from_user", "from_org", "to_org", "to_user")
        return handovers.prefetch_related("portions__sample", "signatures__signer", "evidence")

    @extend_schema(request=serializers.HandoverStartSerializer, responses={201: serializers.HandoverSerializer})
    def create(self, request):
        form = serializers.HandoverStartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        sample = get_object_or_404(selectors.samples_visible_to(request.user), code=data["sample"])
        portions = list(sample.portions.filter(number__in=data["portions"]))
        if len(portions) != len(set(data["portions"])):
            raise ValidationError({"portions": ["样品份序号不存在"]})
        to_org = selectors.handover_receivers().filter(public_id=data["to_org"]).first()
        if to_org is None:
            raise ValidationError({"to_org": ["接收单位不存在或已停用"]})
        existed = selectors.submitted(Handover, data["client_uuid"])
        handover = custody.handover_start(
            actor=request.user,
            sample=sample,
            portions=portions,
            to_org=to_org,
            place=data["place"],
            note=data.get("note", ""),
            signature=data["signature"],
            client_uuid=data["client_uuid"],
            photos=data.get("photos") or [],
        )
        return Response(serializers.HandoverSerializer(handover).data, status=_created(existed))

    @extend_schema(request=serializers.HandoverAcceptSerializer, responses={200: serializers.HandoverSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, public_id=None):
        handover = self.get_object()
        form = serializers.HandoverAcceptSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        handover = custody.handover_accept(actor=request.user, handover=handover, **form.validated_data)
        return Response(serializers.HandoverSerializer(handover).data)

    @extend_schema(request=serializers.HandoverRejectSerializer, responses={200: serializers.HandoverSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, public_id=None):
        """The giver takes back a handover nobody has signed for yet, with the reason."""
        handover = self.get_object()
        form = serializers.HandoverRejectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        handover = custody.handover_withdraw(
            actor=request.user, handover=handover, reason=form.validated_data["reason"]
        )
        return Response(serializers.HandoverSerializer(handover).data)

    @extend_schema(request=serializers.HandoverRejectSerializer, responses={200: serializers.HandoverSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, public_id=None):
        handover = self.get_object()
        form = serializers.HandoverRejectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        handover = custody.handover_reject(actor=request.user, handover=handover, **form.validated_data)
        return Response(serializers.HandoverSerializer(handover).data)


class AlternateRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """递补申请: a drawn product that may not be sampled, with reason and photos; the organiser decides."""

    access = "login"
    serializer_class = serializers.AlternateRequestSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    parser_classes = PARSERS
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.alternate_requests_visible_to(self.request.user).prefetch_related("evidence")

    @extend_schema(
        request=serializers.AlternateRequestCreateSerializer, responses={201: serializers.AlternateRequestSerializer}
    )
    def create(self, request):
        form = serializers.AlternateRequestCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        task = get_object_or_404(tasks_visible_to(request.user), code=data["task"])
        existed = selectors.submitted(AlternateRequest, data["client_uuid"])
        made = services.alternate_request(
            actor=request.user,
            task=task,
            reason=data["reason"],
            note=data["note"],
            client_uuid=data["client_uuid"],
            photos=data["photos"],
        )
        return Response(self.get_serializer(made).data, status=_created(existed))

    @extend_schema(request=serializers.DecisionSerializer, responses={200: serializers.AlternateRequestSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, public_id=None):
        made = self.get_object()
        form = serializers.DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        made = services.alternate_decide(
            actor=request.user,
            request=made,
            approve=form.validated_data["approve"],
            note=form.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(made).data)
