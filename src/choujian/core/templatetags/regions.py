"""`{{ code|region }}` → “福建省福州市（350100）”: people read names, not six-digit codes."""

from django import template
from django.utils.translation import gettext as _

from choujian.core.divisions import DivisionError, get_division, name_of

register = template.Library()


@register.filter
def region(code: str) -> str:
    """The full division name with its code, or the code itself when it is not a known division."""
    try:
        return _("%(name)s（%(code)s）") % {"name": get_division(code).full_name, "code": code}
    except (DivisionError, TypeError, ValueError):
        return code


@register.filter
def region_name(code: str) -> str:
    """The full division name alone (“福建省福州市长乐区”), for tables that have no room for the code."""
    return name_of(code)
