"""Which copies of the sampling form, and whose labels, a user may print."""

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import User
from choujian.accounts.scope import is_member
from choujian.planning.selectors import tasks_visible_to
from choujian.sampling.models import Sample, SamplingRecord

ALL_COPIES = ["party", "laboratory", "organiser"]


def form_copies_for(user: User, record: SamplingRecord) -> list[str]:
    """Organiser and sampling agency: every copy. Laboratory intake or approver: the laboratory's copy.
    The inspected party (its enterprise or contractor staff): its own copy."""
    if not user.is_authenticated:
        return []
    task = record.task
    if tasks_visible_to(user).filter(pk=task.pk).exists():
        return list(ALL_COPIES)
    copies = []
    sample = Sample.objects.filter(record=record).first()
    if sample and is_member(user, sample.laboratory, {Role.ROLE_LAB_INTAKE, Role.ROLE_APPROVER}):
        copies.append("laboratory")
    party_orgs = {task.enterprise.organisation_id}
    if task.delivery_id:
        party_orgs.add(task.delivery.section.contractor_id)
    if any(
        m.organisation_id in party_orgs
        and m.organisation.kind in (OrganisationKind.KIND_MANUFACTURER, OrganisationKind.KIND_CONTRACTOR)
        for m in user.active_memberships
    ):
        copies.append("party")
    return copies


def may_print_labels(user: User, sample: Sample) -> bool:
    """The sampling agency and the organiser print labels; so does whoever holds a portion."""
    if tasks_visible_to(user).filter(pk=sample.task_id).exists():
        return True
    return sample.portions.filter(custodian=user).exists()
