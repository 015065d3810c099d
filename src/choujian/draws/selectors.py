"""Every read of frames, ceremonies and draws.

Frames and ceremonies belong to the organising regulator's side (they name enterprises, and the participants'
personal links are capabilities). Draw records are public by design, as far as they are revealed (draw-v2): the
commitments at once, each item once its task is sampled, refused or replaced, the whole frame once the plan's
sampling closes; `public_record` is what anyone may read, `full_record` what the plan's own staff see.
"""

import hashlib
import json

from django.db.models import Count, QuerySet

from choujian.accounts.models import User
from choujian.core.policy import VIEW, restrict
from choujian.draws import sampler, sealed
from choujian.draws.choices import CeremonyStatus, DrawPurpose
from choujian.draws.models import Ceremony, CeremonyParticipant, Draw, Frame, Replacement
from choujian.draws.policy import RECORD
from choujian.planning.choices import PlanStatus, TaskStatus
from choujian.planning.models import Plan

PREVIEW = 500


def draws_visible_to(user: User) -> QuerySet[Draw]:
    """The draws a regulator lists (the records themselves are public; the list is a regulator's tool)."""
    return restrict(Draw.objects.all(), user, VIEW).select_related("plan", "task").order_by("-created_at", "pk")


def draw_public(user: User, public_id) -> Draw | None:
    draws = restrict(Draw.objects.all(), user, RECORD)
    return draws.select_related("plan__regulator", "task").filter(public_id=public_id).first()


def plan_object_draw(plan: Plan) -> Draw | None:
    return plan.draws.filter(purpose=DrawPurpose.PURPOSE_ENTERPRISES).order_by("created_at", "pk").first()


def frame_of(plan: Plan) -> Frame | None:
    return Frame.objects.filter(plan=plan).first()


def frame_review(frame: Frame, limit: int | None = None) -> dict:
    """The frame's items grouped by stratum (with weights and why), its exclusions (with why) and its counts.

    With `limit`, each stratum lists at most that many items (its full count is still given)."""
    counts = dict(frame.items.values_list("stratum").annotate(n=Count("pk")).values_list("stratum", "n"))
    items = frame.items.select_related("enterprise", "product", "delivery").order_by("item_id")
    strata = []
    for stratum in sorted(set(counts) | set(frame.quotas)):
        rows = items.filter(stratum=stratum)
        strata.append(
            {
                "stratum": stratum,
                "quota": frame.quotas.get(stratum),
                "count": counts.get(stratum, 0),
                "items": list(rows if limit is None else rows[:limit]),
            }
        )
    exclusions = frame.exclusions.select_related("enterprise", "product").order_by("item_id")
    return {
        "strata": strata,
        "exclusions": exclusions,
        "item_count": sum(counts.values()),
        "exclusion_count": exclusions.count(),
    }


def ceremony_of(plan: Plan) -> Ceremony | None:
    return Ceremony.objects.filter(plan=plan).prefetch_related("participants").first()


def participant_by_token(token: str) -> CeremonyParticipant | None:
    """A participant's personal link is the capability: no sign-in, just the unguessable token."""
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        return None
    return (
        CeremonyParticipant.objects.select_related("ceremony__plan__regulator", "ceremony__plan__frame")
        .filter(token=token_digest(token))
        .first()
    )


def participant_again(participant: CeremonyParticipant) -> CeremonyParticipant:
    return CeremonyParticipant.objects.select_related("ceremony__plan__regulator", "ceremony__plan__frame").get(
        pk=participant.pk
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def replacements_of(plan: Plan) -> QuerySet[Replacement]:
    return (
        Replacement.objects.filter(replaced__plan=plan)
        .select_related("replaced__enterprise", "replacement__enterprise", "decided_by")
        .order_by("created_at")
    )


def parsed_record(draw: Draw) -> dict:
    try:
        record = json.loads(draw.record)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def sealed_frame(frame: Frame) -> sealed.SealedFrame:
    rows = frame.items.values_list("item_id", "weight", "stratum", "salt")
    return sealed.SealedFrame([sealed.SaltedItem(*row) for row in rows])


def sealed_result(draw: Draw) -> tuple[sealed.SealedFrame, sampler.DrawResult]:
    """The salted frame and the full result of a draw-v2 object draw, recomputed from the frame and the seed."""
    record = parsed_record(draw)
    frame = sealed_frame(draw.plan.frame)
    return frame, sealed.draw(frame, record["seed"], record["quotas"])


def full_record(draw: Draw) -> dict:
    """The whole record as the plan's own staff see it: a draw-v2 record with its frame and selection revealed."""
    record = parsed_record(draw)
    if record.get("algorithm") == sealed.ALGORITHM and "frame" not in record:
        frame, result = sealed_result(draw)
        return sealed.full_reveal(record, frame, result)
    return record


def inspector_draw_sealed(draw: Draw) -> bool:
    """An inspector draw names who goes to which task: public only once the task is sampled, refused or replaced
    (or the plan's sampling closed)."""
    if draw.purpose != DrawPurpose.PURPOSE_INSPECTORS or draw.task is None:
        return False
    return draw.task.status not in TaskStatus.REVEALED and draw.plan.status != PlanStatus.STATUS_CLOSED


def public_record(draw: Draw) -> dict:
    """What anyone may read of a draw: a draw-v2 object draw as published so far (commitments, item reveals, the
    full frame after sampling closed); an inspector draw only once its task is revealed."""
    record = parsed_record(draw)
    if inspector_draw_sealed(draw):
        return {
            "algorithm": record.get("algorithm"),
            "purpose": draw.purpose,
            "sealed": "本任务抽样完成（或拒检、递补）后公开 / published once the task is sampled",
            "record_sha256": draw.record_sha256,
            "created_at": record.get("created_at"),
        }
    return record


def public_record_text(draw: Draw) -> str:
    if inspector_draw_sealed(draw):
        return sampler.record_json(public_record(draw))
    return draw.record


def alternates_of(plan: Plan, draw: Draw, limit: int = 50) -> list[dict]:
    """Each stratum's alternates in rank order (递补 order), marking those already used by a replacement."""
    record = full_record(draw)
    used = set(plan.tasks.values_list("frame_item_id", flat=True))
    names = {}
    wanted = [i for ids in (record.get("alternates") or {}).values() for i in ids[:limit]]
    for item in plan.frame.items.filter(item_id__in=wanted).select_related("enterprise", "product"):
        names[item.item_id] = item
    out = []
    for stratum, ids in (record.get("alternates") or {}).items():
        rows = [{"id": i, "item": names.get(i), "used": i in used} for i in ids[:limit]]
        out.append({"stratum": stratum, "count": len(ids), "rows": rows})
    return out


def ceremony_status(ceremony: Ceremony) -> dict:
    """The ceremony as the organising regulator sees it. Personal links are never listed: each is shown once, when
    it is issued, to be handed to its participant.

    Commitments appear once all are in, and secrets once all are revealed: a participant who is also an
    organiser must not see (and try to guess from) another's commitment before committing, nor read another's
    secret before revealing their own."""
    complete = ceremony.status == CeremonyStatus.STATUS_COMPLETE
    committing = ceremony.status == CeremonyStatus.STATUS_COMMITTING
    frame = getattr(ceremony.plan, "frame", None)
    people = list(ceremony.participants.all())
    return {
        "plan": ceremony.plan.code,
        "kind": ceremony.kind,
        "kind_label": ceremony.get_kind_display(),
        "status": ceremony.status,
        "status_label": ceremony.get_status_display(),
        "reveal_deadline": ceremony.reveal_deadline,
        "frame_digest": frame.digest if frame else "",
        "seed": ceremony.seed,
        "external_description": ceremony.external_description,
        "beacon": ceremony.beacon(),
        "committed": sum(1 for p in people if p.commitment),
        "revealed": sum(1 for p in people if p.secret),
        "participants": [
            {
                "name": p.name,
                "committed": bool(p.commitment),
                "committed_at": p.committed_at,
                "commitment": "" if committing else p.commitment,
                "revealed": bool(p.secret),
                "revealed_at": p.revealed_at,
                "secret": p.secret if complete else None,
                "link_issued_at": p.link_issued_at,
            }
            for p in people
        ],
    }


def participant_status(participant: CeremonyParticipant) -> dict:
    """What a participant's own device shows: their step, everyone's progress, never anyone's secret."""
    ceremony = participant.ceremony
    plan = ceremony.plan
    frame = getattr(plan, "frame", None)
    draw = plan_object_draw(plan) if ceremony.status == CeremonyStatus.STATUS_COMPLETE else None
    people = list(ceremony.participants.all())
    return {
        "participant": participant.name,
        "plan": plan.code,
        "plan_name": plan.name,
        "regulator": plan.regulator.name,
        "frame_digest": frame.digest if frame else "",
        "status": ceremony.status,
        "status_label": ceremony.get_status_display(),
        "reveal_deadline": ceremony.reveal_deadline,
        "committed": bool(participant.commitment),
        "commitment": participant.commitment,
        "revealed": bool(participant.secret),
        "participants": [{"name": p.name, "committed": bool(p.commitment), "revealed": bool(p.secret)} for p in people],
        "draw": str(draw.public_id) if draw else None,
    }
