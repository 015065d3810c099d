"""Scheduled jobs: when each runs next, what the administrators see of the last run, and a real worker process."""

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from huey import crontab

from choujian.core.jobs import job_finished, job_lines, job_started, next_run
from choujian.core.models import JobRun
from choujian.ledger import services as ledger_services
from choujian.ledger.selectors import current_size, latest_checkpoint
from choujian.ledger.services import ledger_append
from choujian.ledger.tasks import sign_checkpoint

UTC = dt.UTC


def test_next_run_is_the_first_minute_the_schedule_accepts():
    every_ten = crontab(minute="*/10")
    assert next_run(every_ten, dt.datetime(2026, 12, 5, 10, 3, 30, tzinfo=UTC)) == dt.datetime(
        2026, 12, 5, 10, 10, tzinfo=UTC
    )
    assert next_run(every_ten, dt.datetime(2026, 12, 5, 23, 55, tzinfo=UTC)) == dt.datetime(
        2026, 12, 6, 0, 0, tzinfo=UTC
    )
    assert next_run(crontab(minute="*"), dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)).year == 2027


@pytest.mark.django_db
def test_every_scheduled_job_is_listed_with_its_last_run_and_error():
    names = {line.name for line in job_lines()}
    assert {"settle_outcomes", "block_overdue_ceremonies", "watch_ledger", "sign_checkpoint"} <= names
    job_started("settle_outcomes")
    job_finished("settle_outcomes", error="Traceback …\nOperationalError: database is locked", retrying=True)
    line = next(line for line in job_lines() if line.name == "settle_outcomes")
    assert line.run.last_ok is False and line.run.retrying and "database is locked" in line.run.last_error
    assert line.next_run > line.run.last_started
    with translation.override("zh-hans"):
        assert str(line.description).startswith("结果定案") and str(line.schedule) == "每 10 分钟"
    job_started("settle_outcomes")
    job_finished("settle_outcomes")
    run = JobRun.objects.get(name="settle_outcomes")
    assert run.last_ok and run.runs == 2 and run.failures == 1 and not run.retrying


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _signed_up_to_date() -> bool:
    latest = latest_checkpoint()
    return latest is not None and latest.size == current_size()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_runs_a_queued_job(monkeypatch):
    # An append whose after-commit signing was lost: the tree is ahead of the last checkpoint.
    monkeypatch.setattr(ledger_services, "checkpoint_make_safely", lambda: None)
    ledger_append(type="test.note", actor="system", object="test:worker", data={})
    assert latest_checkpoint() is None or latest_checkpoint().size < current_size()
    env = {**os.environ, "DATABASE_URL": _database_url(), "CHOUJIAN_DATA_DIR": str(settings.DATA_DIR)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "choujian.cli", "worker", "--threads", "1", "--no-schedule"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        sign_checkpoint()  # queued, not run here
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            latest_checkpoint() is None or latest_checkpoint().size < current_size()
        ):
            time.sleep(0.5)
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=30)
    assert _signed_up_to_date(), errors.decode()[-2000:]
    assert JobRun.objects.get(name="sign_checkpoint").last_ok
