"""Times as people in China read them: Asia/Shanghai, with the zone named on public pages."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()
SHANGHAI = ZoneInfo("Asia/Shanghai")


@register.filter
def beijing(value, with_seconds: bool = False) -> str:
    """A datetime or an ISO 8601 string such as "2026-12-05T08:00:00Z" → "2026-12-05 16:00（北京时间）"."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return str(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    local = timezone.localtime(value, SHANGHAI)
    text = local.strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")
    return f"{text}{_('（北京时间）')}"
