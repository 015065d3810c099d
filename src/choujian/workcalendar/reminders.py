"""Reminders before a deadline and a notice when one is missed (a scheduled job, `workcalendar.tasks`).

Every stored deadline (`Deadline`) still open on its record is looked at once a day: N working days before it (by
default 3 and then 1; `CHOUJIAN_REMINDER_DAYS`, or per kind of deadline `CHOUJIAN_REMINDER_DAYS_<FIELD>`) the people
who answer for it are reminded, and the day after it passed unmet they and the organiser are told it was missed
(`deadline_supervisors` on the record names who else is told; a deadline missed more than `MISSED_WITHIN_DAYS` ago is
not announced late). Each reminder is sent once — a `Reminder` row per deadline, stage and due date is claimed in the
same transaction as its messages — so a job that runs twice, or two workers at once, send nothing twice; a deadline
moved by a calendar change is reminded again. Someone with more than `DIGEST_AT` reminders in one run gets one digest
instead of a flood.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from choujian.ledger.objects import resolve
from choujian.notifications.services import message_send
from choujian.workcalendar.display import deadline_text
from choujian.workcalendar.models import Deadline, Reminder
from choujian.workcalendar.selectors import work_calendar

MISSED = "missed"
KIND_REMINDER, KIND_MISSED, KIND_DIGEST = "deadline.reminder", "deadline.missed", "deadline.digest"
DIGEST_AT = 5
# A missed deadline is announced in the days right after it, not weeks later (e.g. on the first run after an upgrade).
MISSED_WITHIN_DAYS = 3


@dataclass(frozen=True)
class Due:
    deadline: Deadline
    owner: object
    stage: str
    subject: str
    link: str
    recipients: tuple


def stage_for(remaining: int, days: list[int]) -> str | None:
    """The reminder stage for a deadline `remaining` working days away: the smallest N in `days` it is within."""
    within = [n for n in sorted(days) if remaining <= n]
    return f"before-{within[0]}" if within and remaining >= 0 else None


def reminders_send(*, today: dt.date | None = None) -> int:
    """Send what is due today; returns how many messages went out."""
    today = today or timezone.localdate()
    by_field = settings.CHOUJIAN_REMINDER_DAYS_BY_FIELD
    default = list(settings.CHOUJIAN_REMINDER_DAYS)
    calendar = work_calendar()
    furthest = max([*default, *(n for days in by_field.values() for n in days)], default=0)
    horizon = calendar.add_working_days(today, furthest)
    since = today - dt.timedelta(days=MISSED_WITHIN_DAYS)
    candidates = Deadline.objects.filter(due__lte=horizon, due__gte=since).order_by("due")
    items = []
    for deadline in candidates.iterator():
        remaining = calendar.working_days_between(today, deadline.due)
        if deadline.due < today:
            stage = MISSED
        else:
            stage = stage_for(remaining, list(by_field.get(deadline.field, default)))
        item = _item(deadline, stage, remaining) if stage else None
        if item is not None and not Reminder.objects.filter(deadline=deadline, stage=stage, due=deadline.due).exists():
            items.append(item)
    with transaction.atomic():
        return _deliver([item for item in items if _claim(item)])


def _item(deadline: Deadline, stage: str, remaining: int) -> Due | None:
    _, owner = resolve(deadline.owner)
    if owner is None or not _open(owner, deadline.field):
        return None
    watchers = getattr(owner, "deadline_watchers", None)
    people = tuple(watchers(deadline.field)) if watchers else ()
    supervisors = getattr(owner, "deadline_supervisors", None)
    if stage == MISSED and supervisors is not None:
        people += tuple(person for person in supervisors(deadline.field) if person not in people)
    if not people:
        return None
    link = owner.deadline_link(deadline.field) if hasattr(owner, "deadline_link") else ""
    when = deadline_text(deadline.due, deadline.provisional, deadline.provisional_year)
    if stage == MISSED:
        subject = f"已逾期：{deadline.label}（期限 {when}）"
    else:
        left = f"还有 {remaining} 个工作日" if remaining else "今天到期"
        subject = f"即将到期：{deadline.label}（期限 {when}，{left}）"
    return Due(deadline, owner, stage, subject, link, people)


def _open(owner, field: str) -> bool:
    still_open = getattr(owner, "deadline_open", None)
    return bool(still_open(field)) if still_open is not None else True


def _claim(item: Due) -> bool:
    """Take the reminder for this run; False if an earlier or a parallel run already has."""
    try:
        with transaction.atomic():
            Reminder.objects.create(
                deadline=item.deadline, stage=item.stage, due=item.deadline.due, recipients=len(item.recipients)
            )
    except IntegrityError:
        return False
    return True


def _deliver(items: list[Due]) -> int:
    """One message per reminder, or one digest for a person with more than DIGEST_AT of them."""
    by_person: dict = defaultdict(list)
    people = {}
    for item in items:
        for person in item.recipients:
            by_person[person.pk].append(item)
            people[person.pk] = person
    sent = 0
    for pk, found in by_person.items():
        if len(found) > DIGEST_AT:
            body = "\n".join(f"· {item.subject}" for item in found)
            subject = f"期限提醒汇总：{len(found)} 项即将到期或已逾期"
            sent += message_send(
                recipients=[people[pk]], kind=KIND_DIGEST, subject=subject, body=body, link=reverse("home")
            )
        else:
            for item in found:
                kind = KIND_MISSED if item.stage == MISSED else KIND_REMINDER
                sent += message_send(
                    recipients=[people[pk]], kind=kind, subject=item.subject, link=item.link, about=item.owner
                )
    return sent
