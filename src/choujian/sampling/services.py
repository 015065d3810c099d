"""Every write of field sampling: the form, its evidence and signatures, sealing, refusals and alternate requests.

Custody after sealing (storage confirmation, handovers, lab receipt) lives in `custody.py`. Every create takes the
client's UUID, so a phone that retries after a dropped connection gets the record it already made, never a second.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from choujian.accounts.models import User
from choujian.core.codes import next_code
from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.core.recording import validate
from choujian.draws.services import draw_reveal_task
from choujian.ledger.services import ledger_append
from choujian.planning.choices import ReplacementReason, SamplingMode, TaskStatus
from choujian.planning.models import Task
from choujian.planning.services import task_move
from choujian.sampling import files, policy
from choujian.sampling.choices import (
    EvidenceKind,
    PlaceKind,
    PortionKind,
    PortionStatus,
    RecordStatus,
    RequestStatus,
    SignerRole,
)
from choujian.sampling.content import FORM_FIELDS, form_sha256
from choujian.sampling.models import AlternateRequest, Evidence, Portion, Sample, SamplingRecord, Signature
from choujian.sampling.requirements import requirements_for
from choujian.workcalendar.services import deadline_record

PLACE_FOR_MODE = {
    SamplingMode.MODE_PRODUCTION: PlaceKind.PLACE_WAREHOUSE,
    SamplingMode.MODE_MARKET: PlaceKind.PLACE_MARKET,
    SamplingMode.MODE_CONSTRUCTION: PlaceKind.PLACE_SITE,
    SamplingMode.MODE_ONLINE: PlaceKind.PLACE_ONLINE,
}
PHOTO_KINDS = frozenset({EvidenceKind.KIND_PRODUCT, EvidenceKind.KIND_LABEL})
EVIDENCE_TYPES = files.IMAGE_TYPES | files.VIDEO_TYPES | files.DOCUMENT_TYPES
WITNESS_ROLES = frozenset({SignerRole.ROLE_OWNER, SignerRole.ROLE_SUPERVISOR})


def _uuid(value, field: str = "client_uuid") -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise ServiceError({field: ["应为手机生成的 UUID，如 3f2b…-…"]}) from None


def _require_sampler(actor: User, task: Task) -> None:
    if not policy.is_drawn_sampler(actor, task):
        raise NotPermitted("只有为本任务抽中的抽样人员可以填写抽样单")


def _lock(record: SamplingRecord) -> SamplingRecord:
    return SamplingRecord.objects.select_for_update().select_related("task__plan", "task__line").get(pk=record.pk)


def _require_draft(record: SamplingRecord) -> None:
    if record.status != RecordStatus.STATUS_DRAFT:
        raise ServiceError({"status": [f"抽样单 {record.code} 处于“{record.get_status_display()}”状态，不能再修改"]})
    if record.task.status != TaskStatus.STATUS_SAMPLING:
        state = record.task.get_status_display()
        raise ServiceError({"status": [f"任务处于“{state}”状态（如已申请递补、已被替换），抽样单暂不能修改"]})


# --- The form ----------------------------------------------------------------------------------------------------


def _prefill(task: Task) -> dict:
    """What the platform already knows: the drawn enterprise and product, the site, and the rules' quantities."""
    enterprise, product, delivery = task.enterprise, task.product, task.delivery
    needs = requirements_for(task.line.category)
    fields = {
        "maker_name": enterprise.name,
        "maker_address": enterprise.address,
        "product_name": product.name,
        "brand": product.brand,
        "model_spec": product.model_spec,
        "standard": product.standard,
        "licence_no": enterprise.licence_no,
        "place_kind": PLACE_FOR_MODE.get(task.sampling_mode, ""),
        "test_quantity": needs.test_quantity,
        "backup_portions": needs.backup_portions,
        "backup_quantity": needs.backup_quantity,
        "lot_unit": needs.min_lot_unit or needs.unit,
    }
    if task.sampling_mode == SamplingMode.MODE_PRODUCTION:
        fields |= {"party_name": enterprise.name, "party_uscc": enterprise.uscc, "party_address": enterprise.address}
        fields["place_address"] = enterprise.address
    if delivery is not None:
        contractor = delivery.section.contractor
        project = delivery.section.project
        fields |= {
            "party_name": contractor.name,
            "party_uscc": contractor.uscc,
            "party_address": contractor.address,
            "place_address": f"{project.name} {delivery.section.name}",
            "batch_no": delivery.batch_no,
            "lot_size": delivery.quantity,
            "lot_unit": delivery.unit,
        }
    return fields


@transaction.atomic
def record_start(*, actor: User, task: Task, client_uuid) -> SamplingRecord:
    """Open the sampling form of a task (idempotent: the same client UUID returns the same form)."""
    client_uuid = _uuid(client_uuid)
    existing = SamplingRecord.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.task_id != task.pk:
            raise ServiceError({"client_uuid": ["该编号已用于另一任务的抽样单"]})
        return existing
    task = Task.objects.select_for_update().select_related("line__category", "enterprise", "product").get(pk=task.pk)
    again = SamplingRecord.objects.filter(client_uuid=client_uuid, task=task).first()
    if again is not None:
        return again
    _require_sampler(actor, task)
    other = SamplingRecord.objects.filter(task=task).first()
    if other is not None:
        raise ServiceError({"task": [f"该任务已有抽样单 {other.code}，请打开它继续填写"]})
    if task.status not in TaskStatus.SAMPLABLE:
        raise ServiceError({"task": [f"任务处于“{task.get_status_display()}”状态，不能开始抽样"]})
    record = SamplingRecord(
        code=next_code("CYD", timezone.localdate().year, 6),
        client_uuid=client_uuid,
        task=task,
        created_by=actor,
        **_prefill(task),
    )
    validate(record)
    record.save()
    drawn = [ti.inspector for ti in task.inspectors.select_related("inspector")]
    record.samplers.set(drawn)
    record.content_sha256 = form_sha256(record)
    record.save(update_fields=["content_sha256"])
    ledger_append(type="sampling.started", actor=actor, object=record, data={"content_sha256": record.content_sha256})
    task_move(actor=actor, task=task, to=TaskStatus.STATUS_SAMPLING, allowed_from=TaskStatus.SAMPLABLE)
    return record


def _clean_changes(record: SamplingRecord, changes: dict) -> dict:
    unknown = sorted(set(changes) - set(FORM_FIELDS) - {"samplers"})
    if unknown:
        raise ServiceError({name: ["不是抽样单上可填写的项目"] for name in unknown})
    cleaned = dict(changes)
    seals = cleaned.get("seal_numbers")
    if seals is not None:
        if isinstance(seals, str):
            seals = [part for part in seals.replace("，", ",").replace("\n", ",").split(",")]
        if not isinstance(seals, list) or not all(isinstance(s, str) for s in seals):
            raise ServiceError({"seal_numbers": ["封条编号应为编号列表"]})
        seals = [s.strip() for s in seals if s.strip()]
        if any(len(s) > 40 for s in seals):
            raise ServiceError({"seal_numbers": ["每个封条编号不超过 40 个字符"]})
        if len(set(seals)) != len(seals):
            raise ServiceError({"seal_numbers": ["封条编号不能重复"]})
        cleaned["seal_numbers"] = seals
    for name in ("lot_size", "latitude", "longitude"):
        if name in cleaned and cleaned[name] in ("", None):
            cleaned[name] = None
        elif name in cleaned:
            try:
                cleaned[name] = Decimal(str(cleaned[name]).strip())
            except InvalidOperation:
                raise ServiceError({name: ["应为数字"]}) from None
    for name in ("latitude", "longitude"):
        if cleaned.get(name) is not None:
            cleaned[name] = cleaned[name].quantize(Decimal("0.000001"))
    if cleaned.get("latitude") is not None and not -90 <= cleaned["latitude"] <= 90:
        raise ServiceError({"latitude": ["纬度应在 -90 到 90 之间"]})
    if cleaned.get("longitude") is not None and not -180 <= cleaned["longitude"] <= 180:
        raise ServiceError({"longitude": ["经度应在 -180 到 180 之间"]})
    if "samplers" in cleaned:
        cleaned["samplers"] = _samplers(record.task, cleaned["samplers"])
    return cleaned


def _samplers(task: Task, people: Iterable) -> list[User]:
    drawn = {u.public_id: u for u in User.objects.filter(task_assignments__task=task)}
    chosen = []
    for person in people or []:
        key = person.public_id if isinstance(person, User) else person
        try:
            key = key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))
        except ValueError:
            raise ServiceError({"samplers": [f"“{person}”不是有效的人员编号"]}) from None
        if key not in drawn:
            raise ServiceError({"samplers": ["抽样人员必须是为本任务随机抽中的人员"]})
        if drawn[key] not in chosen:
            chosen.append(drawn[key])
    return chosen


def _void_signatures(record: SamplingRecord, actor: User, reason: str) -> list[dict]:
    valid = list(record.signatures.filter(voided_at=None))
    if valid:
        record.signatures.filter(pk__in=[s.pk for s in valid]).update(voided_at=timezone.now(), void_reason=reason)
    return [s.as_ledger() for s in valid]


def _refresh_content(
    record: SamplingRecord, actor: User, event: str, data: dict, *, fields_changed: bool = True
) -> SamplingRecord:
    """Recompute the form's SHA-256; if it changed, void every signature; ledger the result.

    Only edits of the form's fields raise `version` (the 409 check between two phones editing the same fields);
    a photo added from the same phone while the sampler types must not make their next save a conflict.
    """
    before = record.content_sha256
    record.content_sha256 = form_sha256(record)
    voided = []
    if record.content_sha256 != before:
        voided = _void_signatures(record, actor, "签字后表单内容已变更，需重新签字")
    if fields_changed:
        record.version += 1
    record.save(update_fields=["content_sha256", "version", "updated_at"])
    ledger_append(
        type=event,
        actor=actor,
        object=record,
        data=data | {"content_sha256": record.content_sha256, "voided_signatures": voided},
    )
    return record


@transaction.atomic
def record_update(*, actor: User, record: SamplingRecord, version: int | None = None, **changes) -> SamplingRecord:
    """Change fields of a draft form. Any change after someone signed voids every signature (they sign again)."""
    record = _lock(record)
    _require_sampler(actor, record.task)
    _require_draft(record)
    if version is not None and record.version != version:
        raise ConflictError(record.version)
    changes = _clean_changes(record, changes)
    samplers = changes.pop("samplers", None)
    for name, value in changes.items():
        setattr(record, name, value)
    try:
        record.full_clean(exclude=["samplers"])
    except ValidationError as exc:
        raise ServiceError({k: list(v) for k, v in exc.message_dict.items()}) from None
    record.save()
    if samplers is not None:
        record.samplers.set(samplers)
    changed = sorted(changes) + (["samplers"] if samplers is not None else [])
    return _refresh_content(record, actor, "sampling.updated", {"changed": changed})


# --- Evidence ----------------------------------------------------------------------------------------------------


def _evidence_target(evidence: Evidence):
    return evidence.record or evidence.handover or evidence.alternate_request


def _store_evidence(
    *, actor: User, stored: files.StoredFiles, kind: str, upload, client_uuid, declared_sha256: str, **target
) -> Evidence:
    if kind not in EvidenceKind:
        raise ServiceError({"kind": [f"证据类型“{kind}”无效"]})
    received = files.receive(
        upload,
        field="file",
        allowed=EVIDENCE_TYPES,
        max_bytes=files.MAX_VIDEO_BYTES,
        declared_sha256=declared_sha256,
    )
    if received.content_type in files.IMAGE_TYPES and received.size > files.MAX_IMAGE_BYTES:
        raise ServiceError({"file": [f"照片过大，上限 {files.MAX_IMAGE_BYTES // 1024 // 1024} MB"]})
    facts = files.photo_facts(received)
    evidence = Evidence(
        client_uuid=client_uuid,
        kind=kind,
        original_name=received.name,
        content_type=received.content_type,
        size=received.size,
        sha256=received.sha256,
        taken_at=facts.taken_at,
        exif_latitude=facts.latitude,
        exif_longitude=facts.longitude,
        uploaded_by=actor,
        **target,
    )
    evidence.file.name = stored.put("evidence", received)
    if facts.thumbnail:
        evidence.thumbnail.name = stored.put_bytes(f"evidence/thumbs/{received.sha256}.jpg", facts.thumbnail)
    evidence.save()
    return evidence


def _idempotent_evidence(client_uuid: uuid.UUID, **target) -> Evidence | None:
    existing = Evidence.objects.filter(client_uuid=client_uuid).first()
    if existing is None:
        return None
    for name, value in target.items():
        if getattr(existing, f"{name}_id") != getattr(value, "pk", None):
            raise ServiceError({"client_uuid": ["该编号已用于另一份证据"]})
    return existing


@transaction.atomic
def evidence_attach(
    *, actor: User, record: SamplingRecord, kind: str, upload, client_uuid, declared_sha256: str = ""
) -> Evidence:
    """Attach a photo, video or capture to a draft form. The form changes, so signatures made before are voided."""
    client_uuid = _uuid(client_uuid)
    existing = _idempotent_evidence(client_uuid, record=record)
    if existing is not None:
        return existing
    record = _lock(record)
    existing = _idempotent_evidence(client_uuid, record=record)
    if existing is not None:  # the same upload, retried while the first was being saved
        return existing
    _require_sampler(actor, record.task)
    _require_draft(record)
    with files.stored_files() as stored:
        evidence = _store_evidence(
            actor=actor,
            stored=stored,
            kind=kind,
            upload=upload,
            client_uuid=client_uuid,
            declared_sha256=declared_sha256,
            record=record,
        )
        data = {"evidence": evidence.as_ledger()}
        _refresh_content(record, actor, "sampling.evidence_attached", data, fields_changed=False)
    return evidence


# --- Signatures --------------------------------------------------------------------------------------------------


def missing_signatures(record: SamplingRecord) -> list[str]:
    """Who still has to sign the form as it is now: each sampler; unless bought online, the inspected party; on
    construction sites a witness of the owner or the supervisor. A refusal is signed by the samplers alone."""
    valid = list(record.signatures.filter(voided_at=None, content_sha256=record.content_sha256))
    signed_samplers = {s.signer_id for s in valid if s.role == SignerRole.ROLE_SAMPLER}
    roles = {s.role for s in valid}
    missing = [f"抽样人员 {u}" for u in record.samplers.all() if u.pk not in signed_samplers]
    if record.refusal_reason:
        return missing
    if record.place_kind != PlaceKind.PLACE_ONLINE and SignerRole.ROLE_PARTY not in roles:
        missing.append("被抽样单位代表")
    if record.place_kind == PlaceKind.PLACE_SITE and not roles & WITNESS_ROLES:
        missing.append("建设单位或监理单位见证人")
    return missing


@transaction.atomic
def signature_add(
    *,
    actor: User,
    record: SamplingRecord,
    role: str,
    image,
    content_sha256: str,
    client_uuid,
    signer_name: str = "",
    signer: User | None = None,
    latitude=None,
    longitude=None,
    image_sha256: str = "",
    signer_password: str = "",
    signer_id_digits: str = "",
    signer_phone: str = "",
    person_photo=None,
) -> Signature:
    """A signature on the phone screen, bound to the form content the signer was shown (`content_sha256`).

    Each signer proves it is them: a sampler signs from their own session, or types their own password on the phone
    they are handed; the inspected party's representative and a witness give their name, the last four characters
    of their ID number or their mobile number, and a photo taken as they sign. Nobody signs one form in two roles."""
    client_uuid = _uuid(client_uuid)
    existing = Signature.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.record_id != record.pk:
            raise ServiceError({"client_uuid": ["该编号已用于另一处签字"]})
        return existing
    record = _lock(record)
    again = Signature.objects.filter(client_uuid=client_uuid, record=record).first()
    if again is not None:
        return again
    _require_sampler(actor, record.task)
    _require_draft(record)
    if role not in SignerRole.RECORD_ROLES:
        raise ServiceError({"role": ["抽样单上的签字身份应为抽样人员、被抽样单位代表或见证人"]})
    if (content_sha256 or "").strip().lower() != record.content_sha256:
        raise ServiceError({"content_sha256": ["签字时看到的表单已不是最新内容，请刷新后核对并重新签字"]})
    person: dict = {"signer_id_digits": "", "signer_phone": "", "signer_confirmed": ""}
    photo = None
    if role == SignerRole.ROLE_SAMPLER:
        signer = signer or actor
        if not record.samplers.filter(pk=signer.pk).exists():
            raise ServiceError({"signer": ["请选择本抽样单上的抽样人员签字"]})
        person["signer_confirmed"] = _confirm_sampler(actor=actor, signer=signer, password=signer_password)
        signer_name = str(signer)
        if record.signatures.filter(voided_at=None, role=role, signer=signer).exists():
            raise ServiceError({"signer": [f"{signer_name} 已签字"]})
    else:
        signer = None
        signer_name = (signer_name or "").strip()
        if not signer_name:
            raise ServiceError({"signer_name": ["请填写签字人姓名"]})
        if len(signer_name) > 50:
            raise ServiceError({"signer_name": ["姓名不超过 50 个字符"]})
        if record.signatures.filter(voided_at=None, role=role).exists():
            raise ServiceError({"role": [f"{SignerRole.label(role)}已签字"]})
        person |= _identify_person(record, signer_name, signer_id_digits, signer_phone)
        if person_photo is None:
            raise ServiceError({"person_photo": ["请拍摄签字人签字时的现场照片"]})
        photo = files.receive(
            person_photo, field="person_photo", allowed=files.IMAGE_TYPES, max_bytes=files.MAX_IMAGE_BYTES
        )
    received = files.signature_png(image, declared_sha256=image_sha256)
    position = _clean_changes(record, {"latitude": latitude, "longitude": longitude})
    with files.stored_files() as stored:
        signature = Signature(
            client_uuid=client_uuid,
            record=record,
            role=role,
            signer=signer,
            signer_name=signer_name,
            image_sha256=received.sha256,
            person_photo_sha256=photo.sha256 if photo is not None else "",
            **person,
            content_sha256=record.content_sha256,
            signed_at=timezone.now(),
            latitude=position["latitude"],
            longitude=position["longitude"],
            recorded_by=actor,
        )
        signature.image.name = stored.put("signatures", received)
        if photo is not None:
            signature.person_photo.name = stored.put("signer-photos", photo)
        signature.save()
        ledger_append(type="sampling.signed", actor=actor, object=record, data={"signature": signature.as_ledger()})
    return signature


def _confirm_sampler(*, actor: User, signer: User, password: str) -> str:
    if signer.pk == actor.pk:
        return "session"
    if password and signer.is_active and signer.check_password(password):
        return "password"
    raise ServiceError({"signer_password": [f"{signer} 须用自己的账号签字，或在本设备上输入自己的登录密码确认"]})


_ID_DIGITS = re.compile(r"^[0-9]{3}[0-9X]$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def _identify_person(record: SamplingRecord, name: str, id_digits: str, phone: str) -> dict:
    id_digits = (id_digits or "").strip().upper()
    phone = re.sub(r"[\s-]", "", phone or "")
    errors: dict[str, list[str]] = {}
    if id_digits and not _ID_DIGITS.match(id_digits):
        errors["signer_id_digits"] = ["身份证号后四位应为 4 位（最后一位可为 X）"]
    if phone and not _MOBILE.match(phone):
        errors["signer_phone"] = ["手机号应为 11 位中国大陆手机号"]
    if not id_digits and not phone:
        errors["signer_id_digits"] = ["请填写签字人身份证号后四位或手机号，以确认本人签字"]
    if errors:
        raise ServiceError(errors)
    sampler_names = {str(u) for u in record.samplers.all()}
    others = record.signatures.filter(voided_at=None)
    same = others.filter(signer_name=name).filter(
        models.Q(signer_id_digits=id_digits, signer_id_digits__gt="")
        | models.Q(signer_phone=phone, signer_phone__gt="")
    )
    if name in sampler_names or same.exists():
        raise ServiceError({"signer_name": ["同一人不能在一份抽样单上以两种身份签字"]})
    return {
        "signer_id_digits": id_digits,
        "signer_phone": phone,
        "signer_confirmed": "id_digits" if id_digits else "phone",
    }


# --- Sealing and refusal ----------------------------------------------------------------------------------------


def seal_problems(record: SamplingRecord) -> dict[str, list[str]]:
    """Why the form cannot be sealed yet, by field (empty when it can)."""
    problems: dict[str, list[str]] = {}

    def need(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    online = record.place_kind == PlaceKind.PLACE_ONLINE
    for field, label in (
        ("party_name", "被抽样单位名称"),
        ("product_name", "产品名称"),
        ("place_kind", "抽样地点类型"),
        ("test_quantity", "检验样品数量"),
    ):
        if not getattr(record, field):
            need(field, f"请填写{label}")
    if not online and not record.place_address:
        need("place_address", "请填写抽样地点")
    if not (record.batch_no or record.production_date):
        need("batch_no", "请填写批号或生产日期")
    needs = requirements_for(record.task.line.category)
    if record.lot_size is None:
        need("lot_size", "请填写抽样基数")
    elif needs.min_lot is not None and record.lot_size < needs.min_lot:
        need(
            "lot_size",
            f"抽样基数 {record.lot_size.normalize():f} 低于实施细则规定的最小基数 {needs.min_lot.normalize():f} "
            f"{needs.min_lot_unit}，不能抽样：请改为申请递补（原因：产品批量低于最小抽样基数）",
        )
    expected = 1 + record.backup_portions
    if len(record.seal_numbers) != expected:
        need(
            "seal_numbers",
            f"应有 {expected} 个封条编号（检验样品 1 份、备用样品 {record.backup_portions} 份），"
            f"现有 {len(record.seal_numbers)} 个",
        )
    if not online and (record.latitude is None or record.longitude is None):
        need("latitude", "请获取抽样现场的定位（GPS）")
    samplers = list(record.samplers.all())
    if len(samplers) < 2:
        need("samplers", "抽样人员不得少于两名，且须为本任务随机抽中的人员")
    kinds = set(record.evidence.values_list("kind", flat=True))
    if not kinds & PHOTO_KINDS:
        need("evidence", "请至少拍摄一张产品或铭牌/标签照片")
    if EvidenceKind.KIND_SEAL not in kinds:
        need("evidence", "请拍摄封样照片")
    if online:
        for field, label in (
            ("seller_name", "网店经营者"),
            ("order_no", "订单号"),
            ("payment_account", "支付账户"),
            ("buyer_account", "购买注册账户"),
            ("delivery_address", "收货地址"),
        ):
            if not getattr(record, field):
                need(field, f"网络购买须填写{label}")
        for kind in sorted(EvidenceKind.ONLINE - kinds):
            need("evidence", f"网络购买须上传{EvidenceKind.label(kind)}截图")
    if record.task.delivery_id and record.task.delivery.documents.exists() and record.paper_matches is None:
        need("paper_matches", "请核对纸质随货文件与施工单位预传的文件是否一致")
    missing = missing_signatures(record)
    if missing:
        need("signatures", f"尚缺签字：{'、'.join(missing)}")
    return problems


def _delivery_due(sample: Sample, sealed_on) -> tuple[object, str]:
    days = sample.task.plan.delivery_working_days
    basis = f"封样后 {days} 个工作日内送达检验机构（抽查计划规定）"
    deadline = deadline_record(
        owner=sample,
        field="delivery_due",
        label=f"样品 {sample.code} 送样期限",
        start=sealed_on,
        days=days,
        kind="working",
        basis=basis,
    )
    return deadline.due, basis


@transaction.atomic
def record_seal(*, actor: User, record: SamplingRecord) -> Sample:
    """Seal the sample: create it (CJ-<year>-<6 digits>) with its test and backup portions, one seal each."""
    record = _lock(record)
    _require_sampler(actor, record.task)
    _require_draft(record)
    if record.refusal_reason:
        raise ServiceError({"refusal_reason": ["已填写拒检理由：请记录拒检，或清空拒检理由后再封样"]})
    problems = seal_problems(record)
    if problems:
        raise ServiceError(problems)
    now = timezone.now()
    sealed_on = timezone.localdate(now)
    sample = Sample(
        code=next_code("CJ", sealed_on.year, 6),
        record=record,
        task=record.task,
        laboratory=record.task.laboratory,
        sealed_at=now,
    )
    sample.delivery_due, sample.delivery_due_note = _delivery_due(sample, sealed_on)
    sample.save()
    for number, seal in enumerate(record.seal_numbers, start=1):
        Portion.objects.create(
            sample=sample,
            kind=PortionKind.KIND_TEST if number == 1 else PortionKind.KIND_BACKUP,
            number=number,
            seal_no=seal,
            quantity=record.test_quantity if number == 1 else record.backup_quantity,
            custodian=actor,
            custodian_org=record.task.agency,
            storage_place="抽样人员随样携带" if number == 1 else "",
            status=PortionStatus.STATUS_SEALED,
            label_token=secrets.token_urlsafe(24),
        )
    record.status = RecordStatus.STATUS_SEALED
    record.sealed_at = now
    record.version += 1
    record.save(update_fields=["status", "sealed_at", "version", "updated_at"])
    ledger_append(
        type="sampling.sealed",
        actor=actor,
        object=record,
        data={
            "content_sha256": record.content_sha256,
            "evidence": [e.as_ledger() for e in record.evidence.all()],
            "signatures": [s.as_ledger() for s in record.signatures.filter(voided_at=None)],
        },
    )
    ledger_append(type="sample.sealed", actor=actor, object=sample)
    for portion in sample.portions.all():
        ledger_append(type="portion.sealed", actor=actor, object=portion)
    task_move(actor=actor, task=record.task, to=TaskStatus.STATUS_SEALED, allowed_from={TaskStatus.STATUS_SAMPLING})
    draw_reveal_task(task=record.task)
    return sample


@transaction.atomic
def record_refuse(*, actor: User, record: SamplingRecord) -> SamplingRecord:
    """Record a refusal (拒检): reason, at least one piece of evidence and every sampler's signature."""
    record = _lock(record)
    _require_sampler(actor, record.task)
    if record.status == RecordStatus.STATUS_REFUSED:  # the same request again (a phone retrying) changes nothing
        return record
    _require_draft(record)
    problems: dict[str, list[str]] = {}
    if not record.refusal_reason.strip():
        problems["refusal_reason"] = ["请填写被抽样单位拒绝抽样的理由和经过"]
    if not record.evidence.exists():
        problems["evidence"] = ["请上传拒检证据（照片、视频或录音截图）"]
    if record.samplers.count() < 2:
        problems["samplers"] = ["拒检须由两名抽样人员记录并签字"]
    missing = missing_signatures(record)
    if missing:
        problems["signatures"] = [f"尚缺签字：{'、'.join(missing)}"]
    if problems:
        raise ServiceError(problems)
    record.status = RecordStatus.STATUS_REFUSED
    record.refused_at = timezone.now()
    record.version += 1
    record.save(update_fields=["status", "refused_at", "version", "updated_at"])
    ledger_append(
        type="sampling.refused",
        actor=actor,
        object=record,
        data={
            "reason": record.refusal_reason,
            "content_sha256": record.content_sha256,
            "evidence": [e.as_ledger() for e in record.evidence.all()],
            "signatures": [s.as_ledger() for s in record.signatures.filter(voided_at=None)],
        },
    )
    task_move(
        actor=actor,
        task=record.task,
        to=TaskStatus.STATUS_REFUSED,
        allowed_from={TaskStatus.STATUS_SAMPLING},
    )
    draw_reveal_task(task=record.task)
    return record


# --- Alternate requests (the product may not be sampled) ---------------------------------------------------------


@transaction.atomic
def alternate_request(
    *, actor: User, task: Task, reason: str, note: str, client_uuid, photos: list, photo_hashes: list | None = None
) -> AlternateRequest:
    """A sampler finds the drawn product may not be sampled: ask the organiser to replace it by the next alternate."""
    client_uuid = _uuid(client_uuid)
    existing = AlternateRequest.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.task_id != task.pk:
            raise ServiceError({"client_uuid": ["该编号已用于另一任务的递补申请"]})
        return existing
    task = Task.objects.select_for_update().get(pk=task.pk)
    again = AlternateRequest.objects.filter(client_uuid=client_uuid, task=task).first()
    if again is not None:  # the same request, retried while the first was being saved
        return again
    _require_sampler(actor, task)
    if task.alternate_requests.filter(status=RequestStatus.STATUS_OPEN).exists():
        raise ServiceError({"task": ["该任务已有待决定的递补申请"]})
    if reason not in ReplacementReason:
        raise ServiceError({"reason": [f"请选择不能抽样的原因：{'、'.join(ReplacementReason.values())}"]})
    note = (note or "").strip()
    if not note:
        raise ServiceError({"note": ["请说明现场情况"]})
    if len(note) > 500:
        raise ServiceError({"note": ["说明不超过 500 字"]})
    photos = [p for p in (photos or []) if p is not None]
    if not photos:
        raise ServiceError({"photos": ["请至少上传一张现场照片作为证据"]})
    request = AlternateRequest(client_uuid=client_uuid, task=task, reason=reason, note=note, requested_by=actor)
    request.save()
    hashes = list(photo_hashes or [])
    with files.stored_files() as stored:
        for index, photo in enumerate(photos):
            _store_evidence(
                actor=actor,
                stored=stored,
                kind=EvidenceKind.KIND_OTHER,
                upload=photo,
                client_uuid=uuid.uuid5(client_uuid, f"photo-{index}"),
                declared_sha256=hashes[index] if index < len(hashes) else "",
                alternate_request=request,
            )
        ledger_append(type="alternate.requested", actor=actor, object=request)
    task_move(
        actor=actor,
        task=task,
        to=TaskStatus.STATUS_ALTERNATE_REQUESTED,
        allowed_from=TaskStatus.SAMPLABLE,
    )
    record = SamplingRecord.objects.filter(task=task, status=RecordStatus.STATUS_DRAFT).first()
    if record is not None:
        ledger_append(
            type="sampling.suspended", actor=actor, object=record, data={"alternate_request": str(request.public_id)}
        )
    return request


@transaction.atomic
def alternate_decide(*, actor: User, request: AlternateRequest, approve: bool, note: str = "") -> AlternateRequest:
    """The organiser decides: approve → the next alternate replaces the task (draw record); decline → sample it."""
    from choujian.draws.services import task_replace

    request = AlternateRequest.objects.select_for_update().select_related("task__plan").get(pk=request.pk)
    if not policy.is_plan_writer(actor, request.task):
        raise NotPermitted("只有组织单位的监管人员可以决定递补")
    if request.status != RequestStatus.STATUS_OPEN:
        raise ServiceError({"status": ["该申请已有决定"]})
    current = Task.objects.select_for_update().get(pk=request.task_id)
    if current.status != TaskStatus.STATUS_ALTERNATE_REQUESTED:
        raise ServiceError({"status": [f"任务处于“{current.get_status_display()}”状态，不能再按此申请递补"]})
    note = (note or "").strip()[:300]
    if not approve and not note:
        raise ServiceError({"decision_note": ["不予递补时请说明理由"]})
    request.status = RequestStatus.STATUS_APPROVED if approve else RequestStatus.STATUS_DECLINED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.version += 1
    request.save()
    ledger_append(type="alternate.decided", actor=actor, object=request)
    task = request.task
    if approve:
        photo = request.evidence.first()
        task_replace(actor=actor, task=task, reason=request.reason, note=request.note, evidence=photo.file)
    else:
        back = TaskStatus.STATUS_SAMPLING if hasattr(task, "sampling_record") else TaskStatus.STATUS_ASSIGNED
        task_move(actor=actor, task=task, to=back, allowed_from={TaskStatus.STATUS_ALTERNATE_REQUESTED})
    return request
