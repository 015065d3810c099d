from django import template

from choujian.workcalendar.selectors import deadline_display

register = template.Library()


@register.filter
def deadline(owner, field: str) -> str:
    """``{{ sample|deadline:"delivery_due" }}`` → "2027-01-12（暂定，待2027年节假日安排公布后确认）"."""
    if owner is None:
        return "—"
    return deadline_display(owner, field)
