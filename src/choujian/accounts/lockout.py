"""Sign-in throttling that nobody can aim at someone else.

django-axes locks a username only together with the address the failures came from (a county office behind one NAT
address does not lock out another office, and a stranger cannot lock out an approver). On top, each sign-in to a
username that failed repeatedly in the last hour, from anywhere, waits a delay that doubles per failure (capped), so
guessing a password stays slow without a hard lock."""

import math

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

FREE_FAILURES = 3
MAX_DELAY_SECONDS = 60
WINDOW_HOURS = 1


def retry_after(username: str) -> int:
    """Seconds to wait before `username` may try again (0: now)."""
    if not username:
        return 0
    since = timezone.now() - timezone.timedelta(hours=WINDOW_HOURS)
    totals = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), latest=Max("attempt_time")
    )
    failures = totals["failures"] or 0
    if failures <= FREE_FAILURES or totals["latest"] is None:
        return 0
    delay = min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)
    waited = (timezone.now() - totals["latest"]).total_seconds()
    return max(0, math.ceil(delay - waited))


def wait_message(seconds: int) -> str:
    return f"该账号近期多次登录失败，请 {seconds} 秒后再试"


def locked_attempts(usernames=None):
    """Address + username pairs locked out by too many failures (optionally only for some usernames)."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if usernames is not None:
        attempts = attempts.filter(username__in=list(usernames))
    return attempts.order_by("-attempt_time")


def unlock(*, username: str, ip_address: str | None) -> int:
    return reset(ip=ip_address, username=username)
