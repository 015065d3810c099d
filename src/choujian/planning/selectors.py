"""Every read of plans and tasks, restricted by the access policy (the rules: `choujian.planning.policy`)."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import kind_org_ids
from choujian.core.policy import CHANGE, VIEW, permits, restrict
from choujian.planning.choices import PlanStatus, TaskStatus
from choujian.planning.models import Plan, PlanLine, Task
from choujian.planning.policy import APPROVE, REGULATE, regulator_orgs

TASK_READERS = Role.REGULATOR_ROLES | {Role.ROLE_SAMPLER}


def plans_regulated_by(user: User) -> QuerySet[Plan]:
    """Plans the user sees as a regulator: those carrying enterprise names, frames, ceremonies and draws."""
    return restrict(Plan.objects.all(), user, REGULATE).select_related("regulator", "drafted_by", "approved_by")


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """Regulators' plans, plus plans with tasks for the user's agency or laboratory."""
    return restrict(Plan.objects.all(), user, VIEW).select_related("regulator", "drafted_by", "approved_by")


def with_frame_summaries(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """Plans with their frame, ceremony and the frame's item and exclusion counts, read with the plans in one query.
    The frame's models are the draws app's (which builds on this one): reached through the relation, not imported."""
    frame = Plan._meta.get_field("frame").related_model

    def count(relation: str) -> Coalesce:
        rows = frame._meta.get_field(relation).related_model.objects.filter(frame__plan=OuterRef("pk"))
        counted = rows.order_by().values("frame").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return plans.select_related("frame", "ceremony").annotate(
        frame_item_count=count("items"), frame_exclusion_count=count("exclusions")
    )


def plan_lines(plan: Plan) -> QuerySet[PlanLine]:
    return plan.lines.select_related("category", "agency", "laboratory")


def can_edit_plan(user: User, plan: Plan) -> bool:
    """Whether the user writes for the plan's organising regulator (services re-check on every write)."""
    return permits(user, CHANGE, plan)


def can_approve_plan(user: User, plan: Plan) -> bool:
    return permits(user, APPROVE, plan)


def writable_regulators(user: User) -> list[Organisation]:
    """The regulators a user may draft plans for."""
    return regulator_orgs(user, Role.REGULATOR_WRITERS)


def may_read_tasks(user: User) -> bool:
    """Task pages are for regulators, samplers and other agency staff; laboratories work on blind samples."""
    if not user.is_authenticated:
        return False
    return bool(user.roles & TASK_READERS) or bool(kind_org_ids(user, OrganisationKind.KIND_SAMPLING_AGENCY))


def tasks_visible_to(user: User) -> QuerySet[Task]:
    return restrict(Task.objects.all(), user, VIEW).select_related(
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


def task_inspectors(task: Task):
    """The inspectors drawn for a task, by rank."""
    return task.inspectors.select_related("inspector").order_by("rank")


def inspectors_by_task(tasks) -> dict[int, list]:
    found: dict[int, list] = {}
    for task in Task.objects.filter(pk__in=[t.pk for t in tasks]).prefetch_related("inspectors__inspector"):
        found[task.pk] = sorted(task.inspectors.all(), key=lambda row: row.rank)
    return found


def plans_to_approve(user: User) -> QuerySet[Plan]:
    """Submitted plans the user may approve (an administrator of the organiser, not the one who drafted it)."""
    submitted = Plan.objects.filter(status=PlanStatus.STATUS_SUBMITTED).exclude(drafted_by=user)
    return restrict(submitted, user, APPROVE).select_related("regulator")


def plans_organised_by(user: User) -> QuerySet[Plan]:
    """Plans the user runs for the organising regulator (officers and administrators of that regulator)."""
    return restrict(Plan.objects.all(), user, CHANGE)


def tasks_listed(user: User) -> QuerySet[Task]:
    return tasks_visible_to(user).prefetch_related("inspectors__inspector").order_by("-drawn_at", "code")
