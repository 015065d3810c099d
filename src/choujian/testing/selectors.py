"""Every read of the laboratory side, restricted by the access policy (the rules, and what each role sees:
`choujian.testing.policy`)."""

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.core.policy import VIEW, restrict
from choujian.planning.models import Task
from choujian.planning.selectors import tasks_visible_to
from choujian.sampling.models import Sample
from choujian.testing import policy
from choujian.testing.choices import IntakeDecision, LabStatus, ObjectionStatus, RetestStatus
from choujian.testing.models import Intake, LabSample, Notice, Objection, Outcome, Report, Result, Retest
from choujian.testing.policy import ANSWER_NOTICE, PROJECT


def regulated_tasks(user: User):
    """The tasks a user oversees as a regulator."""
    if not user.is_authenticated or not user.roles & Role.REGULATOR_ROLES:
        return Task.objects.none()
    return tasks_visible_to(user)


def worklist_for(user: User) -> QuerySet[LabSample]:
    """Blind samples of the user's laboratories (any laboratory role), without any join towards the sample."""
    return restrict(LabSample.objects.all(), user, VIEW).select_related("ruleset__category", "laboratory")


def intake_queue(user: User) -> QuerySet[Sample]:
    """Samples received at the clerk's laboratory (or at a re-test laboratory) waiting for intake."""
    return restrict(Sample.objects.all(), user, policy.INTAKE).select_related("record", "task__line__category")


def rejected_intakes(user: User):
    """Samples a laboratory refused at intake (broken seal, not as the form says), for the organiser."""
    return (
        restrict(Intake.objects.filter(decision=IntakeDecision.DECISION_REJECTED), user, VIEW)
        .filter(sample__task__in=regulated_tasks(user).values("pk"))
        .select_related("sample", "laboratory", "clerk")
        .order_by("-created_at")
    )


def reports_visible_to(user: User) -> QuerySet[Report]:
    return restrict(Report.objects.all(), user, VIEW).select_related(
        "lab_sample__portion__sample__task__plan", "lab_sample__laboratory", "drafted_by", "reviewed_by", "approved_by"
    )


def objections_visible_to(user: User) -> QuerySet[Objection]:
    return restrict(Objection.objects.all(), user, VIEW).select_related("report", "sample__task__plan", "filed_by")


def objections_overdue(user: User) -> QuerySet[Objection]:
    return objections_visible_to(user).filter(status=ObjectionStatus.STATUS_PENDING, decide_by__lt=timezone.localdate())


def retests_visible_to(user: User) -> QuerySet[Retest]:
    return restrict(Retest.objects.all(), user, VIEW).select_related("sample", "laboratory", "draw", "portion")


def outcomes_visible_to(user: User) -> QuerySet[Outcome]:
    return restrict(Outcome.objects.all(), user, VIEW).select_related("sample__task", "report")


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
        .select_related("lab_sample__laboratory", "lab_sample__portion__sample__record")
        .first()
    )


def superseding_report(report: Report) -> Report | None:
    """The re-test report approved after this one for the same sample, which replaces its conclusion."""
    sample = report.lab_sample.portion.sample
    later = Report.objects.filter(
        lab_sample__portion__sample=sample, status=LabStatus.STATUS_APPROVED, approved_at__gt=report.approved_at
    )
    return later.order_by("-approved_at").first()


def project_results(user: User, project) -> QuerySet[Report]:
    """Approved reports of lots delivered to a project, as far as this user may read them, newest first."""
    return (
        reports_visible_to(user)
        .filter(status=LabStatus.STATUS_APPROVED, lab_sample__portion__sample__task__delivery__section__project=project)
        .select_related("lab_sample__portion__sample__task__delivery__section", "lab_sample__portion__sample__outcome")
        .order_by("-approved_at")
    )


def report_of(lab_sample: LabSample) -> Report | None:
    """The report of a lab sample the caller already holds (testers and reviewers reach it only this way, blind)."""
    return Report.objects.filter(lab_sample=lab_sample).first()


def corrected_results(lab_sample: LabSample) -> dict[str, list[Result]]:
    """Per item, the values a correction replaced, each with the correction (and its reason): one query, not one per
    item or result."""
    corrected: dict[str, list[Result]] = {}
    for old in lab_sample.results.filter(current=False).select_related("replaced_by"):
        corrected.setdefault(old.item, []).append(old)
    return corrected


def retest_of(objection: Objection) -> Retest | None:
    return Retest.objects.filter(objection=objection).first()


def retest_for_intake(user: User, sample: Sample) -> Retest | None:
    """The confirmed re-test of this sample at one of the user's laboratories, if the intake is a re-test's."""
    labs = policy.lab_ids(user)
    return sample.retests.filter(laboratory_id__in=labs, status=RetestStatus.STATUS_CONFIRMED).first()


def lab_queue(user: User, status: str) -> QuerySet[LabSample]:
    """The user's laboratory's blind samples at one step (testing, waiting for review, waiting for approval)."""
    return worklist_for(user).filter(status=status)


def objections_pending(user: User) -> QuerySet[Objection]:
    return objections_visible_to(user).filter(status=ObjectionStatus.STATUS_PENDING)


def notices_visible_to(user: User) -> QuerySet[Notice]:
    return restrict(Notice.objects.all(), user, VIEW).select_related("report", "sample")


def notices_unacknowledged(user: User) -> QuerySet[Notice]:
    """Result notices the inspected party has not yet received (acknowledging one in the platform serves it)."""
    return restrict(Notice.objects.filter(served_at__isnull=True), user, ANSWER_NOTICE)


def objection_windows_open(user: User) -> QuerySet[Notice]:
    """Result notices whose objection period is still running and against which nothing has been filed."""
    today = timezone.localdate()
    notices = Notice.objects.filter(objection_due__gte=today).exclude(sample__objections__isnull=False)
    return restrict(notices, user, ANSWER_NOTICE)


def recent_project_results(user: User, days: int = 30) -> QuerySet[Report]:
    """Reports approved in the last `days` days on lots delivered to the user's projects."""
    since = timezone.now() - dt.timedelta(days=days)
    return restrict(Report.objects.filter(status=LabStatus.STATUS_APPROVED, approved_at__gte=since), user, PROJECT)


def notices_for_party(user: User) -> QuerySet[Notice]:
    """The inspected party's result notices, unacknowledged and open for objection first."""
    notices = restrict(Notice.objects.all(), user, ANSWER_NOTICE).select_related("report", "sample")
    return notices.order_by(F("received_at").desc(nulls_first=True), "-sent_at")


def notices_unserved(user: User) -> QuerySet[Notice]:
    """Result notices sent but not yet served: the objection period has not started."""
    unserved = Notice.objects.filter(served_at__isnull=True, sample__outcome__isnull=True)
    return restrict(unserved, user, VIEW).select_related("report", "sample")


def intakes_visible_to(user: User) -> QuerySet[Intake]:
    return restrict(Intake.objects.all(), user, VIEW).select_related("sample", "laboratory").order_by("-created_at")


def worklist_listed(user: User) -> QuerySet[LabSample]:
    return worklist_for(user).order_by("-received_on", "lab_code")


def reports_listed(user: User) -> QuerySet[Report]:
    return reports_visible_to(user).select_related("lab_sample__ruleset__category").order_by("-drafted_at")
