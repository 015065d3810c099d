"""What every page about one plan shares, for the planning pages and the draw pages built on them: the plan as the
regulator may see it, the tabs and steps at the top, and service errors shown on a form or as messages."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from choujian.accounts.choices import Role
from choujian.core.errors import ServiceError
from choujian.planning import selectors
from choujian.planning.choices import PlanStatus
from choujian.planning.models import Plan

REGULATORS = Role.REGULATOR_ROLES
WRITERS = Role.REGULATOR_WRITERS
STEPS = [
    (PlanStatus.STATUS_DRAFT, gettext_lazy("起草")),
    (PlanStatus.STATUS_SUBMITTED, gettext_lazy("审批")),
    (PlanStatus.STATUS_APPROVED, gettext_lazy("生成抽样框")),
    (PlanStatus.STATUS_FROZEN, gettext_lazy("抽取仪式")),
    (PlanStatus.STATUS_DRAWN, gettext_lazy("已抽取")),
]


def plan_for(request, code: str) -> Plan:
    plan = selectors.plans_regulated_by(request.user).filter(code=code).first()
    if plan is None:
        raise Http404(_("计划不存在或您无权查看"))
    return plan


def form_errors(form, exc: ServiceError) -> None:
    for name, errors in exc.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def steps(plan: Plan) -> list[tuple[str, str]]:
    order = [value for value, _ in STEPS]
    current = order.index(plan.status) if plan.status in order else len(order)
    return [
        (label, "done" if i < current else "current" if i == current else "todo") for i, (_, label) in enumerate(STEPS)
    ]


def plan_context(request, plan: Plan, tab: str) -> dict:
    return {
        "plan": plan,
        "tab": tab,
        "steps": steps(plan),
        "can_edit": selectors.can_edit_plan(request.user, plan),
        # The draw's records hang off the plan (reverse relations): planning needs no import of the draws app.
        "has_frame": hasattr(plan, "frame"),
        "ceremony": getattr(plan, "ceremony", None),
        "drawn": plan.status in {PlanStatus.STATUS_DRAWN, PlanStatus.STATUS_CLOSED},
    }
