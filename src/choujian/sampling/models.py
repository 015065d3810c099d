"""Field sampling and chain of custody: the sampling form (抽样单), its evidence and signatures, the sealed sample
and its portions (检验样品 + 备用样品), their QR labels, and every handover until the laboratory receives them."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.accounts.models import Organisation
from choujian.core.ledgerstate import IDEMPOTENCY_KEY, ledger_values
from choujian.core.ledgerstate import iso as _iso
from choujian.core.models import PublicModel
from choujian.planning.choices import ReplacementReason
from choujian.planning.models import Task
from choujian.sampling.choices import (
    EvidenceKind,
    HandoverStatus,
    PlaceKind,
    PortionKind,
    PortionStatus,
    RecordStatus,
    RequestStatus,
    SampleStatus,
    SignerRole,
)
from choujian.sampling.content import FORM_FIELDS


class SamplingRecord(PublicModel):
    """The sampling form (抽样单) of a task, filled on site on a phone; or the record of a refusal (拒检)."""

    ledger_kind = "sampling_record"
    ledger_private = True  # names whom a sample came from: digest-only in the public log
    ledger_fields = (
        "code", "task", "status", "samplers", "created_by", *FORM_FIELDS, "content_sha256", "sealed_at", "refused_at"
    )  # fmt: skip
    ledger_unledgered = {"client_uuid": IDEMPOTENCY_KEY}

    code = models.CharField(_("抽样单编号"), max_length=20, unique=True)
    client_uuid = models.UUIDField(_("客户端编号"), unique=True, help_text=_("由手机生成，重复提交不会产生第二份"))
    task = models.OneToOneField(Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="sampling_record")
    status = models.CharField(_("状态"), max_length=10, choices=RecordStatus.CHOICES, default=RecordStatus.STATUS_DRAFT)
    samplers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("抽样人员"), related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    party_name = models.CharField(_("被抽样单位名称"), max_length=200, blank=True)
    party_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    party_address = models.CharField(_("被抽样单位地址"), max_length=300, blank=True)
    party_contact = models.CharField(_("联系人"), max_length=50, blank=True)
    party_phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    maker_name = models.CharField(_("（标称）生产企业"), max_length=200, blank=True)
    maker_address = models.CharField(_("生产企业地址"), max_length=300, blank=True)
    product_name = models.CharField(_("产品名称"), max_length=200, blank=True)
    brand = models.CharField(_("商标/品牌"), max_length=100, blank=True)
    model_spec = models.CharField(_("规格型号"), max_length=200, blank=True)
    batch_no = models.CharField(_("批号"), max_length=64, blank=True)
    production_date = models.DateField(_("生产日期"), null=True, blank=True)
    standard = models.CharField(_("执行标准"), max_length=200, blank=True)
    licence_no = models.CharField(_("生产许可证编号"), max_length=64, blank=True)

    place_kind = models.CharField(_("抽样地点类型"), max_length=10, choices=PlaceKind.CHOICES, blank=True)
    place_address = models.CharField(_("抽样地点"), max_length=300, blank=True)
    lot_size = models.DecimalField(
        _("抽样基数"), max_digits=14, decimal_places=3, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    lot_unit = models.CharField(_("基数单位"), max_length=16, blank=True)
    test_quantity = models.CharField(_("检验样品数量"), max_length=60, blank=True)
    backup_portions = models.PositiveSmallIntegerField(
        _("备用样品份数"), default=1, validators=[MinValueValidator(0), MaxValueValidator(4)]
    )
    backup_quantity = models.CharField(_("每份备用样品数量"), max_length=60, blank=True)
    seal_numbers = models.JSONField(_("封条编号"), default=list, blank=True)

    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    position_accuracy = models.PositiveIntegerField(_("定位精度（米）"), null=True, blank=True)
    device_time = models.DateTimeField(_("设备时间"), null=True, blank=True)

    paper_matches = models.BooleanField(_("纸质随货文件与预传文件一致"), null=True, blank=True)
    paper_note = models.CharField(_("文件核对说明"), max_length=300, blank=True)

    seller_name = models.CharField(_("网店经营者"), max_length=200, blank=True)
    shop_url = models.CharField(_("商品页面网址"), max_length=500, blank=True)
    order_no = models.CharField(_("订单号"), max_length=100, blank=True)
    payment_account = models.CharField(_("支付账户"), max_length=100, blank=True)
    buyer_account = models.CharField(_("购买注册账户"), max_length=100, blank=True)
    delivery_address = models.CharField(_("收货地址"), max_length=300, blank=True)

    remarks = models.CharField(_("备注"), max_length=500, blank=True)
    refusal_reason = models.CharField(_("拒检理由"), max_length=500, blank=True)

    content_sha256 = models.CharField(_("表单内容 SHA-256"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("封样时间"), null=True, blank=True)
    refused_at = models.DateTimeField(_("拒检时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽样单")
        verbose_name_plural = pgettext_lazy("plural", "抽样单")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code

    def ledger_state(self) -> dict:
        return {
            "code": self.code,
            "task": self.task.code,
            "status": self.status,
            "content_sha256": self.content_sha256,
            "samplers": sorted(str(u.public_id) for u in self.samplers.all()),
            "evidence": [e.as_ledger() for e in self.evidence.all()],
            "signatures": [s.as_ledger() for s in self.signatures.all()],
            "form": ledger_values(self, FORM_FIELDS),
        } | ledger_values(self, ("created_by", "sealed_at", "refused_at"))


class Evidence(models.Model):
    """A photo, video or document taken on site or during a handover, stored under its SHA-256 computed on arrival."""

    ledger_embedded_in = ("record", "handover", "alternate_request")
    ledger_fields = (
        "record", "handover", "alternate_request", "kind", "file", "original_name", "content_type", "size", "sha256",
        "taken_at", "exif_latitude", "exif_longitude", "uploaded_by", "uploaded_at",
    )  # fmt: skip
    ledger_unledgered = {
        "client_uuid": IDEMPOTENCY_KEY,
        "thumbnail": "由原文件生成的缩略图，原文件及其 SHA-256 已覆盖 / a preview made from the file, which is covered",
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    record = models.ForeignKey(SamplingRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    handover = models.ForeignKey("Handover", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    alternate_request = models.ForeignKey(
        "AlternateRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=EvidenceKind.CHOICES)
    file = models.FileField(_("文件"), upload_to="evidence/")
    thumbnail = models.FileField(_("缩略图"), upload_to="evidence/thumbs/", blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    taken_at = models.DateTimeField(_("拍摄时间（EXIF）"), null=True, blank=True)
    exif_latitude = models.DecimalField(_("拍摄纬度（EXIF）"), max_digits=9, decimal_places=6, null=True, blank=True)
    exif_longitude = models.DecimalField(_("拍摄经度（EXIF）"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场证据")
        verbose_name_plural = pgettext_lazy("plural", "现场证据")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]}"

    def as_ledger(self) -> dict:
        return ledger_values(self, self.ledger_fields[3:])


class Sample(PublicModel):
    """The sealed sample of a task (样品), coded CJ-<year>-<6 digits>, made of a test portion and backup portions."""

    ledger_kind = "sample"
    ledger_private = True  # names whom a sample came from: digest-only in the public log
    ledger_fields = (
        "code", "record", "task", "laboratory", "status", "sealed_at", "delivery_due", "delivery_due_note",
        "received_at",
    )  # fmt: skip

    code = models.CharField(_("样品编号"), max_length=20, unique=True)
    record = models.OneToOneField(SamplingRecord, on_delete=models.PROTECT, related_name="sample")
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="sample")
    laboratory = models.ForeignKey(Organisation, verbose_name=_("检验机构"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=12, choices=SampleStatus.CHOICES, default=SampleStatus.STATUS_SEALED
    )
    sealed_at = models.DateTimeField(_("封样时间"))
    delivery_due = models.DateField(_("送样期限"), null=True, blank=True)
    delivery_due_note = models.CharField(_("期限说明"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("检验机构接收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("样品")
        verbose_name_plural = pgettext_lazy("plural", "样品")
        ordering = ["-sealed_at"]

    def __str__(self) -> str:
        return self.code

    def ledger_state(self) -> dict:
        return {
            "code": self.code,
            "task": self.task.code,
            "record": self.record.code,
            "laboratory": str(self.laboratory.public_id),
            "status": self.status,
            "sealed_at": _iso(self.sealed_at),
            "delivery_due": _iso(self.delivery_due),
            "received_at": _iso(self.received_at),
        } | ledger_values(self, ("delivery_due_note",))

    def deadline_watchers(self, field: str):
        """Who answers for the delivery deadline: the drawn samplers and the organiser's officers."""
        from choujian.accounts.choices import Role
        from choujian.accounts.models import User
        from choujian.accounts.scope import members_of

        samplers = User.objects.filter(task_assignments__task=self.task)
        return list(samplers) + list(members_of([self.task.plan.regulator_id], Role.REGULATOR_WRITERS))

    def deadline_link(self, field: str) -> str:
        from django.urls import reverse

        return reverse("sampling:sample", args=[self.code])

    def deadline_open(self, field: str) -> bool:
        """The delivery is due until the laboratory has received the sample."""
        return self.status in (SampleStatus.STATUS_SEALED, SampleStatus.STATUS_IN_TRANSIT)


class Portion(PublicModel):
    """One sealed portion of a sample (检验样品 or 备用样品) with its seal, custodian, storage place and label token."""

    ledger_kind = "portion"
    ledger_private = True  # names whom a sample came from: digest-only in the public log
    ledger_fields = (
        "sample", "kind", "number", "seal_no", "quantity", "custodian", "custodian_org", "storage_place", "status",
        "label_token", "storage_confirmed_at",
    )  # fmt: skip

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="portions")
    kind = models.CharField(_("用途"), max_length=8, choices=PortionKind.CHOICES)
    number = models.PositiveSmallIntegerField(_("序号"))
    seal_no = models.CharField(_("封条编号"), max_length=40)
    quantity = models.CharField(_("数量"), max_length=60, blank=True)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("保管人"), on_delete=models.PROTECT, related_name="+"
    )
    custodian_org = models.ForeignKey(
        Organisation, verbose_name=_("保管单位"), on_delete=models.PROTECT, related_name="+"
    )
    storage_place = models.CharField(_("存放地点"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=PortionStatus.CHOICES, default=PortionStatus.STATUS_SEALED
    )
    label_token = models.CharField(_("标签令牌"), max_length=43, unique=True)
    storage_confirmed_at = models.DateTimeField(_("存放确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("样品份")
        verbose_name_plural = pgettext_lazy("plural", "样品份")
        ordering = ["sample", "number"]
        constraints = [models.UniqueConstraint(fields=["sample", "number"], name="uniq_portion_number")]

    def __str__(self) -> str:
        return f"{self.sample.code}-{self.number}"

    @property
    def label_code(self) -> str:
        return f"{self.sample.code}-{self.number}"

    def ledger_state(self) -> dict:
        return {
            "sample": self.sample.code,
            "number": self.number,
            "kind": self.kind,
            "seal_no": self.seal_no,
            "quantity": self.quantity,
            "custodian": str(self.custodian.public_id),
            "custodian_org": str(self.custodian_org.public_id),
            "storage_place": self.storage_place,
            "status": self.status,
            "storage_confirmed_at": _iso(self.storage_confirmed_at),
            "signatures": [s.as_ledger() for s in self.signatures.all()],
        } | ledger_values(self, ("label_token",))


class Handover(PublicModel):
    """A handover of portions from their custodian to another person (送样、转交), ending with the lab's receipt."""

    ledger_kind = "handover"
    ledger_private = True  # names whom a sample came from: digest-only in the public log
    ledger_fields = (
        "sample", "portions", "status", "from_user", "from_org", "to_org", "to_user", "place", "started_at",
        "accepted_at", "seal_intact", "condition", "note",
    )  # fmt: skip
    ledger_unledgered = {"client_uuid": IDEMPOTENCY_KEY}

    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="handovers")
    portions = models.ManyToManyField(Portion, verbose_name=_("样品份"), related_name="handovers")
    status = models.CharField(
        _("状态"), max_length=10, choices=HandoverStatus.CHOICES, default=HandoverStatus.STATUS_PENDING
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("交出人"), on_delete=models.PROTECT, related_name="+"
    )
    from_org = models.ForeignKey(Organisation, verbose_name=_("交出单位"), on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(Organisation, verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("交接地点"), max_length=200)
    started_at = models.DateTimeField(_("交出时间"))
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    seal_intact = models.BooleanField(_("封条完好"), null=True, blank=True)
    condition = models.CharField(_("样品状况"), max_length=300, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("样品交接")
        verbose_name_plural = pgettext_lazy("plural", "样品交接")
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.sample.code} → {self.to_org}"

    def ledger_state(self) -> dict:
        return {
            "sample": self.sample.code,
            "portions": sorted(p.number for p in self.portions.all()),
            "status": self.status,
            "from_user": str(self.from_user.public_id),
            "from_org": str(self.from_org.public_id),
            "to_org": str(self.to_org.public_id),
            "to_user": str(self.to_user.public_id) if self.to_user_id else None,
            "place": self.place,
            "started_at": _iso(self.started_at),
            "accepted_at": _iso(self.accepted_at),
            "seal_intact": self.seal_intact,
            "condition": self.condition,
            "evidence": [e.as_ledger() for e in self.evidence.all()],
            "signatures": [s.as_ledger() for s in self.signatures.all()],
        } | ledger_values(self, ("note",))


class Signature(models.Model):
    """A handwritten signature made on a phone screen, bound to the SHA-256 of exactly what it signs.

    A signature on a sampling form is voided (never deleted) when the form changes after it was made.
    """

    ledger_embedded_in = ("record", "portion", "handover")
    ledger_fields = (
        "record", "portion", "handover", "role", "signer", "signer_name", "signer_id_digits", "signer_phone",
        "person_photo", "person_photo_sha256", "signer_confirmed", "image", "image_sha256", "content_sha256",
        "signed_at", "latitude", "longitude", "recorded_by", "voided_at", "void_reason",
    )  # fmt: skip
    ledger_unledgered = {"client_uuid": IDEMPOTENCY_KEY}

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    record = models.ForeignKey(
        SamplingRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    portion = models.ForeignKey(Portion, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    handover = models.ForeignKey(Handover, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(_("签字身份"), max_length=20, choices=SignerRole.CHOICES)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签字人账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_name = models.CharField(_("签字人"), max_length=50)
    signer_id_digits = models.CharField(_("身份证号后四位"), max_length=4, blank=True)
    signer_phone = models.CharField(_("手机号"), max_length=11, blank=True)
    person_photo = models.FileField(_("签字人现场照片"), upload_to="signer-photos/", blank=True)
    person_photo_sha256 = models.CharField(_("签字人现场照片 SHA-256"), max_length=64, blank=True)
    signer_confirmed = models.CharField(_("本人确认方式"), max_length=20, blank=True)
    image = models.FileField(_("签名图像"), upload_to="signatures/")
    image_sha256 = models.CharField(_("签名图像 SHA-256"), max_length=64)
    content_sha256 = models.CharField(_("所签内容 SHA-256"), max_length=64)
    signed_at = models.DateTimeField(_("签字时间"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("签字")
        verbose_name_plural = pgettext_lazy("plural", "签字")
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.signer_name}"

    def as_ledger(self) -> dict:
        return {
            "role": self.role,
            "signer": str(self.signer.public_id) if self.signer_id else None,
            "signer_name": self.signer_name,
            "signer_id_digits": self.signer_id_digits,
            "signer_phone": self.signer_phone,
            "person_photo_sha256": self.person_photo_sha256,
            "signer_confirmed": self.signer_confirmed,
            "image_sha256": self.image_sha256,
            "content_sha256": self.content_sha256,
            "signed_at": _iso(self.signed_at),
        } | ledger_values(
            self, ("person_photo", "image", "latitude", "longitude", "recorded_by", "voided_at", "void_reason")
        )


class AlternateRequest(PublicModel):
    """A sampler's finding that the drawn product may not be sampled, asking the organiser for the next alternate."""

    ledger_kind = "alternate_request"
    ledger_private = True  # names whom a sample came from: digest-only in the public log
    ledger_fields = (
        "task", "reason", "note", "status", "requested_by", "decided_by", "decided_at", "decision_note"
    )  # fmt: skip
    ledger_unledgered = {"client_uuid": IDEMPOTENCY_KEY}

    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="alternate_requests")
    reason = models.CharField(_("原因"), max_length=24, choices=ReplacementReason.CHOICES)
    note = models.CharField(_("情况说明"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=10, choices=RequestStatus.CHOICES, default=RequestStatus.STATUS_OPEN
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.CharField(_("决定说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("递补申请")
        verbose_name_plural = pgettext_lazy("plural", "递补申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.task.code} {self.get_reason_display()}"

    def ledger_state(self) -> dict:
        return {
            "task": self.task.code,
            "reason": self.reason,
            "note": self.note,
            "status": self.status,
            "evidence": [e.as_ledger() for e in self.evidence.all()],
            "decided_by": str(self.decided_by.public_id) if self.decided_by_id else None,
            "decision_note": self.decision_note,
        } | ledger_values(self, ("requested_by", "decided_at"))
