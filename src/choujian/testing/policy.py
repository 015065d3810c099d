"""Who may see and do what in the laboratory (declared to the access policy, `choujian.core.policy`), and the
separation of duties (invariant 4): one person is at most one of sampler, tester (results and draft), reviewer and
approver for a sample; the sampling agency never tests.

- Testers and reviewers: blind samples of their laboratory, known only by lab code, category, rule version, items
  and deadlines. Nothing that leads to the sample code, the task, the enterprise, the brand, the project or the
  sampling place is selected for them.
- Intake clerks and approvers: their laboratory's reports, unblinded.
- The organising regulator (and regulators who see the task): reports, objections, re-tests and outcomes. Samplers
  and agency staff see tasks too, but never reports, lab codes, objections or outcomes through them.
- The inspected party: its own approved reports, notices, objections, re-tests and outcomes; the parties of the
  project a lot was delivered to: its approved reports.
"""

from django.db.models import Q

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import is_member, kind_org_ids
from choujian.core.policy import NOTHING, VIEW, condition, permits, rule
from choujian.planning.models import Task
from choujian.planning.policy import ANSWER, inspected_party_orgs, inspected_party_q, project_party_q
from choujian.sampling.choices import PortionStatus, SampleStatus
from choujian.sampling.models import Sample
from choujian.testing.choices import LabStatus, RetestStatus
from choujian.testing.models import Intake, LabSample, Notice, Objection, Outcome, Report, Retest


def has_role_at(user: User, organisation: Organisation | None, roles) -> bool:
    """A laboratory role at this laboratory."""
    return (
        organisation is not None
        and organisation.kind == OrganisationKind.KIND_LABORATORY
        and is_member(user, organisation, roles)
    )


def lab_ids(user: User, roles=Role.LAB_ROLES) -> list[int]:
    return kind_org_ids(user, OrganisationKind.KIND_LABORATORY, roles)


def sampler_ids(sample: Sample) -> set[int]:
    return set(sample.record.samplers.values_list("pk", flat=True))


def works_for_agency(user: User, sample: Sample) -> bool:
    return any(m.organisation_id == sample.task.agency_id for m in user.active_memberships)


def party_org_ids(sample: Sample) -> set[int]:
    return inspected_party_orgs(sample.task)


def is_inspected_party(user: User, sample: Sample) -> bool:
    return permits(user, ANSWER, sample.task)


def is_organiser(user: User, sample: Sample, roles=Role.REGULATOR_WRITERS) -> bool:
    return any(
        m.organisation_id == sample.task.plan.regulator_id and m.role in roles
        for m in (user.active_memberships if user.is_authenticated else [])
    )


def regulated_tasks_q(user: User, task: str) -> Q:
    """Rows of the tasks the user oversees as a regulator."""
    if not user.roles & Role.REGULATOR_ROLES:
        return NOTHING
    return Q(**{f"{task}__in": Task.objects.filter(condition(Task, user, VIEW)).values("pk")})


@rule(LabSample, VIEW)
def lab_samples_seen(user: User) -> Q:
    """Blind samples of the user's laboratories (any laboratory role)."""
    return Q(laboratory_id__in=lab_ids(user))


INTAKE = "intake"


@rule(Sample, INTAKE)
def samples_taken_in(user: User) -> Q:
    """Intake clerks: samples received at their laboratory and not yet taken in, or confirmed for re-testing there
    with the retained portion received."""
    labs = lab_ids(user, {Role.ROLE_LAB_INTAKE})
    return Q(laboratory_id__in=labs, status=SampleStatus.STATUS_RECEIVED, intakes__isnull=True) | Q(
        retests__laboratory_id__in=labs,
        retests__status=RetestStatus.STATUS_CONFIRMED,
        retests__portion__status=PortionStatus.STATUS_RECEIVED,
    )


@rule(Report, VIEW)
def reports_seen(user: User) -> Q:
    """Unblinded reports: the laboratory's approvers and intake clerks, regulators who see the task, and — once
    approved — the inspected party and the parties of the project the lot was delivered to."""
    task = "lab_sample__portion__sample__task"
    approved = Q(status=LabStatus.STATUS_APPROVED)
    return (
        Q(lab_sample__laboratory_id__in=lab_ids(user, Role.LAB_UNBLINDED))
        | regulated_tasks_q(user, task)
        | inspected_party_q(user, task) & approved
        | project_party_q(user, task) & approved
    )


ANSWER_NOTICE = "answer"
PROJECT = "project"


@rule(Notice, ANSWER_NOTICE)
def notices_answered(user: User) -> Q:
    """The inspected party acknowledges its result notice and may object to it."""
    return inspected_party_q(user, "sample__task")


@rule(Report, PROJECT)
def reports_of_projects(user: User) -> Q:
    """Approved reports of lots delivered to a project the user owns, supervises or builds."""
    return project_party_q(user, "lab_sample__portion__sample__task") & Q(status=LabStatus.STATUS_APPROVED)


@rule(Objection, VIEW)
@rule(Outcome, VIEW)
@rule(Notice, VIEW)
def answers_seen(user: User) -> Q:
    """The organising side and the inspected party."""
    return regulated_tasks_q(user, "sample__task") | inspected_party_q(user, "sample__task")


@rule(Retest, VIEW)
def retests_seen(user: User) -> Q:
    """The organising side, the inspected party, and the unblinded staff of the re-testing laboratory."""
    return answers_seen(user) | Q(laboratory_id__in=lab_ids(user, Role.LAB_UNBLINDED))


@rule(Intake, VIEW)
def intakes_seen(user: User) -> Q:
    """The receiving laboratory's staff who know the sample, and the organising side."""
    return Q(laboratory_id__in=lab_ids(user, Role.LAB_UNBLINDED)) | regulated_tasks_q(user, "sample__task")
