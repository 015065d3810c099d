"""Forms for editing a draft rule set one piece at a time: one test item, or the rule set's title, date and standards.

They only shape input into the rule document. Whether the document is right is decided by `schema.validate` inside
`services.ruleset_update`; each problem it finds names an item and a field, and `add_problems` puts it back beside the
field it names (anything else goes above the form).
"""

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from choujian.rules import judgment, schema

COMBINE_LABELS = {
    judgment.MEAN: _("取平均值（mean）"),
    judgment.MEDIAN: _("取中位数（median）"),
    judgment.EACH: _("逐个判定（each）"),
    judgment.MIN: _("取最小值（min）"),
    judgment.MAX: _("取最大值（max）"),
}
COMPARISON_LABELS = {
    judgment.FULL: _("全数值比较法（full）"),
    judgment.ROUNDED: _("修约值比较法（rounded）"),
}
CLASS_LABELS = {"A": _("A 类"), "B": _("B 类"), "C": _("C 类")}
# The form's name for a field of the rule document, where the two differ (`class` is a Python keyword).
FORM_FIELD = {"class": "cls"}


def _choices(labels: dict, keys) -> list[tuple[str, str]]:
    # Every key the judgment accepts must have a label here: a KeyError at import is the reminder.
    return [("", _("请选择"))] + [(key, labels[key]) for key in keys]


class _ProblemsMixin:
    """Puts the problems of `schema.validate` beside the fields they name."""

    def _field_for(self, problem: schema.Problem) -> str | None:
        name = FORM_FIELD.get(problem.field, problem.field)
        return name if name in self.fields and name != "version" else None

    def add_problems(self, problems: list[schema.Problem], mine: set[str]) -> None:
        """`mine`: the item labels (its code, or "#n") whose problems are this form's; "" for the rule set's own."""
        for problem in problems:
            name = self._field_for(problem) if problem.item in mine else None
            self.add_error(name, problem.message if name else str(problem))

    def disable(self) -> None:
        for field in self.fields.values():
            field.disabled = True


class ItemForm(_ProblemsMixin, forms.Form):
    """One test item. With variants, the limit is one for all of them or one per variant (a row each)."""

    code = forms.CharField(
        label=_("项目代码"),
        max_length=40,
        help_text=_(
            "小写字母开头，只含小写字母、数字和下划线，在本细则中唯一，如 tensile_strength；检验结果按此代码填报。"
        ),
    )
    name = forms.CharField(label=_("项目名称"), max_length=100)
    cls = forms.ChoiceField(
        label=_("项目类别"),
        choices=_choices(CLASS_LABELS, judgment.CLASSES),
        help_text=_("判定时按 A、B、C 类分别统计不合格项数（见细则的判定规则）。"),
    )
    test_method = forms.CharField(label=_("检验方法"), max_length=200, help_text=_("如 GB/T 528-2009"))
    unit = forms.CharField(label=_("单位"), max_length=20, required=False, help_text=_("如 MPa、%；定性项目留空"))
    replicates = forms.IntegerField(
        label=_("测定次数"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("每个样品的测定值（试样）个数，检验人员须填报同样多个测定值。"),
    )
    combine = forms.ChoiceField(
        label=_("结果合成"),
        choices=_choices(COMBINE_LABELS, judgment.COMBINES),
        help_text=_(
            "多个测定值如何与限值比较：取平均值、取中位数（如 GB/T 528 的拉伸性能）、逐个判定、取最小值或最大值；"
            "定性项目只能逐个判定。"
        ),
    )
    comparison = forms.ChoiceField(
        label=_("比较方法"),
        choices=[(key, COMPARISON_LABELS[key]) for key in judgment.METHODS],
        initial=judgment.FULL,
        help_text=_(
            "全数值比较法：测定值不修约，直接与限值比较；修约值比较法：先按修约间隔修约，再与限值比较（GB/T 8170）。"
        ),
    )
    step = forms.CharField(
        label=_("修约间隔"),
        max_length=20,
        required=False,
        help_text=_(
            "GB/T 8170：1、0.1、0.01 等（10ⁿ），或 0.5 单位（0.5、5…）、0.2 单位（0.2、2…）；"
            "数值项目必填，定性项目留空。"
        ),
    )
    limit = forms.CharField(
        label=_("限值"),
        max_length=100,
        required=False,
        help_text=_(
            "写法：>=260（不小于）、>260、<=2.5（不大于）、<2.5、370~500（闭区间）、60±5（允许偏差）；"
            "也可写 ≥、≤、不小于、不大于。定性项目写 qualitative，并填写技术要求。"
        ),
    )
    requirement = forms.CharField(
        label=_("技术要求"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("定性项目必填，如“试样表面无裂纹”；数值项目一般留空。"),
    )
    source = forms.CharField(
        label=_("限值出处（条款）"),
        max_length=200,
        help_text=_("条款级出处，如 GB/T 18173.2-2014 表2。"),
    )
    verified = forms.BooleanField(
        label=_("已核实"),
        required=False,
        help_text=_("只有限值和出处已对照标准原文核实时才勾选；未核实的限值在每次判定中都会标出。"),
    )
    note = forms.CharField(
        label=_("备注"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("未核实时必须写明需要核对什么。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, variants: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.variants = variants or []
        self.variant_names: dict[str, str] = {}  # variant code → its limit field
        for index, variant in enumerate(self.variants):
            name = f"limit_v{index}"
            self.fields[name] = forms.CharField(
                label=variant["code"], max_length=100, required=False, help_text=variant.get("name", "")
            )
            self.variant_names[variant["code"]] = name
        if self.variants:
            limit = self.fields["limit"]
            limit.label = _("统一限值（适用于全部规格）")
            limit.help_text = _(
                "各规格限值相同时填在这里；不同时留空，在下面按规格填写（留空的规格不检此项目）。%(syntax)s"
            ) % {"syntax": limit.help_text}

    @property
    def variant_fields(self) -> list:
        return [self[name] for name in self.variant_names.values()]

    @classmethod
    def initial_for(cls, item: dict, variants: list[dict], version: int) -> dict:
        initial = {FORM_FIELD.get(key, key): value for key, value in item.items() if key != "limit"}
        initial["step"] = item.get("step") or ""
        initial["version"] = version
        if isinstance(item["limit"], dict):
            for index, variant in enumerate(variants):
                initial[f"limit_v{index}"] = item["limit"].get(variant["code"], "")
        else:
            initial["limit"] = item["limit"]
        return initial

    def clean(self):
        data = super().clean()
        single = (data.get("limit") or "").strip()
        per_variant = {code: (data.get(name) or "").strip() for code, name in self.variant_names.items()}
        if single and any(per_variant.values()):
            self.add_error("limit", _("请只填写一种：统一限值，或按规格的限值"))
        elif not single and not any(per_variant.values()):
            self.add_error("limit", _("请填写限值") if not self.variants else _("请填写统一限值，或至少一个规格的限值"))
        return data

    def item(self) -> dict:
        """The test item as the rule document writes it (checked later by the schema)."""
        data = self.cleaned_data
        per_variant = {code: data[name].strip() for code, name in self.variant_names.items() if data[name].strip()}
        return {
            "code": data["code"].strip(),
            "name": data["name"].strip(),
            "class": data["cls"],
            "test_method": data["test_method"].strip(),
            "unit": data["unit"].strip(),
            "replicates": data["replicates"],
            "combine": data["combine"],
            "comparison": data["comparison"],
            "step": data["step"].strip() or None,
            "limit": per_variant or data["limit"].strip(),
            "requirement": data["requirement"].strip(),
            "source": data["source"].strip(),
            "verified": data["verified"],
            "note": data["note"].strip(),
        }

    def _field_for(self, problem: schema.Problem) -> str | None:
        if problem.field.startswith("limit."):
            return self.variant_names.get(problem.field.removeprefix("limit."))
        return super()._field_for(problem)


class RuleSetForm(_ProblemsMixin, forms.Form):
    """The rule set's own fields. Category and version are its identity: a new version is a new draft."""

    title = forms.CharField(label=_("细则名称"), max_length=200)
    effective_date = forms.DateField(
        label=_("实施日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("发布后，自该日起用于新的判定；同一类别有多个现行版本时，用实施日期最近且不晚于当天的一版。"),
    )
    product_standards = forms.CharField(
        label=_("产品标准"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项，如 GB/T 18173.2-2014。"),
    )
    scope = forms.CharField(
        label=_("适用范围"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("说明"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如本版相对上一版的变化、尚待核对的内容。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_for(cls, content: dict, version: int) -> dict:
        return {
            "title": content["title"],
            "effective_date": content["effective_date"],
            "product_standards": "\n".join(content["product_standards"]),
            "scope": content.get("scope", ""),
            "notes": content.get("notes", ""),
            "version": version,
        }

    def clean_product_standards(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["product_standards"].splitlines()]
        return [line for line in lines if line]

    def apply(self, content: dict) -> dict:
        """The rule document with this form's fields in place of its own."""
        data = self.cleaned_data
        changed = copy.deepcopy(content)
        changed.update(
            title=data["title"].strip(),
            effective_date=data["effective_date"].isoformat(),
            product_standards=data["product_standards"],
            scope=data["scope"].strip(),
            notes=data["notes"].strip(),
        )
        return changed


def item_index(content: dict, code: str) -> int | None:
    return next((i for i, item in enumerate(content["items"]) if item["code"] == code), None)


def item_labels(content: dict, index: int) -> set[str]:
    """How the schema names the item at `index` in its problems: its code, or "#n" when it has none."""
    return {content["items"][index]["code"], f"#{index + 1}"}


def with_item(content: dict, item: dict, index: int | None) -> tuple[dict, int]:
    """The rule document with `item` in place of the one at `index` (a new item goes last), and the item's index."""
    changed = copy.deepcopy(content)
    if index is None:
        changed["items"].append(item)
        return changed, len(changed["items"]) - 1
    changed["items"][index] = item
    return changed, index


def without_item(content: dict, index: int) -> dict:
    changed = copy.deepcopy(content)
    del changed["items"][index]
    return changed
