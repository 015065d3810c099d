"""The scheduled ledger check (`choujian ledger watch`, every few minutes): finds a row edited behind the platform's
back soon after it happens, and tells the platform's administrators which object and field.

Each run checks, within a bounded amount of work:

1. every object that entries appended since the last run are about (a service that changed a row, or a row inside
   it, without ledgering the result shows here at once);
2. the next slice of every ledgered kind, round-robin by primary key, so that every row — touched or not — is
   re-checked within `rows / budget` runs (a direct database edit leaves no entry, so only re-reading finds it);
3. that the entries appended since the last run are canonical and agree with their columns.

A problem is reported once, when it first appears, by the `problems_found` signal (the notifications context tells
superusers and the administrators and auditors of the top-level regulators, naming the object and the fields); it
stays listed on the watch state until a run no longer finds it. The full `choujian ledger verify` (tree,
checkpoints, every row) remains the audit.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from choujian.ledger.models import LedgerEntry, LedgerHead, WatchState
from choujian.ledger.objects import ledgered_models, object_ref
from choujian.ledger.verify import check_object

logger = logging.getLogger("choujian.ledger.watch")

DEFAULT_BUDGET = 5000
# Sent with `problems` (new ones only) inside the run's transaction; each receiver returns how many people it told.
problems_found = Signal()
ENTRY_FIELDS = ("seq", "type", "object")


@dataclass
class WatchReport:
    entries: int = 0
    touched: int = 0
    rechecked: int = 0
    problems: list[dict] = field(default_factory=list)
    new_problems: list[dict] = field(default_factory=list)
    alerted: int = 0
    round_completed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_watch(*, budget: int = DEFAULT_BUDGET, alert=True) -> WatchReport:
    """One run of the scheduled check (see the module's description)."""
    report = WatchReport()
    # Read first, write the bookmark in a short transaction at the end: a long check must not hold SQLite's write lock.
    state = WatchState.objects.first() or WatchState()
    head = LedgerHead.objects.values_list("size", flat=True).first() or 0
    found: dict[str, dict] = {}
    touched = _touched_since(state.entries_checked, head, report, found)
    _recheck_slice(state, max(1, budget), touched, report, found)
    state.entries_checked = head
    previous = {p["object"]: p for p in state.problems}
    report.problems = sorted(found.values(), key=lambda p: p["object"])
    report.new_problems = [p for p in report.problems if previous.get(p["object"], {}).get("message") != p["message"]]
    state.problems = report.problems
    now = timezone.now()
    state.last_run_at = now
    if not report.problems:
        state.last_ok_at = now
    with transaction.atomic():
        state.save()
        for problem in report.new_problems:
            logger.error("ledger watch: %s", problem["message"])
        if report.new_problems and alert:
            answers = problems_found.send(sender=WatchReport, problems=report.new_problems)
            report.alerted = sum(told or 0 for _, told in answers)
    return report


def _touched_since(start: int, head: int, report: WatchReport, found: dict[str, dict]) -> set[str]:
    refs: set[str] = set()
    rows = LedgerEntry.objects.filter(seq__gte=start, seq__lt=head).order_by("seq").values_list("seq", "body", "type")
    for seq, body, type_ in rows.iterator(chunk_size=2000):
        report.entries += 1
        try:
            data = json.loads(body)
        except ValueError:
            _found(found, f"entry:{seq}", f"日志条目 #{seq} 不是有效的 JSON / entry #{seq} is not valid JSON", ())
            continue
        if not isinstance(data, dict) or data.get("seq") != seq or data.get("type") != type_:
            _found(found, f"entry:{seq}", f"日志条目 #{seq} 与其列不一致 / entry #{seq} disagrees with its columns", ())
            continue
        if data.get("object"):
            refs.add(data["object"])
    for ref in sorted(refs):
        report.touched += 1
        problem = check_object(ref)
        if problem is not None:
            _found(found, ref, problem.message, problem.fields)
    return refs


def _recheck_slice(state: WatchState, budget: int, skip: set[str], report: WatchReport, found: dict) -> None:
    kinds = sorted(ledgered_models().items())
    share = max(1, budget // max(1, len(kinds)))
    positions = dict(state.positions or {})
    wrapped = 0
    for kind, model in kinds:
        after = positions.get(kind, 0)
        rows = list(model._base_manager.filter(pk__gt=after).order_by("pk")[:share])
        for row in rows:
            ref = object_ref(row)
            if ref in skip:
                continue
            report.rechecked += 1
            problem = check_object(ref)
            if problem is not None:
                _found(found, ref, problem.message, problem.fields)
        if len(rows) < share:
            positions[kind] = 0
            wrapped += 1
        else:
            positions[kind] = rows[-1].pk
    # Problems found earlier on rows not re-read in this run stay listed until a run re-reads them clean.
    for problem in state.problems:
        ref = problem["object"]
        if ref not in found and not ref.startswith("entry:"):
            again = check_object(ref)
            if again is not None:
                _found(found, ref, again.message, again.fields)
    state.positions = positions
    if wrapped == len(kinds):
        state.rounds += 1
        report.round_completed = True


def _found(found: dict, ref: str, message: str, fields) -> None:
    found[ref] = {"object": ref, "message": message, "fields": list(fields), "at": timezone.now().isoformat()}


def watch_state() -> WatchState | None:
    return WatchState.objects.first()


__all__ = ["DEFAULT_BUDGET", "WatchReport", "ledger_watch", "problems_found", "watch_state"]
