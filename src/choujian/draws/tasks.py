"""Scheduled work of the draws context, run by the worker (`choujian worker`)."""

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from choujian.core.jobs import RETRY
from choujian.draws.services import ceremonies_block_overdue


@db_periodic_task(
    crontab(minute="*"),
    label=_("抽取仪式超时：公开期限已过仍有人未公开随机数的仪式标为受阻"),
    schedule_text=_("每分钟"),
    **RETRY,
)
def block_overdue_ceremonies() -> int:
    """抽取仪式超时：公开期限已过仍有人未公开随机数的仪式标为受阻。"""
    return len(ceremonies_block_overdue())
