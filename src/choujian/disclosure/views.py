"""The public portal (一公开) and the organiser's announcement pages. Thin: the services decide, the selectors read
through the access policy."""

import datetime as dt
import hashlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from choujian.accounts.choices import Role
from choujian.core import publications
from choujian.core.access import login, public, roles
from choujian.core.feedback import act
from choujian.core.policy import CHANGE, permits
from choujian.disclosure import documents, policy, presenting, selectors, services
from choujian.ledger.selectors import latest_checkpoint
from choujian.planning.selectors import plans_visible_to

PAGE_SIZE = 50


def _filters(request) -> tuple[dict, list[str]]:
    """The portal's search fields, each checked; a bad one is named and ignored."""
    problems = []
    q = request.GET.get("q", "").strip()[:100]
    region = request.GET.get("region", "").strip()
    if region and not (region.isascii() and region.isdigit() and len(region) == 6):
        problems.append(_("地区应为 6 位行政区划代码，如 350100"))
        region = ""
    year = request.GET.get("year", "").strip()
    if year and not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100):
        problems.append(_("年度应为 2000–2100 的年份"))
        year = ""
    conclusion = request.GET.get("conclusion", "")
    if conclusion not in ("", "pass", "fail"):
        problems.append(_("结论应为合格或不合格"))
        conclusion = ""
    category = request.GET.get("category", "").strip()[:32]
    return {"q": q, "region": region, "year": int(year) if year else None, "conclusion": conclusion,
            "category": category}, problems  # fmt: skip


@public
@require_safe
def portal(request):
    """`/` for the public (signed-in people land on their to-do page and reach this at /open/)."""
    filters, problems = _filters(request)
    rows = selectors.published_rows(request.user, **filters)
    regions = selectors.published_regions(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "problems": problems,
        "searched": any(filters.values()),
        "page": page,
        "announcements": selectors.announcements_visible_to(request.user).filter(status="published")[:5],
        "checkpoint": latest_checkpoint(),
        "regions": regions,
        "bulk": selectors.latest_bulk_archives(request.user),
        "publications": publications.latest(5),
        "region_codes": [code for code, _name in regions],
        "draws": selectors.public_draws(request.user)[:20],
        "query": presenting.query_without_page(request),
    }
    return render(request, "disclosure/portal.html", context)


def _announcement(request, code: str):
    found = selectors.announcements_visible_to(request.user).filter(code=code).first()
    if found is None:
        raise Http404(_("公告不存在或尚未公开"))
    return found


@public
@require_safe
def announcement(request, code: str):
    found = _announcement(request, code)
    rows = list(selectors.rows_visible_to(request.user).filter(announcement=found))
    rechecked, maintained = presenting.recheck_tables(rows) if found.is_recheck else ([], [])
    context = {
        "announcement": found,
        "sections": [] if found.is_recheck else presenting.by_product(rows, found.include_conforming),
        "rechecked": rechecked,
        "maintained": maintained,
        "current_rows": [row for row in rows if row.status == "current"],
        "may_publish": not found.is_published
        and permits(request.user, policy.PUBLISH, found)
        and found.drafted_by_id != request.user.pk,
        "may_edit": not found.is_published and permits(request.user, policy.DRAFT, found),
        "may_correct": found.is_published and permits(request.user, policy.PUBLISH, found),
        "corrections": [row for row in rows if row.edition > 1 or row.status == "withdrawn"],
    }
    return render(request, "disclosure/announcement.html", context)


@public
@require_safe
def announcement_pdf(request, code: str):
    found = _announcement(request, code)
    url = request.build_absolute_uri(found.get_absolute_url())
    response = HttpResponse(documents.announcement_pdf(found, url), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{found.code}.pdf")
    return response


@public
@require_safe
def enterprise(request, uscc: str):
    rows = list(selectors.published_rows(request.user).filter(enterprise_uscc=uscc.upper()[:18]))
    if not rows:
        raise Http404(_("没有公开的该企业抽查结果"))
    context = {"rows": rows, "name": rows[0].enterprise_name, "uscc": rows[0].enterprise_uscc,
               "outcomes": selectors.enforcement_outcomes(rows[0].enterprise_uscc)}  # fmt: skip
    return render(request, "disclosure/enterprise.html", context)


@public
@require_safe
def result(request, row_id):
    versions = list(selectors.rows_visible_to(request.user).filter(row_id=row_id, announcement__status="published"))
    if not versions:
        raise Http404(_("结果不存在或尚未公开"))
    current = versions[-1]
    context = {
        "versions": versions,
        "current": current,
        "reports": list(selectors.error_reports_of(request.user, row_id)),
        "may_answer": permits(request.user, policy.PUBLISH, current),
    }
    return render(request, "disclosure/result.html", context)


@public
@require_POST
def error_report(request, row_id):
    """纠错: no sign-in, no CAPTCHA; a few a hour per address."""
    rows = selectors.rows_visible_to(request.user).filter(row_id=row_id, announcement__status="published")
    row = rows.order_by("-edition").first()
    if row is None:
        raise Http404(_("结果不存在或尚未公开"))
    client = hashlib.sha256(request.META.get("REMOTE_ADDR", "").encode()).hexdigest()[:32]
    text, contact = request.POST.get("text", ""), request.POST.get("contact", "")
    act(request, lambda: services.error_report_file(row=row, text=text, contact=contact, client=client),
         _("已收到，组织单位答复后将与该结果一同公开"))  # fmt: skip
    return redirect("disclosure:result", row_id=row_id)


@login
@require_POST
def error_answer(request, row_id):
    report = selectors.error_reports_of(request.user, row_id).filter(pk=_number(request.POST.get("report"))).first()
    if report is None:
        raise Http404(_("没有这条纠错"))
    answer = request.POST.get("answer", "")
    act(request, lambda: services.error_report_answer(actor=request.user, report=report, answer=answer),
         _("已答复并公开"))  # fmt: skip
    return redirect("disclosure:result", row_id=row_id)


@roles(Role.REGULATOR_ROLES)
def manage(request):
    """The organiser's announcements, drafts first, and the plans with results not yet announced."""
    user = request.user
    context = {
        "announcements": selectors.announcements_visible_to(user).order_by("status", "-created_at")[:200],
        "to_publish": list(selectors.announcements_to_publish(user)),
        "reports": list(selectors.error_reports_to_answer(user)),
        "plans": [p for p in plans_visible_to(user).order_by("-year", "code") if permits(user, CHANGE, p)],
    }
    return render(request, "disclosure/manage.html", context)


def _version(request) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@roles(Role.REGULATOR_ROLES)
@require_POST
def draft(request):
    plan = plans_visible_to(request.user).filter(code=request.POST.get("plan", "")).first()
    if plan is None:
        messages.error(request, _("请选择抽查计划"))
        return redirect("disclosure:manage")
    include = request.POST.get("include_conforming") == "on"
    kind = request.POST.get("kind") or "results"
    made = act(
        request,
        lambda: services.announcement_draft(actor=request.user, plan=plan, include_conforming=include, kind=kind),
        _("公告草稿已生成：请核对后交另一人审核公开"),
    )
    return redirect("disclosure:announcement", code=made.code) if made else redirect("disclosure:manage")


@login
@require_POST
def announcement_action(request, code: str, action: str):
    found = _announcement(request, code)
    user, version = request.user, _version(request)
    if action == "publish":
        act(request, lambda: services.announcement_publish(actor=user, announcement=found, version=version),
             _("公告已公开"))  # fmt: skip
    elif action == "edit":
        act(
            request,
            lambda: services.announcement_update(
                actor=user, announcement=found, title=request.POST.get("title", ""),
                summary=request.POST.get("summary", ""),
                include_conforming=request.POST.get("include_conforming") == "on", version=version,
            ),
            _("草稿已保存"),
        )  # fmt: skip
    elif action in ("correct", "withdraw"):
        row = selectors.rows_visible_to(user).filter(announcement=found, pk=_number(request.POST.get("row"))).first()
        if row is None:
            messages.error(request, _("没有这条结果"))
        elif action == "withdraw":
            act(request, lambda: services.row_withdraw(actor=user, row=row, reason=request.POST.get("reason", "")),
                 _("已撤回，原结果仍可查看并标明撤回原因"))  # fmt: skip
        else:
            changes = {name: request.POST[name] for name in services.CORRECTABLE if request.POST.get(name, "").strip()}
            act(request, lambda: services.row_correct(actor=user, row=row, reason=request.POST.get("reason", ""),
                                                       **changes), _("已公开更正后的新版本"))  # fmt: skip
    else:
        raise Http404
    return redirect("disclosure:announcement", code=code)


def _number(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def parse_since(raw: str) -> dt.datetime | None:
    """`since` as ISO 8601 (a date or a time with its offset); None if absent. ValueError if malformed."""
    if not raw:
        return None
    from django.utils.dateparse import parse_date, parse_datetime

    moment = parse_datetime(raw.replace(" ", "+"))
    if moment is None:
        day = parse_date(raw)
        if day is None:
            raise ValueError(raw)
        moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment
