"""The list of enforcement cases (see `core.listing`)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.core.listing import Column, Listing
from choujian.enforcement.choices import CaseCause, CaseStatus, LadderCode

CASES = Listing(
    key="cases",
    title=pgettext_lazy("plural", "后处理案件"),
    columns=(
        Column(_("案件编号"), lambda c: c.code, lambda c: reverse("enforcement:case", args=[c.code])),
        Column(_("生产企业"), lambda c: c.enterprise.name),
        Column(_("产品"), lambda c: str(c.product)),
        Column(_("起因"), lambda c: CaseCause.display(c.cause)),
        Column(_("处理程序"), lambda c: LadderCode.display(c.ladder)),
        Column(_("当前步骤 / 结论"), lambda c: c.stage_label),
        Column(_("期限"), lambda c: c.due),
        Column(_("主办监管部门"), lambda c: c.regulator.name),
        Column(_("状态"), lambda c: CaseStatus.display(c.status)),
    ),
    search=("code", "enterprise__name", "enterprise__uscc", "product__name", "task__code"),
    search_help=_("搜索案件编号、企业、信用代码、产品或任务编号"),
    statuses=tuple(CaseStatus.CHOICES),
    date_field="opened_at",
    date_label=_("立案日期"),
    empty=_("暂无后处理案件。检验结论为不合格并确定后，或企业拒绝抽样后，会自动立案。"),
)
