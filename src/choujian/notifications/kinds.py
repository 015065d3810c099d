"""The kinds of message, declared once: what each is called, and whether it is a legal notice (which a person cannot
switch off on any channel). A message of an undeclared kind is refused, like an undeclared ledger event."""

from django.utils.translation import gettext_lazy as _

LEGAL = frozenset(
    {"notice.sent", "notice.served", "objection.decided", "case.opened", "case.recheck", "case.site", "case.closed"}
)

KINDS = {
    "task.inspectors_drawn": _("分配抽样任务"),
    "sampling.signed": _("抽样单待您签字"),
    "alternate.requested": _("递补申请待决定"),
    "alternate.decided": _("递补申请已决定"),
    "handover.started": _("样品交接待签收"),
    "report.submitted": _("报告待审核"),
    "report.reviewed": _("报告待批准"),
    "report.returned": _("报告被退回"),
    "notice.sent": _("检验结果通知"),
    "analytics.warning": _("质量预警"),
    "analytics.lab_warning": _("实验室比对不满意"),
    "notice.served": _("结果通知已送达"),
    "objection.filed": _("收到异议"),
    "objection.decided": _("异议决定"),
    "retest.drawn": _("被抽取为复检机构"),
    "deadline.reminder": _("期限即将到期"),
    "deadline.missed": _("期限已逾期"),
    "deadline.digest": _("期限提醒汇总"),
    "deadline.recomputed": _("日历变更使期限调整"),
    "ledger.alert": _("追溯日志校验发现不符"),
    "case.opened": _("后处理立案"),
    "case.step": _("后处理待办"),
    "case.recheck": _("复查抽样通知"),
    "case.closed": _("后处理办结"),
    "case.referred": _("后处理案件移送"),
    "case.site": _("进场批次不合格，须退场"),
}


def label(kind: str) -> str:
    if kind not in KINDS:
        raise LookupError(f"undeclared message kind {kind!r}")
    return str(KINDS[kind])


def switchable(kind: str) -> bool:
    return kind not in LEGAL
