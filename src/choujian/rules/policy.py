"""Who may read and write implementation rules (declared to the access policy, `choujian.core.policy`). Rules hold no
enterprise, project or sample data (nothing to blind), so every signed-in user reads every version: testers need the
limits, enterprises may see what they are judged by."""

from django.db.models import Q

from choujian.accounts.choices import OrganisationKind, RegulatorLevel, Role
from choujian.accounts.models import User
from choujian.core.policy import CHANGE, EVERYTHING, VIEW, rule, user_condition
from choujian.rules.models import RuleSet

RULE_LEVELS = frozenset({RegulatorLevel.LEVEL_NATIONAL, RegulatorLevel.LEVEL_PROVINCE})


def can_edit_rules(user: User | None) -> bool:
    """Regulator admins of a national or provincial regulator, and superusers (the admin site)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(
        m.role == Role.ROLE_REGULATOR_ADMIN
        and m.organisation.kind == OrganisationKind.KIND_REGULATOR
        and m.organisation.level in RULE_LEVELS
        for m in user.active_memberships
    )


@rule(RuleSet, VIEW)
def rulesets_seen(user: User) -> Q:
    """Every signed-in user."""
    return EVERYTHING


@rule(RuleSet, CHANGE)
def rulesets_written(user: User) -> Q:
    """Regulator administrators of a national or provincial regulator, and superusers."""
    return user_condition(can_edit_rules(user))
