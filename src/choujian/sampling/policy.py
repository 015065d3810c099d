"""Who may act on a task's sampling form, a sample's portions and a handover (services check these on every write)."""

from choujian.accounts import scope
from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.planning.models import Task

# Which roles may receive portions for each kind of organisation.
RECEIVING_ROLES = {
    OrganisationKind.KIND_LABORATORY: {Role.ROLE_LAB_INTAKE},
    OrganisationKind.KIND_SAMPLING_AGENCY: {Role.ROLE_SAMPLER},
    OrganisationKind.KIND_OWNER: {Role.ROLE_OWNER_STAFF, Role.ROLE_WITNESS},
    OrganisationKind.KIND_SUPERVISOR: {Role.ROLE_SUPERVISOR_STAFF, Role.ROLE_WITNESS},
    OrganisationKind.KIND_CONTRACTOR: {Role.ROLE_CONTRACTOR_STAFF},
    OrganisationKind.KIND_REGULATOR: {Role.ROLE_REGULATOR_OFFICER, Role.ROLE_REGULATOR_ADMIN},
}


is_member = scope.is_member


def drawn_sampler_ids(task: Task) -> set[int]:
    return set(task.inspectors.values_list("inspector_id", flat=True))


def is_drawn_sampler(user: User, task: Task) -> bool:
    """A sampler drawn for the task who still works for the task's agency."""
    return (
        user.is_authenticated
        and user.pk in drawn_sampler_ids(task)
        and is_member(user, task.agency, {Role.ROLE_SAMPLER})
    )


def can_receive_for(user: User, organisation: Organisation) -> bool:
    return is_member(user, organisation, RECEIVING_ROLES.get(organisation.kind, set()))


def is_plan_writer(user: User, task: Task) -> bool:
    return is_member(user, task.plan.regulator, Role.REGULATOR_WRITERS)
