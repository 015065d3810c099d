"""Plan pages for regulators; task pages for regulators, agencies and samplers (the frame, ceremony and draw pages of a
plan are the draws app's: `choujian.draws.plan_views`).

Thin: selectors read, services write. A ServiceError becomes form errors (or a message on a button action), a
refusal (NotPermitted) a 403 page, a stale version a form error asking to reload.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from choujian.accounts.choices import Role
from choujian.core import listing
from choujian.core.access import login, roles
from choujian.core.errors import ConflictError, ServiceError
from choujian.core.feedback import message_errors
from choujian.core.templatetags.regions import region as region_label
from choujian.planning import forms, importers, listings, pages, selectors, services
from choujian.planning.choices import PlanStatus, ReplacementReason

REGULATORS = pages.REGULATORS
WRITERS = pages.WRITERS


# --- Plans -------------------------------------------------------------------------------------------------


@roles(REGULATORS)
def plan_list(request):
    query = (request.GET.get("q") or "").strip()[:100]
    status = request.GET.get("status") or ""
    plans = selectors.plans_visible_to(request.user)
    if query:
        plans = plans.filter(Q(code__icontains=query) | Q(name__icontains=query))
    if status in PlanStatus:
        plans = plans.filter(status=status)
    pager = Paginator(plans, listing.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/plan_list.html",
        {
            "pager": pager,
            "q": query,
            "status": status,
            "statuses": PlanStatus.CHOICES,
            "can_create": bool(selectors.writable_regulators(request.user)),
        },
    )


@roles(WRITERS)
def plan_create(request):
    regulators = selectors.writable_regulators(request.user)
    form = forms.PlanForm(request.POST or None, regulators=regulators)
    if request.method == "POST" and form.is_valid():
        data = form.plan_data()
        regulator = form.cleaned_data["regulator"]
        data["region"] = data["region"] or regulator.region
        try:
            plan = services.plan_create(actor=request.user, regulator=regulator, **data)
        except ServiceError as exc:
            pages.form_errors(form, exc)
        else:
            messages.success(request, _("计划 %(code)s 已创建，请添加产品类别及抽查批次") % {"code": plan.code})
            return redirect("planning:plan_detail", code=plan.code)
    return render(request, "planning/plan_form.html", {"form": form, "plan": None})


@roles(REGULATORS)
def plan_detail(request, code: str, line_form=None, return_form=None, status: int = 200):
    plan = pages.plan_for(request, code)
    context = pages.plan_context(request, plan, "plan")
    editable = context["can_edit"] and plan.status in PlanStatus.EDITABLE
    approver = selectors.can_approve_plan(request.user, plan)
    context.update(
        lines=selectors.plan_lines(plan),
        editable=editable,
        can_submit=editable,
        can_approve=approver and plan.status == PlanStatus.STATUS_SUBMITTED,
        is_drafter=plan.drafted_by_id == request.user.pk,
        missing_rules=selectors.categories_without_rules(plan)
        if plan.status in {*PlanStatus.EDITABLE, PlanStatus.STATUS_SUBMITTED}
        else [],
        line_form=line_form or (forms.LineForm() if editable else None),
        return_form=return_form or forms.ReturnForm(),
        region_label=region_label(plan.region),
    )
    return render(request, "planning/plan_detail.html", context, status=status)


@roles(WRITERS)
def plan_edit(request, code: str):
    plan = pages.plan_for(request, code)
    form = forms.PlanForm(request.POST or None, initial=forms.PlanForm.initial_for(plan), editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.plan_data()
        data["region"] = data["region"] or plan.regulator.region
        changes = {name: value for name, value in data.items() if getattr(plan, name) != value}
        try:
            services.plan_update(actor=request.user, plan=plan, version=form.cleaned_data["version"], **changes)
        except ServiceError as exc:
            pages.form_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("计划已保存"))
            return redirect("planning:plan_detail", code=plan.code)
    return render(request, "planning/plan_form.html", {"form": form, "plan": plan})


@roles(WRITERS)
@require_POST
def line_add(request, code: str):
    plan = pages.plan_for(request, code)
    form = forms.LineForm(request.POST)
    if form.is_valid():
        try:
            line = services.plan_line_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ServiceError as exc:
            pages.form_errors(form, exc)
        else:
            messages.success(
                request,
                _("已添加：%(category)s × %(quota)s 批次") % {"category": line.category.name, "quota": line.quota},
            )
            return redirect("planning:plan_detail", code=plan.code)
    return plan_detail.__wrapped__(request, code, line_form=form, status=400)


@roles(WRITERS)
@require_POST
def lines_import(request, code: str):
    plan = pages.plan_for(request, code)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要导入的 .xlsx 或 .csv 文件"))
        return redirect("planning:plan_detail", code=plan.code)
    result = importers.plan_lines_import(actor=request.user, plan=plan, upload=upload)
    for line in result.detail.splitlines():
        (messages.success if result.ok else messages.error)(request, line)
    return redirect("planning:plan_detail", code=plan.code)


@roles(WRITERS)
@require_POST
def line_remove(request, code: str, line_id):
    plan = pages.plan_for(request, code)
    line = plan.lines.filter(public_id=line_id).first()
    if line is None:
        raise Http404(_("该类别不存在"))
    try:
        services.plan_line_remove(actor=request.user, line=line)
    except ServiceError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, _("已删除：%(category)s") % {"category": line.category.name})
    return redirect("planning:plan_detail", code=plan.code)


def _transition(request, code: str, service, done: str, **kwargs):
    plan = pages.plan_for(request, code)
    try:
        service(actor=request.user, plan=plan, **kwargs)
    except ServiceError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("planning:plan_detail", code=plan.code)


@roles(WRITERS)
@require_POST
def plan_submit(request, code: str):
    return _transition(request, code, services.plan_submit, _("计划已提交，等待另一名监管管理员审批"))


@roles({Role.ROLE_REGULATOR_ADMIN})
@require_POST
def plan_approve(request, code: str):
    return _transition(request, code, services.plan_approve, _("计划已批准，可以生成抽样框"))


@roles({Role.ROLE_REGULATOR_ADMIN})
@require_POST
def plan_return(request, code: str):
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        return plan_detail.__wrapped__(request, code, return_form=form, status=400)
    return _transition(request, code, services.plan_return, _("计划已退回起草人"), reason=form.cleaned_data["reason"])


# --- Tasks -------------------------------------------------------------------------------------------------


def _require_task_reader(request) -> None:
    if not selectors.may_read_tasks(request.user):
        raise PermissionDenied(_("您的角色无权查看抽查任务"))


@login
def task_list(request):
    _require_task_reader(request)
    plan_code = (request.GET.get("plan") or "").strip()[:20]
    tasks = selectors.tasks_listed(request.user)
    if plan_code:
        tasks = tasks.filter(plan__code=plan_code)
    intro = _("计划 %(plan)s 的任务") % {"plan": plan_code} if plan_code else ""
    return listing.show(request, listings.TASKS, tasks, keep={"plan": plan_code}, intro=intro)


@login
def task_detail(request, code: str):
    _require_task_reader(request)
    task = selectors.tasks_visible_to(request.user).filter(code=code).first()
    if task is None:
        raise Http404(_("任务不存在或您无权查看"))
    replacement = getattr(task, "replacement", None)
    context = {
        "task": task,
        "inspectors": selectors.task_inspectors(task),
        "inspector_draw": task.draws.order_by("created_at").first(),
        "replaced_by": replacement,
        "replacement_visible": bool(replacement)
        and selectors.tasks_visible_to(request.user).filter(pk=replacement.replacement_id).exists(),
        "replacement_reason": ReplacementReason.display(replacement.reason) if replacement else "",
        "is_regulator": selectors.plans_regulated_by(request.user).filter(pk=task.plan_id).exists(),
    }
    return render(request, "planning/task_detail.html", context)
