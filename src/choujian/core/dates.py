"""Dates as people type them: the browser's picker, "2026/11/18", "2026.11.18", "2026年11月18日", "20261118"."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from rest_framework import serializers

_FULL_WIDTH = str.maketrans("０１２３４５６７８９／－．：", "0123456789/-.:")
_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
DATE_FORMATS_HINT = "2026-11-18、2026/11/18、2026.11.18、2026年11月18日 或 20261118"


def parse_date(value) -> dt.date:
    """A date from any of the forms in DATE_FORMATS_HINT; ValueError with a Chinese message otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value if value is not None else "").strip().translate(_FULL_WIDTH).replace(" ", "")
    if not text:
        raise ValueError("请填写日期")
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"“{value}”不是有效的日期") from None
    raise ValueError(f"无法识别日期“{value}”，请按 {DATE_FORMATS_HINT} 填写")


class DateFormField(forms.DateField):
    """Renders as the browser's date picker with an ISO value (a localised "2026/11/18" would show as blank there,
    and be saved back as blank); reads every typed form."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class DateSerializerField(serializers.DateField):
    """The API's date field: ISO dates and the typed forms people use."""

    def to_internal_value(self, value):
        try:
            return parse_date(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
