"""Background and scheduled jobs: how they retry, and what the administrators see of them.

Each app declares its jobs in its own `tasks.py` (the worker finds them there); this module holds what they share:
the retry policy and the bookkeeping of every run (`JobRun`: last start, last end, last error), which the signal
handlers in `core/tasks.py` keep while the worker runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from choujian.core.models import JobRun

# A failed run is tried again after 30 s, then 60 s, then 120 s; after that it waits for its next scheduled time.
RETRY = {"retries": 3, "retry_delay": 30, "retry_backoff": 2}
ERROR_CHARS = 2000


def job_started(name: str) -> None:
    run, _ = JobRun.objects.get_or_create(name=name)
    run.last_started, run.retrying = timezone.now(), False
    run.save(update_fields=["last_started", "retrying"])


def job_finished(name: str, *, error: str = "", retrying: bool = False) -> None:
    run, _ = JobRun.objects.get_or_create(name=name)
    now = timezone.now()
    run.last_finished, run.last_ok, run.runs, run.retrying = now, not error, run.runs + 1, retrying
    fields = ["last_finished", "last_ok", "runs", "retrying"]
    if error:
        run.last_error, run.last_error_at, run.failures = error[-ERROR_CHARS:], now, run.failures + 1
        fields += ["last_error", "last_error_at", "failures"]
    run.save(update_fields=fields)


@dataclass(frozen=True)
class JobLine:
    name: str
    description: object
    schedule: object
    run: JobRun | None
    next_run: dt.datetime | None


def worker_activity() -> tuple[dt.datetime | None, int]:
    """When any job last finished, and how many jobs failed on their last run."""
    last = JobRun.objects.aggregate(last=Max("last_finished"))["last"]
    return last, JobRun.objects.filter(last_ok=False).count()


def job_lines(now: dt.datetime | None = None) -> list[JobLine]:
    """Every scheduled job the worker runs, with its last run and when it runs next."""
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    now = now or timezone.now()
    runs = {run.name: run for run in JobRun.objects.all()}
    lines = []
    for task in HUEY._registry.periodic_tasks:  # one instance of each periodic task (Huey has no public listing)
        name = type(task).__name__
        label = getattr(task, "label", name)  # lazy: shown in the reader's language
        schedule = getattr(task, "schedule_text", "")
        upcoming = next_run(task.validate_datetime, now)
        lines.append(JobLine(name, label, schedule, runs.get(name), upcoming))
    return sorted(lines, key=lambda line: line.name)


def next_run(validate, now: dt.datetime, horizon_minutes: int = 60 * 24 * 31) -> dt.datetime | None:
    """The first minute after `now` at which a crontab-style schedule fires (in UTC, as the worker checks it)."""
    moment = now.astimezone(dt.UTC).replace(second=0, microsecond=0, tzinfo=None)
    for _ in range(horizon_minutes):
        moment += dt.timedelta(minutes=1)
        if validate(moment):
            return moment.replace(tzinfo=dt.UTC)
    return None
