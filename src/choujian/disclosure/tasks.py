"""Scheduled work of 一公开, run by the worker (`choujian worker`)."""

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from choujian.core.jobs import RETRY
from choujian.disclosure.bulk import bulk_archives_build


@db_periodic_task(
    crontab(minute="20", hour="19"),  # 03:20 in Beijing
    label=_("年度公开数据包：公开结果有变化的年度重新生成（含 SHA-256 清单和追溯日志检查点）"),
    schedule_text=_("每天 03:20"),
    **RETRY,
)
def build_bulk_archives() -> int:
    """年度公开数据包：公开结果有变化的年度重新生成。"""
    return len(bulk_archives_build())
