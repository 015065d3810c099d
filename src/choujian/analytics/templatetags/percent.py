"""`{{ 0.9634|pct }}` → “96.3%”; nothing to show → “—”."""

from django import template

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"
