"""How a rule document's values read on a page: Chinese names for combinations, comparisons and qualitative limits."""

from django import template

from choujian.rules import judgment
from choujian.rules.compare import QUALITATIVE

register = template.Library()


@register.filter
def combine_label(value: str) -> str:
    return judgment.COMBINES.get(value, value)


@register.filter
def comparison_label(value: str) -> str:
    return judgment.METHODS.get(value, value)


@register.filter
def limit_text(value) -> str:
    return QUALITATIVE if value == judgment.QUALITATIVE else value
