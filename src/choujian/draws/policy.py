"""Who may see draws (declared to the access policy, `choujian.core.policy`). A draw's record is public by design —
what it reveals, and when, follows draw-v2 (commitments at once, each item once its task is sampled, refused or
replaced, the whole frame once sampling closes); the list of draws is a regulator's tool."""

from django.db.models import Q

from choujian.accounts.models import User
from choujian.core.policy import EVERYTHING, VIEW, rule
from choujian.draws.models import Draw
from choujian.planning.models import Plan
from choujian.planning.policy import plans_regulated

RECORD = "record"


@rule(Draw, VIEW)
def draws_seen(user: User) -> Q:
    """Regulators of the plan."""
    return Q(plan__in=Plan.objects.filter(plans_regulated(user)).values("pk"))


@rule(Draw, RECORD, anonymous=True)
def draw_records_seen(user: User) -> Q:
    """Anyone, signed in or not: the public record, revealed as draw-v2 says."""
    return EVERYTHING
