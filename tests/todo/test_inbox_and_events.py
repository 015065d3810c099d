"""Messages follow what happens: an event that asks someone to act tells exactly those people once the change has
committed; each person reads only their own inbox, through the pages and the API."""

import pytest
from django.test import Client

from choujian.accounts.models import User
from choujian.ledger.services import ledger_append
from choujian.notifications.models import Message
from choujian.notifications.services import message_send
from choujian.planning.models import Task
from choujian.registry.models import Enterprise
from choujian.testing.models import Notice, Report

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_drawn_inspectors_are_told_of_their_new_task_after_commit(demo, django_capture_on_commit_callbacks):
    task = Task.objects.filter(inspectors__isnull=False).order_by("pk").first()
    inspectors = {row.inspector for row in task.inspectors.all()}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ledger_append(type="task.inspectors_drawn", actor="system", object=task)
    assert not Message.objects.filter(about__endswith=str(task.public_id)).exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    told = Message.objects.filter(about=f"{task.ledger_kind}:{task.public_id}")
    assert {m.recipient for m in told} == inspectors
    assert all(task.code in m.subject and m.link.endswith(f"/sampling/tasks/{task.code}/") for m in told)


def test_the_inspected_party_is_told_of_its_result_notice(demo, django_capture_on_commit_callbacks):
    notice = Notice.objects.select_related("report").order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        ledger_append(type="notice.sent", actor="system", object=notice)
    told = Message.objects.filter(about=f"{notice.ledger_kind}:{notice.public_id}")
    party = told.values_list("recipient__memberships__organisation_id", flat=True)
    assert told.exists() and set(party) <= {notice.sample.task.enterprise.organisation_id}
    assert notice.report.code in told.first().subject


def test_a_blind_reviewer_is_told_of_a_report_by_lab_code_only(demo, django_capture_on_commit_callbacks):
    report = Report.objects.select_related("lab_sample").order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        ledger_append(type="report.submitted", actor="system", object=report)
    told = list(Message.objects.filter(about=f"{report.ledger_kind}:{report.public_id}"))
    assert told and all(m.recipient.has_any_role({"reviewer"}) for m in told)
    names = set(Enterprise.objects.values_list("name", flat=True))
    sample_code = report.lab_sample.portion.sample.code
    for message in told:
        text = message.subject + message.body + message.link
        assert report.lab_sample.lab_code in text and sample_code not in text
        assert not any(name in text for name in names)


def test_each_person_reads_only_their_own_messages_through_the_api(demo):
    alice, bob = User.objects.get(username="tester"), User.objects.get(username="reviewer")
    message_send(recipients=[alice], kind="deadline.reminder", subject="给检验员的消息", link="/lab/")
    message_send(recipients=[bob], kind="deadline.reminder", subject="给审核人的消息")
    mine = Message.objects.get(recipient=alice, subject="给检验员的消息")
    theirs = Message.objects.get(recipient=bob, subject="给审核人的消息")
    client = _client(alice)
    listed = client.get("/api/v1/inbox/").json()["results"]
    assert {item["subject"] for item in listed} >= {"给检验员的消息"} and "给审核人的消息" not in str(listed)
    assert client.get(f"/api/v1/inbox/{theirs.public_id}/").status_code == 404
    assert client.post(f"/api/v1/inbox/{theirs.public_id}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(f"/api/v1/inbox/{mine.public_id}/").json()["read"] is False
    answer = client.post(f"/api/v1/inbox/{mine.public_id}/read/").json()
    assert answer["read"] is True and answer["read_at"]
    assert (
        client.get("/api/v1/inbox/?unread=1").json()["count"]
        == Message.objects.filter(recipient=alice, read_at__isnull=True).count()
    )


def test_the_inbox_api_is_for_signed_in_people(client, db):
    assert client.get("/api/v1/inbox/").status_code in (401, 403)


def test_a_signature_asks_the_other_drawn_sampler_to_sign(demo, django_capture_on_commit_callbacks):
    from choujian.sampling.models import SamplingRecord

    record = SamplingRecord.objects.filter(status="draft").order_by("pk").first()
    if record is None:
        pytest.skip("the demo has no form being filled in")
    signed = set(record.signatures.values_list("signer_id", flat=True))
    waiting = {row.inspector for row in record.task.inspectors.all() if row.inspector_id not in signed}
    with django_capture_on_commit_callbacks(execute=True):
        ledger_append(type="sampling.signed", actor="system", object=record)
    told = Message.objects.filter(kind="sampling.signed", about__endswith=str(record.public_id))
    assert {m.recipient for m in told} == waiting
