"""What `/healthz` reports: whether the database, the task queue, the worker, the file storage and the ledger answer,
with no secret in it (no address, path or key) — for load balancers, monitoring and the operator."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from choujian.core.jobs import worker_activity
from choujian.ledger.selectors import latest_checkpoint
from choujian.ledger.services import current_size

WORKER_SILENT_AFTER = dt.timedelta(minutes=20)  # the facts job runs every 10 minutes
OK, DEGRADED, DOWN = "ok", "degraded", "down"


@dataclass
class Check:
    status: str
    detail: dict = field(default_factory=dict)


def _timed(probe) -> Check:
    started = time.perf_counter()
    try:
        detail = probe() or {}
    except Exception as exc:  # a health check reports any failure rather than raising it
        return Check(DOWN, {"error": type(exc).__name__})
    status = detail.pop("status", OK)
    return Check(status, {"ms": round((time.perf_counter() - started) * 1000, 1), **detail})


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _queue() -> dict:
    from huey.contrib.djhuey import HUEY

    return {"pending": HUEY.pending_count()}


def _worker() -> dict:
    last, failing = worker_activity()
    silent = last is None or timezone.now() - last > WORKER_SILENT_AFTER
    return {"status": DEGRADED if silent or failing else OK, "last_job_finished": last.isoformat() if last else None,
            "jobs_failing": failing}  # fmt: skip


def _storage() -> dict:
    backend = settings.STORAGES["default"]["BACKEND"].rsplit(".", 1)[-1]
    location = getattr(default_storage, "location", None)
    if location is not None:
        writable = os.access(location, os.W_OK) if os.path.exists(location) else os.access(
            os.path.dirname(location), os.W_OK)  # fmt: skip
        return {"status": OK if writable else DOWN, "backend": backend, "writable": writable}
    default_storage.listdir("")
    return {"backend": backend}


def _ledger() -> dict:
    checkpoint = latest_checkpoint()
    size = current_size()
    behind = size - (checkpoint.size if checkpoint else 0)
    return {"status": OK if size == 0 or checkpoint else DEGRADED, "size": size,
            "checkpoint_size": checkpoint.size if checkpoint else 0,
            "checkpoint_at": checkpoint.created_at.isoformat() if checkpoint else None,
            "entries_unsigned": behind}  # fmt: skip


def report() -> tuple[str, dict[str, Check]]:
    checks = {"database": _timed(_database)}
    if checks["database"].status == DOWN:
        return DOWN, checks
    checks |= {"task_queue": _timed(_queue), "worker": _timed(_worker), "storage": _timed(_storage),
               "ledger": _timed(_ledger)}  # fmt: skip
    if checks["task_queue"].status == DOWN or checks["storage"].status == DOWN:
        return DOWN, checks
    return (OK if all(c.status == OK for c in checks.values()) else DEGRADED), checks
