"""The scheduled ledger check (`choujian ledger watch`, every few minutes): finds a row edited behind the platform's
back soon after it happens, and tells the platform's administrators which object and field.

Each run checks, within a bounded amount of work:

1. every object that entries appended since the last run are about (a service that changed a row, or a row inside
   it, without ledgering the result shows here at once);
2. the next slice of every ledgered kind, round-robin by primary key, so that every row — touched or not — is
   re-checked within `rows / budget` runs (a direct database edit leaves no entry, so only re-reading finds it);
3. that the entries appended since the last run are canonical and agree with their columns.

A problem is reported once, when it first appears, to superusers and to the administrators and auditors of the
top-level regulators, by an in-platform message naming the object and the fields; it stays listed on the watch state
until a run no longer finds it. The full `choujian ledger verify` (tree, checkpoints, every row) remains the audit.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import members_of
from choujian.ledger.models import LedgerEntry, LedgerHead, WatchState
from choujian.ledger.objects import ledgered_models, object_ref
from choujian.ledger.verify import check_object
from choujian.notifications.services import message_send

logger = logging.getLogger("choujian.ledger.watch")

DEFAULT_BUDGET = 5000
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


def guardians() -> list[User]:
    """Who is told: superusers, and the administrators and auditors of the regulators at the top of the tree."""
    tops = Organisation.objects.filter(kind=OrganisationKind.KIND_REGULATOR, parent=None).values_list("pk", flat=True)
    people = {u.pk: u for u in members_of(tops, {Role.ROLE_REGULATOR_ADMIN, Role.ROLE_AUDITOR})}
    people |= {u.pk: u for u in User.objects.filter(is_superuser=True, is_active=True)}
    return list(people.values())


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
            report.alerted = _alert(report.new_problems)
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


def _alert(problems: list[dict]) -> int:
    from django.urls import reverse

    shown = problems[:20]
    lines = [f"· {p['message']}" for p in shown]
    if len(problems) > len(shown):
        lines.append(f"…… 另有 {len(problems) - len(shown)} 项 / {len(problems) - len(shown)} more")
    body = (
        "定时校验发现数据库中的记录与追溯日志不符，可能有人绕过平台直接修改了数据库。请立即核查，并运行 "
        "`choujian ledger verify` 做完整校验。\n\n" + "\n".join(lines)
    )
    subject = f"追溯日志校验发现 {len(problems)} 处不符"
    return message_send(recipients=guardians(), subject=subject, body=body, link=reverse("ledger:home") + "#watch")


def watch_state() -> WatchState | None:
    return WatchState.objects.first()


__all__ = ["DEFAULT_BUDGET", "WatchReport", "guardians", "ledger_watch", "watch_state"]
