"""Thin API shapes for sampling forms, evidence, signatures, samples, portions, handovers and alternate requests."""

from django.db import models
from rest_framework import serializers

from choujian.core.dates import DateSerializerField
from choujian.core.examples import documented
from choujian.planning.choices import ReplacementReason
from choujian.sampling.choices import EvidenceKind, PlaceKind, RecordStatus, SampleStatus, SignerRole
from choujian.sampling.content import FORM_FIELDS
from choujian.sampling.models import AlternateRequest, Evidence, Handover, Portion, Sample, SamplingRecord, Signature


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return str(user)


class OrgSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class EvidenceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "client_uuid",
            "kind",
            "kind_label",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "taken_at",
            "exif_latitude",
            "exif_longitude",
            "uploaded_at",
            "url",
            "thumbnail_url",
        ]

    def get_url(self, evidence) -> str:
        return f"/api/v1/evidence/{evidence.public_id}/file"

    def get_thumbnail_url(self, evidence) -> str | None:
        return f"/api/v1/evidence/{evidence.public_id}/thumbnail" if evidence.thumbnail else None


class SignatureSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    signer = PersonSerializer(read_only=True, allow_null=True)
    valid = serializers.SerializerMethodField()

    class Meta:
        model = Signature
        fields = [
            "id",
            "client_uuid",
            "role",
            "role_label",
            "signer",
            "signer_name",
            "image_sha256",
            "content_sha256",
            "signed_at",
            "latitude",
            "longitude",
            "voided_at",
            "void_reason",
            "valid",
        ]

    def get_valid(self, signature) -> bool:
        return signature.voided_at is None


@documented(
    {
        "batch_no": "20261101",
        "lot_size": "300.000",
        "lot_unit": "t",
        "remarks": "现场核对产品标识、合格证与批次信息一致",
    }
)
class RecordSerializer(serializers.ModelSerializer):
    """A sampling form. PATCH any form field with `version`; `samplers` takes public ids of drawn inspectors."""

    task = serializers.CharField(source="task.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    place_kind = serializers.ChoiceField(choices=PlaceKind.CHOICES, required=False, allow_blank=True)
    samplers = serializers.ListField(child=serializers.UUIDField(), required=False, write_only=True)
    sampler_list = PersonSerializer(source="samplers", many=True, read_only=True)
    seal_numbers = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    evidence = EvidenceSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    sample = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False)
    problems = serializers.SerializerMethodField(help_text="封样前尚需完成的事项（按字段）")
    serializer_field_mapping = serializers.ModelSerializer.serializer_field_mapping | {
        models.DateField: DateSerializerField
    }

    class Meta:
        model = SamplingRecord
        fields = [
            "code",
            "client_uuid",
            "task",
            "status",
            "status_label",
            *FORM_FIELDS,
            "samplers",
            "sampler_list",
            "content_sha256",
            "evidence",
            "signatures",
            "sealed_at",
            "refused_at",
            "sample",
            "version",
            "problems",
        ]
        read_only_fields = ["code", "client_uuid", "status", "content_sha256", "sealed_at", "refused_at"]

    def get_sample(self, record) -> str | None:
        sample = getattr(record, "sample", None)
        return sample.code if sample is not None else None

    def get_problems(self, record) -> dict[str, list[str]]:
        from choujian.sampling.services import seal_problems

        return seal_problems(record) if record.status == RecordStatus.STATUS_DRAFT else {}


@documented({"task": "RW-2026-000001", "client_uuid": "00000000-0000-4000-8000-000000000000"})
class RecordStartSerializer(serializers.Serializer):
    task = serializers.CharField(max_length=20, help_text="任务编号，如 RW-2026-000001")
    client_uuid = serializers.UUIDField(help_text="手机生成的 UUID：重复提交返回同一份抽样单")


@documented(
    {
        "kind": "product",
        "file": "产品外观.png",
        "client_uuid": "00000000-0000-4000-8000-000000000000",
        "sha256": "0000000000000000000000000000000000000000000000000000000000000000",
    }
)
class EvidenceUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.CHOICES)
    file = serializers.FileField()
    client_uuid = serializers.UUIDField()
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False, help_text="手机上计算的 SHA-256")


@documented(
    {
        "role": "sampler",
        "image": "签名.png",
        "content_sha256": "0000000000000000000000000000000000000000000000000000000000000000",
        "client_uuid": "00000000-0000-4000-8000-000000000000",
        "image_sha256": "0000000000000000000000000000000000000000000000000000000000000000",
    }
)
class SignatureUploadSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[(r, r) for r in sorted(SignerRole.RECORD_ROLES)])
    image = serializers.FileField(help_text="手写签名 PNG")
    content_sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text="签字人所看到的表单内容 SHA-256")
    client_uuid = serializers.UUIDField()
    signer = serializers.UUIDField(required=False, help_text="抽样人员签字时：其公开编号（不填为本人）")
    signer_password = serializers.CharField(
        max_length=256,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="另一名抽样人员在本设备上签字时：其本人的登录密码",
    )
    signer_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    signer_id_digits = serializers.CharField(
        max_length=4, required=False, allow_blank=True, help_text="被抽样单位代表、见证人：身份证号后四位"
    )
    signer_phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="被抽样单位代表、见证人：手机号（与身份证号后四位二选一）",
    )
    person_photo = serializers.FileField(required=False, help_text="被抽样单位代表、见证人：签字时的现场照片")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=10, decimal_places=6, required=False, allow_null=True)
    image_sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False)


class PortionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    label_code = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    custodian = PersonSerializer(read_only=True)
    custodian_org = OrgSerializer(read_only=True)

    class Meta:
        model = Portion
        fields = [
            "id",
            "label_code",
            "number",
            "kind",
            "kind_label",
            "seal_no",
            "quantity",
            "custodian",
            "custodian_org",
            "storage_place",
            "status",
            "status_label",
            "storage_confirmed_at",
        ]


class HandoverSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    sample = serializers.CharField(source="sample.code", read_only=True)
    portions = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    from_user = PersonSerializer(read_only=True)
    from_org = OrgSerializer(read_only=True)
    to_org = OrgSerializer(read_only=True)
    to_user = PersonSerializer(read_only=True, allow_null=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "client_uuid",
            "sample",
            "portions",
            "status",
            "status_label",
            "from_user",
            "from_org",
            "to_org",
            "to_user",
            "place",
            "started_at",
            "accepted_at",
            "seal_intact",
            "condition",
            "note",
            "signatures",
            "evidence",
        ]

    def get_portions(self, handover) -> list[str]:
        return [p.label_code for p in handover.portions.all()]


class SampleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    task = serializers.CharField(source="task.code", read_only=True)
    record = serializers.CharField(source="record.code", read_only=True)
    category = serializers.CharField(source="task.line.category.name", read_only=True)
    laboratory = OrgSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    portions = PortionSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = [
            "id",
            "code",
            "task",
            "record",
            "category",
            "laboratory",
            "status",
            "status_label",
            "sealed_at",
            "delivery_due",
            "delivery_due_note",
            "received_at",
            "overdue",
            "portions",
        ]

    def get_overdue(self, sample) -> bool:
        from django.utils import timezone

        return bool(
            sample.delivery_due
            and sample.delivery_due < timezone.localdate()
            and sample.status != SampleStatus.STATUS_RECEIVED
        )


@documented(
    {
        "storage_place": "企业成品库 B 区 3 号货架",
        "client_uuid": "00000000-0000-4000-8000-000000000000",
        "custodian_signature": "保管人签名.png",
    }
)
class StoreSerializer(serializers.Serializer):
    storage_place = serializers.CharField(max_length=200)
    client_uuid = serializers.UUIDField()
    custodian_signature = serializers.FileField()
    owner_signature = serializers.FileField(required=False)
    owner_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    supervisor_signature = serializers.FileField(required=False)
    supervisor_name = serializers.CharField(max_length=50, required=False, allow_blank=True)


@documented(
    {
        "sample": "CJ-2026-000001",
        "portions": [1],
        "to_org": "00000000-0000-4000-8000-000000000000",
        "place": "检验机构样品接收室",
        "note": "",
        "client_uuid": "00000000-0000-4000-8000-000000000000",
        "signature": "交出人签名.png",
    }
)
class HandoverStartSerializer(serializers.Serializer):
    sample = serializers.CharField(max_length=20, help_text="样品编号 CJ-…")
    portions = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=9), min_length=1)
    to_org = serializers.UUIDField(help_text="接收单位的公开编号")
    place = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    client_uuid = serializers.UUIDField()
    signature = serializers.FileField(help_text="交出人手写签名 PNG")
    photos = serializers.ListField(child=serializers.FileField(), required=False)


@documented({"seal_intact": True, "condition": "封条完好，包装无破损，数量与交接单一致", "signature": "接收人签名.png"})
class HandoverAcceptSerializer(serializers.Serializer):
    seal_intact = serializers.BooleanField()
    condition = serializers.CharField(max_length=300)
    signature = serializers.FileField(help_text="接收人手写签名 PNG")
    photos = serializers.ListField(child=serializers.FileField(), required=False)


@documented({"reason": "封条编号与抽样单不一致"})
class HandoverRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    photos = serializers.ListField(child=serializers.FileField(), required=False)


class AlternateRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    task = serializers.CharField(source="task.code", read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = PersonSerializer(read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = AlternateRequest
        fields = [
            "id",
            "client_uuid",
            "task",
            "reason",
            "reason_label",
            "note",
            "status",
            "status_label",
            "requested_by",
            "created_at",
            "decided_at",
            "decision_note",
            "evidence",
        ]


@documented(
    {
        "task": "RW-2026-000001",
        "reason": "no_stock",
        "note": "企业仓库无该型号库存，已拍摄仓库现场照片",
        "client_uuid": "00000000-0000-4000-8000-000000000000",
        "photos": ["仓库1.png", "仓库2.png"],
    }
)
class AlternateRequestCreateSerializer(serializers.Serializer):
    task = serializers.CharField(max_length=20)
    reason = serializers.ChoiceField(choices=ReplacementReason.CHOICES)
    note = serializers.CharField(max_length=500)
    client_uuid = serializers.UUIDField()
    photos = serializers.ListField(child=serializers.FileField(), min_length=1)


@documented({"approve": True, "note": "理由成立，同意递补"})
class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
