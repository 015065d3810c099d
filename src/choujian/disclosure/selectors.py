"""Every read of announcements and published results, through the access policy (`disclosure.policy`)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from choujian.core.policy import VIEW, restrict
from choujian.disclosure.choices import RowStatus
from choujian.disclosure.models import Announcement, BulkArchive, Change, ErrorReport, ResultRow
from choujian.disclosure.policy import PUBLISH
from choujian.enforcement.choices import CaseStatus, ListingStatus
from choujian.enforcement.ladders import outcome_label
from choujian.enforcement.models import BlacklistEntry, Case
from choujian.testing.choices import Judgment


def announcements_visible_to(user) -> QuerySet[Announcement]:
    return restrict(Announcement.objects.all(), user, VIEW).select_related("plan", "drafted_by", "published_by")


def announcements_to_publish(user) -> QuerySet[Announcement]:
    """Drafts someone else of the user's regulator wrote: the second approval is the user's to give."""
    drafts = restrict(Announcement.objects.filter(status="draft"), user, PUBLISH).exclude(drafted_by=user)
    return drafts.select_related("plan").order_by("created_at")


def rows_visible_to(user) -> QuerySet[ResultRow]:
    return restrict(ResultRow.objects.all(), user, VIEW).select_related("announcement")


def published_rows(user, *, q: str = "", region: str = "", category: str = "", year=None, conclusion: str = ""):
    """The valid (current or withdrawn) published rows, filtered as the portal and the open data ask."""
    rows = rows_visible_to(user).filter(announcement__status="published").exclude(status=RowStatus.STATUS_SUPERSEDED)
    if q:
        rows = rows.filter(
            Q(enterprise_name__icontains=q) | Q(enterprise_uscc=q.upper()) | Q(product_name__icontains=q)
            | Q(category_name__icontains=q)
        )  # fmt: skip
    if region:
        rows = rows.filter(region__startswith=region.rstrip("0") or region)
    if category:
        rows = rows.filter(category_code=category)
    if year:
        rows = rows.filter(announcement__plan__year=year)
    if conclusion in (Judgment.JUDGMENT_PASS, Judgment.JUDGMENT_FAIL):
        rows = rows.filter(conclusion=conclusion)
    return rows.order_by("-announcement__published_at", "category_code", "enterprise_name", "row_id")


def published_regions(user) -> list[tuple[str, str]]:
    """(code, name) of the provinces and cities with published results, for the portal's region choice."""
    from choujian.core.divisions import name_of

    codes = set()
    for region in published_rows(user).values_list("region", flat=True).distinct():
        codes |= {region[:2] + "0000", region[:4] + "00"}
    return [(code, name_of(code)) for code in sorted(codes) if name_of(code) != code]


def versions_of(row: ResultRow) -> QuerySet[ResultRow]:
    return ResultRow.objects.filter(row_id=row.row_id, announcement__status="published").order_by("edition")


def changes_since(user, since: dt.datetime | None) -> QuerySet[Change]:
    changes = restrict(Change.objects.all(), user, VIEW).select_related("announcement", "row").order_by("at", "pk")
    return changes.filter(at__gt=since) if since is not None else changes


def public_draws(user):
    """The object draws of every plan, with the plan's stage: committed (sampling not begun), sampling (items
    revealed as they are sampled), or revealed in full."""
    from choujian.draws.choices import DrawPurpose
    from choujian.draws.models import Draw
    from choujian.draws.policy import RECORD

    draws = Draw.objects.filter(purpose=DrawPurpose.PURPOSE_ENTERPRISES).select_related("plan")
    return restrict(draws, user, RECORD).order_by("-created_at")


def error_reports_to_answer(user) -> QuerySet[ErrorReport]:
    """What the public reported about the user's regulator's results, not yet answered."""
    reports = restrict(ErrorReport.objects.filter(status="open"), user, PUBLISH)
    return reports.select_related("row", "announcement").order_by("created_at")


def error_reports_of(user, row_id) -> QuerySet[ErrorReport]:
    return restrict(ErrorReport.objects.filter(row__row_id=row_id), user, VIEW).order_by("created_at")


@dataclass
class EnforcementOutcome:
    what: str
    when: object
    basis: str


def enforcement_outcomes(uscc: str) -> list[EnforcementOutcome]:
    """What enforcement concluded about the enterprise's published failures, and its listings, with dates and basis."""
    found = []
    published = ResultRow.objects.filter(enterprise_uscc=uscc, announcement__status="published").values("task_id")
    closed = Case.objects.filter(task_id__in=published, status=CaseStatus.STATUS_CLOSED).order_by("closed_at")
    for case in closed:
        found.append(EnforcementOutcome(f"{case.product}：{outcome_label(case.conclusion)}", case.closed_at,
                                        case.rules.basis))  # fmt: skip
        for penalty in case.penalties.order_by("decided_on"):
            found.append(EnforcementOutcome(f"处罚决定 {penalty.decision_no}", penalty.decided_on, penalty.basis))
    listings = BlacklistEntry.objects.filter(enterprise__uscc=uscc).order_by("listed_on")
    for entry in listings:
        state = "列入黑名单" if entry.status == ListingStatus.STATUS_LISTED else "曾列入黑名单（已移出）"
        found.append(EnforcementOutcome(f"{state}：{entry.listed_on:%Y-%m-%d} 至 {entry.until:%Y-%m-%d}",
                                        entry.listed_on, entry.basis))  # fmt: skip
    return found


def latest_bulk_archives(user) -> list[BulkArchive]:
    """The newest archive of each year, newest year first."""
    newest: dict[int, BulkArchive] = {}
    for archive in restrict(BulkArchive.objects.all(), user, VIEW).order_by("-year", "-created_at"):
        newest.setdefault(archive.year, archive)
    return list(newest.values())


def bulk_archive_of(user, year: int) -> BulkArchive | None:
    return restrict(BulkArchive.objects.filter(year=year), user, VIEW).order_by("-created_at").first()
