"""The laboratory's growing lists: blind worklist, reports, intake records (see `core.listing`).

Columns of the worklist and the reports are blind: nothing on them says whose sample it is, so the same list serves
testers and everyone else; each viewer sees only the rows the access policy gives them.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from choujian.core.listing import Column, Listing
from choujian.testing.choices import IntakeDecision, Judgment, LabStatus


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


WORKLIST = Listing(
    key="worklist",
    title=_("检验样品（盲样）"),
    columns=(
        Column(_("盲样编号"), lambda s: s.lab_code, lambda s: reverse("testing:lab_sample", args=[s.lab_code])),
        Column(_("产品类别"), lambda s: s.ruleset.category.name),
        Column(_("型号/类别"), lambda s: s.variant or None),
        Column(_("检验机构"), lambda s: s.laboratory.name),
        Column(_("状态"), lambda s: LabStatus.display(s.status)),
        Column(_("接收日期"), lambda s: s.received_on),
        Column(_("检验期限"), lambda s: s.due_on),
    ),
    search=("lab_code", "ruleset__category__name"),
    search_help=_("搜索盲样编号或产品类别"),
    statuses=tuple(LabStatus.CHOICES),
    date_field="received_on",
    date_label=_("接收日期"),
    empty=_("暂无检验样品。样品接收登记后，盲样会出现在这里。"),
)

REPORTS = Listing(
    key="reports",
    title=_("检验报告"),
    columns=(
        Column(_("报告编号"), lambda r: r.code, lambda r: reverse("testing:report", args=[r.code])),
        Column(_("盲样编号"), lambda r: r.lab_sample.lab_code),
        Column(_("产品类别"), lambda r: r.lab_sample.ruleset.category.name),
        Column(_("检验机构"), lambda r: r.lab_sample.laboratory.name),
        Column(_("检验结论"), lambda r: Judgment.display(r.judgment)),
        Column(_("状态"), lambda r: LabStatus.display(r.status)),
        Column(_("批准时间"), lambda r: _local(r.approved_at)),
    ),
    search=("code", "lab_sample__lab_code", "lab_sample__ruleset__category__name"),
    search_help=_("搜索报告编号、盲样编号或产品类别"),
    statuses=tuple(LabStatus.CHOICES),
    date_field="approved_at",
    date_label=_("批准日期"),
    empty=_("暂无检验报告。"),
)

INTAKES = Listing(
    key="intakes",
    title=_("样品接收记录"),
    columns=(
        Column(_("样品编号"), lambda i: i.sample.code),
        Column(_("检验机构"), lambda i: i.laboratory.name),
        Column(_("结论"), lambda i: IntakeDecision.display(i.decision)),
        Column(_("样品状况"), lambda i: i.condition),
        Column(_("拒收原因"), lambda i: i.reason or None),
        Column(_("登记时间"), lambda i: _local(i.created_at)),
    ),
    search=("sample__code", "condition", "reason"),
    search_help=_("搜索样品编号、样品状况或拒收原因"),
    statuses=tuple(IntakeDecision.CHOICES),
    status_field="decision",
    date_field="created_at",
    date_label=_("登记日期"),
    empty=_("暂无接收记录。"),
)
