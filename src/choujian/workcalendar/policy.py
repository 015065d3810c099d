"""Who may change the platform's holiday calendar: the administrators of the deployment's top regulator level.

The top level is the highest regulator level at which an active administrator exists (a provincial deployment whose
ministry has no administrator on the platform is run by the province's administrators)."""

from django.db.models import Q

from choujian.accounts.choices import OrganisationKind, RegulatorLevel, Role
from choujian.accounts.models import Membership, User
from choujian.core.policy import CHANGE, EVERYTHING, VIEW, rule, user_condition
from choujian.workcalendar.models import CalendarYear

LEVEL_ORDER = [value for value, _ in RegulatorLevel.CHOICES]


def top_regulator_level() -> str | None:
    levels = set(
        Membership.objects.filter(
            active=True,
            role=Role.ROLE_REGULATOR_ADMIN,
            organisation__active=True,
            organisation__kind=OrganisationKind.KIND_REGULATOR,
            user__is_active=True,
        ).values_list("organisation__level", flat=True)
    )
    return next((level for level in LEVEL_ORDER if level in levels), None)


def may_edit_calendar(user: User) -> bool:
    if not user.is_authenticated:
        return False
    top = top_regulator_level()
    return any(
        m.role == Role.ROLE_REGULATOR_ADMIN
        and m.organisation.kind == OrganisationKind.KIND_REGULATOR
        and m.organisation.level == top
        for m in user.active_memberships
    )


@rule(CalendarYear, VIEW)
def years_seen(user: User) -> Q:
    """Every signed-in user: deadlines are counted on it."""
    return EVERYTHING


@rule(CalendarYear, CHANGE)
def years_written(user: User) -> Q:
    """Administrators of the deployment's top regulator level."""
    return user_condition(may_edit_calendar(user))
