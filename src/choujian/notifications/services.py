"""Writes of in-app messages."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from choujian.accounts.models import User
from choujian.core.errors import ServiceError
from choujian.ledger.objects import object_ref
from choujian.notifications import kinds
from choujian.notifications.delivery import channels_configured
from choujian.notifications.models import Message, Preference


def message_send(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    about: Model | None = None,
) -> int:
    """One message of a declared `kind` to each distinct recipient, about a record if given; returns how many were
    sent. Email and webhook copies follow from the worker once the transaction has committed."""
    kinds.label(kind)
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    ref = object_ref(about) if about is not None and getattr(about, "ledger_kind", None) else ""
    made = Message.objects.bulk_create(
        Message(recipient=user, kind=kind, subject=subject[:200], body=body, link=link[:300], about=ref)
        for user in unique.values()
    )
    if made and any(channels_configured().values()):
        ids = [str(message.public_id) for message in made]
        transaction.on_commit(lambda: _deliver_later(ids))
    return len(unique)


def _deliver_later(ids: list[str]) -> None:
    from choujian.notifications.tasks import deliver_messages

    deliver_messages(ids)


@transaction.atomic
def preference_set(*, actor: User, kind: str, email: bool) -> Preference:
    """A person chooses whether a kind of message also reaches them by email (legal notices always do)."""
    kinds.label(kind)
    if not kinds.switchable(kind) and not email:
        raise ServiceError({kind: ["法定送达类消息不能关闭邮件通知"]})
    preference, _ = Preference.objects.update_or_create(user=actor, kind=kind, defaults={"email": email})
    return preference


@transaction.atomic
def message_mark_read(*, actor: User, message: Message) -> Message:
    if message.recipient_id != actor.pk:
        from choujian.core.errors import NotPermitted

        raise NotPermitted("只能标记自己的消息")
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at", "updated_at"])
    return message
