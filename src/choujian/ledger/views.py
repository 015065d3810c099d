"""Ledger pages for auditors and regulators: the signed checkpoint, an object's history, inclusion proofs."""

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from django.shortcuts import render
from django.utils.translation import gettext as _

from choujian.core.access import roles
from choujian.core.jobs import job_lines
from choujian.ledger import merkle, note, selectors
from choujian.ledger.keys import verifier_key
from choujian.ledger.objects import ledgered_models, ref_for_readable_id
from choujian.ledger.verify import check_object
from choujian.ledger.watch import watch_state

MAX_HISTORY = 500


@dataclass(frozen=True)
class Step:
    number: int
    side: str  # "left" or "right": where the sibling sits relative to the running hash
    first: int  # the sibling subtree covers entries first..last
    last: int
    sibling: str
    result: str


def _signed_checkpoint():
    """The latest checkpoint (signed after each append, and by the worker if one was missed) and what its signature
    says, verified here."""
    latest = selectors.latest_checkpoint()
    if latest is None:
        return None
    info = {"row": latest, "valid": False, "error": "", "size": latest.size, "root": latest.root}
    try:
        _, size, root = note.parse_checkpoint(note.verify_note(latest.note, verifier_key()))
    except note.NoteError as exc:
        info["error"] = str(exc)
    else:
        info.update(valid=True, size=size, root=root.hex(), root_bytes=root)
    return info


def _parse_time(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _entry_view(seq: int, body: str, private: tuple[str, str] | None = None) -> dict:
    try:
        obj = json.loads(body)
    except ValueError:
        obj = {}
    if not isinstance(obj, dict):
        obj = {}
    if private is not None and isinstance(obj.get("data"), dict):
        # Shown to regulators only; the public body holds just the digests of these.
        state, data = private
        obj["data"] = {**obj["data"], "state（非公开，仅存摘要）": json.loads(state)}
        if data:
            obj["data"]["data（非公开，仅存摘要）"] = json.loads(data)
    return {
        "seq": seq,
        "type": obj.get("type", "?"),
        "at": _parse_time(obj.get("at")),
        "actor": obj.get("actor", "?"),
        "object": obj.get("object", ""),
        "data": json.dumps(obj.get("data"), ensure_ascii=False, indent=2, sort_keys=True),
        "body": body,
    }


def _actor_names(actors: set[str]) -> dict[str, str]:
    valid = []
    for ref in actors:
        kind, _, value = ref.partition(":")
        try:
            if kind == "user":
                valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return {f"user:{u.public_id}": str(u) for u in selectors.people_named(valid)}


def _history(ref: str) -> tuple[str, list]:
    """Entries about `ref`; a bare public id is tried under every ledgered kind."""
    if ":" in ref:
        return ref, selectors.object_history(ref)
    readable = ref_for_readable_id(ref.upper() if len(ref) == 18 else ref)
    if readable is not None:
        return readable, selectors.object_history(readable)
    for kind in sorted(ledgered_models()):
        found = selectors.object_history(f"{kind}:{ref}")
        if found:
            return f"{kind}:{ref}", found
    return ref, []


def _proof_steps(index: int, size: int, leaf: bytes, proof: list[bytes]) -> list[Step]:
    """The RFC 9162 audit path, leaf upwards, with the side and entry range of each sibling."""
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + merkle.split_point(hi - lo)
        if index < mid:
            ranges.append(("right", mid, hi - 1))
            hi = mid
        else:
            ranges.append(("left", lo, mid - 1))
            lo = mid
    ranges.reverse()
    steps, running = [], leaf
    for number, ((side, first, last), sibling) in enumerate(zip(ranges, proof, strict=False), start=1):
        running = merkle.node_hash(sibling, running) if side == "left" else merkle.node_hash(running, sibling)
        steps.append(Step(number, side, first, last, sibling.hex(), running.hex()))
    return steps


def _inclusion(seq: int, checkpoint: dict | None) -> dict:
    result = {"seq": seq}
    bodies = selectors.entry_bodies(seq, seq + 1)
    if not bodies:
        return {**result, "error": _("没有序号为 %(seq)s 的记录。") % {"seq": seq}}
    entry = _entry_view(seq, bodies[0])
    result["entry"] = entry
    if checkpoint is None or not checkpoint["valid"]:
        return {**result, "error": _("没有签名有效的检查点，无法给出证明。")}
    size, root = checkpoint["size"], checkpoint["root_bytes"]
    if seq >= size:
        return {
            **result,
            "error": _("该记录尚未被最新检查点（共 %(size)s 条）覆盖；检查点至少每分钟签发一次，请稍后刷新。")
            % {"size": size},
        }
    leaf = merkle.leaf_hash(bodies[0].encode("utf-8"))
    proof = selectors.inclusion_proof(seq, size)
    steps = _proof_steps(seq, size, leaf, proof)
    recomputed = bytes.fromhex(steps[-1].result) if steps else leaf
    return {
        **result,
        "size": size,
        "leaf": leaf.hex(),
        "steps": steps,
        "recomputed": recomputed.hex(),
        "signed_root": root.hex(),
        "verified": merkle.verify_inclusion(seq, size, leaf, proof, root),
    }


@roles(selectors.LEDGER_READERS)
def home(request):
    ref = (request.GET.get("object") or "").strip()[:200]
    raw_entry = (request.GET.get("entry") or "").strip()
    checkpoint = _signed_checkpoint()
    inclusion, error = None, ""
    if raw_entry:
        if raw_entry.isdigit() and len(raw_entry) <= 18:
            inclusion = _inclusion(int(raw_entry), checkpoint)
            if not ref and "entry" in inclusion:
                ref = inclusion["entry"]["object"]
        else:
            error = _("记录序号“%(entry)s”无效，应为非负整数。") % {"entry": raw_entry}
    history, state_problem, truncated = [], None, False
    if ref:
        ref, rows = _history(ref)
        truncated = len(rows) > MAX_HISTORY
        names = _actor_names({row.actor for row in rows[:MAX_HISTORY]})
        seqs = [row.seq for row in rows[:MAX_HISTORY]]
        private = selectors.private_states(seqs)
        for row in rows[:MAX_HISTORY]:
            item = _entry_view(row.seq, row.body, private.get(row.seq))
            item.update(at=row.at, actor_name=names.get(item["actor"], ""))
            history.append(item)
        state_problem = check_object(ref) if rows else None
    size = selectors.current_size()
    context = {
        "checkpoint": checkpoint,
        "size": size,
        "unsigned": max(0, size - checkpoint["size"]) if checkpoint else 0,
        "verifier_key": verifier_key(),
        "object": ref,
        "history": history,
        "history_truncated": truncated,
        "ledgered_kind": ref.partition(":")[0] in ledgered_models(),
        "state_problem": state_problem,
        "watch": watch_state(),
        "jobs": job_lines(),
        "inclusion": inclusion,
        "error": error,
    }
    return render(request, "ledger/home.html", context)
