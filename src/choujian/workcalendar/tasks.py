"""Scheduled work of the calendar context, run by the worker (`choujian worker`)."""

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from choujian.core.jobs import RETRY
from choujian.workcalendar.reminders import reminders_send


@db_periodic_task(
    crontab(minute="0", hour="*"),
    label=_("期限提醒：到期前提醒负责人，逾期次日通知负责人和组织单位"),
    schedule_text=_("每小时（每项提醒只发一次）"),
    **RETRY,
)
def send_reminders() -> int:
    """期限提醒：到期前提醒负责人，逾期次日通知负责人和组织单位。"""
    return reminders_send()
