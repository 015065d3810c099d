"""Reminders before a deadline and a notice the day after it is missed: each sent once, however often the job runs;
nothing about work already done; a digest instead of a flood."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from choujian.ledger.objects import object_ref
from choujian.notifications.models import Message
from choujian.testing.choices import LabStatus
from choujian.testing.models import LabSample
from choujian.workcalendar import reminders
from choujian.workcalendar.models import Deadline, Reminder

pytestmark = pytest.mark.django_db


def _testing_deadline() -> tuple[LabSample, Deadline]:
    lab_sample = LabSample.objects.filter(status=LabStatus.STATUS_TESTING).order_by("pk").first()
    return lab_sample, Deadline.objects.get(owner=object_ref(lab_sample), field="due_on")


def _told(lab_sample) -> list[Message]:
    return list(Message.objects.filter(about=object_ref(lab_sample)).order_by("pk"))


def test_a_reminder_is_sent_once_before_the_deadline_and_once_when_it_is_missed(demo, settings):
    settings.CHOUJIAN_REMINDER_DAYS = (3, 1)
    settings.CHOUJIAN_REMINDER_DAYS_BY_FIELD = {}
    lab_sample, deadline = _testing_deadline()
    staff = set(lab_sample.deadline_watchers("due_on"))
    assert reminders.reminders_send(today=deadline.due) > 0
    assert reminders.reminders_send(today=deadline.due) == 0  # the job ran twice: nothing twice
    told = _told(lab_sample)
    assert len(told) == len(staff)
    assert {m.recipient for m in told} == staff and all("即将到期" in m.subject for m in told)
    assert all(m.link == f"/lab/samples/{lab_sample.lab_code}/" for m in told)
    assert reminders.reminders_send(today=deadline.due + dt.timedelta(days=1)) > 0
    before = len(_told(lab_sample))
    reminders.reminders_send(today=deadline.due + dt.timedelta(days=2))  # other records' deadlines may fall then
    assert len(_told(lab_sample)) == before
    missed = [m for m in _told(lab_sample) if m.subject.startswith("已逾期")]
    organisers = set(lab_sample.deadline_supervisors("due_on"))
    assert organisers and {m.recipient for m in missed} == staff | organisers  # the organiser is told too
    assert len(missed) == len(staff | organisers)
    assert set(Reminder.objects.filter(deadline=deadline).values_list("stage", flat=True)) == {"before-1", "missed"}


def test_work_already_done_is_not_reminded(demo):
    lab_sample, deadline = _testing_deadline()
    LabSample.objects.filter(pk=lab_sample.pk).update(status=LabStatus.STATUS_APPROVED)
    reminders.reminders_send(today=deadline.due)
    reminders.reminders_send(today=deadline.due + dt.timedelta(days=3))
    assert _told(lab_sample) == []
    assert not Reminder.objects.filter(deadline=deadline).exists()


def test_a_deadline_moved_by_the_calendar_is_reminded_again(demo):
    lab_sample, deadline = _testing_deadline()
    reminders.reminders_send(today=deadline.due)
    later = deadline.due + dt.timedelta(days=7)
    Deadline.objects.filter(pk=deadline.pk).update(due=later)
    before = len(_told(lab_sample))
    reminders.reminders_send(today=later)
    assert len(_told(lab_sample)) > before


def test_someone_with_many_reminders_gets_one_digest(demo):
    lab_sample, deadline = _testing_deadline()
    for n in range(reminders.DIGEST_AT + 2):
        Deadline.objects.create(
            owner=deadline.owner,
            field=f"extra{n}",
            label=f"补充期限 {n}",
            start=deadline.start,
            days=1,
            kind=deadline.kind,
            basis="测试",
            due=deadline.due,
        )
    reminders.reminders_send(today=deadline.due)
    person = next(iter(lab_sample.deadline_watchers("due_on")))
    mine = Message.objects.filter(recipient=person)
    digests = mine.filter(subject__startswith="期限提醒汇总")
    assert digests.count() == 1
    body = digests.first().body
    assert all(f"补充期限 {n}" in body for n in range(reminders.DIGEST_AT + 2)) and lab_sample.lab_code in body
    assert not mine.filter(subject__startswith="即将到期").exists()


@given(remaining=st.integers(min_value=-5, max_value=40), days=st.sets(st.integers(0, 30), min_size=1, max_size=4))
def test_the_stage_is_the_nearest_threshold_not_yet_passed(remaining, days):
    stage = reminders.stage_for(remaining, list(days))
    if remaining < 0 or remaining > max(days):
        assert stage is None
    else:
        assert stage == f"before-{min(n for n in days if n >= remaining)}"


def test_each_kind_of_deadline_may_have_its_own_reminder_days(demo, settings):
    lab_sample, deadline = _testing_deadline()
    settings.CHOUJIAN_REMINDER_DAYS_BY_FIELD = {"due_on": (0,)}
    reminders.reminders_send(today=deadline.due - dt.timedelta(days=1))
    assert _told(lab_sample) == []  # testing deadlines are reminded on their last day only
    reminders.reminders_send(today=deadline.due)
    assert set(Reminder.objects.filter(deadline=deadline).values_list("stage", flat=True)) == {"before-0"}


def test_a_deadline_missed_long_ago_is_not_announced_late(demo):
    lab_sample, deadline = _testing_deadline()
    reminders.reminders_send(today=deadline.due + dt.timedelta(days=reminders.MISSED_WITHIN_DAYS + 1))
    assert _told(lab_sample) == []
