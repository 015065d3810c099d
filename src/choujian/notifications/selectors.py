"""Reads of in-app messages: a person sees only their own."""

from choujian.accounts.models import User
from choujian.core.policy import VIEW, restrict
from choujian.notifications.models import Message, Preference


def inbox(user: User):
    return restrict(Message.objects.all(), user, VIEW)


def unread_count(user: User) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def message_for(user: User, public_id) -> Message | None:
    return inbox(user).filter(public_id=public_id).first()


def email_preferences(user: User) -> dict[str, bool]:
    """The kinds the user has chosen about (kinds not listed default to email on)."""
    return dict(Preference.objects.filter(user=user).values_list("kind", "email"))
