"""Who may see and act on plans and tasks (declared to the access policy, `choujian.core.policy`).

Regulators see the plans of regulators inside their region and the plans of the regulators above them (a county
must know what the province checks, so it does not check it again). Sampling agencies and laboratories see the
plans that assigned tasks to them. Tasks name the inspected enterprise, so laboratories never see them (blind
testing, invariant 3): they receive samples under blind codes instead.

The inspected party of a task — the one definition every context uses — is the staff of the enterprise sampled and,
for a lot delivered to a construction site, the staff of the contractor that holds the lot.
"""

from django.db.models import Q

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import kind_org_ids, region_q, regulator_prefixes
from choujian.core.policy import CHANGE, NOTHING, VIEW, rule
from choujian.planning.models import Plan, Task

REGULATE = "regulate"
APPROVE = "approve"
ANSWER = "answer"

PARTY_ROLES = frozenset({Role.ROLE_ENTERPRISE_STAFF, Role.ROLE_CONTRACTOR_STAFF})


def regulator_orgs(user: User, roles=Role.REGULATOR_ROLES) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    return [
        m.organisation
        for m in user.active_memberships
        if m.role in roles and m.organisation.kind == OrganisationKind.KIND_REGULATOR
    ]


def ancestor_ids(user: User) -> list[int]:
    """The regulators above each of the user's regulators (province and nation above a county)."""
    ids: list[int] = []
    for org in regulator_orgs(user):
        current = org.parent
        while current is not None and current.pk not in ids:
            ids.append(current.pk)
            current = current.parent
    return ids


def inspected_party_q(user: User, task: str = "") -> Q:
    """Rows whose task (at the lookup `task`, or tasks themselves) sampled the user's own enterprise, or a lot held by
    the user's contractor."""
    at = f"{task}__" if task else ""
    condition = NOTHING
    enterprises = kind_org_ids(user, OrganisationKind.KIND_MANUFACTURER, {Role.ROLE_ENTERPRISE_STAFF})
    if enterprises:
        condition |= Q(**{f"{at}enterprise__organisation_id__in": enterprises})
    contractors = kind_org_ids(user, OrganisationKind.KIND_CONTRACTOR, {Role.ROLE_CONTRACTOR_STAFF})
    if contractors:
        condition |= Q(**{f"{at}delivery__section__contractor_id__in": contractors})
    return condition


def inspected_party_orgs(task: Task) -> set[int]:
    """The organisations whose staff answer for a task's result (the same party as `inspected_party_q`)."""
    parties = {task.enterprise.organisation_id}
    if task.delivery_id:
        parties.add(task.delivery.section.contractor_id)
    parties.discard(None)
    return parties


def project_party_q(user: User, task: str) -> Q:
    """Rows whose task (at the lookup `task`) sampled a lot delivered to a project the user builds, supervises or
    owns: the project's parties see the results of what was delivered to them."""
    condition = NOTHING
    lookups = {
        OrganisationKind.KIND_OWNER: ({Role.ROLE_OWNER_STAFF}, "delivery__section__project__owner_id__in"),
        OrganisationKind.KIND_SUPERVISOR: ({Role.ROLE_SUPERVISOR_STAFF}, "delivery__section__supervisor_id__in"),
        OrganisationKind.KIND_CONTRACTOR: ({Role.ROLE_CONTRACTOR_STAFF}, "delivery__section__contractor_id__in"),
    }
    for kind, (roles, lookup) in lookups.items():
        organisations = kind_org_ids(user, kind, roles)
        if organisations:
            condition |= Q(**{f"{task}__{lookup}": organisations})
    return condition


def regulated_plans_q(user: User, prefix: str = "") -> Q:
    prefixes = regulator_prefixes(user)
    if not prefixes:
        return NOTHING
    return region_q(prefixes, f"{prefix}regulator__region") | Q(**{f"{prefix}regulator_id__in": ancestor_ids(user)})


@rule(Plan, REGULATE)
def plans_regulated(user: User) -> Q:
    """Regulators: plans of their region and of the regulators above them, with enterprise names, frames and draws."""
    return regulated_plans_q(user)


@rule(Plan, VIEW)
def plans_seen(user: User) -> Q:
    """Regulated plans, plus the plans with tasks for the user's agency or laboratory."""
    agencies = kind_org_ids(user, OrganisationKind.KIND_SAMPLING_AGENCY)
    labs = kind_org_ids(user, OrganisationKind.KIND_LABORATORY)
    assigned = Task.objects.filter(Q(agency_id__in=agencies) | Q(laboratory_id__in=labs)).values("plan_id")
    return regulated_plans_q(user) | Q(pk__in=assigned)


@rule(Plan, CHANGE)
def plans_written(user: User) -> Q:
    """Officers and administrators of the organising regulator."""
    return Q(regulator__in=[org.pk for org in regulator_orgs(user, Role.REGULATOR_WRITERS)])


@rule(Plan, APPROVE)
def plans_approved(user: User) -> Q:
    """Administrators of the organising regulator (the service also requires someone other than the drafter)."""
    return Q(regulator__in=[org.pk for org in regulator_orgs(user, {Role.ROLE_REGULATOR_ADMIN})])


@rule(Task, VIEW)
def tasks_seen(user: User) -> Q:
    """Regulators: tasks of plans made in their region, and of higher levels' plans where the site is in their
    region. Agency staff other than samplers: their agency's tasks. Samplers: the tasks they were drawn for.
    Laboratory roles: none (blind testing)."""
    agency_staff = [
        m.organisation_id
        for m in user.active_memberships
        if m.organisation.kind == OrganisationKind.KIND_SAMPLING_AGENCY and m.role != Role.ROLE_SAMPLER
    ]
    prefixes = regulator_prefixes(user)
    own_plans = region_q(prefixes, "plan__regulator__region") if prefixes else NOTHING
    # A higher level's task is shown to a lower level only where the inspected site lies in its region.
    located_here = region_q(prefixes, "enterprise__region") | region_q(prefixes, "delivery__section__project__region")
    inherited = Q(plan__regulator_id__in=ancestor_ids(user)) & located_here if prefixes else NOTHING
    condition = own_plans | inherited | Q(agency_id__in=agency_staff)
    if Role.ROLE_SAMPLER in user.roles:
        condition |= Q(inspectors__inspector=user)
    return condition


@rule(Task, ANSWER)
def tasks_answered(user: User) -> Q:
    """The inspected party: acknowledges results, files objections, receives notices."""
    return inspected_party_q(user)
