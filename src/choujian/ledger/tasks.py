"""Scheduled work of the ledger, run by the worker (`choujian worker`)."""

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from choujian.core.jobs import RETRY
from choujian.ledger.services import checkpoint_make
from choujian.ledger.watch import ledger_watch

EVERY = settings.CHOUJIAN_LEDGER_WATCH_MINUTES
SCHEDULE = format_lazy(_("每 {} 分钟"), EVERY)


@db_periodic_task(
    crontab(minute=f"*/{EVERY}"),
    label=_("追溯日志定时校验：发现绕过平台的直接修改，通知平台管理员"),
    schedule_text=SCHEDULE,
    **RETRY,
)
def watch_ledger() -> int:
    """追溯日志定时校验：发现绕过平台的直接修改，通知平台管理员。"""
    return len(ledger_watch().problems)


@db_periodic_task(
    crontab(minute="*"), label=_("签发检查点：日志增长而检查点未跟上时补签"), schedule_text=_("每分钟"), **RETRY
)
def sign_checkpoint() -> int:
    """签发检查点：日志增长而检查点未跟上时（如签名一次失败）补签。"""
    made = checkpoint_make(wait=True)
    return made.size if made is not None else 0
