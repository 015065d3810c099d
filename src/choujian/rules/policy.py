"""Who may write implementation rules. They are national vocabulary: read by every signed-in user (selectors)."""

from choujian.accounts.choices import OrganisationKind, RegulatorLevel, Role
from choujian.accounts.models import User

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
