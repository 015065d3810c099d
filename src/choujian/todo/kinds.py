"""The kinds of work a person may find waiting, each declared once: who it is for, which selector lists it (the
same one its page lists), which date it is due by, and where the list is. A to-do line's count is that
selector's count for the person, so the line and the list it links to cannot disagree."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from choujian.accounts.choices import Role
from choujian.analytics import selectors as analytics
from choujian.disclosure import selectors as disclosure
from choujian.enforcement import selectors as enforcement
from choujian.planning import selectors as planning
from choujian.planning.choices import PlanStatus
from choujian.sampling import selectors as sampling
from choujian.testing import selectors as testing
from choujian.testing.choices import LabStatus

WRITERS = Role.REGULATOR_WRITERS
PARTIES = frozenset({Role.ROLE_ENTERPRISE_STAFF, Role.ROLE_CONTRACTOR_STAFF})
PROJECT_PARTIES = frozenset({Role.ROLE_OWNER_STAFF, Role.ROLE_SUPERVISOR_STAFF, Role.ROLE_CONTRACTOR_STAFF})
RECEIVERS = frozenset(
    {
        Role.ROLE_SAMPLER,
        Role.ROLE_LAB_INTAKE,
        Role.ROLE_OWNER_STAFF,
        Role.ROLE_SUPERVISOR_STAFF,
        Role.ROLE_CONTRACTOR_STAFF,
        Role.ROLE_WITNESS,
        *WRITERS,
    }
)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    roles: frozenset[str]
    rows: Callable[..., QuerySet]
    url: Callable[[], str]
    due: str | None = None  # the rows' due-date field, where the work has a deadline
    codes: str = "code"  # the field that names a row on the list the line links to


def _organised(rows: Callable[..., QuerySet], plan: str) -> Callable[..., QuerySet]:
    """Only what the user's own regulator organises: a county sees a province's tasks on its ground, but the
    province's officers decide about them."""

    def organised(user):
        return rows(user).filter(**{f"{plan}__in": planning.plans_organised_by(user).values("pk")})

    return organised


def _at(name: str, anchor: str = "", query: str = "", args=()) -> Callable[[], str]:
    return lambda: reverse(name, args=args) + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


KINDS = [
    Kind(
        "plans_to_approve",
        _("待审批的抽查计划"),
        frozenset({Role.ROLE_REGULATOR_ADMIN}),
        planning.plans_to_approve,
        _at("planning:plan_list", query=f"status={PlanStatus.STATUS_SUBMITTED}"),
    ),
    Kind(
        "frames_to_build",
        _("待生成抽样框的计划"),
        WRITERS,
        lambda user: planning.plans_organised_by(user).filter(status=PlanStatus.STATUS_APPROVED),
        _at("planning:plan_list", query=f"status={PlanStatus.STATUS_APPROVED}"),
    ),
    Kind(
        "draws_to_run",
        _("抽取仪式进行中的计划"),
        WRITERS,
        lambda user: planning.plans_organised_by(user).filter(status=PlanStatus.STATUS_FROZEN),
        _at("planning:plan_list", query=f"status={PlanStatus.STATUS_FROZEN}"),
    ),
    Kind(
        "alternates_requested",
        _("待决定的递补申请"),
        WRITERS,
        _organised(sampling.open_alternate_requests, "task__plan"),
        _at("sampling:overview", "requests"),
        codes="task__code",
    ),
    Kind(
        "refused_tasks",
        _("被拒绝抽样、待认定的任务"),
        WRITERS,
        _organised(sampling.refused_tasks, "plan"),
        _at("sampling:overview", "refused"),
    ),
    Kind(
        "objections_to_decide",
        _("待决定的异议"),
        WRITERS,
        _organised(testing.objections_pending, "sample__task__plan"),
        _at("testing:oversight", "objections"),
        due="decide_by",
        codes="report__code",
    ),
    Kind(
        "notices_unserved",
        _("未送达的检验结果通知"),
        WRITERS,
        _organised(testing.notices_unserved, "sample__task__plan"),
        _at("testing:oversight", "unserved"),
        codes="report__code",
    ),
    Kind(
        "overdue_deliveries",
        _("超过送样期限的样品"),
        WRITERS | {Role.ROLE_SAMPLER},
        sampling.overdue_samples,
        _at("sampling:overview", "overdue"),
        due="delivery_due",
    ),
    Kind(
        "tasks_to_sample",
        _("分配给我的抽样任务"),
        frozenset({Role.ROLE_SAMPLER}),
        sampling.tasks_to_sample,
        _at("sampling:overview", "my-tasks"),
    ),
    Kind(
        "handovers_to_receive",
        _("待我方签收的样品"),
        RECEIVERS,
        sampling.pending_handovers_for,
        _at("sampling:overview", "pending"),
        codes="sample__code",
    ),
    Kind(
        "samples_to_take_in",
        _("已到达、待接收登记的样品"),
        frozenset({Role.ROLE_LAB_INTAKE}),
        testing.intake_queue,
        _at("testing:home", "queue"),
    ),
    Kind(
        "samples_to_test",
        _("待检验的盲样"),
        frozenset({Role.ROLE_TESTER}),
        lambda user: testing.lab_queue(user, LabStatus.STATUS_TESTING),
        _at("testing:home", "testing"),
        due="due_on",
        codes="lab_code",
    ),
    Kind(
        "reports_to_review",
        _("待审核的报告"),
        frozenset({Role.ROLE_REVIEWER}),
        lambda user: testing.lab_queue(user, LabStatus.STATUS_SUBMITTED),
        _at("testing:home", "review"),
        due="due_on",
        codes="lab_code",
    ),
    Kind(
        "reports_to_approve",
        _("待批准的报告"),
        frozenset({Role.ROLE_APPROVER}),
        lambda user: testing.lab_queue(user, LabStatus.STATUS_REVIEWED),
        _at("testing:home", "approve"),
        due="due_on",
        codes="lab_code",
    ),
    Kind(
        "overdue_testing",
        _("超过检验期限的样品"),
        WRITERS | Role.LAB_ROLES,
        testing.overdue_testing,
        _at("testing:home", "overdue"),
        due="due_on",
        codes="lab_code",
    ),
    Kind(
        "notices_to_acknowledge",
        _("待签收的检验结果通知"),
        PARTIES,
        testing.notices_unacknowledged,
        _at("testing:home", "notices"),
        codes="report__code",
    ),
    Kind(
        "objection_windows",
        _("可提出异议的检验结果"),
        PARTIES,
        testing.objection_windows_open,
        _at("testing:home", "notices"),
        due="objection_due",
        codes="report__code",
    ),
    Kind(
        "referrals_to_acknowledge",
        _("待确认接收的移送案件"),
        WRITERS,
        enforcement.referrals_to_acknowledge,
        _at("enforcement:list", "referrals"),
        due="referral_due",
    ),
    Kind(
        "referrals_awaited",
        _("已移送、对方尚未确认的案件"),
        WRITERS,
        enforcement.referrals_awaited,
        _at("enforcement:list", "awaited"),
        due="referral_due",
    ),
    Kind(
        "case_steps_to_do",
        _("待办理的后处理步骤"),
        WRITERS,
        lambda user: enforcement.cases_to_act(user, "regulator"),
        _at("enforcement:list", "mine"),
        due="due",
    ),
    Kind(
        "case_steps_for_party",
        _("待我方办理的整改、复查事项"),
        PARTIES,
        lambda user: enforcement.cases_to_act(user, "enterprise"),
        _at("enforcement:list", "ours"),
        due="due",
    ),
    Kind(
        "removals_to_record",
        _("待登记退场的不合格批次"),
        frozenset({Role.ROLE_CONTRACTOR_STAFF}),
        enforcement.removals_to_record,
        _at("enforcement:list", "remove"),
    ),
    Kind(
        "removals_to_witness",
        _("待见证的不合格批次退场"),
        frozenset({Role.ROLE_SUPERVISOR_STAFF}),
        enforcement.removals_to_witness,
        _at("enforcement:list", "witness"),
    ),
    Kind(
        "announcements_to_publish",
        _("待审核公开的抽查结果公告"),
        WRITERS,
        disclosure.announcements_to_publish,
        _at("disclosure:manage", "publish"),
    ),
    Kind(
        "error_reports_to_answer",
        _("待答复的公众纠错"),
        WRITERS,
        disclosure.error_reports_to_answer,
        _at("disclosure:manage", "reports"),
        codes="row__row_id",
    ),
    Kind(
        "warnings_to_handle",
        _("待处置的质量预警"),
        WRITERS,
        analytics.warnings_to_handle,
        _at("analytics:warnings", "open"),
    ),
    Kind(
        "bulletins_to_publish",
        _("待审核公开的季度质量通报"),
        WRITERS,
        analytics.bulletins_to_publish,
        _at("analytics:bulletins", "list"),
    ),
    Kind(
        "project_results",
        _("本项目近 30 日的检验结果"),
        PROJECT_PARTIES,
        testing.recent_project_results,
        _at("testing:home", "reports"),
    ),
]

BY_KEY = {kind.key: kind for kind in KINDS}
