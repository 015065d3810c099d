"""Every date field reads what the browser's picker sends and the forms people type; unreadable is a field error."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from choujian.core.dates import DateFormField, parse_date
from choujian.registry.forms import DeliveryForm
from choujian.sampling.forms import RecordForm

TYPED = ["2026-11-18", "2026/11/18", "2026.11.18", "2026年11月18日", "20261118", " 2026-11-18 ", "２０２６／１１／１８"]


@pytest.mark.parametrize("text", TYPED)
def test_it_reads_every_typed_form(text):
    assert parse_date(text) == dt.date(2026, 11, 18)
    assert DateFormField().clean(text) == dt.date(2026, 11, 18)


@pytest.mark.parametrize("text", ["2026-02-30", "18/11/2026", "明天", "2026-11"])
def test_an_unreadable_date_is_a_field_error_in_chinese(text):
    from django import forms

    with pytest.raises(forms.ValidationError) as info:
        DateFormField().clean(text)
    assert "日期" in info.value.messages[0]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_every_form_reads_back_the_same_day(day):
    for text in (
        f"{day:%Y-%m-%d}",
        f"{day:%Y/%m/%d}",
        f"{day:%Y.%m.%d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}",
    ):
        assert parse_date(text) == day


def test_the_date_pickers_show_the_stored_value_in_iso_form():
    # A Chinese-localised "2026/11/18" is blank in <input type=date>, and autosave then stored the blank.
    field = RecordForm.base_fields["production_date"]
    assert isinstance(field, DateFormField)
    html = field.widget.render("production_date", dt.date(2026, 11, 18))
    assert 'type="date"' in html and 'value="2026-11-18"' in html
    delivered = DeliveryForm.base_fields["delivered_on"]
    assert 'value="2026-11-18"' in delivered.widget.render("delivered_on", dt.date(2026, 11, 18))
