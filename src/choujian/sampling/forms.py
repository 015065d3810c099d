"""Forms of the field pages. They only shape input; the services decide what is allowed and complete."""

from django import forms
from django.utils.translation import gettext_lazy as _

from choujian.core.dates import DateFormField
from choujian.planning.choices import ReplacementReason
from choujian.sampling.choices import PlaceKind
from choujian.sampling.models import SamplingRecord

# (section title, fields) in the order a sampler fills them on site.
SECTIONS = [
    (_("被抽样单位"), ["party_name", "party_uscc", "party_address", "party_contact", "party_phone"]),
    (
        _("产品"),
        [
            "product_name",
            "brand",
            "model_spec",
            "batch_no",
            "production_date",
            "standard",
            "licence_no",
            "maker_name",
            "maker_address",
        ],
    ),
    (
        _("抽样地点与数量"),
        [
            "place_kind",
            "place_address",
            "lot_size",
            "lot_unit",
            "test_quantity",
            "backup_portions",
            "backup_quantity",
            "seal_numbers",
        ],
    ),
    (_("定位与时间"), ["latitude", "longitude", "position_accuracy", "device_time"]),
    (_("随货文件核对"), ["paper_matches", "paper_note"]),
    (_("网络购买"), ["seller_name", "shop_url", "order_no", "payment_account", "buyer_account", "delivery_address"]),
    (_("备注"), ["remarks"]),
    (_("拒检（仅在被抽样单位拒绝抽样时填写）"), ["refusal_reason"]),
]
ONLINE_SECTION, PAPER_SECTION = 5, 4
FORM_PAGE_FIELDS = [name for _, names in SECTIONS for name in names]


class RecordForm(forms.ModelForm):
    """Every field optional while drafting: sealing checks completeness (services.seal_problems)."""

    seal_numbers = forms.CharField(
        label=_("封条编号"),
        required=False,
        help_text=_("每份样品一个，用逗号分隔：第一个为检验样品，其后为备用样品"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    paper_matches = forms.NullBooleanField(
        label=_("纸质随货文件与施工单位预传文件一致"),
        required=False,
        widget=forms.Select(choices=[("unknown", _("未核对")), ("true", _("一致")), ("false", _("不一致"))]),
    )
    device_time = forms.DateTimeField(label=_("设备时间"), required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = SamplingRecord
        field_classes = {"production_date": DateFormField}
        fields = [name for name in FORM_PAGE_FIELDS if name not in ("seal_numbers", "paper_matches", "device_time")]
        widgets = {
            "lot_size": forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            "latitude": forms.NumberInput(attrs={"readonly": True, "step": "any"}),
            "longitude": forms.NumberInput(attrs={"readonly": True, "step": "any"}),
            "position_accuracy": forms.NumberInput(attrs={"readonly": True}),
            "party_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "refusal_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place_kind"].choices = [("", "—")] + list(PlaceKind.CHOICES)
        if self.instance and self.instance.pk and not self.is_bound:
            self.initial["seal_numbers"] = ", ".join(self.instance.seal_numbers or [])
            self.initial["version"] = self.instance.version
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-field", name)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["seal_numbers"] = data.get("seal_numbers") or ""
        return data

    def sections(self, *, online: bool, paper: bool) -> list:
        """The sections to show: online purchase fields only for online purchases, the paper check only where the
        contractor uploaded documents beforehand."""
        shown = []
        for index, (title, names) in enumerate(SECTIONS):
            if (index == ONLINE_SECTION and not online) or (index == PAPER_SECTION and not paper):
                continue
            shown.append((title, [self[name] for name in names]))
        return shown


class AlternateRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("不能抽样的原因"), choices=ReplacementReason.CHOICES)
    note = forms.CharField(label=_("现场情况说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("决定"),
        choices=[("true", _("同意递补（由下一备选对象替换）")), ("false", _("不予递补，继续抽样"))],
        coerce=lambda value: value == "true",
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
