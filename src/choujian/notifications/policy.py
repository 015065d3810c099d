"""Who may read in-app messages (declared to the access policy, `choujian.core.policy`): a person only their own."""

from django.db.models import Q

from choujian.accounts.models import User
from choujian.core.policy import VIEW, rule
from choujian.notifications.models import Message


@rule(Message, VIEW)
def messages_seen(user: User) -> Q:
    """Its recipient."""
    return Q(recipient=user)
