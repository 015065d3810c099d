"""Every read of the laboratory side, restricted to what the user may see (invariants 2 and 3).

- Testers and reviewers: blind samples of their laboratory, known only by lab code, category, rule version, items
  and deadlines. Nothing that leads to the sample code, the task, the enterprise, the brand, the project or the
  sampling place is selected for them.
- Intake clerks: the samples received at their laboratory, with the code mapping (they did the blinding).
- Approvers: their laboratory's reports, unblinded.
- The organising regulator (and regulators who see the task): reports, objections, re-tests and outcomes.
- The inspected party: its own approved reports, notices, objections and re-tests.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.planning.selectors import tasks_visible_to
from choujian.sampling.choices import SampleStatus
from choujian.sampling.models import Sample
from choujian.sampling.selectors import inspected_party_q, project_party_q
from choujian.testing import policy
from choujian.testing.choices import LabStatus, ObjectionStatus
from choujian.testing.models import LabSample, Objection, Outcome, Report, Retest


def regulated_tasks(user: User):
    """The tasks a user oversees as a regulator. Samplers and agency staff see tasks too, but never reports, lab
    codes, objections or outcomes through them: those are the organiser's and the inspected party's."""
    from choujian.planning.models import Task

    if not user.is_authenticated or not user.roles & Role.REGULATOR_ROLES:
        return Task.objects.none()
    return tasks_visible_to(user)


def worklist_for(user: User) -> QuerySet[LabSample]:
    """Blind samples of the user's laboratories (any laboratory role), without any join towards the sample."""
    labs = policy.lab_ids(user)
    return LabSample.objects.filter(laboratory_id__in=labs).select_related("ruleset__category", "laboratory")


def intake_queue(user: User) -> QuerySet[Sample]:
    """Samples received at the clerk's laboratory (or at a re-test laboratory) waiting for intake."""
    labs = policy.lab_ids(user, {Role.ROLE_LAB_INTAKE})
    return (
        Sample.objects.filter(
            Q(laboratory_id__in=labs, status=SampleStatus.STATUS_RECEIVED, intakes__isnull=True)
            | Q(retests__laboratory_id__in=labs, retests__status="confirmed", retests__portion__status="received")
        )
        .select_related("record", "task__line__category")
        .distinct()
    )


def rejected_intakes(user: User):
    """Samples a laboratory refused at intake (broken seal, not as the form says), for the organiser."""
    from choujian.testing.choices import IntakeDecision
    from choujian.testing.models import Intake

    tasks = regulated_tasks(user).values("pk")
    return (
        Intake.objects.filter(decision=IntakeDecision.DECISION_REJECTED, sample__task__in=tasks)
        .select_related("sample", "laboratory", "clerk")
        .order_by("-created_at")
    )


def _party_q(user: User, prefix: str) -> Q:
    """Rows of samples whose inspected party the user works for."""
    return inspected_party_q(user, f"{prefix}task")


def reports_visible_to(user: User) -> QuerySet[Report]:
    """Unblinded reports: the laboratory's approvers and intake clerks, regulators who see the task, and — once
    approved — the inspected party and the parties of the project the lot was delivered to."""
    if not user.is_authenticated:
        return Report.objects.none()
    labs = policy.lab_ids(user, Role.LAB_UNBLINDED)
    tasks = regulated_tasks(user).values("pk")
    condition = Q(lab_sample__laboratory_id__in=labs) | Q(lab_sample__portion__sample__task__in=tasks)
    approved = Q(status=LabStatus.STATUS_APPROVED)
    condition |= _party_q(user, "lab_sample__portion__sample__") & approved
    condition |= project_party_q(user, "lab_sample__portion__sample__task") & approved
    ids = Report.objects.filter(condition).values("pk")
    return Report.objects.filter(pk__in=ids).select_related(
        "lab_sample__portion__sample__task__plan", "lab_sample__laboratory", "drafted_by", "reviewed_by", "approved_by"
    )


def objections_visible_to(user: User) -> QuerySet[Objection]:
    if not user.is_authenticated:
        return Objection.objects.none()
    tasks = regulated_tasks(user).values("pk")
    ids = Objection.objects.filter(Q(sample__task__in=tasks) | _party_q(user, "sample__")).values("pk")
    return Objection.objects.filter(pk__in=ids).select_related("report", "sample__task__plan", "filed_by")


def objections_overdue(user: User) -> QuerySet[Objection]:
    return objections_visible_to(user).filter(status=ObjectionStatus.STATUS_PENDING, decide_by__lt=timezone.localdate())


def retests_visible_to(user: User) -> QuerySet[Retest]:
    if not user.is_authenticated:
        return Retest.objects.none()
    tasks = regulated_tasks(user).values("pk")
    labs = policy.lab_ids(user, Role.LAB_UNBLINDED)
    condition = Q(sample__task__in=tasks) | _party_q(user, "sample__") | Q(laboratory_id__in=labs)
    ids = Retest.objects.filter(condition).values("pk")
    return Retest.objects.filter(pk__in=ids).select_related("sample", "laboratory", "draw", "portion")


def outcomes_visible_to(user: User) -> QuerySet[Outcome]:
    if not user.is_authenticated:
        return Outcome.objects.none()
    tasks = regulated_tasks(user).values("pk")
    ids = Outcome.objects.filter(Q(sample__task__in=tasks) | _party_q(user, "sample__")).values("pk")
    return Outcome.objects.filter(pk__in=ids).select_related("sample__task", "report")


def overdue_testing(user: User) -> QuerySet[LabSample]:
    """Blind samples past their testing deadline, for the regulator (by the tasks it sees) and the laboratory."""
    today = timezone.localdate()
    tasks = regulated_tasks(user).values("pk")
    labs = policy.lab_ids(user)
    return (
        LabSample.objects.filter(Q(portion__sample__task__in=tasks) | Q(laboratory_id__in=labs))
        .filter(due_on__lt=today, status__in=LabStatus.OPEN)
        .select_related("laboratory", "ruleset__category")
        .distinct()
    )


def report_by_token(token: str) -> Report | None:
    return (
        Report.objects.filter(verify_token=token, status=LabStatus.STATUS_APPROVED)
        .select_related("lab_sample__laboratory")
        .first()
    )


def project_results(user: User, project) -> QuerySet[Report]:
    """Approved reports of lots delivered to a project, as far as this user may read them, newest first."""
    return (
        reports_visible_to(user)
        .filter(status=LabStatus.STATUS_APPROVED, lab_sample__portion__sample__task__delivery__section__project=project)
        .select_related("lab_sample__portion__sample__task__delivery__section", "lab_sample__portion__sample__outcome")
        .order_by("-approved_at")
    )
