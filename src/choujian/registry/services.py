"""Every write to the registries. Each checks permission and state and appends its ledger entry."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from choujian.accounts.models import User
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.recording import record_archive, record_create, record_delete, record_unarchive, record_update
from choujian.core.uploads import DOCUMENT_TYPES, digest_and_type
from choujian.core.uscc import USCCError, validate_uscc
from choujian.ledger.services import ledger_append
from choujian.registry import policy
from choujian.registry.choices import DocumentKind
from choujian.registry.initials import initials
from choujian.registry.models import Delivery, DeliveryDocument, Enterprise, Product, Project, Section

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def _require(allowed: bool, message: str = "您无权修改此记录") -> None:
    if not allowed:
        raise NotPermitted(message)


def _owned(actor: User, refused: str = "您无权修改此记录") -> dict:
    """The check a created or changed row must pass once written: the actor may still change it (a row moved out of
    the actor's region, or registered for another's site, is refused and nothing is written)."""
    return {"allowed": lambda row: policy.can_edit(actor, row), "refused": refused}


def enterprise_create(*, actor: User, **fields) -> Enterprise:
    enterprise = Enterprise(**fields)
    enterprise.uscc = _normalised_uscc(enterprise.uscc)
    enterprise.name_initials = initials(enterprise.name)
    return record_create(enterprise, actor=actor, event="enterprise.created", **_owned(actor, "您只能登记本辖区的企业"))


def _normalised_uscc(raw: str | None) -> str:
    """Full-width or lower-case input is stored in the one canonical form, so uniqueness and look-ups hold."""
    try:
        return validate_uscc(raw or "")
    except USCCError:
        return (raw or "").strip().upper()  # full_clean reports what is wrong with it


def enterprise_update(*, actor: User, enterprise: Enterprise, version: int | None = None, **changes) -> Enterprise:
    _require(policy.can_edit(actor, enterprise))
    if "uscc" in changes:
        changes["uscc"] = _normalised_uscc(changes["uscc"])
    if "name" in changes:
        changes["name_initials"] = initials(changes["name"] or "")
    owned = _owned(actor, "不能把企业移出本辖区")
    return record_update(enterprise, actor=actor, event="enterprise.updated", changes=changes, version=version, **owned)


def enterprise_delete(*, actor: User, enterprise: Enterprise) -> None:
    _require(policy.can_edit(actor, enterprise))
    record_delete(enterprise, actor=actor, event="enterprise.deleted")


def product_create(*, actor: User, **fields) -> Product:
    product = Product(**fields)
    return record_create(product, actor=actor, event="product.created", **_owned(actor))


def product_update(*, actor: User, product: Product, version: int | None = None, **changes) -> Product:
    _require(policy.can_edit(actor, product))
    owned = _owned(actor)
    return record_update(product, actor=actor, event="product.updated", changes=changes, version=version, **owned)


def product_delete(*, actor: User, product: Product) -> None:
    _require(policy.can_edit(actor, product))
    record_delete(product, actor=actor, event="product.deleted")


def project_create(*, actor: User, **fields) -> Project:
    project = Project(**fields)
    return record_create(project, actor=actor, event="project.created", **_owned(actor))


def project_update(*, actor: User, project: Project, version: int | None = None, **changes) -> Project:
    _require(policy.can_edit(actor, project))
    owned = _owned(actor)
    return record_update(project, actor=actor, event="project.updated", changes=changes, version=version, **owned)


def project_delete(*, actor: User, project: Project) -> None:
    _require(policy.can_edit(actor, project))
    record_delete(project, actor=actor, event="project.deleted")


def section_create(*, actor: User, **fields) -> Section:
    section = Section(**fields)
    return record_create(section, actor=actor, event="section.created", **_owned(actor))


def section_update(*, actor: User, section: Section, version: int | None = None, **changes) -> Section:
    _require(policy.can_edit(actor, section))
    owned = _owned(actor)
    return record_update(section, actor=actor, event="section.updated", changes=changes, version=version, **owned)


def delivery_create(*, actor: User, **fields) -> Delivery:
    delivery = Delivery(**fields)
    owned = _owned(actor, "您只能登记本单位标段的进场批次")
    return record_create(delivery, actor=actor, event="delivery.created", **owned)


def delivery_update(*, actor: User, delivery: Delivery, version: int | None = None, **changes) -> Delivery:
    _require(policy.can_edit(actor, delivery))
    owned = _owned(actor)
    return record_update(delivery, actor=actor, event="delivery.updated", changes=changes, version=version, **owned)


def delivery_delete(*, actor: User, delivery: Delivery) -> None:
    _require(policy.can_edit(actor, delivery))
    record_delete(delivery, actor=actor, event="delivery.deleted")


@transaction.atomic
def delivery_document_attach(*, actor: User, delivery: Delivery, kind: str, upload: UploadedFile) -> DeliveryDocument:
    """Store a document under its SHA-256, computed as it arrives; the delivery's ledger state then includes it."""
    _require(policy.can_edit(actor, delivery))
    if kind not in DocumentKind:
        raise ServiceError({"kind": [f"文件类型“{kind}”无效，可选：{'、'.join(DocumentKind.values())}"]})
    if upload.size is None or upload.size == 0:
        raise ServiceError({"file": ["文件为空"]})
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ServiceError({"file": [f"文件过大（{upload.size} 字节），上限 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB"]})
    sha256, content_type = digest_and_type(upload)
    if content_type not in DOCUMENT_TYPES:
        raise ServiceError({"file": ["只接受 PDF、JPEG、PNG 或 WebP 文件"]})
    document = DeliveryDocument(
        delivery=delivery,
        kind=kind,
        original_name=(upload.name or "document")[:255],
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        uploaded_by=actor,
    )
    document.file.save(document.sha256, upload, save=False)
    document.save()
    ledger_append(
        type="delivery.document_attached",
        actor=actor,
        # Read again: a delivery fetched with its documents prefetched would ledger its state without this one.
        object=Delivery.objects.get(pk=delivery.pk),
        data={"document": {"kind": kind, "sha256": document.sha256, "size": document.size}},
    )
    return document


ARCHIVE_EVENTS = {Enterprise: "enterprise", Product: "product", Delivery: "delivery"}


def registry_archive(*, actor: User, instance, reason: str):
    """Archive an enterprise, product or delivery instead of deleting it (frames, tasks and reports keep it)."""
    _require(policy.can_edit(actor, instance), "您无权归档此记录")
    return record_archive(instance, actor=actor, event=f"{ARCHIVE_EVENTS[type(instance)]}.archived", reason=reason)


def registry_unarchive(*, actor: User, instance):
    _require(policy.can_unarchive(actor, instance), "只有本辖区的监管管理员可以恢复已归档的记录")
    return record_unarchive(instance, actor=actor, event=f"{ARCHIVE_EVENTS[type(instance)]}.unarchived")
