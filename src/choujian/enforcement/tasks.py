"""Scheduled work of enforcement, run by the worker (`choujian worker`)."""

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from choujian.core.jobs import RETRY
from choujian.enforcement.rechecks import rechecks_conclude_pending
from choujian.enforcement.services import blacklist_expire, cases_open_pending, steps_lapse


@db_periodic_task(
    crontab(minute="*/10"),
    label=_("后处理立案：最终不合格和拒检的任务立案；复查结论记入案件；逾期未办的步骤按程序产生后果；黑名单期满移出"),
    schedule_text=_("每 10 分钟"),
    **RETRY,
)
def open_cases() -> int:
    """后处理立案：最终不合格和拒检的任务立案；复查结论记入案件；逾期未办的步骤按程序产生后果；黑名单期满移出。"""
    opened = len(cases_open_pending()) + len(rechecks_conclude_pending())
    return opened + len(steps_lapse()) + len(blacklist_expire())
