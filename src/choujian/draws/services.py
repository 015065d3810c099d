"""Writes of the draw flow: frame build and freeze, seed ceremony, object draw, inspector draws, replacements."""

import hashlib
import json
import random
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from itertools import islice

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.accounts.scope import is_member as _member
from choujian.core.codes import next_code
from choujian.core.errors import NotPermitted, ServiceError
from choujian.draws import frames, sampler, sealed
from choujian.draws.choices import CeremonyStatus, DrawPurpose, SeedKind
from choujian.draws.inspectors import inspector_pool
from choujian.draws.models import (
    Ceremony,
    CeremonyParticipant,
    Draw,
    Frame,
    FrameExclusion,
    FrameItem,
    Replacement,
    TaskInspector,
)
from choujian.draws.selectors import full_record, sealed_result, token_digest
from choujian.ledger.services import ledger_append
from choujian.planning.choices import PlanStatus, ReplacementReason, TaskPurpose, TaskStatus
from choujian.planning.models import Plan, Task

HEX64 = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_REVEAL_HOURS = 72
INSERT_CHUNK = 10_000  # frame rows per executemany

# Where task codes get their unpredictable order (a demo replaces it to be reproducible).
TASK_CODE_ORDER = random.SystemRandom()


def _now_z() -> str:
    import datetime as dt

    return timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _insert(model, fields: list[str], rows: Iterable[tuple]) -> None:
    """INSERT plain rows (no model instances): a frame may have a million of them.

    bulk_create would build and prepare a model instance per row, several times the cost of the insert itself.
    PostgreSQL gets the rows by COPY, other databases by executemany a chunk at a time. The rows hold only values
    the columns take as they are (ints, strings, None).
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    rows = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        while chunk := list(islice(rows, INSERT_CHUNK)):
            cursor.executemany(sql, chunk)


def _require_writer(actor: User, plan: Plan) -> None:
    if not _member(actor, plan.regulator, Role.REGULATOR_WRITERS):
        raise NotPermitted("只有组织单位的监管人员可以操作抽取")


def _lock(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _set_status(plan: Plan, status: str) -> None:
    plan.status = status
    plan.version += 1
    plan.save(update_fields=["status", "version", "updated_at"])


@transaction.atomic
def frame_build(*, actor: User, plan: Plan) -> Frame:
    """(Re)build the frame of an approved plan from the registry; it can be rebuilt until frozen."""
    plan = _lock(plan)
    _require_writer(actor, plan)
    if plan.status != PlanStatus.STATUS_APPROVED:
        raise ServiceError({"status": ["只有已批准、尚未锁定抽样框的计划可以生成抽样框"]})
    built = frames.build(plan)
    items = [sampler.FrameItem(c.item_id, c.weight, c.stratum) for c in built.items]
    frame, _ = Frame.objects.get_or_create(plan=plan, defaults={"digest": ""})
    frame.items.all().delete()
    frame.exclusions.all().delete()
    frame.digest = sampler.frame_digest(items)
    frame.quotas = built.quotas
    frame.version += 1
    frame.save()
    _insert(
        FrameItem,
        ["frame", "item_id", "weight", "stratum", "line", "enterprise", "product", "delivery", "weight_reason"],
        (
            (
                frame.pk,
                c.item_id,
                c.weight,
                c.stratum,
                c.line.pk,
                c.enterprise_id,
                c.product_id,
                c.delivery_id,
                c.weight_reason,
            )
            for c in built.items
        ),
    )
    _insert(
        FrameExclusion,
        ["frame", "item_id", "line", "enterprise", "product", "reason"],
        ((frame.pk, c.item_id, c.line.pk, c.enterprise_id, c.product_id, reason) for c, reason in built.exclusions),
    )
    ledger_append(
        type="frame.built",
        actor=actor,
        object=frame,
        data={"digest": frame.digest, "items": len(items), "excluded": len(built.exclusions)},
    )
    return frame


@transaction.atomic
def frame_freeze(
    *,
    actor: User,
    plan: Plan,
    reveal_hours: int = DEFAULT_REVEAL_HOURS,
    seed_kind: str = SeedKind.KIND_CEREMONY,
    beacon_source: str = "",
    beacon_fixed_on=None,
) -> Ceremony:
    """Salt every item, publish the frame root (ledger), lock the frame and open the seed ceremony (draw-v2).

    A beacon — a public value fixed now that becomes known only after every commitment is in, such as a named
    lottery draw on a later date — makes the seed something no participant, organiser included, controls."""
    plan = _lock(plan)
    _require_writer(actor, plan)
    frame = Frame.objects.filter(plan=plan).first()
    if plan.status != PlanStatus.STATUS_APPROVED or frame is None:
        raise ServiceError({"status": ["请先生成抽样框"]})
    if not frame.items.exists():
        raise ServiceError({"frame": ["抽样框为空，无法抽取"]})
    if seed_kind not in SeedKind:
        raise ServiceError({"seed_kind": ["种子方式无效"]})
    if not 1 <= reveal_hours <= 24 * 30:
        raise ServiceError({"reveal_hours": ["公开期限应在 1 小时到 30 天之间"]})
    beacon_source, beacon_fixed_on = _check_beacon(beacon_source, beacon_fixed_on, seed_kind)
    committed = _salt_and_commit(frame)
    frame.digest, frame.counts = committed.root(), committed.counts()
    frame.frozen_at = timezone.now()
    frame.save(update_fields=["digest", "counts", "frozen_at", "updated_at"])
    _set_status(plan, PlanStatus.STATUS_FROZEN)
    ceremony = Ceremony.objects.create(
        plan=plan,
        kind=seed_kind,
        reveal_deadline=timezone.now() + timedelta(hours=reveal_hours),
        opened_by=actor,
        beacon_source=beacon_source,
        beacon_fixed_on=beacon_fixed_on,
    )
    if seed_kind == SeedKind.KIND_CEREMONY:
        for name in sorted({n.strip() for n in plan.participants}):
            # No usable link yet: the organiser issues each one separately, and sees it only then.
            unusable = token_digest(secrets.token_urlsafe(32))
            CeremonyParticipant.objects.create(ceremony=ceremony, name=name, token=unusable)
    beacon = {"source": beacon_source, "fixed_on": beacon_fixed_on.isoformat()} if beacon_source else None
    ledger_append(
        type="frame.frozen",
        actor=actor,
        object=frame,
        data={"frame_root": frame.digest, "frame_counts": frame.counts, "quotas": frame.quotas, "beacon": beacon},
    )
    # The plan's own state changed too (approved → frozen): without its entry the ledger check flags the row.
    ledger_append(type="plan.frozen", actor=actor, object=plan, data={"frame_digest": frame.digest})
    ledger_append(type="ceremony.opened", actor=actor, object=ceremony)
    return ceremony


def _check_beacon(source: str, fixed_on, seed_kind: str):
    source = (source or "").strip()
    if not source and not fixed_on:
        return "", None
    if seed_kind != SeedKind.KIND_CEREMONY:
        raise ServiceError({"beacon_source": ["公共随机信标只用于多方承诺仪式"]})
    if not source or len(source) > 300:
        raise ServiceError({"beacon_source": ["请写明信标来源，如“中国福利彩票双色球 2027001 期开奖号码”"]})
    try:
        from choujian.core.dates import parse_date

        fixed_on = parse_date(fixed_on)
    except ValueError as exc:
        raise ServiceError({"beacon_fixed_on": [str(exc)]}) from None
    if fixed_on < timezone.localdate():
        raise ServiceError({"beacon_fixed_on": ["信标日期应是今天或以后：锁定抽样框时它的数值必须还无人知道"]})
    return source, fixed_on


def _salt_and_commit(frame: Frame) -> sealed.SealedFrame:
    """Give every item of the frame its private salt and return the salted frame whose root is published."""
    rows = list(frame.items.only("pk", "item_id", "weight", "stratum", "salt"))
    for row in rows:
        row.salt = sealed.new_salt()
    FrameItem.objects.bulk_update(rows, ["salt"], batch_size=INSERT_CHUNK)
    return sealed.SealedFrame([sealed.SaltedItem(r.item_id, r.weight, r.stratum, r.salt) for r in rows])


def _lock_ceremony(ceremony: Ceremony) -> Ceremony:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the plan's frame.
    return Ceremony.objects.select_for_update(of=("self",)).select_related("plan__frame").get(pk=ceremony.pk)


def ceremony_refresh(ceremony: Ceremony) -> Ceremony:
    """Mark the ceremony blocked once the reveal deadline passes with reveals missing; nothing replaces them."""
    if ceremony.status in {CeremonyStatus.STATUS_COMMITTING, CeremonyStatus.STATUS_REVEALING} and (
        timezone.now() > ceremony.reveal_deadline and ceremony.kind == SeedKind.KIND_CEREMONY
    ):
        with transaction.atomic():
            locked = _lock_ceremony(ceremony)
            if locked.status in {CeremonyStatus.STATUS_COMMITTING, CeremonyStatus.STATUS_REVEALING}:
                locked.status = CeremonyStatus.STATUS_BLOCKED
                locked.version += 1
                locked.save(update_fields=["status", "version", "updated_at"])
                missing = [p.name for p in locked.participants.all() if not p.secret]
                ledger_append(
                    type="ceremony.blocked", actor="system:deadline", object=locked, data={"missing": missing}
                )
            return locked
    return ceremony


def ceremonies_block_overdue() -> list[Ceremony]:
    """Every ceremony whose reveal deadline passed with reveals missing, marked blocked (the worker runs this)."""
    overdue = Ceremony.objects.filter(
        status__in=[CeremonyStatus.STATUS_COMMITTING, CeremonyStatus.STATUS_REVEALING],
        kind=SeedKind.KIND_CEREMONY,
        reveal_deadline__lt=timezone.now(),
    )
    return [ceremony_refresh(ceremony) for ceremony in overdue]


@transaction.atomic
def ceremony_link_issue(*, actor: User, participant: CeremonyParticipant) -> str:
    """A new personal link for a participant who has not committed yet (any earlier link stops working). The token
    is returned once, to be handed over on the participant's own device or as a sealed slip; it is stored hashed."""
    ceremony = _lock_ceremony(participant.ceremony)
    _require_writer(actor, ceremony.plan)
    participant = CeremonyParticipant.objects.select_for_update().get(pk=participant.pk)
    if participant.commitment or ceremony.status != CeremonyStatus.STATUS_COMMITTING:
        raise ServiceError({"participant": [f"{participant.name} 已提交承诺值或仪式已进入下一阶段，不能再发放链接"]})
    token = secrets.token_urlsafe(24)
    again = participant.link_issued_at is not None
    participant.token, participant.link_issued_at, participant.device = token_digest(token), timezone.now(), ""
    participant.save(update_fields=["token", "link_issued_at", "device"])
    event = "ceremony.link_reissued" if again else "ceremony.link_issued"
    ledger_append(type=event, actor=actor, object=ceremony, data={"participant": participant.name})
    return token


def _device_digest(device: str) -> str:
    return hashlib.sha256(device.encode("utf-8")).hexdigest() if device else ""


@transaction.atomic
def ceremony_commit(*, participant: CeremonyParticipant, commitment: str, device: str = "") -> CeremonyParticipant:
    """A participant, on their own device, submits SHA-256(secret); the secret itself never reaches us yet. The
    link is then bound to that device (its session): the reveal must come from it."""
    ceremony = ceremony_refresh(participant.ceremony)
    ceremony = _lock_ceremony(ceremony)
    participant = CeremonyParticipant.objects.select_for_update().get(pk=participant.pk)
    commitment = (commitment or "").strip().lower()
    if ceremony.status != CeremonyStatus.STATUS_COMMITTING:
        raise ServiceError({"commitment": [f"仪式处于“{ceremony.get_status_display()}”阶段，不能提交承诺值"]})
    if participant.commitment:
        raise ServiceError({"commitment": ["您已提交过承诺值，不能更改"]})
    if not HEX64.match(commitment):
        raise ServiceError({"commitment": ["承诺值应为 64 位十六进制 SHA-256 摘要"]})
    participant.commitment, participant.committed_at = commitment, timezone.now()
    participant.device = _device_digest(device)
    participant.save(update_fields=["commitment", "committed_at", "device"])
    if all(p.commitment for p in ceremony.participants.all()):
        ceremony.status = CeremonyStatus.STATUS_REVEALING
    ceremony.version += 1
    ceremony.save(update_fields=["status", "version", "updated_at"])
    ledger_append(
        type="ceremony.committed",
        actor=f"participant:{participant.name}",
        object=ceremony,
        data={"participant": participant.name, "commitment": commitment},
    )
    return participant


@transaction.atomic
def ceremony_reveal(*, participant: CeremonyParticipant, secret: str, device: str = "") -> CeremonyParticipant:
    ceremony = ceremony_refresh(participant.ceremony)
    ceremony = _lock_ceremony(ceremony)
    participant = CeremonyParticipant.objects.select_for_update().get(pk=participant.pk)
    if ceremony.status != CeremonyStatus.STATUS_REVEALING:
        raise ServiceError({"secret": [f"仪式处于“{ceremony.get_status_display()}”阶段，不能公开随机数"]})
    if participant.secret:
        raise ServiceError({"secret": ["您已公开过随机数"]})
    if participant.device and participant.device != _device_digest(device):
        raise NotPermitted("请在提交承诺值的同一设备上公开随机数；如非本人操作，请立即告知组织单位")
    if not secret or len(secret) > 200 or any(ch in secret for ch in "\t\r\n"):
        raise ServiceError({"secret": ["随机数应为 1–200 个字符，且不含换行或制表符"]})
    if not sampler.check_reveal(participant.commitment, secret):
        raise ServiceError({"secret": ["随机数与您提交的承诺值不符（SHA-256 不一致），请核对后重新输入"]})
    participant.secret, participant.revealed_at = secret, timezone.now()
    participant.save(update_fields=["secret", "revealed_at"])
    ledger_append(
        type="ceremony.revealed",
        actor=f"participant:{participant.name}",
        object=ceremony,
        data={"participant": participant.name, "secret_sha256": participant.commitment},
    )
    people = list(ceremony.participants.all())
    if all(p.secret for p in people):
        if ceremony.beacon_source:
            ceremony.status = CeremonyStatus.STATUS_BEACON
            ceremony.version += 1
            ceremony.save(update_fields=["status", "version", "updated_at"])
            ledger_append(type="ceremony.awaiting_beacon", actor="system", object=ceremony)
        else:
            _complete(ceremony, actor="system")
    return participant


def _complete(ceremony: Ceremony, *, actor) -> None:
    people = list(ceremony.participants.all())
    frame = ceremony.plan.frame
    ceremony.seed = sealed.ceremony_seed(frame.digest, {p.name: p.secret for p in people}, ceremony.beacon())
    ceremony.status = CeremonyStatus.STATUS_COMPLETE
    ceremony.version += 1
    ceremony.save(update_fields=["seed", "status", "version", "updated_at"])
    ledger_append(type="ceremony.completed", actor=actor, object=ceremony, data={"seed": ceremony.seed})
    # The draw follows the seed at once, so nobody can decide whether to draw after seeing it.
    draw_objects(plan=ceremony.plan)


@transaction.atomic
def ceremony_beacon_enter(*, actor: User, ceremony: Ceremony, value: str) -> Ceremony:
    """A second person enters the beacon's value once it is public; the seed and the draw follow at once."""
    ceremony = _lock_ceremony(ceremony)
    if not _member(actor, ceremony.plan.regulator, Role.REGULATOR_WRITERS):
        raise NotPermitted("只有组织抽查的监管部门人员可以录入信标")
    if ceremony.opened_by_id == actor.pk:
        raise NotPermitted("信标须由锁定抽样框者以外的另一人录入")
    if ceremony.status != CeremonyStatus.STATUS_BEACON:
        raise ServiceError({"value": [f"仪式处于“{ceremony.get_status_display()}”阶段，不能录入信标"]})
    if timezone.localdate() < ceremony.beacon_fixed_on:
        raise ServiceError({"value": [f"信标日期 {ceremony.beacon_fixed_on:%Y-%m-%d} 未到，其数值尚未公布"]})
    value = " ".join((value or "").split())
    if not value or len(value) > 200:
        raise ServiceError({"value": ["请按公布的原样录入信标数值（1–200 个字符）"]})
    ceremony.beacon_value, ceremony.beacon_entered_by = value, actor
    ceremony.save(update_fields=["beacon_value", "beacon_entered_by", "updated_at"])
    _complete(ceremony, actor=actor)
    return ceremony


@transaction.atomic
def ceremony_external_seed(*, actor: User, ceremony: Ceremony, seed: str, description: str) -> Ceremony:
    ceremony = _lock_ceremony(ceremony)
    if not _member(actor, ceremony.plan.regulator, {Role.ROLE_REGULATOR_ADMIN}):
        raise NotPermitted("只有监管管理员可以录入外部随机数")
    if ceremony.kind != SeedKind.KIND_EXTERNAL or ceremony.seed:
        raise ServiceError({"seed": ["本次抽取不使用外部随机数，或种子已录入"]})
    try:
        seed = sampler.external_seed(seed)
    except ValueError as exc:
        raise ServiceError({"seed": [str(exc)]}) from None
    if not description.strip():
        raise ServiceError({"description": ["请说明随机数来源，如“2026年3月5日公开会议，掷骰 20 次”"]})
    ceremony.seed, ceremony.external_seed = seed, seed
    ceremony.external_description = description.strip()[:300]
    ceremony.status = CeremonyStatus.STATUS_COMPLETE
    ceremony.version += 1
    ceremony.save()
    ledger_append(type="ceremony.completed", actor=actor, object=ceremony, data={"seed": seed})
    draw_objects(plan=ceremony.plan)
    return ceremony


def _seed_source(ceremony: Ceremony) -> dict:
    if ceremony.kind == SeedKind.KIND_EXTERNAL:
        return sealed.seed_source("external", description=ceremony.external_description, beacon=None)
    people = list(ceremony.participants.all())
    return sealed.seed_source(
        "ceremony",
        commitments={p.name: p.commitment for p in people},
        secrets={p.name: p.secret for p in people},
        beacon=ceremony.beacon(),
    )


def save_draw(*, plan: Plan, purpose: str, record: dict, task: Task | None = None, actor="system") -> Draw:
    text = sampler.record_json(record)
    draw = Draw.objects.create(
        plan=plan,
        task=task,
        purpose=purpose,
        record=text,
        record_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    commitments = {k: record[k] for k in ("frame_digest", "frame_root", "selection_digest") if k in record}
    ledger_append(type=f"draw.{purpose}", actor=actor, object=draw, data=commitments | {"seed": record["seed"]})
    return draw


def _store_record(draw: Draw, record: dict, *, event: str, data: dict) -> None:
    text = sampler.record_json(record)
    draw.record, draw.record_sha256 = text, hashlib.sha256(text.encode("utf-8")).hexdigest()
    draw.save(update_fields=["record", "record_sha256"])
    ledger_append(type=event, actor="system", object=draw, data=data)


def draw_reveal_task(*, task: Task) -> None:
    """Reveal the drawn item of a task that was sampled, refused or replaced (draw-v2 item reveal)."""
    draw = Draw.objects.select_for_update().filter(plan=task.plan, purpose=DrawPurpose.PURPOSE_ENTERPRISES).first()
    if draw is None or json.loads(draw.record).get("algorithm") != sealed.ALGORITHM:
        return
    record = json.loads(draw.record)
    frame, result = sealed_result(draw)
    reveal = sealed.item_reveal(frame, result, task.frame_item_id)
    updated = sealed.with_reveal(record, reveal)
    if updated is not record:
        _store_record(draw, updated, event="draw.item_revealed", data={"index": reveal["index"]})


@transaction.atomic
def plan_sampling_close(*, actor: User, plan: Plan) -> Plan:
    """End the plan's sampling and reveal its draw in full: the salted frame, the selection and the alternates."""
    plan = _lock(plan)
    _require_writer(actor, plan)
    if plan.status != PlanStatus.STATUS_DRAWN:
        raise ServiceError({"status": ["只有已抽取的计划可以结束抽样"]})
    open_tasks = plan.tasks.filter(status__in=TaskStatus.REPLACEABLE)
    if open_tasks.exists():
        raise ServiceError({"status": [f"还有 {open_tasks.count()} 个任务尚未抽样、拒检或递补，不能结束抽样"]})
    draw = plan.draws.select_for_update().filter(purpose=DrawPurpose.PURPOSE_ENTERPRISES).first()
    record = json.loads(draw.record)
    if record.get("algorithm") == sealed.ALGORITHM and "frame" not in record:
        frame, result = sealed_result(draw)
        _store_record(draw, sealed.full_reveal(record, frame, result), event="draw.fully_revealed", data={})
    _set_status(plan, PlanStatus.STATUS_CLOSED)
    ledger_append(type="plan.sampling_closed", actor=actor, object=plan)
    return plan


def draw_objects(*, plan: Plan) -> Draw:
    """Run the object draw of a plan whose seed exists, create one task per selected item, then draw inspectors."""
    plan = _lock(plan)
    ceremony = plan.ceremony
    if plan.status != PlanStatus.STATUS_FROZEN or ceremony.status != CeremonyStatus.STATUS_COMPLETE:
        raise ServiceError({"status": ["种子尚未生成，不能抽取"]})
    frame = plan.frame
    rows = {row.item_id: row for row in frame.items.select_related("line", "product__enterprise", "delivery")}
    committed = sealed.SealedFrame([sealed.SaltedItem(r.item_id, r.weight, r.stratum, r.salt) for r in rows.values()])
    record, result = sealed.sealed_record(
        purpose=DrawPurpose.PURPOSE_ENTERPRISES,
        frame=committed,
        quotas=frame.quotas,
        seed=ceremony.seed,
        source=_seed_source(ceremony),
        created_at=_now_z(),
    )
    draw = save_draw(plan=plan, purpose=DrawPurpose.PURPOSE_ENTERPRISES, record=record)
    now = timezone.now()
    chosen = [(s, rank, item_id) for s in sorted(result.selected) for rank, item_id in enumerate(result.selected[s], 1)]
    # Task codes must not follow the draw's order, or a code would tell a revealed rank before its reveal.
    TASK_CODE_ORDER.shuffle(chosen)
    for stratum, rank, item_id in chosen:
        task = _create_task(plan, rows[item_id], stratum, rank, now)
        inspectors_draw(task=task)
    _set_status(plan, PlanStatus.STATUS_DRAWN)
    ledger_append(type="plan.drawn", actor="system", object=plan, data={"draw": str(draw.public_id)})
    return draw


def _create_task(plan: Plan, row: FrameItem, stratum: str, rank: int, now, replaces: Task | None = None) -> Task:
    line = row.line
    task = Task.objects.create(
        code=next_code("RW", plan.year),
        plan=plan,
        line=line,
        frame_item_id=row.item_id,
        stratum=stratum,
        rank=rank,
        enterprise=row.enterprise,
        product=row.product,
        delivery=row.delivery,
        agency=line.agency,
        laboratory=line.laboratory,
        drawn_at=now,
        replaces=replaces,
    )
    ledger_append(type="task.created", actor="system", object=task)
    return task


def recheck_task_create(*, original: Task, actor) -> Task:
    """A 复查 of a failed task: the same product of the same maker, sampled again at the maker (no delivery), by two
    inspectors drawn as for any task (seed: the plan's seed and the new task's code), tested blind by the line's
    laboratory. The caller holds the lock on what asked for it."""
    task = Task.objects.create(
        code=next_code("RW", timezone.localdate().year),
        plan=original.plan,
        line=original.line,
        frame_item_id=original.frame_item_id,
        stratum=original.stratum,
        rank=original.rank,
        enterprise=original.enterprise,
        product=original.product,
        agency=original.line.agency,
        laboratory=original.line.laboratory,
        drawn_at=timezone.now(),
        purpose=TaskPurpose.PURPOSE_RECHECK,
    )
    ledger_append(type="task.created", actor=actor, object=task, data={"recheck_of": original.code})
    inspectors_draw(task=task)
    return task


def inspectors_draw(*, task: Task, per_task: int = 2) -> Draw:
    """Draw the inspectors of a task from the agency's qualified, unconflicted samplers (seed: plan seed/task)."""
    pool = inspector_pool(task)
    items = [sampler.FrameItem(str(user.public_id)) for user in pool]
    seed = sampler.inspector_seed(task.plan.ceremony.seed, task.code)
    quotas = {"": per_task}
    result = sampler.draw(items, seed, quotas)
    record = sampler.build_record(
        purpose=DrawPurpose.PURPOSE_INSPECTORS,
        items=items,
        quotas=quotas,
        seed=seed,
        seed_source={"kind": "derived", "plan_seed": task.plan.ceremony.seed, "task": task.code},
        created_at=_now_z(),
    )
    draw = save_draw(plan=task.plan, purpose=DrawPurpose.PURPOSE_INSPECTORS, record=record, task=task)
    by_id = {str(user.public_id): user for user in pool}
    for rank, user_id in enumerate(result.selected.get("", []), start=1):
        TaskInspector.objects.create(task=task, inspector=by_id[user_id], draw=draw, rank=rank)
    task.status = TaskStatus.STATUS_ASSIGNED if len(pool) >= per_task else TaskStatus.STATUS_SHORT_OF_INSPECTORS
    task.version += 1
    task.save(update_fields=["status", "version", "updated_at"])
    ledger_append(
        type="task.inspectors_drawn",
        actor="system",
        object=task,
        data={"inspectors": result.selected.get("", []), "pool": len(pool), "draw": str(draw.public_id)},
    )
    return draw


@transaction.atomic
def task_replace(*, actor: User, task: Task, reason: str, note: str, evidence: UploadedFile) -> Task:
    """Replace a selected item by the next unused alternate of its stratum, with reason and evidence."""
    plan = _lock(task.plan)
    _require_writer(actor, plan)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status == TaskStatus.STATUS_REPLACED:
        raise ServiceError({"task": ["该任务已被替换"]})
    if task.is_recheck:
        raise ServiceError({"task": ["复查任务在原生产企业抽样，不能递补替换"]})
    if task.status not in TaskStatus.REPLACEABLE:
        raise ServiceError({"task": [f"任务处于“{task.get_status_display()}”状态（已封样或已拒检），不能递补替换"]})
    if reason not in ReplacementReason:
        raise ServiceError({"reason": ["请选择递补原因"]})
    if evidence is None or not evidence.size:
        raise ServiceError({"evidence": ["请上传证据（照片或文件）"]})
    draw = plan.draws.filter(purpose=DrawPurpose.PURPOSE_ENTERPRISES).first()
    alternates = full_record(draw)["alternates"].get(task.stratum, [])
    used = set(plan.tasks.values_list("frame_item_id", flat=True))
    next_id = next((item for item in alternates if item not in used), None)
    if next_id is None:
        raise ServiceError({"task": ["该层已无可递补的备选对象"]})
    digest = hashlib.sha256()
    for chunk in evidence.chunks():
        digest.update(chunk)
    row = plan.frame.items.select_related("line", "product__enterprise", "delivery").get(item_id=next_id)
    rank = plan.tasks.filter(stratum=task.stratum).count() + 1
    replacement = _create_task(plan, row, task.stratum, rank, timezone.now(), replaces=task)
    task.status = TaskStatus.STATUS_REPLACED
    task.version += 1
    task.save(update_fields=["status", "version", "updated_at"])
    evidence.seek(0)
    record = Replacement(
        replaced=task,
        replacement=replacement,
        reason=reason,
        note=(note or "").strip()[:300],
        evidence_sha256=digest.hexdigest(),
        decided_by=actor,
    )
    record.evidence.save(digest.hexdigest(), evidence, save=False)
    record.save()
    ledger_append(type="task.replaced", actor=actor, object=record, data={"alternate": next_id})
    ledger_append(type="task.updated", actor=actor, object=task)
    draw_reveal_task(task=task)
    inspectors_draw(task=replacement)
    return replacement
