"""Background delivery of messages by email and webhook, run by the worker with the shared retry policy."""

from huey.contrib.djhuey import db_task

from choujian.core.jobs import RETRY
from choujian.notifications.delivery import deliver
from choujian.notifications.models import Message


@db_task(**RETRY)
def deliver_messages(public_ids: list[str]) -> int:
    """发送邮件与推送：把站内消息同时发到邮箱和对接的短信/政务平台。"""
    delivered = 0
    failed = None
    for message in Message.objects.filter(public_id__in=public_ids).select_related("recipient"):
        try:
            delivered += bool(deliver(message))
        except Exception as exc:  # noqa: BLE001 — one message's failure must not stop the others; retried below
            failed = exc
    if failed is not None:
        raise failed
    return delivered
