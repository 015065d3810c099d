"""What part of the country, and which organisations, a user acts for. The basis of every selector."""

from django.db.models import Q

from choujian.accounts.choices import OrganisationKind, RegulatorLevel, Role
from choujian.accounts.models import Organisation, User, region_prefix
from choujian.core.policy import EVERYTHING, VIEW, restrict


def regulators_of(user: User, roles=Role.REGULATOR_ROLES) -> list[Organisation]:
    """The regulators the user works for in one of `roles` (none for a visitor)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [m.organisation for m in user.active_memberships
            if m.role in roles and m.organisation.kind == OrganisationKind.KIND_REGULATOR]  # fmt: skip


def regulator_prefixes(user: User, roles=Role.REGULATOR_ROLES) -> list[str]:
    """Region-code prefixes the user may see as a regulator; `""` means the whole country."""
    if not user.is_authenticated:
        return []
    prefixes = []
    for membership in user.active_memberships:
        org = membership.organisation
        if membership.role in roles and org.kind == OrganisationKind.KIND_REGULATOR:
            prefixes.append("" if org.level == RegulatorLevel.LEVEL_NATIONAL else region_prefix(org.region))
    return prefixes


def region_q(prefixes: list[str], field: str) -> Q:
    """A filter matching rows whose `field` region code lies within any of the prefixes (none → nothing)."""
    if "" in prefixes:
        return EVERYTHING
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(**{f"{field}__startswith": prefix})
    return query


def in_region(prefixes: list[str], code: str) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def org_ids(user: User, role: str) -> list[int]:
    if not user.is_authenticated:
        return []
    return [m.organisation_id for m in user.active_memberships if m.role == role]


def kind_org_ids(user: User, kind: str, roles=None) -> list[int]:
    """The user's organisations of one kind, where they hold one of `roles` (any role if None)."""
    if not user.is_authenticated:
        return []
    return [
        m.organisation_id
        for m in user.active_memberships
        if m.organisation.kind == kind and (roles is None or m.role in roles)
    ]


def is_member(user: User, organisation: Organisation | None, roles=None) -> bool:
    """Whether the user acts for `organisation` in one of `roles` (any role if None)."""
    if organisation is None or not user.is_authenticated:
        return False
    return any(
        m.organisation_id == organisation.pk and (roles is None or m.role in roles) for m in user.active_memberships
    )


def own_org_ids(user: User) -> list[int]:
    return [m.organisation_id for m in user.active_memberships] if user.is_authenticated else []


def organisations_visible_to(user: User):
    """The organisations the user may see (the rule: `choujian.accounts.policy`)."""
    return restrict(Organisation.objects.all(), user, VIEW)


def members_of(organisation_ids, roles=None):
    """Active users who act for any of the organisations (in one of `roles`, any role if None)."""
    memberships = Q(memberships__active=True, memberships__organisation_id__in=list(organisation_ids))
    if roles is not None:
        memberships &= Q(memberships__role__in=list(roles))
    return User.objects.filter(memberships, is_active=True).distinct()
