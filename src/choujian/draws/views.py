"""Public pages of the draws: a draw record's page, the stand-alone verifier, and a participant's ceremony page.

All three need no sign-in. Draw records are public by design; a participant's page is reached by their personal
link, whose token is the only credential (a public witness has no account).
"""

from pathlib import Path

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from choujian.core.access import public
from choujian.draws import sampler, sealed, selectors
from choujian.draws.choices import CeremonyStatus, DrawPurpose
from choujian.planning.choices import ReplacementReason, TaskStatus

ALTERNATES_SHOWN = 20
VERIFIER = Path(__file__).resolve().parent / "verify.py"


def _seed_rows(source: dict) -> list[dict]:
    commitments = source.get("commitments") or {}
    secrets = source.get("secrets") or {}
    rows = []
    for name in sorted(commitments):
        commitment, secret = commitments.get(name, ""), secrets.get(name, "")
        ok = isinstance(commitment, str) and isinstance(secret, str) and sampler.check_reveal(commitment, secret)
        rows.append({"name": name, "commitment": commitment, "secret": secret, "ok": ok})
    return rows


def _strata(record: dict) -> list[dict]:
    selected = record.get("selected") or {}
    alternates = record.get("alternates") or {}
    quotas = record.get("quotas") or {}
    rows = []
    for stratum in sorted(set(selected) | set(alternates)):
        alts = alternates.get(stratum) or []
        rows.append(
            {
                "stratum": stratum,
                "quota": quotas.get(stratum),
                "selected": selected.get(stratum) or [],
                "alternates": alts[:ALTERNATES_SHOWN],
                "more": max(0, len(alts) - ALTERNATES_SHOWN),
            }
        )
    return rows


def _revealed_row(reveal: dict) -> dict:
    parts = str(reveal.get("line", "")).split("\t")
    return {
        "id": parts[0],
        "stratum": parts[2] if len(parts) > 2 else "",
        "rank": reveal.get("stratum_rank"),
        "status": reveal.get("status"),
    }


@public
def public_draw(request, public_id):
    draw = selectors.draw_public(request.user, public_id)
    if draw is None:
        raise Http404(_("没有这条抽取记录"))
    record = selectors.public_record(draw)
    source = record.get("seed_source") if isinstance(record.get("seed_source"), dict) else {}
    revealed = [_revealed_row(r) for r in record.get("revealed") or [] if isinstance(r, dict)]
    related = draw.plan.draws.select_related("task").exclude(pk=draw.pk).order_by("created_at")
    context = {
        "draw": draw,
        "record": record,
        "source": source,
        "seed_rows": _seed_rows(source) if source.get("kind") == "ceremony" else [],
        "strata": _strata(record),
        "frame_size": len(record.get("frame") or []) or sum((record.get("frame_counts") or {}).values()),
        "v2": record.get("algorithm") == sealed.ALGORITHM,
        "sealed_inspectors": "sealed" in record,
        "fully_revealed": "frame" in record,
        "revealed": revealed,
        "beacon": source.get("beacon") if isinstance(source.get("beacon"), dict) else None,
        "is_objects": draw.purpose == DrawPurpose.PURPOSE_ENTERPRISES,
        "related": related[:200],
        "replacements": [
            {
                "row": r,
                "reason": ReplacementReason.display(r.reason),
                "show_replacement": r.replacement.status in TaskStatus.REVEALED or "frame" in record,
            }
            for r in selectors.replacements_of(draw.plan)
        ]
        if draw.purpose == DrawPurpose.PURPOSE_ENTERPRISES
        else [],
        "file_name": "record.json",
    }
    return render(request, "draws/public_draw.html", context)


@public
def verifier_source(request):
    """The stand-alone verifier (standard library only), served from the installed package."""
    try:
        text = VERIFIER.read_bytes()
    except OSError:
        raise Http404(_("校验程序尚未随本平台发布")) from None
    response = HttpResponse(text, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verify.py"'
    return response


@public
def participant_page(request, token: str):
    participant = selectors.participant_by_token(token)
    if participant is None:
        raise Http404(_("链接无效：请向组织单位核对您的个人链接"))
    state = selectors.participant_status(participant)
    status = state["status"]
    if status == CeremonyStatus.STATUS_BLOCKED:
        step = "blocked"
    elif not state["committed"] and status == CeremonyStatus.STATUS_COMMITTING:
        step = "commit"
    elif status == CeremonyStatus.STATUS_COMMITTING:
        step = "wait_commits"
    elif status == CeremonyStatus.STATUS_REVEALING and not state["revealed"]:
        step = "reveal"
    elif status == CeremonyStatus.STATUS_REVEALING:
        step = "wait_reveals"
    else:
        step = "done"
    missing = [p["name"] for p in state["participants"] if not p["revealed"]]
    return render(
        request,
        "draws/participant.html",
        {"s": state, "token": token, "step": step, "missing": missing, "snapshot": _snapshot(state)},
    )


def _snapshot(state: dict) -> str:
    """What the page polls for: when this changes, the page reloads to show the next step."""
    flags = "".join(f"{int(p['committed'])}{int(p['revealed'])}" for p in state["participants"])
    return f"{state['status']}:{flags}"
