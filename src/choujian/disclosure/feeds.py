"""Open data without a login: the published results as CSV and XLSX, and the change feed (JSON and Atom) listing
every publication, correction and withdrawal in order with its ledger entry."""

import base64

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from choujian.core import tabular
from choujian.core.access import public
from choujian.disclosure import opendata, selectors
from choujian.disclosure.views import _filters, parse_since

MAX_ROWS = 50_000
CHANGES_PAGE = 1000


def _open(response):
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
@require_safe
def results_table(request, kind: str):
    filters, problems = _filters(request)
    if problems:
        return _open(JsonResponse({"errors": problems}, status=400))
    rows = selectors.published_rows(request.user, **filters).select_related("announcement__plan")[:MAX_ROWS]
    header = [title for _, title in opendata.FIELDS]
    lines = (opendata.flat(row) for row in rows)
    stamp = timezone.localdate().isoformat()
    if kind == "csv":
        response = HttpResponse(tabular.write_csv(header, lines), content_type=tabular.CSV_CONTENT_TYPE)
    else:
        content = tabular.write_xlsx(header, lines, title="抽查结果")
        response = HttpResponse(content, content_type=tabular.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"抽查结果-{stamp}.{kind}")
    return _open(response)


def _since(request):
    try:
        return parse_since(request.GET.get("since", "").strip()), None
    except ValueError:
        return None, {"since": ["应为 ISO 8601 时间，如 2026-12-01 或 2026-12-01T08:00:00+08:00"]}


@public
@require_safe
def changes(request):
    since, error = _since(request)
    if error:
        return _open(JsonResponse({"errors": error}, status=400))
    found = list(selectors.changes_since(request.user, since).select_related("row__announcement__plan")[:CHANGES_PAGE])
    items = [
        {
            "at": change.at.isoformat(),
            "kind": change.kind,
            "announcement": change.announcement.code,
            "reason": change.reason,
            "ledger_seq": change.ledger_seq,
            "ledger_entry": f"/api/ledger/entries?start={change.ledger_seq}&end={change.ledger_seq + 1}",
            "result": opendata.record(change.row) if change.row_id else None,
        }
        for change in found
    ]
    following = found[-1].at.isoformat() if len(found) == CHANGES_PAGE else None
    return _open(JsonResponse({"count": len(items), "next_since": following, "changes": items},
                              json_dumps_params={"ensure_ascii": False}))  # fmt: skip


@public
@require_safe
def changes_atom(request):
    since, error = _since(request)
    if error:
        return _open(JsonResponse({"errors": error}, status=400))
    feed = Atom1Feed(
        title="抽查结果公开变更", link=request.build_absolute_uri(reverse("disclosure:portal")),
        description="每一次公开、更正与撤回，及其追溯日志条目", language="zh-hans",
    )  # fmt: skip
    for change in selectors.changes_since(request.user, since).order_by("-at", "-pk")[:200]:
        row = change.row
        title = (
            f"{change.get_kind_display()}：{row.enterprise_name} {row.product_name}"
            if row
            else change.announcement.title
        )
        link = reverse("disclosure:result", args=[row.row_id]) if row else change.announcement.get_absolute_url()
        feed.add_item(
            title=title, link=request.build_absolute_uri(link), pubdate=change.at, updateddate=change.at,
            unique_id=f"tag:choujian,{change.at:%Y-%m-%d}:change/{change.pk}",
            description=f"{change.reason or change.announcement.title}（追溯日志 #{change.ledger_seq}）",
        )  # fmt: skip
    return _open(HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"))


@public
@require_safe
def bulk_archive(request, year: int):
    """The year's newest bulk archive (built by the scheduled job; a request only reads it)."""
    archive = selectors.bulk_archive_of(request.user, year)
    if archive is None:
        raise Http404(_("该年度尚无公开数据包"))
    try:
        stream = archive.file.open("rb")
    except OSError:
        raise Http404(_("数据包文件暂不可用，请稍后再试")) from None
    response = FileResponse(stream, as_attachment=True, filename=f"choujian-results-{year}.zip")
    response["Digest"] = f"sha-256={base64.b64encode(bytes.fromhex(archive.sha256)).decode()}"
    response["X-Content-SHA256"] = archive.sha256
    return _open(response)
