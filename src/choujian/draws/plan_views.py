"""A plan's frame, seed ceremony and draw result pages, for its regulators (the plan pages around them:
`choujian.planning.views`). Thin: selectors read, services write."""

import segno
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from choujian.accounts.choices import Role
from choujian.core.access import roles
from choujian.core.errors import ServiceError
from choujian.core.feedback import message_errors
from choujian.draws import forms, selectors, services
from choujian.draws.choices import CeremonyStatus, SeedKind
from choujian.planning import pages
from choujian.planning import selectors as planning_selectors
from choujian.planning.choices import PlanStatus, ReplacementReason, TaskStatus

REGULATORS = pages.REGULATORS
WRITERS = pages.WRITERS
FRAME_PREVIEW = 500


def _context(request, plan, tab: str) -> dict:
    return pages.plan_context(request, plan, tab) | {"object_draw": selectors.plan_object_draw(plan)}


# --- Frame -------------------------------------------------------------------------------------------------


@roles(REGULATORS)
def frame_review(request, code: str, freeze_form=None, status: int = 200):
    plan = pages.plan_for(request, code)
    context = _context(request, plan, "frame")
    frame = selectors.frame_of(plan)
    approved = plan.status == PlanStatus.STATUS_APPROVED
    context.update(
        frame=frame,
        review=selectors.frame_review(frame, limit=FRAME_PREVIEW) if frame else None,
        preview=FRAME_PREVIEW,
        can_build=context["can_edit"] and approved,
        can_freeze=context["can_edit"] and approved and frame is not None,
        freeze_form=freeze_form or forms.FreezeForm(),
    )
    return render(request, "draws/frame.html", context, status=status)


@roles(WRITERS)
@require_POST
def frame_build(request, code: str):
    plan = pages.plan_for(request, code)
    try:
        frame = services.frame_build(actor=request.user, plan=plan)
    except ServiceError as exc:
        message_errors(request, exc)
    else:
        messages.success(
            request,
            _("抽样框已生成：%(items)s 条，排除 %(excluded)s 条，摘要 %(digest)s…")
            % {"items": frame.items.count(), "excluded": frame.exclusions.count(), "digest": frame.digest[:16]},
        )
    return redirect("draws:frame", code=plan.code)


@roles(WRITERS)
@require_POST
def plan_freeze(request, code: str):
    plan = pages.plan_for(request, code)
    form = forms.FreezeForm(request.POST)
    if form.is_valid():
        try:
            services.frame_freeze(actor=request.user, plan=plan, **form.cleaned_data)
        except ServiceError as exc:
            pages.form_errors(form, exc)
        else:
            messages.success(request, _("抽样框已锁定，承诺根已公布并写入追溯日志；请逐一为参与人发放个人链接"))
            return redirect("draws:ceremony", code=plan.code)
    return frame_review.__wrapped__(request, code, freeze_form=form, status=400)


# --- Ceremony ----------------------------------------------------------------------------------------------


def _qr(link: str) -> str:
    return segno.make(link, error="m").svg_inline(scale=3)


@roles(REGULATORS)
def ceremony_page(request, code: str, seed_form=None, status: int = 200, issued: dict | None = None):
    plan = pages.plan_for(request, code)
    context = _context(request, plan, "ceremony")
    ceremony = context["ceremony"]
    if ceremony is not None:
        state = selectors.ceremony_status(ceremony)
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
                and planning_selectors.can_approve_plan(request.user, plan)
            ),
            seed_form=seed_form or forms.ExternalSeedForm(),
        )
    template = "draws/_ceremony_status.html" if request.headers.get("HX-Request") else "draws/ceremony.html"
    return render(request, template, context, status=status)


@roles(WRITERS)
@require_POST
def ceremony_link(request, code: str):
    """Issue one participant's personal link and show it this once (with its QR code) to be handed over."""
    plan = pages.plan_for(request, code)
    ceremony = selectors.ceremony_of(plan)
    participant = ceremony.participants.filter(name=request.POST.get("participant", "")).first() if ceremony else None
    if participant is None:
        raise Http404(_("没有这位参与人"))
    try:
        token = services.ceremony_link_issue(actor=request.user, participant=participant)
    except ServiceError as exc:
        messages.error(request, "；".join(m for msgs in exc.errors.values() for m in msgs))
        return redirect("draws:ceremony", code=plan.code)
    link = request.build_absolute_uri(reverse("ceremony:participant", args=[token]))
    issued = {"name": participant.name, "link": link, "qr": _qr(link)}
    return ceremony_page.__wrapped__(request, code, issued=issued)


@roles(WRITERS)
@require_POST
def ceremony_beacon(request, code: str):
    """A second person enters the public beacon's value; the seed and the draw follow."""
    plan = pages.plan_for(request, code)
    ceremony = selectors.ceremony_of(plan)
    if ceremony is None:
        raise Http404(_("仪式尚未开始"))
    try:
        services.ceremony_beacon_enter(actor=request.user, ceremony=ceremony, value=request.POST.get("value", ""))
    except ServiceError as exc:
        messages.error(request, "；".join(m for msgs in exc.errors.values() for m in msgs))
        return redirect("draws:ceremony", code=plan.code)
    messages.success(request, _("信标已录入，种子已生成，抽取已完成"))
    return redirect("draws:draw_result", code=plan.code)


@roles(WRITERS)
@require_POST
def sampling_close(request, code: str):
    """End the plan's sampling: the draw is then revealed in full."""
    plan = pages.plan_for(request, code)
    try:
        services.plan_sampling_close(actor=request.user, plan=plan)
    except ServiceError as exc:
        messages.error(request, "；".join(m for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(request, _("已结束抽样：抽样框与抽取结果已全部公开，任何人都可重算"))
    return redirect("draws:draw_result", code=plan.code)


@roles({Role.ROLE_REGULATOR_ADMIN})
@require_POST
def external_seed(request, code: str):
    plan = pages.plan_for(request, code)
    ceremony = selectors.ceremony_of(plan)
    if ceremony is None:
        raise Http404(_("仪式尚未开始"))
    form = forms.ExternalSeedForm(request.POST)
    if form.is_valid():
        try:
            services.ceremony_external_seed(actor=request.user, ceremony=ceremony, **form.cleaned_data)
        except ServiceError as exc:
            pages.form_errors(form, exc)
        else:
            messages.success(request, _("外部随机数已录入，抽取已完成"))
            return redirect("draws:draw_result", code=plan.code)
    return ceremony_page.__wrapped__(request, code, seed_form=form, status=400)


# --- Draw result and replacements --------------------------------------------------------------------------


@roles(REGULATORS)
def draw_result(request, code: str, replace_form=None, status: int = 200):
    plan = pages.plan_for(request, code)
    context = _context(request, plan, "draw")
    draw = context["object_draw"]
    if draw is not None:
        tasks = list(planning_selectors.tasks_visible_to(request.user).filter(plan=plan).order_by("code"))
        inspectors = planning_selectors.inspectors_by_task(tasks)
        replacements = [
            {"row": r, "reason": ReplacementReason.display(r.reason)} for r in selectors.replacements_of(plan)
        ]
        open_tasks = planning_selectors.open_tasks(plan)
        can_replace = context["can_edit"] and open_tasks.exists()
        context.update(
            record=selectors.full_record(draw),
            tasks=[{"task": t, "inspectors": inspectors.get(t.pk, [])} for t in tasks],
            alternates=selectors.alternates_of(plan, draw),
            replacements=replacements,
            can_replace=can_replace,
            replace_form=replace_form or (forms.ReplaceForm(tasks=open_tasks) if can_replace else None),
            short=[t for t in tasks if t.status == TaskStatus.STATUS_SHORT_OF_INSPECTORS],
        )
    return render(request, "draws/draw_result.html", context, status=status)


@roles(WRITERS)
@require_POST
def task_replace(request, code: str):
    plan = pages.plan_for(request, code)
    form = forms.ReplaceForm(request.POST, request.FILES, tasks=planning_selectors.open_tasks(plan))
    if form.is_valid():
        data = form.cleaned_data
        try:
            replacement = services.task_replace(
                actor=request.user,
                task=data["task"],
                reason=data["reason"],
                note=data["note"],
                evidence=data["evidence"],
            )
        except ServiceError as exc:
            pages.form_errors(form, exc)
        else:
            messages.success(
                request,
                _("任务 %(task)s 已由备选对象递补：新任务 %(new)s")
                % {"task": data["task"].code, "new": replacement.code},
            )
            return redirect("draws:draw_result", code=plan.code)
    return draw_result.__wrapped__(request, code, replace_form=form, status=400)
