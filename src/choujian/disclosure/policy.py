"""Who may see and do what with announcements (declared to the access policy, `choujian.core.policy`).

Published announcements and their rows are public, signed in or not. Drafts are seen by the writers of the
organising regulator; any of them drafts, and another of them publishes (the service refuses the drafter), corrects
or withdraws a published row."""

from django.db.models import Q

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.core.policy import EVERYTHING, VIEW, rule
from choujian.disclosure.choices import AnnouncementStatus, ReportStatus
from choujian.disclosure.models import Announcement, BulkArchive, Change, ErrorReport, ResultRow
from choujian.planning.policy import regulator_orgs

PUBLISH = "publish"
DRAFT = "draft"

PUBLISHED = Q(status=AnnouncementStatus.STATUS_PUBLISHED)


def _writers(user: User | None) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [org.pk for org in regulator_orgs(user, Role.REGULATOR_WRITERS)]


@rule(Announcement, VIEW, anonymous=True)
def announcements_seen(user: User) -> Q:
    """Anyone: published announcements. The organiser's writers: its drafts too."""
    writers = _writers(user)
    return PUBLISHED | Q(plan__regulator_id__in=writers) if writers else PUBLISHED


@rule(Announcement, DRAFT, PUBLISH)
def announcements_handled(user: User) -> Q:
    """The officers and administrators of the organising regulator (publishing also needs someone other than the
    drafter)."""
    return Q(plan__regulator_id__in=_writers(user))


@rule(ResultRow, VIEW, anonymous=True)
def rows_seen(user: User) -> Q:
    """Anyone: the rows of published announcements, every version. The organiser's writers: drafts' rows too."""
    writers = _writers(user)
    published = Q(announcement__status=AnnouncementStatus.STATUS_PUBLISHED)
    return published | Q(announcement__plan__regulator_id__in=writers) if writers else published


@rule(ResultRow, PUBLISH)
def rows_corrected(user: User) -> Q:
    """Corrections and withdrawals: the organiser's writers, on published rows."""
    published = Q(announcement__status=AnnouncementStatus.STATUS_PUBLISHED)
    return published & Q(announcement__plan__regulator_id__in=_writers(user))


@rule(Change, VIEW, anonymous=True)
def changes_seen(user: User) -> Q:
    """Anyone: a change is recorded only when something is published, corrected or withdrawn."""
    return EVERYTHING


@rule(ErrorReport, VIEW, anonymous=True)
def error_reports_seen(user: User) -> Q:
    """Anyone: the answered ones (without the contact). The organiser's writers: all of theirs."""
    writers = _writers(user)
    answered = Q(status=ReportStatus.STATUS_ANSWERED)
    return answered | Q(announcement__plan__regulator_id__in=writers) if writers else answered


@rule(ErrorReport, PUBLISH)
def error_reports_answered(user: User) -> Q:
    """The organiser's writers answer what was reported about their results."""
    return Q(announcement__plan__regulator_id__in=_writers(user))


@rule(BulkArchive, VIEW, anonymous=True)
def bulk_archives_seen(user: User) -> Q:
    """Anyone: a yearly archive holds only what is published."""
    return EVERYTHING
