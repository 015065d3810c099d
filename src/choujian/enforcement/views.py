"""Enforcement pages: the list of cases and a case with its steps on their clocks. Thin: the services decide."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from choujian.core import listing
from choujian.core.access import login
from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.core.policy import permits
from choujian.enforcement import ladders, listings, policy, selectors, services
from choujian.enforcement.forms import StepForm, SuspendForm


@login
def case_list(request):
    """Every case the user may see; above it, what waits for the user (the lists the to-do page counts)."""
    user = request.user
    waiting = [
        ("referrals", _("待确认接收的移送案件"), selectors.referrals_to_acknowledge(user), "referral_due"),
        ("awaited", _("已移送、对方尚未确认的案件"), selectors.referrals_awaited(user), "referral_due"),
        ("mine", _("待我方（监管部门）办理的步骤"), selectors.cases_to_act(user, "regulator"), "due"),
        ("ours", _("待我方（企业）办理的整改、复查事项"), selectors.cases_to_act(user, "enterprise"), "due"),
    ]
    sections = [(anchor, title, list(rows[:100]), due) for anchor, title, rows, due in waiting]
    sections = [section for section in sections if section[2]]
    context = {"above": "enforcement/_waiting.html", "sections": sections, "today": timezone.localdate()}
    return listing.show(request, listings.CASES, selectors.cases_visible_to(user), **context)


def _case(request, code: str):
    case = selectors.cases_visible_to(request.user).filter(code=code).first()
    if case is None:
        raise Http404(_("案件不存在或您无权查看"))
    return case


def _choices(case, step, user) -> list[dict]:
    """The results the viewer may give the current step, each with what follows it."""
    if step is None or step.suspended_since is not None:
        return []
    rule = case.rules.step(step.code)
    action = policy.ACT_ENTERPRISE if rule.actor == "enterprise" else policy.ACT_REGULATOR
    if not permits(user, action, case):
        return []
    choices = []
    for result, target in rule.results.items():
        follows = ladders.outcome_label(target) or _("下一步：%(step)s") % {"step": case.rules.step(target).name}
        closes = target in ladders.CONCLUSIONS
        choices.append({"result": result, "label": ladders.RESULTS[result], "follows": follows, "closes": closes})
    return choices


@login
def case_page(request, code: str):
    case = _case(request, code)
    steps = list(selectors.case_steps(case))
    current = next((s for s in reversed(steps) if s.done_at is None), None)
    context = {
        "case": case,
        "rules": case.rules,
        "steps": steps,
        "current": current,
        "today": timezone.localdate(),
        "choices": _choices(case, current, request.user),
        "may_suspend": current is not None and permits(request.user, policy.ACT_REGULATOR, case),
        "may_acknowledge": case.referral_open and permits(request.user, policy.ACKNOWLEDGE, case),
        "step_form": StepForm(),
        "suspend_form": SuspendForm(),
    }
    return render(request, "enforcement/case.html", context)


@login
@require_POST
def case_action(request, code: str, action: str):
    case = _case(request, code)
    version = request.POST.get("version")
    version = int(version) if version and version.isdigit() and len(version) < 9 else None
    try:
        if action == "step":
            form = StepForm(request.POST)
            if not form.is_valid():
                raise ServiceError({k: list(v) for k, v in form.errors.items()})
            data = form.cleaned_data
            services.step_take(
                actor=request.user, case=case, step=data["step"], result=data["result"], note=data["note"],
                version=version,
            )  # fmt: skip
            messages.success(request, _("已办理"))
        elif action == "suspend":
            services.step_suspend(actor=request.user, case=case, reason=request.POST.get("reason", ""), version=version)
            messages.success(request, _("期限已中止"))
        elif action == "resume":
            services.step_resume(actor=request.user, case=case, version=version)
            messages.success(request, _("期限已恢复，中止的天数已计入期限"))
        elif action == "acknowledge":
            services.referral_acknowledge(actor=request.user, case=case, version=version)
            messages.success(request, _("已确认接收移送的案件"))
        else:
            raise Http404
    except ConflictError:
        messages.error(request, _("案件已被他人更新，请查看最新情况后再办理"))
    except NotPermitted as exc:
        messages.error(request, str(exc))
    except ServiceError as exc:
        for errors in exc.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("enforcement:case", code=code)
