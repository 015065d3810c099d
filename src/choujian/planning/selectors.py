"""Every read of plans and tasks, restricted to what the user may see (invariant 2).

Regulators see the plans of regulators inside their region and the plans of the regulators above them (a
county must know what the province checks, so it does not check it again). Sampling agencies and
laboratories see the plans that assigned tasks to them. Tasks name the inspected enterprise, so laboratories
never get them here (blind testing, invariant 3): they receive samples under blind codes instead.
"""

from django.db.models import Q, QuerySet

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import kind_org_ids, region_q, regulator_prefixes
from choujian.planning.choices import TaskStatus
from choujian.planning.models import Plan, PlanLine, Task

LAB_ROLES = frozenset({Role.ROLE_LAB_INTAKE, Role.ROLE_TESTER, Role.ROLE_REVIEWER, Role.ROLE_APPROVER})
TASK_READERS = Role.REGULATOR_ROLES | {Role.ROLE_SAMPLER}


def _regulator_orgs(user: User, roles=Role.REGULATOR_ROLES) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    return [
        m.organisation
        for m in user.active_memberships
        if m.role in roles and m.organisation.kind == OrganisationKind.KIND_REGULATOR
    ]


def _ancestor_ids(user: User) -> list[int]:
    """The regulators above each of the user's regulators (province and nation above a county)."""
    ids: list[int] = []
    for org in _regulator_orgs(user):
        current = org.parent
        while current is not None and current.pk not in ids:
            ids.append(current.pk)
            current = current.parent
    return ids


def _regulated_q(user: User, prefix: str = "") -> Q:
    prefixes = regulator_prefixes(user)
    if not prefixes:
        return Q(pk__in=[])
    return region_q(prefixes, f"{prefix}regulator__region") | Q(**{f"{prefix}regulator_id__in": _ancestor_ids(user)})


_org_ids = kind_org_ids


def plans_regulated_by(user: User) -> QuerySet[Plan]:
    """Plans the user sees as a regulator: those carrying enterprise names, frames, ceremonies and draws."""
    return Plan.objects.filter(_regulated_q(user)).select_related("regulator", "drafted_by", "approved_by")


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """Regulators' plans (see module docstring), plus plans with tasks for the user's agency or laboratory."""
    agencies = _org_ids(user, OrganisationKind.KIND_SAMPLING_AGENCY)
    labs = _org_ids(user, OrganisationKind.KIND_LABORATORY)
    assigned = Task.objects.filter(Q(agency_id__in=agencies) | Q(laboratory_id__in=labs)).values("plan_id")
    return Plan.objects.filter(_regulated_q(user) | Q(pk__in=assigned)).select_related(
        "regulator", "drafted_by", "approved_by"
    )


def plan_lines(plan: Plan) -> QuerySet[PlanLine]:
    return plan.lines.select_related("category", "agency", "laboratory")


def can_edit_plan(user: User, plan: Plan) -> bool:
    """Whether the user writes for the plan's organising regulator (services re-check on every write)."""
    return any(org.pk == plan.regulator_id for org in _regulator_orgs(user, Role.REGULATOR_WRITERS))


def can_approve_plan(user: User, plan: Plan) -> bool:
    return any(org.pk == plan.regulator_id for org in _regulator_orgs(user, {Role.ROLE_REGULATOR_ADMIN}))


def writable_regulators(user: User) -> list[Organisation]:
    """The regulators a user may draft plans for."""
    return _regulator_orgs(user, Role.REGULATOR_WRITERS)


def may_read_tasks(user: User) -> bool:
    """Task pages are for regulators, samplers and other agency staff; laboratories work on blind samples."""
    if not user.is_authenticated:
        return False
    return bool(user.roles & TASK_READERS) or bool(_org_ids(user, OrganisationKind.KIND_SAMPLING_AGENCY))


def tasks_visible_to(user: User) -> QuerySet[Task]:
    """Regulators: tasks of plans made in their region, and of higher levels' plans where the site is in their
    region. Agency staff other than samplers: their agency's tasks.
    Samplers: the tasks they were drawn for. Laboratory roles: none (blind testing)."""
    agency_staff = [
        m.organisation_id
        for m in (user.active_memberships if user.is_authenticated else [])
        if m.organisation.kind == OrganisationKind.KIND_SAMPLING_AGENCY and m.role != Role.ROLE_SAMPLER
    ]
    prefixes = regulator_prefixes(user)
    own_plans = region_q(prefixes, "plan__regulator__region") if prefixes else Q(pk__in=[])
    # A higher level's task is shown to a lower level only where the inspected site lies in its region.
    located_here = region_q(prefixes, "enterprise__region") | region_q(prefixes, "delivery__section__project__region")
    inherited = Q(plan__regulator_id__in=_ancestor_ids(user)) & located_here if prefixes else Q(pk__in=[])
    condition = own_plans | inherited | Q(agency_id__in=agency_staff)
    if user.is_authenticated and Role.ROLE_SAMPLER in user.roles:
        condition |= Q(inspectors__inspector=user)
    ids = Task.objects.filter(condition).values("pk")
    return Task.objects.filter(pk__in=ids).select_related(
        "plan", "line__category", "enterprise", "product", "delivery", "agency", "laboratory", "replaces"
    )


def open_tasks(plan: Plan) -> QuerySet[Task]:
    return plan.tasks.filter(status__in=TaskStatus.OPEN).select_related("enterprise", "product")


def categories_without_rules(plan: Plan) -> list:
    """The plan's product categories that no implementation rules (实施细则) in force cover: their samples could not
    be tested."""
    from choujian.rules.selectors import ruleset_in_force_for

    return [
        line.category for line in plan.lines.select_related("category") if ruleset_in_force_for(line.category) is None
    ]
