"""Field pages, made for phones: the task, the sampling form, the sample and its labels, handovers, label scans;
and the regulator's overview (overdue deliveries, refusals, alternate requests).

Thin: selectors read, services write. The form page also works without a connection: `field.js` keeps a draft on
the phone and resubmits it, and every create carries a UUID made once, so a retry never makes a second record.
"""

import uuid

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from choujian.accounts.choices import Role
from choujian.core import listing
from choujian.core.access import login, public
from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.core.stored import ALTERED, AlteredFile, open_verified
from choujian.planning.selectors import tasks_visible_to
from choujian.sampling import custody, listings, policy, selectors, services
from choujian.sampling.choices import (
    HandoverStatus,
    PortionKind,
    PortionStatus,
    RecordStatus,
    RequestStatus,
    SignerRole,
)
from choujian.sampling.forms import AlternateRequestForm, DecisionForm, RecordForm
from choujian.sampling.models import SamplingRecord
from choujian.sampling.policy import form_copies_for, may_print_labels


def _errors_to_messages(request, exc: ServiceError) -> None:
    for errors in exc.errors.values():
        for error in errors:
            messages.error(request, error)


def _task(request, code: str):
    task = tasks_visible_to(request.user).filter(code=code).first()
    if task is None:
        raise Http404(_("任务不存在或您无权查看"))
    return task


@login
def sample_list(request):
    crumbs = [(reverse("sampling:overview"), _("现场抽样与样品流转"))]
    return listing.show(request, listings.SAMPLES, selectors.samples_listed(request.user), crumbs=crumbs)


@login
def overview(request):
    """What needs attention: tasks to sample, forms in progress, handovers to receive, overdue deliveries."""
    user = request.user
    context = {
        "my_tasks": selectors.tasks_to_sample(user).order_by("code")[:50],
        "refused": selectors.refused_tasks(user).order_by("code")[:50],
        "overdue": selectors.overdue_samples(user)[:50],
        "requests": selectors.open_alternate_requests(user)[:50],
        "pending": selectors.pending_handovers_for(user)[:50],
        "samples": selectors.samples_visible_to(user).order_by("-sealed_at")[:50],
        "is_regulator": bool(user.roles & Role.REGULATOR_ROLES),
    }
    return render(request, "sampling/overview.html", context)


@login
def task_page(request, code: str):
    """A drawn task seen by its sampler: start (or resume) the form, or report that it may not be sampled."""
    task = _task(request, code)
    record = selectors.record_of(task)
    if request.method == "POST" and record is None:
        try:
            record = services.record_start(actor=request.user, task=task, client_uuid=request.POST.get("client_uuid"))
        except ServiceError as exc:
            _errors_to_messages(request, exc)
            return redirect("sampling:task", code=code)
        return redirect("sampling:record", code=record.code)
    documents = list(task.delivery.documents.all()) if task.delivery_id else []
    context = {
        "task": task,
        "record": record,
        "inspectors": task.inspectors.select_related("inspector"),
        "is_sampler": policy.is_drawn_sampler(request.user, task),
        "start_uuid": uuid.uuid4(),
        "alternate_form": AlternateRequestForm(initial={"client_uuid": uuid.uuid4()}),
        "requests": task.alternate_requests.all(),
        "documents": documents,
        "sample": getattr(task, "sample", None) if record and record.status == RecordStatus.STATUS_SEALED else None,
    }
    return render(request, "sampling/task.html", context)


@login
@require_POST
def alternate_create(request, code: str):
    task = _task(request, code)
    form = AlternateRequestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("sampling:task", code=code)
    try:
        services.alternate_request(
            actor=request.user,
            task=task,
            photos=request.FILES.getlist("photos"),
            **form.cleaned_data,
        )
    except ServiceError as exc:
        _errors_to_messages(request, exc)
        return redirect("sampling:task", code=code)
    messages.success(request, _("已提交递补申请，等待组织单位决定"))
    return redirect("sampling:task", code=code)


def _record(request, code: str) -> SamplingRecord:
    record = selectors.records_visible_to(request.user).filter(code=code).first()
    if record is None:
        raise Http404(_("抽样单不存在或您无权查看"))
    return record


@login
def record_page(request, code: str):
    """The sampling form on the phone. Without JavaScript a plain POST saves it; with it, `field.js` saves as
    the sampler types, keeps a draft offline, uploads photos and collects signatures."""
    record = _record(request, code)
    editable = record.status == RecordStatus.STATUS_DRAFT and policy.is_drawn_sampler(request.user, record.task)
    form = RecordForm(request.POST or None, instance=selectors.records_visible_to(request.user).get(pk=record.pk))
    if request.method == "POST":
        if not editable:
            raise NotPermitted(_("只有为本任务抽中的抽样人员可以修改填写中的抽样单"))
        if form.is_valid():
            try:
                services.record_update(
                    actor=request.user, record=record, version=form.cleaned_data["version"], **form.changes()
                )
                messages.success(request, _("已保存"))
                return redirect("sampling:record", code=code)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            except ServiceError as exc:
                for name, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
    record.refresh_from_db()
    signatures = list(record.signatures.select_related("signer"))
    context = {
        "record": record,
        "task": record.task,
        "task_visible": tasks_visible_to(request.user).filter(pk=record.task_id).exists(),
        "form": form,
        "editable": editable,
        "evidence": record.evidence.all(),
        "signatures": signatures,
        "valid_signatures": [s for s in signatures if s.voided_at is None],
        "voided_signatures": [s for s in signatures if s.voided_at is not None],
        "samplers": record.samplers.all(),
        "missing": services.missing_signatures(record) if record.status == RecordStatus.STATUS_DRAFT else [],
        "problems": services.seal_problems(record) if record.status == RecordStatus.STATUS_DRAFT else {},
        "documents": list(record.task.delivery.documents.all()) if record.task.delivery_id else [],
        "evidence_kinds": services.EvidenceKind.CHOICES,
        "sample": getattr(record, "sample", None) if record.status == RecordStatus.STATUS_SEALED else None,
        "copies": form_copies_for(request.user, record),
        "on_site": record.place_kind == "site",
        "online": record.place_kind == "online",
        "roles": SignerRole,
        "new_uuid": uuid.uuid4,
    }
    context["sections"] = form.sections(online=context["online"], paper=bool(context["documents"]))
    context["unsigned_samplers"] = [
        u for u in context["samplers"] if not any(s.signer_id == u.pk for s in context["valid_signatures"])
    ]
    signed_roles = {s.role for s in context["valid_signatures"]}
    context["party_signed"] = SignerRole.ROLE_PARTY in signed_roles
    context["witness_signed"] = bool(signed_roles & services.WITNESS_ROLES)
    return render(request, "sampling/record.html", context)


@login
@require_POST
def record_seal(request, code: str):
    record = _record(request, code)
    try:
        sample = services.record_seal(actor=request.user, record=record)
    except ServiceError as exc:
        _errors_to_messages(request, exc)
        return redirect("sampling:record", code=code)
    messages.success(request, _("已封样：样品编号 %(code)s。请打印标签并贴在每份样品上。") % {"code": sample.code})
    return redirect("sampling:sample", code=sample.code)


@login
@require_POST
def record_refuse(request, code: str):
    record = _record(request, code)
    try:
        services.record_refuse(actor=request.user, record=record)
    except ServiceError as exc:
        _errors_to_messages(request, exc)
        return redirect("sampling:record", code=code)
    messages.success(request, _("已记录拒检，组织单位可见"))
    return redirect("sampling:record", code=code)


@login
def sample_page(request, code: str):
    """The sample: portions, labels, storage of retained portions, handovers and the chain of custody."""
    sample = selectors.samples_visible_to(request.user).filter(code=code).first()
    if sample is None:
        raise Http404(_("样品不存在或您无权查看"))
    portions = list(selectors.portions_of(sample))
    mine = [p for p in portions if p.custodian_id == request.user.pk and p.status in custody.MOVABLE]
    receivers = selectors.handover_receivers(exclude={p.custodian_org_id for p in mine})
    context = {
        "sample": sample,
        "record": sample.record,
        "record_visible": selectors.records_visible_to(request.user).filter(pk=sample.record_id).exists(),
        "task": sample.task,
        "portions": portions,
        "my_portions": mine,
        "to_store": [p for p in mine if p.kind == PortionKind.KIND_BACKUP and p.status == PortionStatus.STATUS_SEALED],
        "handovers": selectors.handovers_of(sample),
        "receivers": receivers,
        "laboratory": sample.laboratory,
        "labels": may_print_labels(request.user, sample),
        "copies": form_copies_for(request.user, sample.record),
        "on_site": sample.record.place_kind == "site",
        "new_uuid": uuid.uuid4(),
        "overdue": selectors.overdue_samples(request.user).filter(pk=sample.pk).exists(),
    }
    return render(request, "sampling/sample.html", context)


@login
def handover_page(request, public_id):
    """A handover: the receiver checks the seals and condition, signs, and takes custody (or refuses)."""
    handover = selectors.pending_handovers_for(request.user).filter(public_id=public_id).first()
    if handover is None:
        visible = selectors.samples_visible_to(request.user)
        handover = get_object_or_404(selectors.handovers_of_samples(visible), public_id=public_id)
    context = {
        "handover": handover,
        "sample": handover.sample,
        "can_receive": handover.status == HandoverStatus.STATUS_PENDING
        and policy.can_receive_for(request.user, handover.to_org)
        and handover.from_user_id != request.user.pk,
        "can_withdraw": handover.status == HandoverStatus.STATUS_PENDING and handover.from_user_id == request.user.pk,
    }
    return render(request, "sampling/handover.html", context)


@login
def request_page(request, public_id):
    made = get_object_or_404(selectors.alternate_requests_visible_to(request.user), public_id=public_id)
    form = DecisionForm(request.POST or None)
    may_decide = policy.is_plan_writer(request.user, made.task) and made.status == RequestStatus.STATUS_OPEN
    if request.method == "POST":
        if not may_decide:
            raise NotPermitted(_("只有组织单位的监管人员可以决定递补"))
        if form.is_valid():
            try:
                services.alternate_decide(
                    actor=request.user,
                    request=made,
                    approve=form.cleaned_data["approve"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("已作出决定"))
                return redirect("sampling:request", public_id=public_id)
            except ServiceError as exc:
                for errors in exc.errors.values():
                    for error in errors:
                        form.add_error(None, error)
    made.refresh_from_db()
    replacement = getattr(made.task, "replacement", None)
    context = {"made": made, "form": form, "may_decide": may_decide, "replacement": replacement}
    return render(request, "sampling/request.html", context)


@login
def evidence_file(request, public_id, variant: str = "file"):
    evidence = selectors.evidence_visible_to(request.user).filter(public_id=public_id).first()
    if evidence is None:
        raise Http404
    if variant == "thumb":
        if not evidence.thumbnail:
            raise Http404
        return FileResponse(evidence.thumbnail.open("rb"), content_type="image/jpeg")
    try:
        content = open_verified(evidence.file, evidence.sha256)
    except AlteredFile:
        return HttpResponse(ALTERED, status=409, content_type="text/plain; charset=utf-8")
    return FileResponse(content, content_type=evidence.content_type)


@login
def signature_image(request, public_id):
    signature = selectors.signatures_visible_to(request.user).filter(public_id=public_id).first()
    if signature is None:
        raise Http404
    return FileResponse(signature.image.open("rb"), content_type="image/png")


@login
def delivery_document(request, code: str, public_id):
    """A document the contractor uploaded before the visit, for the sampler to compare with the paper on site."""
    task = _task(request, code)
    if not task.delivery_id:
        raise Http404
    document = selectors.task_delivery_document(task, public_id)
    if document is None:
        raise Http404
    return FileResponse(document.file.open("rb"), content_type=document.content_type)


@public
def label_scan(request, code: str, token: str):
    """What a scanned QR label shows: to anyone, whether the label is genuine and the sample's state (nothing about
    the enterprise, product or place); to a custodian or the receiving intake clerk, what they can do next."""
    portion = selectors.portion_by_label(code, token)
    context = {"portion": portion, "code": code}
    if portion is not None and request.user.is_authenticated:
        sample = portion.sample
        context["is_custodian"] = portion.custodian_id == request.user.pk
        pending = selectors.pending_handovers_for(request.user).filter(sample=sample, portions=portion).first()
        context["pending"] = pending
        context["can_open"] = selectors.samples_visible_to(request.user).filter(pk=sample.pk).exists()
    return render(request, "sampling/label.html", context, status=200 if portion else 404)
