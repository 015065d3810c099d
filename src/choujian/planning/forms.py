"""Forms for the plan and draw pages. They only shape input (lists, maps); services decide what is allowed."""

import json
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.models import Organisation
from choujian.accounts.selectors import active_organisations
from choujian.planning.choices import PlanKind, SamplingMode, StrataBy
from choujian.planning.models import HOLDOUT_DEFAULT_PERCENT, HOLDOUT_MAX_PERCENT
from choujian.registry.models import ProductCategory

QUOTA_LINE = re.compile(r"^\s*(\d{6})\s*[=:：,，\s]\s*(\d{1,6})\s*$")
PLAN_FIELDS = [
    "name",
    "kind",
    "year",
    "region",
    "lookback_days",
    "delivery_working_days",
    "budget_per_sample",
    "budget_total",
    "risk_based",
    "participants",
]


class PlanForm(forms.Form):
    name = forms.CharField(label=_("计划名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=PlanKind.CHOICES, initial=PlanKind.KIND_ANNUAL)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    regulator = forms.ModelChoiceField(label=_("组织单位"), queryset=Organisation.objects.none(), empty_label=None)
    region = forms.CharField(
        label=_("抽查范围（6 位行政区划代码）"), max_length=6, required=False, help_text=_("留空则为组织单位的辖区")
    )
    lookback_days = forms.IntegerField(label=_("重复抽查回避期（天）"), min_value=0, max_value=3650, initial=180)
    delivery_working_days = forms.IntegerField(
        label=_("送样期限（封样后工作日）"),
        required=False,
        min_value=1,
        max_value=60,
        initial=5,
        help_text=_("法定节假日不计，调休上班日计入"),
    )
    budget_per_sample = forms.DecimalField(
        label=_("单批次预算（元）"), max_digits=12, decimal_places=2, min_value=0, initial=0
    )
    budget_total = forms.DecimalField(label=_("总预算（元）"), max_digits=14, decimal_places=2, min_value=0, initial=0)
    participants = forms.CharField(
        label=_("抽取仪式参与人"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("林监管\n王见证（社会监督员）")}),
        help_text=_(
            "每行一人，至少两人：如监管部门代表与其他部门或社会监督员。每人将得到一个个人链接，在自己的手机上参与。"
        ),
    )
    risk_based = forms.BooleanField(
        label=_("差别化抽查（按风险加权）"),
        required=False,
        help_text=_("历史不合格或列入黑名单的企业权重更高，被抽中的机会更大"),
    )
    risk_base = forms.IntegerField(label=_("基础权重"), min_value=1, max_value=1000, required=False, initial=1)
    risk_per_nonconformity = forms.IntegerField(
        label=_("每次历史不合格增加的权重"), min_value=0, max_value=1000, required=False, initial=2
    )
    risk_per_signal = forms.IntegerField(
        label=_("每个风险信号（如列入黑名单）增加的权重"), min_value=0, max_value=1000, required=False, initial=3
    )
    risk_max = forms.IntegerField(label=_("最大权重"), min_value=1, max_value=1000, required=False, initial=10)
    risk_scores = forms.BooleanField(
        label=_("按企业风险评分加权"),
        required=False,
        help_text=_("权重 = 统计分析中企业在该类别的风险评分 × 1000；不再使用上面的加权规则"),
    )
    risk_holdout = forms.IntegerField(
        label=_("对照组比例（%，按风险评分加权时）"), min_value=0, max_value=HOLDOUT_MAX_PERCENT, required=False,
        initial=HOLDOUT_DEFAULT_PERCENT,
        help_text=_("每层批次中等权抽取的比例，用来衡量按风险定向抽取多发现了多少问题"),
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, regulators=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["regulator"]
        else:
            self.fields["regulator"].queryset = active_organisations().filter(pk__in=[o.pk for o in regulators or []])
            self.fields["year"].initial = timezone.localdate().year

    def clean_participants(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["participants"].splitlines()]
        return [name for name in names if name]

    def risk_rule(self) -> dict:
        keys = {
            "risk_base": "base", "risk_per_nonconformity": "per_nonconformity", "risk_per_signal": "per_signal",
            "risk_max": "max",
        }  # fmt: skip
        rule = {rule: self.cleaned_data[name] for name, rule in keys.items() if self.cleaned_data.get(name) is not None}
        if self.cleaned_data.get("risk_scores"):
            rule["scores"] = 1
            held = self.cleaned_data.get("risk_holdout")
            rule["holdout"] = HOLDOUT_DEFAULT_PERCENT if held is None else held
        return rule

    def plan_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in PLAN_FIELDS}
        data["risk_rule"] = self.risk_rule()
        return data

    def clean_delivery_working_days(self) -> int:
        return self.cleaned_data.get("delivery_working_days") or 5

    @classmethod
    def initial_for(cls, plan) -> dict:
        initial = {name: getattr(plan, name) for name in PLAN_FIELDS}
        initial["participants"] = "\n".join(plan.participants or [])
        rule = plan.risk_rule or {}
        initial.update(
            risk_base=rule.get("base"), risk_per_nonconformity=rule.get("per_nonconformity"),
            risk_per_signal=rule.get("per_signal"), risk_max=rule.get("max"), risk_scores=rule.get("scores") == 1,
            risk_holdout=plan.holdout_percent if plan.risk_based else HOLDOUT_DEFAULT_PERCENT,
        )  # fmt: skip
        initial["version"] = plan.version
        return initial


class LineForm(forms.Form):
    category = forms.ModelChoiceField(label=_("产品类别"), queryset=ProductCategory.objects.order_by("code"))
    quota = forms.IntegerField(label=_("抽查批次"), min_value=1, max_value=100000)
    strata_by = forms.ChoiceField(label=_("分层"), choices=StrataBy.CHOICES, initial=StrataBy.STRATA_NONE)
    stratum_quotas = forms.CharField(
        label=_("各层批次"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "350100=3\n350200=2"}),
        help_text=_("分层时每行一层：区划代码=批次，各层之和应等于抽查批次；不分层时留空"),
    )
    sampling_mode = forms.ChoiceField(label=_("抽样方式"), choices=SamplingMode.CHOICES)
    agency = forms.ModelChoiceField(
        label=_("抽样机构"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.KIND_SAMPLING_AGENCY, active=True),
    )
    laboratory = forms.ModelChoiceField(
        label=_("检验机构"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.KIND_LABORATORY, active=True),
        help_text=_("抽检分离：检验机构不能与抽样机构相同"),
    )

    def clean_stratum_quotas(self) -> dict:
        text = self.cleaned_data["stratum_quotas"].strip()
        if not text:
            return {}
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                raise forms.ValidationError(gettext("JSON 格式有误，可改为每行“区划代码=批次”")) from None
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and re.fullmatch(r"\d{6}", k) and type(v) is int and 0 <= v <= 100000
                for k, v in value.items()
            ):
                raise forms.ValidationError(gettext("每层应为“6 位区划代码: 非负整数批次”"))
            return value
        quotas: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            match = QUOTA_LINE.match(line)
            if not match:
                raise forms.ValidationError(
                    gettext("第 %(number)s 行“%(line)s”应为“区划代码=批次”，如 350100=3")
                    % {"number": number, "line": line.strip()[:30]}
                )
            if match.group(1) in quotas:
                raise forms.ValidationError(
                    gettext("第 %(number)s 行：%(region)s 重复") % {"number": number, "region": match.group(1)}
                )
            quotas[match.group(1)] = int(match.group(2))
        return quotas


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
