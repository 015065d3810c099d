"""Writes of the chain of custody after sealing: where retained portions are stored, and every handover until the
laboratory receives the sample. Only the current custodian hands a portion over; only a member of the receiving
organisation (an intake clerk for a laboratory) accepts it."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.models import Organisation, User
from choujian.core.canonical import digest
from choujian.core.errors import NotPermitted, ServiceError
from choujian.ledger.services import ledger_append
from choujian.planning.choices import TaskStatus
from choujian.planning.services import task_move
from choujian.sampling import files, policy
from choujian.sampling.choices import (
    EvidenceKind,
    HandoverStatus,
    PlaceKind,
    PortionKind,
    PortionStatus,
    SampleStatus,
    SignerRole,
)
from choujian.sampling.content import storage_content
from choujian.sampling.models import Handover, Portion, Sample, Signature
from choujian.sampling.services import _store_evidence, _uuid

MOVABLE = frozenset({PortionStatus.STATUS_SEALED, PortionStatus.STATUS_RETAINED, PortionStatus.STATUS_RECEIVED})


def _signature(
    *, stored, actor: User, role: str, name: str, image, content: str, client_uuid, signer: User | None, **target
) -> Signature:
    received = files.signature_png(image, field=f"signature_{role}")
    signature = Signature(
        client_uuid=client_uuid,
        role=role,
        signer=signer,
        signer_name=(name or "").strip()[:50] or (str(signer) if signer else ""),
        image_sha256=received.sha256,
        content_sha256=content,
        signed_at=timezone.now(),
        recorded_by=actor,
        **target,
    )
    if not signature.signer_name:
        raise ServiceError({f"signature_{role}": ["请填写签字人姓名"]})
    signature.image.name = stored.put("signatures", received)
    signature.save()
    return signature


@transaction.atomic
def portion_store(
    *,
    actor: User,
    portion: Portion,
    storage_place: str,
    custodian_signature,
    client_uuid,
    owner_signature=None,
    owner_name: str = "",
    supervisor_signature=None,
    supervisor_name: str = "",
) -> Portion:
    """Confirm where a retained (backup) portion is kept: the custodian signs; on construction sites the owner's
    and the supervisor's representatives countersign (“1+2” control of retained samples)."""
    client_uuid = _uuid(client_uuid)
    done = Signature.objects.filter(client_uuid=client_uuid).first()
    if done is not None:
        if done.portion_id != portion.pk:
            raise ServiceError({"client_uuid": ["该编号已用于另一处签字"]})
        return Portion.objects.get(pk=portion.pk)
    portion = Portion.objects.select_for_update().select_related("sample__record").get(pk=portion.pk)
    if portion.custodian_id != actor.pk or not policy.is_member(actor, portion.custodian_org):
        raise NotPermitted("只有该份样品的保管人可以确认存放")
    if portion.kind != PortionKind.KIND_BACKUP:
        raise ServiceError({"portion": ["只有备用样品需要确认封存地点；检验样品应送交检验机构"]})
    if portion.status != PortionStatus.STATUS_SEALED:
        raise ServiceError({"portion": [f"该份样品处于“{portion.get_status_display()}”状态，不能确认存放"]})
    storage_place = (storage_place or "").strip()
    if not storage_place:
        raise ServiceError({"storage_place": ["请填写存放地点（如 标段试验室 3 号样品柜）"]})
    if len(storage_place) > 200:
        raise ServiceError({"storage_place": ["存放地点不超过 200 个字符"]})
    on_site = portion.sample.record.place_kind == PlaceKind.PLACE_SITE
    if on_site and (owner_signature is None or supervisor_signature is None):
        raise ServiceError({"signatures": ["施工现场的备用样品须由建设单位和监理单位代表共同签字确认"]})
    content = digest(storage_content(portion, storage_place, actor))
    with files.stored_files() as stored:
        signed = [
            _signature(
                stored=stored,
                actor=actor,
                role=SignerRole.ROLE_CUSTODIAN,
                name="",
                image=custodian_signature,
                content=content,
                client_uuid=client_uuid,
                signer=actor,
                portion=portion,
            )
        ]
        for role, image, name in (
            (SignerRole.ROLE_OWNER, owner_signature, owner_name),
            (SignerRole.ROLE_SUPERVISOR, supervisor_signature, supervisor_name),
        ):
            if image is not None:
                signed.append(
                    _signature(
                        stored=stored,
                        actor=actor,
                        role=role,
                        name=name,
                        image=image,
                        content=content,
                        client_uuid=uuid.uuid5(client_uuid, role),
                        signer=None,
                        portion=portion,
                    )
                )
        portion.storage_place = storage_place
        portion.status = PortionStatus.STATUS_RETAINED
        portion.storage_confirmed_at = timezone.now()
        portion.version += 1
        portion.save()
        ledger_append(
            type="portion.stored",
            actor=actor,
            object=portion,
            data={"content_sha256": content, "signatures": [s.as_ledger() for s in signed]},
        )
    return portion


def handover_content(handover: Handover) -> str:
    return digest(
        {
            "sample": handover.sample.code,
            "portions": sorted((p.number, p.seal_no) for p in handover.portions.all()),
            "from": str(handover.from_user.public_id),
            "to_org": str(handover.to_org.public_id),
            "place": handover.place,
            "started_at": handover.started_at,
        }
    )


@transaction.atomic
def handover_start(
    *,
    actor: User,
    sample: Sample,
    portions: list[Portion],
    to_org: Organisation,
    place: str,
    signature,
    client_uuid,
    note: str = "",
    photos: list | None = None,
) -> Handover:
    """The custodian hands portions over (e.g. the test portion to the laboratory) and signs for it."""
    client_uuid = _uuid(client_uuid)
    existing = Handover.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.sample_id != sample.pk:
            raise ServiceError({"client_uuid": ["该编号已用于另一次交接"]})
        return existing
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    portions = list(Portion.objects.select_for_update().filter(pk__in=[p.pk for p in portions], sample=sample))
    if not portions:
        raise ServiceError({"portions": ["请选择要交接的样品份"]})
    if to_org.kind not in policy.RECEIVING_ROLES:
        raise ServiceError({"to_org": ["样品只能交给检验机构、抽样机构、监管部门或项目的建设、监理、施工单位"]})
    for portion in portions:
        if portion.custodian_id != actor.pk or not policy.is_member(actor, portion.custodian_org):
            raise NotPermitted(f"您不是 {portion.label_code} 的保管人，不能交出")
        if portion.status not in MOVABLE:
            raise ServiceError({"portions": [f"{portion.label_code} 处于“{portion.get_status_display()}”状态"]})
        if hasattr(portion, "lab_sample"):
            raise ServiceError({"portions": [f"{portion.label_code} 已在检验机构接收检验，不能再交出"]})
        if portion.custodian_org_id == to_org.pk:
            raise ServiceError({"to_org": ["接收单位与当前保管单位相同"]})
    place = (place or "").strip()
    if not place:
        raise ServiceError({"place": ["请填写交接地点"]})
    if not to_org.active:
        raise ServiceError({"to_org": ["接收单位已停用"]})
    handover = Handover.objects.create(
        client_uuid=client_uuid,
        sample=sample,
        from_user=actor,
        from_org=portions[0].custodian_org,
        to_org=to_org,
        place=place[:200],
        started_at=timezone.now(),
        note=(note or "").strip()[:300],
    )
    handover.portions.set(portions)
    with files.stored_files() as stored:
        _signature(
            stored=stored,
            actor=actor,
            role=SignerRole.ROLE_GIVER,
            name="",
            image=signature,
            content=handover_content(handover),
            client_uuid=uuid.uuid5(client_uuid, "giver"),
            signer=actor,
            handover=handover,
        )
        _handover_photos(actor, stored, handover, photos, uuid.uuid5(client_uuid, "photo"))
        Portion.objects.filter(pk__in=[p.pk for p in portions]).update(status=PortionStatus.STATUS_IN_TRANSIT)
        for portion in portions:
            portion.refresh_from_db()
            ledger_append(type="portion.handed_over", actor=actor, object=portion)
        ledger_append(type="handover.started", actor=actor, object=handover)
        if any(p.kind == PortionKind.KIND_TEST for p in portions) and sample.status == SampleStatus.STATUS_SEALED:
            _sample_status(sample, SampleStatus.STATUS_IN_TRANSIT, actor)
            task_move(
                actor=actor, task=sample.task, to=TaskStatus.STATUS_IN_TRANSIT, allowed_from={TaskStatus.STATUS_SEALED}
            )
    return handover


def _status_with(portion: Portion, organisation: Organisation) -> str:
    """The state of a portion resting with its custodian: stored (retained), at a laboratory, or sealed."""
    if portion.storage_confirmed_at and organisation.kind != OrganisationKind.KIND_LABORATORY:
        return PortionStatus.STATUS_RETAINED
    if organisation.kind == OrganisationKind.KIND_LABORATORY:
        return PortionStatus.STATUS_RECEIVED
    return PortionStatus.STATUS_SEALED


def _handover_photos(actor: User, stored, handover: Handover, photos, namespace: uuid.UUID) -> None:
    for index, photo in enumerate(photos or []):
        _store_evidence(
            actor=actor,
            stored=stored,
            kind=EvidenceKind.KIND_HANDOVER,
            upload=photo,
            client_uuid=uuid.uuid5(namespace, str(index)),
            declared_sha256="",
            handover=handover,
        )


def _sample_status(sample: Sample, status: str, actor: User, **fields) -> None:
    sample.status = status
    for name, value in fields.items():
        setattr(sample, name, value)
    sample.version += 1
    sample.save()
    ledger_append(type="sample.status_changed", actor=actor, object=sample, data={"to": status})


@transaction.atomic
def handover_accept(
    *,
    actor: User,
    handover: Handover,
    seal_intact: bool,
    condition: str,
    signature,
    photos: list | None = None,
) -> Handover:
    """The receiver checks seals and condition, signs, and becomes the custodian. A laboratory's intake clerk
    receiving the test portion completes delivery of the sample."""
    handover = Handover.objects.select_for_update().select_related("sample", "to_org").get(pk=handover.pk)
    if handover.status != HandoverStatus.STATUS_PENDING:
        if handover.status == HandoverStatus.STATUS_ACCEPTED and handover.to_user_id == actor.pk:
            return handover  # a retried confirmation
        raise ServiceError({"status": [f"该交接处于“{handover.get_status_display()}”状态"]})
    if not policy.can_receive_for(actor, handover.to_org):
        raise NotPermitted("只有接收单位的人员（检验机构为样品接收员）可以确认接收")
    if actor.pk == handover.from_user_id:
        raise NotPermitted("交出人不能自己签收")
    if not isinstance(seal_intact, bool):
        raise ServiceError({"seal_intact": ["请确认封条是否完好"]})
    condition = (condition or "").strip()
    if not condition:
        raise ServiceError({"condition": ["请描述样品状况（如 包装完好、无受潮）"]})
    if not seal_intact and not photos:
        raise ServiceError({"photos": ["封条破损时须拍照留证"]})
    sample = handover.sample
    now = timezone.now()
    with files.stored_files() as stored:
        _signature(
            stored=stored,
            actor=actor,
            role=SignerRole.ROLE_RECEIVER,
            name="",
            image=signature,
            content=handover_content(handover),
            client_uuid=uuid.uuid5(handover.client_uuid, "receiver"),
            signer=actor,
            handover=handover,
        )
        _handover_photos(actor, stored, handover, photos, uuid.uuid5(handover.client_uuid, "receipt-photo"))
        handover.status = HandoverStatus.STATUS_ACCEPTED
        handover.to_user = actor
        handover.accepted_at = now
        handover.seal_intact = seal_intact
        handover.condition = condition[:300]
        handover.version += 1
        handover.save()
        at_lab = handover.to_org_id == sample.laboratory_id
        # Any laboratory signing through its intake clerk holds the portion for testing (a re-test laboratory too).
        by_a_lab = handover.to_org.kind == OrganisationKind.KIND_LABORATORY
        for portion in handover.portions.select_for_update():
            portion.custodian = actor
            portion.custodian_org = handover.to_org
            portion.status = PortionStatus.STATUS_RECEIVED if by_a_lab else PortionStatus.STATUS_SEALED
            portion.storage_place = f"{handover.to_org.name} 样品室" if by_a_lab else handover.place
            portion.version += 1
            portion.save()
            ledger_append(type="portion.received", actor=actor, object=portion)
        ledger_append(type="handover.accepted", actor=actor, object=handover)
        test_arrived = handover.portions.filter(kind=PortionKind.KIND_TEST).exists()
        if at_lab and test_arrived and sample.status != SampleStatus.STATUS_RECEIVED:
            _sample_status(sample, SampleStatus.STATUS_RECEIVED, actor, received_at=now)
            task_move(
                actor=actor,
                task=sample.task,
                to=TaskStatus.STATUS_RECEIVED,
                allowed_from={TaskStatus.STATUS_SEALED, TaskStatus.STATUS_IN_TRANSIT},
            )
    return handover


@transaction.atomic
def handover_reject(*, actor: User, handover: Handover, reason: str, photos: list | None = None) -> Handover:
    """The receiver refuses the portions (e.g. broken seal); they stay with the giver, who remains custodian."""
    handover = Handover.objects.select_for_update().select_related("sample").get(pk=handover.pk)
    if handover.status != HandoverStatus.STATUS_PENDING:
        raise ServiceError({"status": [f"该交接处于“{handover.get_status_display()}”状态"]})
    if not policy.can_receive_for(actor, handover.to_org):
        raise NotPermitted("只有接收单位的人员可以拒收")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError({"condition": ["请说明拒收原因"]})
    with files.stored_files() as stored:
        _handover_photos(actor, stored, handover, photos, uuid.uuid5(handover.client_uuid, "reject-photo"))
        _end_pending(actor, handover, HandoverStatus.STATUS_REJECTED, reason, "handover.rejected")
    return handover


@transaction.atomic
def handover_withdraw(*, actor: User, handover: Handover, reason: str) -> Handover:
    """The giver takes back a handover nobody has signed for yet (wrong receiver, delivery postponed)."""
    handover = Handover.objects.select_for_update().select_related("sample").get(pk=handover.pk)
    if handover.from_user_id != actor.pk:
        raise NotPermitted("只有交出人可以撤回交接")
    if handover.status != HandoverStatus.STATUS_PENDING:
        raise ServiceError({"status": [f"该交接处于“{handover.get_status_display()}”状态，不能撤回"]})
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError({"reason": ["请说明撤回原因"]})
    _end_pending(actor, handover, HandoverStatus.STATUS_WITHDRAWN, reason, "handover.withdrawn")
    return handover


def _end_pending(actor: User, handover: Handover, status: str, reason: str, event: str) -> None:
    """A pending handover that will not be signed for: the portions rest with the giver again."""
    handover.status = status
    handover.to_user = actor if status == HandoverStatus.STATUS_REJECTED else None
    handover.accepted_at = timezone.now()
    handover.condition = reason[:300]
    handover.version += 1
    handover.save()
    for portion in handover.portions.select_for_update():
        portion.status = _status_with(portion, portion.custodian_org)
        portion.version += 1
        portion.save()
        ledger_append(type="portion.returned", actor=actor, object=portion)
    ledger_append(type=event, actor=actor, object=handover)
    sample = handover.sample
    test_back = handover.portions.filter(kind=PortionKind.KIND_TEST).exists()
    if test_back and sample.status == SampleStatus.STATUS_IN_TRANSIT:
        _sample_status(sample, SampleStatus.STATUS_SEALED, actor)
        task_move(
            actor=actor, task=sample.task, to=TaskStatus.STATUS_SEALED, allowed_from={TaskStatus.STATUS_IN_TRANSIT}
        )
