"""Reads about accounts, scoped to the user."""

from choujian.accounts.models import Organisation, User
from choujian.core.policy import VIEW, restrict


def active_organisations(kind: str | None = None):
    """Organisations that may be chosen in a form (an agency, a laboratory, an owner): a vocabulary, not records —
    the service checks what is chosen."""
    organisations = Organisation.objects.filter(active=True)
    return organisations.filter(kind=kind) if kind else organisations


def users_visible_to(user: User):
    """People of the organisations the user sees."""
    return restrict(User.objects.all(), user, VIEW)
