"""Enforcement pages: the list of cases and a case with its steps on their clocks. Thin: the services decide."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from choujian.core import listing
from choujian.core.access import login, public
from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.core.feedback import message_errors
from choujian.core.policy import permits
from choujian.enforcement import credit_rules, documents, ladders, listings, policy, rechecks, selectors, services
from choujian.enforcement.forms import StepForm


@login
def case_list(request):
    """Every case the user may see; above it, what waits for the user (the lists the to-do page counts)."""
    user = request.user
    waiting = [
        ("referrals", _("待确认接收的移送案件"), selectors.referrals_to_acknowledge(user), "referral_due"),
        ("awaited", _("已移送、对方尚未确认的案件"), selectors.referrals_awaited(user), "referral_due"),
        ("mine", _("待我方（监管部门）办理的步骤"), selectors.cases_to_act(user, "regulator"), "due"),
        ("ours", _("待我方（企业）办理的整改、复查事项"), selectors.cases_to_act(user, "enterprise"), "due"),
        ("remove", _("待登记退场的不合格批次"), selectors.removals_to_record(user), "due"),
        ("witness", _("待见证的不合格批次退场"), selectors.removals_to_witness(user), "due"),
    ]
    sections = [(anchor, title, list(rows[:100]), due) for anchor, title, rows, due in waiting]
    sections = [section for section in sections if section[2]]  # the blacklist link shows even when none waits
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
    if rule.sampled or not permits(user, action, case):
        return []  # a 复查's result comes from its sampling task
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
        "rechecks": list(selectors.case_rechecks(case)),
        "may_order_recheck": selectors.recheck_may_be_ordered(case, current)
        and permits(request.user, policy.ACT_REGULATOR, case),
        "may_acknowledge": case.referral_open and permits(request.user, policy.ACKNOWLEDGE, case),
        "files": list(selectors.case_files(case)),
        "may_attach": current is not None and bool(_choices(case, current, request.user)),
        "removals": list(case.removals.select_related("recorded_by", "witnessed_by").prefetch_related("files")),
        "penalties": list(case.penalties.select_related("subject", "decided_by")),
        "at_risk": list(selectors.at_risk_deliveries(request.user, case)[:50]),
        "may_remove": case.delivery_id and permits(request.user, policy.RECORD_REMOVAL, case),
        "may_witness": case.delivery_id and permits(request.user, policy.WITNESS_REMOVAL, case),
        "may_fine": case.delivery_id and permits(request.user, policy.ACT_REGULATOR, case),
        "may_contract_penalty": case.delivery_id and permits(request.user, policy.CONTRACT_PENALTY, case),
        "documents": documents.available(case),
        "art64_range": services.art64_range(case.delivery.section.contract_price)
        if case.delivery_id and case.delivery.section.contract_price
        else None,
    }
    return render(request, "enforcement/case.html", context)


@login
def case_file(request, code: str, public_id):
    case = _case(request, code)
    record = selectors.case_files(case).filter(public_id=public_id).first()
    if record is None:
        raise Http404(_("材料不存在"))
    try:
        stored = record.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("材料文件不在存储中")) from None
    return FileResponse(stored, as_attachment=True, filename=record.original_name)


def _number(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdecimal() and len(raw) < 10 else None


@login
@require_POST
def case_action(request, code: str, action: str):
    case = _case(request, code)
    version = _number(request.POST.get("version"))
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
        elif action == "recheck":
            recheck = rechecks.recheck_order(actor=request.user, case=case, version=version)
            messages.success(
                request, _("已下达复查抽样任务 %(code)s，抽样人员已随机抽取") % {"code": recheck.task.code}
            )
        elif action == "suspend":
            services.step_suspend(actor=request.user, case=case, reason=request.POST.get("reason", ""), version=version)
            messages.success(request, _("期限已中止"))
        elif action == "resume":
            services.step_resume(actor=request.user, case=case, version=version)
            messages.success(request, _("期限已恢复，中止的天数已计入期限"))
        elif action == "file":
            services.step_file_attach(actor=request.user, case=case, upload=request.FILES.get("file"))
            messages.success(request, _("材料已提交，已记录其 SHA-256"))
        elif action == "removal":
            services.removal_record(
                actor=request.user, case=case, quantity=request.POST.get("quantity", ""),
                unit=request.POST.get("unit", ""), place=request.POST.get("place", ""),
                removed_on=request.POST.get("removed_on", ""), note=request.POST.get("note", ""),
                photos=request.FILES.getlist("photos"), version=version,
            )  # fmt: skip
            messages.success(request, _("已登记退场，等待监理见证"))
        elif action == "witness":
            removal = case.removals.filter(pk=_number(request.POST.get("removal"))).first()
            if removal is None:
                raise ServiceError({"removal": [_("没有这项退场记录")]})
            services.removal_witness(actor=request.user, case=case, removal=removal, note=request.POST.get("note", ""))
            messages.success(request, _("已见证退场"))
        elif action == "penalty":
            services.penalty_decide(
                actor=request.user, case=case, kind=request.POST.get("kind", ""), rate=request.POST.get("rate"),
                amount=request.POST.get("amount"), decision_no=request.POST.get("decision_no", ""),
                decided_on=request.POST.get("decided_on", ""), basis=request.POST.get("basis", ""),
                subject=request.POST.get("subject", "contractor"), version=version,
            )  # fmt: skip
            messages.success(request, _("已登记处罚决定"))
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
        message_errors(request, exc)
    return redirect("enforcement:case", code=code)


@login
def blacklist(request):
    """The blacklist and credit records the user may see, with credit repair by the enterprise and two regulators."""
    user = request.user
    entries = list(selectors.blacklist_visible_to(user).order_by("-status", "-listed_on")[:200])  # listed first
    for entry in entries:
        entry.may_apply = permits(user, policy.APPLY_REPAIR, entry)
        entry.may_decide = permits(user, policy.DECIDE_REPAIR, entry)
    context = {
        "entries": entries,
        "records": list(selectors.credit_records_visible_to(user)[:200]),
        "repair_after": credit_rules.RULES.repair_after_years,
    }
    return render(request, "enforcement/blacklist.html", context)


@login
@require_POST
def blacklist_action(request, public_id, action: str):
    entry = selectors.blacklist_visible_to(request.user).filter(public_id=public_id).first()
    if entry is None:
        raise Http404(_("记录不存在"))
    try:
        if action == "apply":
            services.repair_apply(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
            messages.success(request, _("已提交信用修复申请"))
        elif action == "review":
            services.repair_review(actor=request.user, entry=entry, note=request.POST.get("note", ""))
            messages.success(request, _("已提交审查意见，待另一人决定"))
        elif action == "decide":
            approve = request.POST.get("decision") == "approve"
            services.repair_decide(actor=request.user, entry=entry, approve=approve)
            messages.success(request, _("已作出决定"))
        else:
            raise Http404
    except NotPermitted as exc:
        messages.error(request, str(exc))
    except ServiceError as exc:
        message_errors(request, exc)
    return redirect("enforcement:blacklist")


def _document_url(request, case, kind: str, index: int) -> str:
    path = reverse("enforcement-document-verify", args=[documents.token(case, kind, index)])
    base = settings.CHOUJIAN_PUBLIC_URL
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


@login
def case_document(request, code: str, kind: str, index: int = 0):
    """A document of the case as a PDF, built from what the case recorded (the same file every time)."""
    case = _case(request, code)
    if kind not in documents.KINDS:
        raise Http404
    try:
        document = documents.build(case, kind, index)
    except documents.NotIssued:
        raise Http404(_("本案尚未形成该文书")) from None
    content = documents.pdf(document, _document_url(request, case, kind, index))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{document.title}-{document.number}.pdf")
    return response


@public
def document_verify(request, token: str):
    """Anyone holding a case document checks it: the document as the case records it now, and whether it is the
    one the QR code was printed with."""
    data = documents.read_token(token)
    case = selectors.case_for_document(data["c"]) if data else None
    document = None
    if case is not None and data["k"] in documents.KINDS:
        try:
            document = documents.build(case, data["k"], int(data["i"]))
        except (documents.NotIssued, ValueError, TypeError):
            document = None
    context = {"document": document, "matches": document is not None and document.sha256[:32] == data.get("d")}
    return render(request, "enforcement/document_verify.html", context, status=200 if document else 404)
