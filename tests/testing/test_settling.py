"""Results become final while nobody is looking: reading a report settles nothing; the worker's job does."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from choujian.testing import objections
from choujian.testing.models import Outcome
from choujian.testing.tasks import settle_outcomes
from tests.testing.test_lab_flow import _approved

pytestmark = pytest.mark.django_db


def test_reading_settles_nothing_and_the_scheduled_job_makes_the_result_final(lab, client):
    report = _approved(lab)
    notice = objections.notice_acknowledge(actor=lab.party, notice=report.notice)
    after_window = timezone.make_aware(
        timezone.datetime.combine(notice.objection_due + timedelta(days=1), timezone.datetime.min.time())
    )
    with time_machine.travel(after_window + timedelta(hours=10)):
        client.force_login(lab.party)
        assert client.get(f"/lab/reports/{report.code}/").status_code == 200
        assert client.get("/api/v1/outcomes/").status_code == 200
        assert not Outcome.objects.filter(sample=lab.sample).exists()
        assert settle_outcomes.call_local() == 1
    outcome = Outcome.objects.get(sample=lab.sample)
    assert outcome.basis == "no_objection"
