"""Forms of the draw pages: freezing a frame (with the seed's kind), an external seed, a replacement."""

from django import forms
from django.utils.translation import gettext_lazy as _

from choujian.core.dates import DateFormField
from choujian.draws.choices import SeedKind
from choujian.planning.choices import ReplacementReason


class FreezeForm(forms.Form):
    reveal_hours = forms.IntegerField(
        label=_("公开随机数期限（小时）"),
        min_value=1,
        max_value=720,
        initial=72,
        help_text=_("锁定后，所有参与人须在此期限内提交承诺值并公开随机数；逾期未公开，抽取将受阻并公开显示"),
    )
    seed_kind = forms.ChoiceField(label=_("种子方式"), choices=SeedKind.CHOICES, initial=SeedKind.KIND_CEREMONY)
    beacon_source = forms.CharField(
        label=_("公共随机信标（建议）"),
        max_length=300,
        required=False,
        help_text=_(
            "事先约定、锁定时尚无人知道的公开数值，如“中国福利彩票双色球 2027001 期开奖号码”；由另一人在公布后录入"
        ),
    )
    beacon_fixed_on = DateFormField(label=_("信标公布日期"), required=False)


class ExternalSeedForm(forms.Form):
    seed = forms.CharField(
        label=_("外部随机数"),
        max_length=400,
        strip=False,
        help_text=_("至少 20 个字符，如公开会议上掷骰 20 次的结果，按原样录入"),
    )
    description = forms.CharField(
        label=_("来源说明"), max_length=300, help_text=_("如：2026年3月5日公开会议，掷骰 20 次")
    )


class ReplaceForm(forms.Form):
    task = forms.ModelChoiceField(label=_("被替换的任务"), queryset=None, to_field_name="code")
    reason = forms.ChoiceField(label=_("递补原因"), choices=[("", _("请选择…"))] + ReplacementReason.CHOICES)
    note = forms.CharField(label=_("说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(
        label=_("证据（照片或文件）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/*"}),
        help_text=_("如停产公告、现场照片；到达时计算 SHA-256 并写入追溯日志"),
    )

    def __init__(self, *args, tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = tasks
        self.fields["task"].label_from_instance = lambda t: f"{t.code} · {t.enterprise.name} · {t.product.name}"
