"""Enforcement deadlines are kept by the calendar: whoever must act is reminded before the step falls due, and told
(with the regulators) the day after it was missed; a done or suspended step is not reminded; the referral's own
deadline reminds the receiving regulator; a newly entered year's holidays move the step and the case together."""

import datetime as dt

import pytest

from choujian.enforcement import services
from choujian.enforcement.models import Case
from choujian.ledger.objects import object_ref
from choujian.notifications.models import Message
from choujian.workcalendar import reminders
from choujian.workcalendar.models import Deadline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reminder_days(settings):
    settings.CHOUJIAN_REMINDER_DAYS = (3, 1)
    settings.CHOUJIAN_REMINDER_DAYS_BY_FIELD = {}


def _told(case, person) -> list[str]:
    return list(Message.objects.filter(about=object_ref(case), recipient=person).values_list("subject", flat=True))


def _reminders(case, person) -> list[str]:
    return [s for s in _told(case, person) if "到期" in s or "逾期" in s]


def test_the_enterprise_is_reminded_of_its_step_and_everyone_told_when_it_is_missed(parties):
    case = services.case_open(task=parties.field.task, cause="failed")
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    deadline = Deadline.objects.get(owner=object_ref(case), field="due")
    assert deadline.due == case.due == case.steps.get(code="apply").due and "整改" in deadline.label
    reminders.reminders_send(today=deadline.due - dt.timedelta(days=1))
    assert any("即将到期" in s and case.code in s for s in _reminders(case, parties.maker))
    assert _reminders(case, parties.county) == []  # the enterprise's step: the regulators are not reminded
    reminders.reminders_send(today=deadline.due + dt.timedelta(days=1))
    assert any(s.startswith("已逾期") for s in _reminders(case, parties.county))  # and told once it is missed


def test_a_done_or_suspended_step_is_not_reminded(parties):
    case = services.case_open(task=parties.field.task, cause="failed")
    first = Deadline.objects.get(owner=object_ref(case), field="due")
    case = services.step_suspend(actor=parties.county, case=case, reason="企业申请延期，经批准")
    reminders.reminders_send(today=first.due)
    assert _reminders(case, parties.county) == []
    case = services.step_resume(actor=parties.county, case=case, today=dt.date.today() + dt.timedelta(days=4))
    moved = Deadline.objects.get(owner=object_ref(case), field="due")
    assert moved.due == case.due == case.steps.get(code="notice").due and moved.start > first.start
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    reminders.reminders_send(today=moved.due)
    assert _reminders(case, parties.county) == []  # the notice was served; the next step is the enterprise's


def test_the_referral_reminds_the_receiving_regulator_until_it_is_acknowledged(parties):
    case = services.case_open(task=parties.field.task, cause="failed")
    referral = Deadline.objects.get(owner=object_ref(case), field="referral_due")
    assert referral.due == case.referral_due
    reminders.reminders_send(today=referral.due)
    assert any("确认接收" in s for s in _reminders(case, parties.county))
    services.referral_acknowledge(actor=parties.county, case=case)
    before = len(_reminders(case, parties.county))
    reminders.reminders_send(today=referral.due + dt.timedelta(days=1))
    assert len(_reminders(case, parties.county)) == before  # acknowledged: not announced as missed


def test_a_calendar_change_moves_the_current_step_with_the_case(parties):
    from choujian.workcalendar.services import calendar_year_enter, deadline_compute

    case = services.case_open(task=parties.field.task, cause="failed")
    step = case.steps.get()
    year = step.due.year
    holiday = step.due  # declare the step's last day a holiday: a working-day deadline moves on
    calendar_year_enter(
        actor=parties.field.setting.world.provincial_admin, year=year, source="国办发明电〔测试〕1号",
        reason="测试：补录节假日", holidays=[{"date": holiday.isoformat(), "name": "测试假日"}], workdays=[],
    )  # fmt: skip
    case = Case.objects.get(pk=case.pk)
    expected = deadline_compute(start=step.starts_on, days=step.days, kind=step.kind).due
    assert case.due == expected != holiday and case.steps.get().due == case.due
