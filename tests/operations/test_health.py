"""`/healthz` answers anyone with each part's state and no secret; a database, queue or storage that fails turns it
503, a silent worker only degrades it."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from choujian.core.models import JobRun
from choujian.ledger.services import checkpoint_make, current_size
from choujian.operations import health

pytestmark = pytest.mark.django_db


def test_it_reports_each_part_without_secrets(settings):
    checkpoint_make()
    response = Client().get("/healthz")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert set(body["checks"]) == {"database", "task_queue", "worker", "storage", "ledger"}
    assert body["checks"]["ledger"]["size"] == current_size()
    assert body["checks"]["worker"]["status"] == "degraded" and body["status"] == "degraded"  # no worker in tests
    text = json.dumps(body)
    for secret in (str(settings.DATA_DIR), str(settings.MEDIA_ROOT), settings.SECRET_KEY, "postgres://"):
        assert secret not in text


def test_a_worker_that_ran_recently_makes_it_ok_and_a_failing_job_degrades_it():
    checkpoint_make()
    JobRun.objects.create(name="sync_facts", last_finished=timezone.now(), last_ok=True)
    assert Client().get("/healthz").json()["checks"]["worker"]["status"] == "ok"
    JobRun.objects.create(name="scan_warnings", last_finished=timezone.now() - dt.timedelta(hours=1), last_ok=False)
    worker = Client().get("/healthz").json()["checks"]["worker"]
    assert worker["status"] == "degraded" and worker["jobs_failing"] == 1


def test_a_part_that_fails_turns_it_503(monkeypatch):
    def broken():
        raise ConnectionError("queue unreachable at redis://secret@host")

    monkeypatch.setattr(health, "_queue", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["checks"]["task_queue"] == {"status": "down", "error": "ConnectionError"}
    assert "secret" not in response.content.decode()
    assert Client().post("/healthz").status_code == 405
