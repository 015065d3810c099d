"""Who may do what in the laboratory, and the separation of duties (invariant 4): one person is at most one of
sampler, tester (results and draft), reviewer and approver for a sample; the sampling agency never tests."""

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import is_member, kind_org_ids
from choujian.sampling.models import Sample

LAB_ROLES = frozenset({Role.ROLE_LAB_INTAKE, Role.ROLE_TESTER, Role.ROLE_REVIEWER, Role.ROLE_APPROVER})
BLIND_ROLES = frozenset({Role.ROLE_TESTER, Role.ROLE_REVIEWER})


def has_role_at(user: User, organisation: Organisation | None, roles) -> bool:
    """A laboratory role at this laboratory."""
    return (
        organisation is not None
        and organisation.kind == OrganisationKind.KIND_LABORATORY
        and is_member(user, organisation, roles)
    )


def lab_ids(user: User, roles=LAB_ROLES) -> list[int]:
    return kind_org_ids(user, OrganisationKind.KIND_LABORATORY, roles)


def sampler_ids(sample: Sample) -> set[int]:
    return set(sample.record.samplers.values_list("pk", flat=True))


def works_for_agency(user: User, sample: Sample) -> bool:
    return any(m.organisation_id == sample.task.agency_id for m in user.active_memberships)


def party_org_ids(sample: Sample) -> set[int]:
    """The inspected enterprise's organisation and, for a delivered lot, the contractor that holds it."""
    task = sample.task
    parties = {task.enterprise.organisation_id}
    if task.delivery_id:
        parties.add(task.delivery.section.contractor_id)
    parties.discard(None)
    return parties


def is_inspected_party(user: User, sample: Sample) -> bool:
    """Staff of the inspected enterprise (or, for a delivered lot, of the contractor that holds it)."""
    parties = party_org_ids(sample)
    return any(
        m.organisation_id in parties and m.role in (Role.ROLE_ENTERPRISE_STAFF, Role.ROLE_CONTRACTOR_STAFF)
        for m in (user.active_memberships if user.is_authenticated else [])
    )


def is_organiser(user: User, sample: Sample, roles=Role.REGULATOR_WRITERS) -> bool:
    return any(
        m.organisation_id == sample.task.plan.regulator_id and m.role in roles
        for m in (user.active_memberships if user.is_authenticated else [])
    )
