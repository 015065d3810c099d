"""Laboratory pages (intake, the blind worklist and sample page, review and approval), report pages for the
organiser and the inspected party (notice, objection, re-test), the regulator's oversight page, and the public
report check. Thin: selectors read, services write."""

import hashlib
import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from choujian.accounts.choices import Role
from choujian.core import listing
from choujian.core.access import login, public
from choujian.core.errors import ServiceError
from choujian.registry.selectors import projects_visible_to
from choujian.testing import listings, objections, policy, selectors, services
from choujian.testing.blind_label import blind_label_pdf
from choujian.testing.choices import LabStatus
from choujian.testing.comparison_data import laboratory_comparison
from choujian.testing.links import verify_url
from choujian.testing.models import LabSample

MAX_CHECK_BYTES = 30 * 1024 * 1024


def _flash(request, exc: ServiceError) -> None:
    for errors in exc.errors.values():
        for error in errors:
            messages.error(request, error)


def _lab_crumbs() -> list:
    return [(reverse("testing:home"), _("检验"))]


@login
def worklist_page(request):
    return listing.show(request, listings.WORKLIST, selectors.worklist_listed(request.user), crumbs=_lab_crumbs())


@login
def report_list(request):
    return listing.show(request, listings.REPORTS, selectors.reports_listed(request.user), crumbs=_lab_crumbs())


@login
def intake_list(request):
    return listing.show(request, listings.INTAKES, selectors.intakes_visible_to(request.user), crumbs=_lab_crumbs())


@login
def lab_home(request):
    """The laboratory's work by role, and for regulators and the inspected party their reports."""
    user = request.user
    roles = user.roles
    context = {
        "queue": selectors.intake_queue(user) if Role.ROLE_LAB_INTAKE in roles else [],
        "testing": selectors.lab_queue(user, LabStatus.STATUS_TESTING) if Role.ROLE_TESTER in roles else [],
        "to_review": selectors.lab_queue(user, LabStatus.STATUS_SUBMITTED) if Role.ROLE_REVIEWER in roles else [],
        "to_approve": selectors.lab_queue(user, LabStatus.STATUS_REVIEWED) if Role.ROLE_APPROVER in roles else [],
        "overdue": selectors.overdue_testing(user)[:50],
        "reports": selectors.reports_visible_to(user).filter(status=LabStatus.STATUS_APPROVED)[:100],
        "is_lab": bool(policy.lab_ids(user)),
        "notices": selectors.notices_for_party(user)[:100],
    }
    return render(request, "testing/home.html", context)


def _blind(request, lab_code: str) -> LabSample:
    lab_sample = selectors.worklist_for(request.user).filter(lab_code=lab_code).first()
    if lab_sample is None:
        raise Http404(_("盲样不存在或不属于您的检验机构"))
    return lab_sample


@login
def project_results_page(request, public_id):
    """Results of the lots delivered to a project, for its owner, supervisor and contractors (and regulators)."""
    project = projects_visible_to(request.user).filter(public_id=public_id).first()
    if project is None:
        raise Http404(_("建设项目不存在或您无权查看"))
    context = {"project": project, "reports": selectors.project_results(request.user, project)[:200]}
    return render(request, "testing/project_results.html", context)


@login
def blind_label(request, lab_code: str):
    """The blind label of a lab sample as a 60×40 mm PDF, for the laboratory's own staff."""
    lab_sample = _blind(request, lab_code)
    url = request.build_absolute_uri(reverse("testing:lab_sample", args=[lab_sample.lab_code]))
    response = HttpResponse(blind_label_pdf(lab_sample, url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="blind-label-{lab_sample.lab_code}.pdf"'
    return response


@login
def lab_sample_page(request, lab_code: str):
    """A blind sample: items, limits, results entry (tester), review (reviewer), approval (approver)."""
    lab_sample = _blind(request, lab_code)
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "result":
                values = [
                    v for v in request.POST.get("values", "").replace("，", ",").replace(" ", ",").split(",") if v
                ]
                services.result_enter(
                    actor=user,
                    lab_sample=lab_sample,
                    item=request.POST.get("item", ""),
                    values=values,
                    instrument=request.POST.get("instrument", ""),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("已录入"))
            elif action == "submit":
                services.report_submit(actor=user, lab_sample=lab_sample)
                messages.success(request, _("已提交审核"))
            elif action in ("review", "return"):
                report = _report_of(lab_sample)
                services.report_review(
                    actor=user, report=report, approve=action == "review", note=request.POST.get("note", "")
                )
                messages.success(request, _("审核意见已提交"))
            elif action == "approve":
                report = _report_of(lab_sample)
                report = services.report_approve(actor=user, report=report, verify_url=lambda r: verify_url(request, r))
                messages.success(request, _("报告已批准并签发"))
                return redirect("testing:report", code=report.code)
            else:
                messages.error(request, _("未知操作"))
        except ServiceError as exc:
            _flash(request, exc)
        return redirect("testing:lab_sample", lab_code=lab_code)
    results = services.current_results(lab_sample)
    items = services.item_details(lab_sample)
    history = selectors.corrected_results(lab_sample)
    for item in items:
        item["result"] = results.get(item["code"])
        item["shown"] = (item["result"].rounded or item["result"].combined) if item["result"] else ""
        item["history"] = history.get(item["code"], [])
    report = selectors.report_of(lab_sample)
    context = {
        "lab_sample": lab_sample,
        "items": items,
        "report": report,
        "verdict": services.verdict_for(lab_sample) if results else None,
        "is_tester": policy.has_role_at(user, lab_sample.laboratory, {Role.ROLE_TESTER}),
        "is_reviewer": policy.has_role_at(user, lab_sample.laboratory, {Role.ROLE_REVIEWER}),
        "is_approver": policy.has_role_at(user, lab_sample.laboratory, {Role.ROLE_APPROVER}),
    }
    return render(request, "testing/lab_sample.html", context)


@login
def intake_page(request, code: str):
    """The intake clerk compares the received sample with its sampling form, then accepts or rejects it."""
    sample = selectors.intake_queue(request.user).filter(code=code).first()
    if sample is None:
        raise Http404(_("本机构没有待接收的该样品"))
    retest = selectors.retest_for_intake(request.user, sample)
    ruleset = services.ruleset_for(sample)
    if request.method == "POST":
        accept = request.POST.get("decision") == "accept"
        common = {
            "actor": request.user,
            "sample": sample,
            "seals_intact": request.POST.get("seals_intact") == "true",
            "matches_form": request.POST.get("matches_form") == "true",
            "condition": request.POST.get("condition", ""),
            "photos": request.FILES.getlist("photos"),
        }
        try:
            if accept:
                lab_sample = services.intake_accept(variant=request.POST.get("variant", ""), retest=retest, **common)
                messages.success(
                    request,
                    _("已接收：盲样编号 %(code)s。请打印盲样标签贴在样品上，撤去原标签后交检验员。")
                    % {"code": lab_sample.lab_code},
                )
                return redirect("testing:lab_sample", lab_code=lab_sample.lab_code)
            services.intake_reject(reason=request.POST.get("reason", ""), retest=retest, **common)
            messages.success(request, _("已拒收，组织单位可见"))
            return redirect("testing:home")
        except ServiceError as exc:
            _flash(request, exc)
    context = {
        "sample": sample,
        "record": sample.record,
        "portions": [retest.portion] if retest else sample.portions.all(),
        "retest": retest,
        "ruleset": ruleset,
    }
    if ruleset is not None:
        try:
            context["variant"] = services.variant_for(ruleset, sample)
        except ServiceError as exc:
            context["variant_problem"] = " ".join(str(m) for ms in exc.errors.values() for m in ms)
    return render(request, "testing/intake.html", context)


def _rows(lab_sample: LabSample) -> list[dict]:
    results = services.current_results(lab_sample)
    rows = services.item_details(lab_sample)
    for row in rows:
        result = results.get(row["code"])
        row["values"] = result.values if result else []
        row["shown"] = (result.rounded or result.combined) if result else ""
        row["judgment"] = result.judgment if result else ""
        row["judgment_label"] = result.get_judgment_display() if result else ""
    return rows


@login
def report_page(request, code: str):
    """An approved (or pending) report, unblinded: notice, objection, decision, re-test and the final outcome."""
    report = selectors.reports_visible_to(request.user).filter(code=code).first()
    if report is None:
        raise Http404(_("报告不存在或您无权查看"))
    sample = report.lab_sample.portion.sample
    user = request.user
    objection = report.objections.first()
    visible = selectors.reports_visible_to(user)
    retest = getattr(objection, "retest", None) if objection else None
    context = {
        "report": report,
        "sample": sample,
        "notice": getattr(report, "notice", None),
        "objection": objection,
        "retest": retest,
        # Linked only where this viewer may open them (the other laboratory's staff may not).
        "retest_report": visible.filter(lab_sample__portion=retest.portion).first() if retest else None,
        "original_report": visible.filter(lab_sample__portion__sample=sample, lab_sample__is_retest=False).first(),
        "outcome": getattr(sample, "outcome", None),
        "is_party": policy.is_inspected_party(user, sample),
        "is_organiser": policy.is_organiser(user, sample),
        "new_uuid": uuid.uuid4(),
        "items": _rows(report.lab_sample),
    }
    return render(request, "testing/report.html", context)


@login
@require_POST
def report_action(request, code: str):
    report = selectors.reports_visible_to(request.user).filter(code=code).first()
    if report is None:
        raise Http404
    user, action = request.user, request.POST.get("action", "")
    notice, objection = getattr(report, "notice", None), report.objections.first()
    retest = getattr(objection, "retest", None) if objection else None
    try:
        if action == "acknowledge" and notice is not None:
            objections.notice_acknowledge(actor=user, notice=notice)
            messages.success(request, _("已签收结果通知"))
        elif action == "serve" and notice is not None:
            objections.notice_serve_paper(
                actor=user, notice=notice, served_on=request.POST.get("served_on", ""), proof=request.FILES.get("proof")
            )
            messages.success(request, _("已登记书面送达，异议期限自送达之日起计算"))
        elif action == "object":
            objections.objection_file(
                actor=user,
                report=report,
                reasons=request.POST.get("reasons", ""),
                client_uuid=request.POST.get("client_uuid", ""),
                attachments=request.FILES.getlist("attachments"),
            )
            messages.success(request, _("异议已提交，组织单位将在 3 个工作日内作出决定"))
        elif action in ("accept", "reject") and objection is not None:
            note = request.POST.get("note", "")
            objections.objection_decide(actor=user, objection=objection, accept=action == "accept", note=note)
            messages.success(request, _("已作出决定"))
        elif action == "confirm" and retest is not None:
            objections.retest_confirm(actor=user, retest=retest, condition=request.POST.get("condition", ""))
            messages.success(request, _("已确认备用样品封条与状况"))
        else:
            messages.error(request, _("该报告当前不能进行此操作"))
    except ServiceError as exc:
        _flash(request, exc)
    return redirect("testing:report", code=code)


@login
def oversight(request):
    """For regulators: overdue testing, objections awaiting decision, outcomes ready for enforcement, and the
    laboratory comparison."""
    user = request.user
    if not user.roles & Role.REGULATOR_ROLES:
        raise Http404
    context = {
        "overdue": selectors.overdue_testing(user)[:100],
        "pending": selectors.objections_pending(user)[:100],
        "late": set(selectors.objections_overdue(user).values_list("pk", flat=True)),
        "retests": selectors.retests_visible_to(user)[:100],
        "outcomes": selectors.outcomes_visible_to(user)[:200],
        "comparison": laboratory_comparison(user),
        "rejected": selectors.rejected_intakes(user)[:100],
        "unserved": selectors.notices_unserved(user)[:100],
    }
    return render(request, "testing/oversight.html", context)


@public
def report_verify(request, token: str):
    """Anyone holding a report can check it is genuine, still valid or replaced by a re-test report, and unchanged:
    its code, product, conclusion, date, testing body and digests, and a PDF upload whose SHA-256 is compared with
    the one recorded at approval. The enterprise is not named (the holder has the report; the link may travel)."""
    report = selectors.report_by_token(token)
    checked = None
    if report is not None and request.method == "POST":
        upload = request.FILES.get("pdf")
        if upload is None or not upload.size or upload.size > MAX_CHECK_BYTES:
            messages.error(request, _("请选择报告 PDF 文件（不超过 30 MB）"))
        else:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            checked = digest.hexdigest()
    context = {
        "report": report,
        "record": report.lab_sample.portion.sample.record if report is not None else None,
        "superseded_by": selectors.superseding_report(report) if report is not None else None,
        "checked": checked,
        "matches": checked is not None and checked == report.pdf_sha256,
    }
    return render(request, "testing/verify.html", context, status=200 if report else 404)


def _report_of(lab_sample):
    report = selectors.report_of(lab_sample)
    if report is None:
        raise Http404(_("尚未提交报告"))
    return report
