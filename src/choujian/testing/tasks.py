"""Scheduled work of the laboratory context, run by the worker (`choujian worker`)."""

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from choujian.core.jobs import RETRY
from choujian.testing.objections import outcomes_settle


@db_periodic_task(
    crontab(minute="*/10"),
    label=_("结果定案：异议期届满且无异议的检验结果成为最终结论"),
    schedule_text=_("每 10 分钟"),
    **RETRY,
)
def settle_outcomes() -> int:
    """结果定案：异议期届满且无异议的检验结果成为最终结论。"""
    return len(outcomes_settle())
