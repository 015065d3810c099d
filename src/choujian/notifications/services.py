"""Writes of in-app messages."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from choujian.accounts.models import User
from choujian.ledger.objects import object_ref
from choujian.notifications.models import Message


def message_send(
    *, recipients: Iterable[User], subject: str, body: str = "", link: str = "", about: Model | None = None
) -> int:
    """One message to each distinct recipient, about a record if given; returns how many were sent."""
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    ref = object_ref(about) if about is not None and getattr(about, "ledger_kind", None) else ""
    Message.objects.bulk_create(
        Message(recipient=user, subject=subject[:200], body=body, link=link[:300], about=ref)
        for user in unique.values()
    )
    return len(unique)


@transaction.atomic
def message_mark_read(*, actor: User, message: Message) -> Message:
    if message.recipient_id != actor.pk:
        from choujian.core.errors import NotPermitted

        raise NotPermitted("只能标记自己的消息")
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at", "updated_at"])
    return message
