"""The worker's bookkeeping: every job run is recorded for the administrators' list (see `core.jobs`)."""

import traceback

from huey import signals
from huey.contrib.djhuey import signal

from choujian.core.jobs import job_finished, job_started


@signal(signals.SIGNAL_EXECUTING)
def _started(signal_name, task, *args, **kwargs):
    job_started(task.name)


@signal(signals.SIGNAL_COMPLETE)
def _completed(signal_name, task, *args, **kwargs):
    job_finished(task.name)


@signal(signals.SIGNAL_ERROR)
def _failed(signal_name, task, exc=None, *args, **kwargs):
    error = "".join(traceback.format_exception(exc)) if exc is not None else "unknown error"
    job_finished(task.name, error=error, retrying=bool(task.retries))
