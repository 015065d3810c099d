"""Forms of the case page; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StepForm(forms.Form):
    step = forms.CharField(max_length=20, widget=forms.HiddenInput)
    result = forms.CharField(max_length=20, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如整改措施、复查抽样地点和样品数、文书编号"),
    )  # fmt: skip
