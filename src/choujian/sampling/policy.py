"""Who may see and act on sampling forms, samples, portions, handovers and alternate requests (declared to the access
policy, `choujian.core.policy`; services check the action rules on every write).

- Regulators: whatever belongs to the tasks they see; sampling agencies their agency's tasks; samplers the tasks they
  were drawn for.
- Laboratories: intake clerks and approvers see the samples addressed to their laboratory and their sampling forms
  (the lab's copy); testers and reviewers see none of this (blind testing, invariant 3).
- The inspected party (`choujian.planning.policy.inspected_party_q`): its own forms and samples.
- Custodians and receivers: the samples they hold or are asked to receive (owner, supervisor, contractor staff
  keeping a retained portion on site).
"""

from django.db.models import Q

from choujian.accounts import scope
from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.core.policy import CHANGE, VIEW, condition, permits, rule
from choujian.planning.models import Task
from choujian.planning.policy import ANSWER, inspected_party_q
from choujian.sampling.choices import HandoverStatus
from choujian.sampling.models import AlternateRequest, Evidence, Handover, Portion, Sample, SamplingRecord, Signature

SAMPLE = "sample"
RECEIVE = "receive"
PRINT_LABELS = "print_labels"
ALL_COPIES = ["party", "laboratory", "organiser"]

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


def receiving_org_ids(user: User) -> list[int]:
    """Organisations for which the user may sign for portions (a laboratory: its intake clerks only)."""
    if not user.is_authenticated:
        return []
    return [
        m.organisation_id for m in user.active_memberships if m.role in RECEIVING_ROLES.get(m.organisation.kind, set())
    ]


def _task_q(user: User, task: str) -> Q:
    """Rows of tasks the user sees as tasks, plus the inspected party's own."""
    tasks = Task.objects.filter(condition(Task, user, VIEW)).values("pk")
    return Q(**{f"{task}__in": tasks}) | inspected_party_q(user, task)


def _unblinded_labs(user: User) -> list[int]:
    return scope.kind_org_ids(user, OrganisationKind.KIND_LABORATORY, Role.LAB_UNBLINDED)


@rule(SamplingRecord, VIEW)
def records_seen(user: User) -> Q:
    """The task's people, the inspected party, and the unblinded staff of the laboratory the sample went to."""
    return _task_q(user, "task") | Q(sample__laboratory_id__in=_unblinded_labs(user))


@rule(Sample, VIEW)
def samples_seen(user: User) -> Q:
    """As forms, plus custodians of a portion and receivers asked to sign for one."""
    pending = Q(handovers__to_org_id__in=receiving_org_ids(user), handovers__status=HandoverStatus.STATUS_PENDING)
    return _task_q(user, "task") | Q(laboratory_id__in=_unblinded_labs(user)) | Q(portions__custodian=user) | pending


def _samples(user: User):
    return Sample.objects.filter(samples_seen(user)).values("pk")


@rule(Portion, VIEW)
def portions_seen(user: User) -> Q:
    """The portions of the samples the user sees."""
    return Q(sample__in=_samples(user))


@rule(Handover, VIEW)
def handovers_seen(user: User) -> Q:
    """Handovers of the samples the user sees, and those waiting for the user's organisations to sign."""
    pending = Q(to_org_id__in=receiving_org_ids(user), status=HandoverStatus.STATUS_PENDING)
    return Q(sample__in=_samples(user)) | pending


@rule(Handover, RECEIVE)
def handovers_received(user: User) -> Q:
    """Pending handovers to an organisation the user signs for."""
    return Q(to_org_id__in=receiving_org_ids(user), status=HandoverStatus.STATUS_PENDING)


@rule(AlternateRequest, VIEW)
def alternate_requests_seen(user: User) -> Q:
    """Requests about the tasks the user sees."""
    return Q(task__in=Task.objects.filter(condition(Task, user, VIEW)).values("pk"))


@rule(Evidence, VIEW)
def evidence_seen(user: User) -> Q:
    """Photos and documents of the forms, handovers and alternate requests the user sees."""
    return (
        Q(record__in=SamplingRecord.objects.filter(records_seen(user)).values("pk"))
        | Q(handover__sample__in=_samples(user))
        | Q(alternate_request__in=AlternateRequest.objects.filter(alternate_requests_seen(user)).values("pk"))
    )


@rule(Signature, VIEW)
def signatures_seen(user: User) -> Q:
    """Signatures on the forms, portions and handovers the user sees."""
    samples = _samples(user)
    return (
        Q(record__in=SamplingRecord.objects.filter(records_seen(user)).values("pk"))
        | Q(portion__sample__in=samples)
        | Q(handover__sample__in=samples)
    )


@rule(Task, SAMPLE)
def tasks_sampled(user: User) -> Q:
    """A sampler drawn for the task who still works for the task's agency."""
    agencies = scope.kind_org_ids(user, OrganisationKind.KIND_SAMPLING_AGENCY, {Role.ROLE_SAMPLER})
    return Q(inspectors__inspector=user, agency_id__in=agencies)


@rule(Sample, PRINT_LABELS)
def samples_labelled(user: User) -> Q:
    """The sampling agency and the organiser print labels; so does whoever holds a portion."""
    return Q(task__in=Task.objects.filter(condition(Task, user, VIEW)).values("pk")) | Q(portions__custodian=user)


def form_copies_for(user: User, record: SamplingRecord) -> list[str]:
    """Which copies of the sampling form a user may print. Organiser and sampling agency: every copy; laboratory
    intake or approver: the laboratory's copy; the inspected party: its own copy."""
    if not user.is_authenticated:
        return []
    task = record.task
    if permits(user, VIEW, task):
        return list(ALL_COPIES)
    copies = []
    sample = getattr(record, "sample", None)
    if sample is not None and is_member(user, sample.laboratory, Role.LAB_UNBLINDED):
        copies.append("laboratory")
    if permits(user, ANSWER, task):
        copies.append("party")
    return copies


def may_print_labels(user: User, sample: Sample) -> bool:
    return permits(user, PRINT_LABELS, sample)


def drawn_sampler_ids(task: Task) -> set[int]:
    return set(task.inspectors.values_list("inspector_id", flat=True))


def is_drawn_sampler(user: User, task: Task) -> bool:
    return permits(user, SAMPLE, task)


def can_receive_for(user: User, organisation: Organisation) -> bool:
    return is_member(user, organisation, RECEIVING_ROLES.get(organisation.kind, set()))


def is_plan_writer(user: User, task: Task) -> bool:
    return permits(user, CHANGE, task.plan)
