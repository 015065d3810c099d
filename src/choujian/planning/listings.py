"""The task list (see `core.listing`): every task a user may read, searchable, filtered and exported."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.core.listing import Column, Listing
from choujian.planning.choices import TaskStatus


def _inspectors(task) -> str | None:
    names = [str(row.inspector) for row in sorted(task.inspectors.all(), key=lambda row: row.rank)]
    return "、".join(names) or None


TASKS = Listing(
    key="tasks",
    title=pgettext_lazy("plural", "抽查任务"),
    columns=(
        Column(_("任务编号"), lambda t: t.code, lambda t: reverse("planning:task_detail", args=[t.code])),
        Column(_("计划"), lambda t: t.plan.code),
        Column(_("被抽查企业"), lambda t: t.enterprise.name),
        Column(_("产品"), lambda t: t.product.name),
        Column(_("抽样机构"), lambda t: t.agency.name),
        Column(_("检查人员"), _inspectors),
        Column(_("状态"), lambda t: TaskStatus.display(t.status)),
        Column(_("抽取时间"), lambda t: timezone.localtime(t.drawn_at).replace(tzinfo=None)),
    ),
    search=("code", "enterprise__name", "product__name"),
    search_help=_("搜索任务编号、企业或产品"),
    statuses=tuple(TaskStatus.CHOICES),
    date_field="drawn_at",
    date_label=_("抽取日期"),
    empty=_("暂无抽查任务。计划抽取完成后，分配给您（或您的单位）的任务会显示在这里。"),
)
