"""The enforcement API: cases with their steps on their clocks, actions as POSTs that name the field, refuse steps out
of order or by the wrong party, and answer 409 to a stale version."""

import pytest
from django.urls import reverse

from choujian.enforcement import services
from choujian.workcalendar.services import deadline_compute
from tests.factories import OrganisationFactory, api_token, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(parties):
    return services.case_open(task=parties.field.task, cause="failed")


def client_for(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def test_a_case_lists_its_steps_with_dues_from_the_deadline_service(client, parties, case):
    body = client_for(client, parties.county).get(reverse("case-list")).json()
    [row] = body["results"]
    assert row["id"] == case.code and row["ladder"] == "transport" and row["stage"] == "notice"
    assert {"enterprise", "product", "stage_label", "due", "overdue", "basis", "steps"} <= set(row)
    [step] = row["steps"]
    expected = deadline_compute(start=step["starts_on"], days=step["days"], kind=step["kind"]).due
    assert step["due"] == expected.isoformat() and step["suspended_days"] == 0 and step["done_at"] is None


def test_steps_are_taken_in_order_by_their_party(client, parties, case):
    url = reverse("case-step", args=[case.code])
    county = client_for(client, parties.county)
    assert county.post(url, {"step": "recheck", "result": "passed"}).status_code == 400
    missing = county.post(url, {"step": "notice"})
    assert missing.status_code == 400 and "result" in missing.json()
    stale = county.post(url, {"step": "notice", "result": "done", "version": case.version + 5})
    assert stale.status_code == 409
    done = county.post(url, {"step": "notice", "result": "done", "version": case.version})
    assert done.status_code == 200 and done.json()["stage"] == "apply"
    maker = client_for(client, parties.outsider)
    assert maker.post(url, {"step": "apply", "result": "done"}).status_code == 404  # not theirs to see


def test_laboratories_see_nothing_of_enforcement(client, parties, case):
    lab = OrganisationFactory(kind="laboratory", name="某检测中心")
    tester = member(lab, "tester", username="lab-tester")
    answer = client_for(client, tester).get(reverse("case-list")).json()
    assert answer["count"] == 0
    assert client.get(reverse("case-detail", args=[case.code])).status_code == 404


def test_suspend_and_resume_by_the_regulator(client, parties, case):
    county = client_for(client, parties.county)
    assert county.post(reverse("case-suspend", args=[case.code]), {}).status_code == 400  # reason required
    suspended = county.post(reverse("case-suspend", args=[case.code]), {"reason": "不可抗力，经批准延期"})
    assert suspended.status_code == 200 and suspended.json()["steps"][0]["suspended"]
    resumed = county.post(reverse("case-resume", args=[case.code]), {})
    assert resumed.status_code == 200 and not resumed.json()["steps"][0]["suspended"]
