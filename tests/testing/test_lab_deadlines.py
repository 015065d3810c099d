"""A December intake's testing deadline reaches into a year not yet entered: provisional, then recomputed."""

import datetime as dt

import pytest
import time_machine

from choujian.ledger.models import LedgerEntry
from choujian.ledger.objects import object_ref
from choujian.ledger.verify import check_object
from choujian.notifications.models import Message
from choujian.testing import services
from choujian.workcalendar.models import Deadline
from tests.workcalendar.test_calendar_api import NOTICE_2027

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 12, 21, 2, tzinfo=dt.UTC), tick=False)
def test_a_december_intake_gets_a_provisional_deadline_that_entering_2027_recomputes(lab, api, client):
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    due = Deadline.objects.get(field="due_on")
    assert lab_sample.due_on == due.due and due.due.year == 2027 and due.provisional
    client.force_login(lab.tester)
    page = client.get(f"/lab/samples/{lab_sample.lab_code}/").content.decode()
    assert "（暂定，待2027年节假日安排公布后确认）" in page
    admin = lab.field.setting.world.provincial_admin
    response = api(admin).put("/api/v1/calendar/years/2027/", NOTICE_2027, format="json")
    assert response.status_code == 200, response.content
    lab_sample.refresh_from_db()
    due.refresh_from_db()
    assert lab_sample.due_on == due.due and not due.provisional
    assert response.json()["recomputed"][0]["new"] == due.due.isoformat()
    assert LedgerEntry.objects.filter(type="deadline.recomputed").count() == 1
    assert Message.objects.filter(recipient=lab.tester, subject__contains=lab_sample.lab_code).exists()
    assert check_object(object_ref(lab_sample)) is None  # the moved date is in its ledgered state
