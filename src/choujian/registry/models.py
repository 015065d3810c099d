"""The registries the spot checks draw from: enterprises, products, construction projects and deliveries."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.models import Organisation
from choujian.core.ledgerstate import ledger_values
from choujian.core.models import Archivable, PublicModel
from choujian.core.validators import validate_region, validate_uscc_field
from choujian.registry.choices import DocumentKind, EnterpriseStatus, ProductStatus


def _fixed(value, places: int) -> str | None:
    """The decimal as the database stores it, so the state digest is the same before and after a reload."""
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places)))


class Enterprise(Archivable, PublicModel):
    """A manufacturer (生产企业) identified by its unified social credit code."""

    ledger_kind = "enterprise"
    ledger_fields = (
        "uscc", "name", "region", "address", "licence_no", "status", "organisation", "archived_at", "archive_reason"
    )  # fmt: skip
    ledger_private = True  # names whom a sample came from: digest-only in the public log
    ledger_unledgered = {"name_initials": "由企业名称推出（拼音首字母），只用于搜索"}

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc_field])
    name = models.CharField(_("企业名称"), max_length=200)
    name_initials = models.CharField(_("名称拼音首字母"), max_length=100, blank=True, editable=False, db_index=True)
    region = models.CharField(_("行政区划"), max_length=6, validators=[validate_region], db_index=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    licence_no = models.CharField(_("生产许可证编号"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=EnterpriseStatus.CHOICES, default="active")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("企业账号机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
        limit_choices_to={"kind": OrganisationKind.KIND_MANUFACTURER},
    )

    class Meta:
        verbose_name = _("生产企业")
        verbose_name_plural = pgettext_lazy("plural", "生产企业")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name

    def ledger_state(self) -> dict:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "region": self.region,
            "address": self.address,
            "licence_no": self.licence_no,
            "status": self.status,
            "organisation": str(self.organisation.public_id) if self.organisation_id else None,
        } | self.archive_state()


class ProductCategory(models.Model):
    """A product category (产品类别) such as 预应力钢绞线, with an optional parent category."""

    ledger_exempt = (
        "类别目录来自实施细则（细则全文已记入日志）；各记录的状态以类别代码引用它 / "
        "the catalogue comes from the rule files, which are ledgered in full; states refer to a category by its code"
    )

    code = models.CharField(_("类别代码"), max_length=32, unique=True)
    name = models.CharField(_("类别名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    standard = models.CharField(_("主要依据标准"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("产品类别")
        verbose_name_plural = pgettext_lazy("plural", "产品类别")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}"


class Product(Archivable, PublicModel):
    """A product an enterprise makes: brand, model/specification (规格型号) and executive standard (执行标准)."""

    ledger_kind = "product"
    ledger_fields = (
        "enterprise", "category", "name", "brand", "model_spec", "standard", "status", "archived_at", "archive_reason"
    )  # fmt: skip
    ledger_private = True  # names whom a sample came from: digest-only in the public log

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("生产企业"), on_delete=models.PROTECT, related_name="products"
    )
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("产品类别"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("产品名称"), max_length=200)
    brand = models.CharField(_("商标/品牌"), max_length=100, blank=True)
    model_spec = models.CharField(_("规格型号"), max_length=200, blank=True)
    standard = models.CharField(_("执行标准"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ProductStatus.CHOICES, default="active")

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = pgettext_lazy("plural", "产品")
        ordering = ["enterprise__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.model_spec}".strip()

    def ledger_state(self) -> dict:
        return {
            "enterprise": str(self.enterprise.public_id),
            "category": self.category.code,
            "name": self.name,
            "brand": self.brand,
            "model_spec": self.model_spec,
            "standard": self.standard,
            "status": self.status,
        } | self.archive_state()


class Project(PublicModel):
    """A construction project (建设项目) whose owner (建设单位) receives deliveries on site."""

    ledger_kind = "project"
    ledger_fields = ("name", "owner", "region", "latitude", "longitude")
    ledger_private = True  # names whom a sample came from: digest-only in the public log

    name = models.CharField(_("项目名称"), max_length=200)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("建设单位"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
        limit_choices_to={"kind": OrganisationKind.KIND_OWNER},
    )
    region = models.CharField(_("行政区划"), max_length=6, validators=[validate_region], db_index=True)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        verbose_name = _("建设项目")
        verbose_name_plural = pgettext_lazy("plural", "建设项目")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.owner_id and self.owner.kind != OrganisationKind.KIND_OWNER:
            raise ValidationError({"owner": "建设单位必须是“建设单位”类型的机构"})

    def ledger_state(self) -> dict:
        return {
            "name": self.name,
            "owner": str(self.owner.public_id),
            "region": self.region,
            "latitude": _fixed(self.latitude, 6),
            "longitude": _fixed(self.longitude, 6),
        }


class Section(PublicModel):
    """A contract section (标段) of a project, built by a contractor under a supervisor."""

    ledger_kind = "section"
    ledger_fields = ("project", "name", "contractor", "supervisor", "contract_price")
    ledger_private = True  # names whom a sample came from: digest-only in the public log

    project = models.ForeignKey(Project, verbose_name=_("建设项目"), on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(_("标段名称"), max_length=100)
    contract_price = models.DecimalField(
        _("合同价款（元）"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("用于按《建设工程质量管理条例》第六十四条计算罚款幅度"),
    )
    contractor = models.ForeignKey(
        Organisation, verbose_name=_("施工单位"), on_delete=models.PROTECT, related_name="contracted_sections"
    )
    supervisor = models.ForeignKey(
        Organisation, verbose_name=_("监理单位"), on_delete=models.PROTECT, related_name="supervised_sections"
    )

    class Meta:
        verbose_name = _("标段")
        verbose_name_plural = pgettext_lazy("plural", "标段")
        ordering = ["project__name", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="uniq_section_name")]

    def __str__(self) -> str:
        return f"{self.project.name} {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.contractor_id and self.contractor.kind != OrganisationKind.KIND_CONTRACTOR:
            errors["contractor"] = "必须是“施工单位”类型的机构"
        if self.supervisor_id and self.supervisor.kind != OrganisationKind.KIND_SUPERVISOR:
            errors["supervisor"] = "必须是“监理单位”类型的机构"
        if errors:
            raise ValidationError(errors)

    def ledger_state(self) -> dict:
        return {
            "project": str(self.project.public_id),
            "name": self.name,
            "contractor": str(self.contractor.public_id),
            "supervisor": str(self.supervisor.public_id),
            # Only once entered: sections recorded before the field existed keep the state they were ledgered with.
            **({"contract_price": _fixed(self.contract_price, 2)} if self.contract_price is not None else {}),
        }


class Delivery(Archivable, PublicModel):
    """A delivered lot (进场批次) of a product arriving at a section, with its paperwork."""

    ledger_kind = "delivery"
    ledger_fields = (
        "section", "product", "batch_no", "quantity", "unit", "delivered_on", "archived_at", "archive_reason"
    )  # fmt: skip
    ledger_private = True  # names whom a sample came from: digest-only in the public log

    section = models.ForeignKey(Section, verbose_name=_("标段"), on_delete=models.PROTECT, related_name="deliveries")
    product = models.ForeignKey(Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="deliveries")
    batch_no = models.CharField(_("批号"), max_length=64)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)])
    unit = models.CharField(_("单位"), max_length=16)
    delivered_on = models.DateField(_("进场日期"))

    class Meta:
        verbose_name = _("进场批次")
        verbose_name_plural = pgettext_lazy("plural", "进场批次")
        ordering = ["-delivered_on", "batch_no"]

    def __str__(self) -> str:
        return gettext("%(product)s 批号 %(batch)s") % {"product": self.product, "batch": self.batch_no}

    def ledger_state(self) -> dict:
        return {
            "section": str(self.section.public_id),
            "product": str(self.product.public_id),
            "batch_no": self.batch_no,
            "quantity": _fixed(self.quantity, 3),
            "unit": self.unit,
            "delivered_on": self.delivered_on.isoformat(),
            "documents": sorted((d.as_ledger() for d in self.documents.all()), key=lambda d: d["sha256"]),
        } | self.archive_state()


def delivery_document_path(instance: "DeliveryDocument", filename: str) -> str:
    return f"deliveries/{instance.sha256[:2]}/{instance.sha256}"


class DeliveryDocument(PublicModel):
    """A document attached to a delivery, stored under its SHA-256 (computed on arrival)."""

    ledger_embedded_in = ("delivery",)
    ledger_fields = ("delivery", "kind", "file", "original_name", "content_type", "size", "sha256", "uploaded_by")

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("进场批次"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("文件类型"), max_length=20, choices=DocumentKind.CHOICES)
    file = models.FileField(_("文件"), upload_to=delivery_document_path)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey("accounts.User", verbose_name=_("上传人"), null=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("随货文件")
        verbose_name_plural = pgettext_lazy("plural", "随货文件")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{DocumentKind.display(self.kind)} {self.original_name}"

    def as_ledger(self) -> dict:
        return ledger_values(self, ("kind", "file", "original_name", "content_type", "size", "sha256", "uploaded_by"))
