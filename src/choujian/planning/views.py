"""Plan, frame, ceremony and draw-result pages for regulators; task pages for regulators, agencies and samplers.

Thin: selectors read, services write. A ServiceError becomes form errors (or a message on a button action), a
refusal (NotPermitted) a 403 page, a stale version a form error asking to reload.
"""

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from choujian.accounts.choices import Role
from choujian.core.access import login, roles
from choujian.core.errors import ConflictError, ServiceError
from choujian.core.templatetags.regions import region as region_label
from choujian.draws import selectors as draw_selectors
from choujian.draws import services as draw_services
from choujian.draws.choices import CeremonyStatus, SeedKind
from choujian.planning import forms, importers, selectors, services
from choujian.planning.choices import PlanStatus, ReplacementReason, TaskStatus
from choujian.planning.models import Plan

REGULATORS = Role.REGULATOR_ROLES
WRITERS = Role.REGULATOR_WRITERS
FRAME_PREVIEW = 500
STEPS = [
    (PlanStatus.STATUS_DRAFT, gettext_lazy("起草")),
    (PlanStatus.STATUS_SUBMITTED, gettext_lazy("审批")),
    (PlanStatus.STATUS_APPROVED, gettext_lazy("生成抽样框")),
    (PlanStatus.STATUS_FROZEN, gettext_lazy("抽取仪式")),
    (PlanStatus.STATUS_DRAWN, gettext_lazy("已抽取")),
]


def _plan(request, code: str) -> Plan:
    plan = selectors.plans_regulated_by(request.user).filter(code=code).first()
    if plan is None:
        raise Http404(_("计划不存在或您无权查看"))
    return plan


def _form_errors(form, exc: ServiceError) -> None:
    for name, errors in exc.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def _message_errors(request, exc: ServiceError) -> None:
    for errors in exc.errors.values():
        for error in errors:
            messages.error(request, error)


def _steps(plan: Plan) -> list[tuple[str, str]]:
    order = [value for value, _ in STEPS]
    current = order.index(plan.status) if plan.status in order else len(order)
    return [
        (label, "done" if i < current else "current" if i == current else "todo") for i, (_, label) in enumerate(STEPS)
    ]


def _plan_context(request, plan: Plan, tab: str) -> dict:
    return {
        "plan": plan,
        "tab": tab,
        "steps": _steps(plan),
        "can_edit": selectors.can_edit_plan(request.user, plan),
        "has_frame": draw_selectors.frame_of(plan) is not None,
        "ceremony": draw_selectors.ceremony_of(plan),
        "object_draw": draw_selectors.plan_object_draw(plan),
    }


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
    pager = Paginator(plans, 25).get_page(request.GET.get("page"))
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
            _form_errors(form, exc)
        else:
            messages.success(request, _("计划 %(code)s 已创建，请添加产品类别及抽查批次") % {"code": plan.code})
            return redirect("planning:plan_detail", code=plan.code)
    return render(request, "planning/plan_form.html", {"form": form, "plan": None})


@roles(REGULATORS)
def plan_detail(request, code: str, line_form=None, return_form=None, status: int = 200):
    plan = _plan(request, code)
    context = _plan_context(request, plan, "plan")
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
    plan = _plan(request, code)
    form = forms.PlanForm(request.POST or None, initial=forms.PlanForm.initial_for(plan), editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.plan_data()
        data["region"] = data["region"] or plan.regulator.region
        changes = {name: value for name, value in data.items() if getattr(plan, name) != value}
        try:
            services.plan_update(actor=request.user, plan=plan, version=form.cleaned_data["version"], **changes)
        except ServiceError as exc:
            _form_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("计划已保存"))
            return redirect("planning:plan_detail", code=plan.code)
    return render(request, "planning/plan_form.html", {"form": form, "plan": plan})


@roles(WRITERS)
@require_POST
def line_add(request, code: str):
    plan = _plan(request, code)
    form = forms.LineForm(request.POST)
    if form.is_valid():
        try:
            line = services.plan_line_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ServiceError as exc:
            _form_errors(form, exc)
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
    plan = _plan(request, code)
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
    plan = _plan(request, code)
    line = plan.lines.filter(public_id=line_id).first()
    if line is None:
        raise Http404(_("该类别不存在"))
    try:
        services.plan_line_remove(actor=request.user, line=line)
    except ServiceError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, _("已删除：%(category)s") % {"category": line.category.name})
    return redirect("planning:plan_detail", code=plan.code)


def _transition(request, code: str, service, done: str, **kwargs):
    plan = _plan(request, code)
    try:
        service(actor=request.user, plan=plan, **kwargs)
    except ServiceError as exc:
        _message_errors(request, exc)
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


# --- Frame -------------------------------------------------------------------------------------------------


@roles(REGULATORS)
def frame_review(request, code: str, freeze_form=None, status: int = 200):
    plan = _plan(request, code)
    context = _plan_context(request, plan, "frame")
    frame = draw_selectors.frame_of(plan)
    approved = plan.status == PlanStatus.STATUS_APPROVED
    context.update(
        frame=frame,
        review=draw_selectors.frame_review(frame, limit=FRAME_PREVIEW) if frame else None,
        preview=FRAME_PREVIEW,
        can_build=context["can_edit"] and approved,
        can_freeze=context["can_edit"] and approved and frame is not None,
        freeze_form=freeze_form or forms.FreezeForm(),
    )
    return render(request, "planning/frame.html", context, status=status)


@roles(WRITERS)
@require_POST
def frame_build(request, code: str):
    plan = _plan(request, code)
    try:
        frame = draw_services.frame_build(actor=request.user, plan=plan)
    except ServiceError as exc:
        _message_errors(request, exc)
    else:
        messages.success(
            request,
            _("抽样框已生成：%(items)s 条，排除 %(excluded)s 条，摘要 %(digest)s…")
            % {"items": frame.items.count(), "excluded": frame.exclusions.count(), "digest": frame.digest[:16]},
        )
    return redirect("planning:frame", code=plan.code)


@roles(WRITERS)
@require_POST
def plan_freeze(request, code: str):
    plan = _plan(request, code)
    form = forms.FreezeForm(request.POST)
    if form.is_valid():
        try:
            draw_services.frame_freeze(actor=request.user, plan=plan, **form.cleaned_data)
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("抽样框已锁定，承诺根已公布并写入追溯日志；请逐一为参与人发放个人链接"))
            return redirect("planning:ceremony", code=plan.code)
    return frame_review.__wrapped__(request, code, freeze_form=form, status=400)


# --- Ceremony ----------------------------------------------------------------------------------------------


def _qr(link: str) -> str:
    return segno.make(link, error="m").svg_inline(scale=3)


@roles(REGULATORS)
def ceremony_page(request, code: str, seed_form=None, status: int = 200, issued: dict | None = None):
    plan = _plan(request, code)
    context = _plan_context(request, plan, "ceremony")
    ceremony = context["ceremony"]
    if ceremony is not None:
        state = draw_selectors.ceremony_status(ceremony)
        context.update(
            issued=issued,
            awaiting_beacon=ceremony.status == CeremonyStatus.STATUS_BEACON,
            beacon=ceremony.beacon(),
            can_enter_beacon=(
                ceremony.status == CeremonyStatus.STATUS_BEACON
                and context["can_edit"]
                and ceremony.opened_by_id != request.user.pk
            ),
        )
        context.update(
            state=state,
            blocked=ceremony.status == CeremonyStatus.STATUS_BLOCKED,
            missing=[p["name"] for p in state["participants"] if not p["revealed"]],
            polling=ceremony.status in {CeremonyStatus.STATUS_COMMITTING, CeremonyStatus.STATUS_REVEALING},
            external=ceremony.kind == SeedKind.KIND_EXTERNAL,
            can_seed=(
                ceremony.kind == SeedKind.KIND_EXTERNAL
                and not ceremony.seed
                and selectors.can_approve_plan(request.user, plan)
            ),
            seed_form=seed_form or forms.ExternalSeedForm(),
        )
    template = "planning/_ceremony_status.html" if request.headers.get("HX-Request") else "planning/ceremony.html"
    return render(request, template, context, status=status)


@roles(WRITERS)
@require_POST
def ceremony_link(request, code: str):
    """Issue one participant's personal link and show it this once (with its QR code) to be handed over."""
    plan = _plan(request, code)
    ceremony = draw_selectors.ceremony_of(plan)
    participant = ceremony.participants.filter(name=request.POST.get("participant", "")).first() if ceremony else None
    if participant is None:
        raise Http404(_("没有这位参与人"))
    try:
        token = draw_services.ceremony_link_issue(actor=request.user, participant=participant)
    except ServiceError as exc:
        messages.error(request, "；".join(m for msgs in exc.errors.values() for m in msgs))
        return redirect("planning:ceremony", code=plan.code)
    link = request.build_absolute_uri(reverse("ceremony:participant", args=[token]))
    issued = {"name": participant.name, "link": link, "qr": _qr(link)}
    return ceremony_page.__wrapped__(request, code, issued=issued)


@roles(WRITERS)
@require_POST
def ceremony_beacon(request, code: str):
    """A second person enters the public beacon's value; the seed and the draw follow."""
    plan = _plan(request, code)
    ceremony = draw_selectors.ceremony_of(plan)
    if ceremony is None:
        raise Http404(_("仪式尚未开始"))
    try:
        draw_services.ceremony_beacon_enter(actor=request.user, ceremony=ceremony, value=request.POST.get("value", ""))
    except ServiceError as exc:
        messages.error(request, "；".join(m for msgs in exc.errors.values() for m in msgs))
        return redirect("planning:ceremony", code=plan.code)
    messages.success(request, _("信标已录入，种子已生成，抽取已完成"))
    return redirect("planning:draw_result", code=plan.code)


@roles(WRITERS)
@require_POST
def sampling_close(request, code: str):
    """End the plan's sampling: the draw is then revealed in full."""
    plan = _plan(request, code)
    try:
        draw_services.plan_sampling_close(actor=request.user, plan=plan)
    except ServiceError as exc:
        messages.error(request, "；".join(m for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(request, _("已结束抽样：抽样框与抽取结果已全部公开，任何人都可重算"))
    return redirect("planning:draw_result", code=plan.code)


@roles({Role.ROLE_REGULATOR_ADMIN})
@require_POST
def external_seed(request, code: str):
    plan = _plan(request, code)
    ceremony = draw_selectors.ceremony_of(plan)
    if ceremony is None:
        raise Http404(_("仪式尚未开始"))
    form = forms.ExternalSeedForm(request.POST)
    if form.is_valid():
        try:
            draw_services.ceremony_external_seed(actor=request.user, ceremony=ceremony, **form.cleaned_data)
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("外部随机数已录入，抽取已完成"))
            return redirect("planning:draw_result", code=plan.code)
    return ceremony_page.__wrapped__(request, code, seed_form=form, status=400)


# --- Draw result and replacements --------------------------------------------------------------------------


@roles(REGULATORS)
def draw_result(request, code: str, replace_form=None, status: int = 200):
    plan = _plan(request, code)
    context = _plan_context(request, plan, "draw")
    draw = context["object_draw"]
    if draw is not None:
        tasks = list(selectors.tasks_visible_to(request.user).filter(plan=plan).order_by("code"))
        inspectors = draw_selectors.inspectors_by_task(tasks)
        replacements = [
            {"row": r, "reason": ReplacementReason.display(r.reason)} for r in draw_selectors.replacements_of(plan)
        ]
        open_tasks = selectors.open_tasks(plan)
        can_replace = context["can_edit"] and open_tasks.exists()
        context.update(
            record=draw_selectors.full_record(draw),
            tasks=[{"task": t, "inspectors": inspectors.get(t.pk, [])} for t in tasks],
            alternates=draw_selectors.alternates_of(plan, draw),
            replacements=replacements,
            can_replace=can_replace,
            replace_form=replace_form or (forms.ReplaceForm(tasks=open_tasks) if can_replace else None),
            short=[t for t in tasks if t.status == TaskStatus.STATUS_SHORT_OF_INSPECTORS],
        )
    return render(request, "planning/draw_result.html", context, status=status)


@roles(WRITERS)
@require_POST
def task_replace(request, code: str):
    plan = _plan(request, code)
    form = forms.ReplaceForm(request.POST, request.FILES, tasks=selectors.open_tasks(plan))
    if form.is_valid():
        data = form.cleaned_data
        try:
            replacement = draw_services.task_replace(
                actor=request.user,
                task=data["task"],
                reason=data["reason"],
                note=data["note"],
                evidence=data["evidence"],
            )
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("任务 %(task)s 已由备选对象递补：新任务 %(new)s")
                % {"task": data["task"].code, "new": replacement.code},
            )
            return redirect("planning:draw_result", code=plan.code)
    return draw_result.__wrapped__(request, code, replace_form=form, status=400)


# --- Tasks -------------------------------------------------------------------------------------------------


def _require_task_reader(request) -> None:
    if not selectors.may_read_tasks(request.user):
        raise PermissionDenied(_("您的角色无权查看抽查任务"))


@login
def task_list(request):
    _require_task_reader(request)
    query = (request.GET.get("q") or "").strip()[:100]
    plan_code = (request.GET.get("plan") or "").strip()[:20]
    tasks = selectors.tasks_visible_to(request.user).order_by("-drawn_at", "code")
    if plan_code:
        tasks = tasks.filter(plan__code=plan_code)
    if query:
        tasks = tasks.filter(
            Q(code__icontains=query) | Q(enterprise__name__icontains=query) | Q(product__name__icontains=query)
        )
    pager = Paginator(tasks, 25).get_page(request.GET.get("page"))
    inspectors = draw_selectors.inspectors_by_task(pager.object_list)
    rows = [{"task": t, "inspectors": inspectors.get(t.pk, [])} for t in pager]
    return render(request, "planning/task_list.html", {"pager": pager, "rows": rows, "q": query, "plan": plan_code})


@login
def task_detail(request, code: str):
    _require_task_reader(request)
    task = selectors.tasks_visible_to(request.user).filter(code=code).first()
    if task is None:
        raise Http404(_("任务不存在或您无权查看"))
    replacement = getattr(task, "replacement", None)
    context = {
        "task": task,
        "inspectors": draw_selectors.task_inspectors(task),
        "inspector_draw": task.draws.order_by("created_at").first(),
        "replaced_by": replacement,
        "replacement_visible": bool(replacement)
        and selectors.tasks_visible_to(request.user).filter(pk=replacement.replacement_id).exists(),
        "replacement_reason": ReplacementReason.display(replacement.reason) if replacement else "",
        "is_regulator": selectors.plans_regulated_by(request.user).filter(pk=task.plan_id).exists(),
    }
    return render(request, "planning/task_detail.html", context)
