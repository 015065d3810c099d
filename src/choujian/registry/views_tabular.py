"""Registry pages for spreadsheet import (with a downloadable template) and export. Thin: the importer decides."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from choujian.accounts.choices import Role
from choujian.core import tabular
from choujian.core.access import roles
from choujian.registry import exporters, importers, pending_uploads, policy
from choujian.registry.forms import ImportConfirmForm, ImportForm
from choujian.registry.views import PAGES


def _spec(kind: str) -> importers.Spec:
    try:
        return importers.spec_for(kind)
    except KeyError:
        raise Http404(_("没有这种登记簿")) from None


def _download(exported: exporters.ExportFile) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exported.filename)
    return response


STALE = _lazy("预览之后登记簿已有变化，没有写入任何数据。以下是按现在的登记簿重新生成的预览，请再次确认。")


@roles(Role.REGISTRY_READERS)
def import_page(request, kind: str):
    spec = _spec(kind)
    if not policy.can_create(request.user, kind):
        raise PermissionDenied(_("您的角色不能登记此类记录"))
    confirming = request.method == "POST" and "token" in request.POST
    form = ImportForm(
        None if confirming else (request.POST or None),
        None if confirming else (request.FILES or None),
        updatable=bool(spec.update_key),
    )
    result, token = None, ""
    if confirming:
        confirm = ImportConfirmForm(request.POST)
        token = request.POST.get("token", "")
        upload = pending_uploads.take(request.session, token, kind) if confirm.is_valid() else None
        if upload is None:
            messages.error(request, _("预览已过期或文件已不在，请重新上传文件"))
        else:
            result = importers.import_upload(
                actor=request.user, kind=kind, upload=upload, update=True, expected=confirm.cleaned_data["digest"]
            )
            if result.ok and not result.preview:
                pending_uploads.discard(request.session, token)
                messages.success(request, result.success())
                return redirect(reverse("registry:object_list", args=[kind]))
            if not result.ok:
                pending_uploads.discard(request.session, token)
                token = ""
            elif result.stale:
                messages.warning(request, STALE)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        update = form.cleaned_data.get("update", False)
        result = importers.import_upload(actor=request.user, kind=kind, upload=upload, update=update, preview=update)
        if result.ok and not result.preview:
            messages.success(request, result.detail)
            return redirect(reverse("registry:object_list", args=[kind]))
        if result.ok:
            token = pending_uploads.keep(request.session, kind, upload)
    context = {
        "page": {"key": spec.kind, "title": PAGES[spec.kind].title},
        "form": form,
        "result": result,
        "token": token,
        "columns": spec.help_rows(),
        "max_rows": tabular.MAX_ROWS,
        "max_mb": tabular.MAX_BYTES // 1024 // 1024,
    }
    return render(request, "registry/import.html", context)


@roles(Role.REGISTRY_READERS)
def import_template(request, kind: str):
    _spec(kind)
    return _download(exporters.template_file(kind))


@roles(Role.REGISTRY_READERS)
def export(request, kind: str):
    _spec(kind)
    fmt = (request.GET.get("format") or "xlsx").strip().lower()
    if fmt not in exporters.FORMATS:
        return HttpResponseBadRequest(
            _("导出格式只能是 xlsx 或 csv").encode(), content_type="text/plain; charset=utf-8"
        )
    return _download(exporters.export_file(user=request.user, kind=kind, fmt=fmt, q=request.GET.get("q", "")))
