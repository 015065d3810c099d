"""`{{ code|region }}` → “福建省福州市（350100）”: people read names, not six-digit codes."""

from django import template

from choujian.core.divisions import DivisionError, get_division

register = template.Library()


@register.filter
def region(code: str) -> str:
    try:
        return f"{get_division(code).full_name}（{code}）"
    except (DivisionError, TypeError, ValueError):
        return code
