"""Searchable choice fields of the registry forms: a search box above a select, refilled from the server as the user
types (htmx), so that a list of hundreds of enterprises or products is found by name, credit code or pinyin
initials. Without JavaScript the select still holds every choice."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

SHOWN = 50  # options sent back per search


class SearchableSelect(forms.Select):
    def __init__(self, source: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source  # the kind of choices (see views.option_list)

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        target = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        search = format_html(
            '<input type="search" name="q" class="option-search" placeholder="{}" aria-label="{}" aria-controls="{}"'
            ' autocomplete="off" hx-get="{}" hx-trigger="input changed delay:300ms, search" hx-target="#{}"'
            ' hx-include="#{}" hx-swap="innerHTML">',
            _("输入名称、统一社会信用代码或拼音首字母搜索"),
            _("搜索选项"),
            target,
            reverse("registry:option_list", args=[self.source]),
            target,
            target,
        )
        return search + select


def product_choice_label(product) -> str:
    """A product as people pick it on a delivery: its manufacturer first, then name and specification."""
    return f"{product.enterprise.name}｜{product}"
