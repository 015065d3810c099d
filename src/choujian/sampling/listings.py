"""The sampling lists that grow: every sealed sample (see `core.listing`)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from choujian.core.listing import Column, Listing
from choujian.sampling.choices import SampleStatus

SAMPLES = Listing(
    key="samples",
    title=_("样品"),
    columns=(
        Column(_("样品编号"), lambda s: s.code, lambda s: reverse("sampling:sample", args=[s.code])),
        Column(_("任务编号"), lambda s: s.task.code),
        Column(_("产品"), lambda s: str(s.task.product)),
        Column(_("检验机构"), lambda s: s.laboratory.name),
        Column(_("状态"), lambda s: SampleStatus.display(s.status)),
        Column(_("封样时间"), lambda s: timezone.localtime(s.sealed_at).replace(tzinfo=None)),
        Column(_("送样期限"), lambda s: s.delivery_due),
    ),
    search=("code", "task__code", "task__product__name", "task__enterprise__name"),
    search_help=_("搜索样品编号、任务编号、产品或企业"),
    statuses=tuple(SampleStatus.CHOICES),
    date_field="sealed_at",
    date_label=_("封样日期"),
    empty=_("暂无样品。现场封样后，样品会出现在这里。"),
)
