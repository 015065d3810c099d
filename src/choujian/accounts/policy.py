"""Who may see which organisations (declared to the access policy, `choujian.core.policy`): regulators those in their
region, everyone their own."""

from django.db.models import Q

from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import own_org_ids, region_q, regulator_prefixes
from choujian.core.policy import VIEW, rule


@rule(User, VIEW)
def users_seen(user: User) -> Q:
    """Members of the organisations the user sees, and the user."""
    return Q(memberships__organisation__in=Organisation.objects.filter(organisations_seen(user)).values("pk")) | Q(
        pk=user.pk
    )


@rule(Organisation, VIEW)
def organisations_seen(user: User) -> Q:
    """Regulators: the organisations of their region; everyone: their own."""
    return region_q(regulator_prefixes(user), "region") | Q(pk__in=own_org_ids(user))
