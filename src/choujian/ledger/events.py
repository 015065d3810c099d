"""Every kind of ledger entry the platform writes, declared once: its name and what it records.

`ledger_append` refuses a name that is not declared here, so an event cannot appear in the published log without a
meaning an outside reader can look up; `docs/ledger-events.md` is generated from this table (a test keeps it current).
Whether an entry's body carries the object's state or only its digest is not a property of the event but of the
object: records that would tell whom a sample came from are `ledger_private` (see `ledger.services.ledger_append`).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the transaction that appended an entry has committed (never for a change that was rolled back), with
# `type`, `ref` ("kind:id") and `instance` (the object as written, or None): other contexts react to what happened —
# the notifications context tells the people concerned. A failing receiver is logged, never undoes the change.
entry_recorded = Signal()

EVENTS: dict[str, str] = {
    # accounts
    "organisation.created": "登记机构",
    "organisation.updated": "修改机构信息",
    "membership.granted": "授予角色",
    "membership.reactivated": "恢复角色",
    "qualification.granted": "登记抽样人员资格",
    # registry
    "enterprise.created": "登记企业",
    "enterprise.updated": "修改企业信息",
    "enterprise.deleted": "删除未被引用的企业",
    "enterprise.archived": "归档企业",
    "enterprise.unarchived": "恢复已归档的企业",
    "product.created": "登记产品",
    "product.updated": "修改产品信息",
    "product.deleted": "删除未被引用的产品",
    "product.archived": "归档产品",
    "product.unarchived": "恢复已归档的产品",
    "project.created": "登记建设项目",
    "project.updated": "修改建设项目",
    "project.deleted": "删除未被引用的建设项目",
    "section.created": "登记标段",
    "section.updated": "修改标段",
    "delivery.created": "登记进场批次",
    "delivery.updated": "修改进场批次",
    "delivery.deleted": "删除未被引用的进场批次",
    "delivery.archived": "归档进场批次",
    "delivery.unarchived": "恢复已归档的进场批次",
    "delivery.document_attached": "上传进场批次随附文件",
    # rules and calendar
    "ruleset.created": "起草实施细则",
    "ruleset.updated": "修改实施细则草稿",
    "ruleset.loaded": "载入随平台发布的实施细则",
    "ruleset.refreshed": "更新随平台发布的实施细则草稿",
    "ruleset.activated": "实施细则生效",
    "ruleset.retired": "实施细则废止",
    "calendar.year_entered": "录入年度节假日安排",
    "deadline.recomputed": "节假日调整后重算期限",
    # planning
    "plan.created": "起草抽查计划",
    "plan.updated": "修改抽查计划",
    "plan.line_added": "计划增加产品类别及批次",
    "plan.line_removed": "计划删除产品类别",
    "plan.submitted": "提交计划审批",
    "plan.returned": "退回计划",
    "plan.approved": "批准计划",
    "plan.rules_pinned": "计划固定所用实施细则版本",
    "plan.frozen": "锁定抽样框",
    "plan.drawn": "完成抽取",
    "plan.sampling_closed": "结束抽样",
    "task.created": "生成抽样任务",
    "task.updated": "修改抽样任务",
    "task.inspectors_drawn": "抽取检查人员",
    "task.status_changed": "任务状态变化",
    "task.replaced": "任务由递补替换",
    "task.outcome_recorded": "任务记录最终结论",
    # draws
    "frame.built": "生成抽样框",
    "frame.frozen": "抽样框锁定并公布摘要",
    "ceremony.opened": "开始抽取仪式",
    "ceremony.link_issued": "发放参与人个人链接",
    "ceremony.link_reissued": "重新发放参与人个人链接",
    "ceremony.committed": "参与人提交承诺值",
    "ceremony.revealed": "参与人公开随机数",
    "ceremony.awaiting_beacon": "等待公共随机信标",
    "ceremony.completed": "仪式完成，种子生成",
    "ceremony.blocked": "仪式受阻（逾期未公开）",
    "draw.enterprises": "抽取被检对象",
    "draw.inspectors": "抽取检查人员",
    "draw.retests": "抽取复检机构",
    "draw.item_revealed": "公开一项抽取结果",
    "draw.fully_revealed": "抽取结果全部公开",
    # sampling and custody
    "sampling.started": "开始填写抽样单",
    "sampling.updated": "修改抽样单",
    "sampling.evidence_attached": "上传抽样证据",
    "sampling.signed": "抽样单签字",
    "sampling.sealed": "抽样单封样",
    "sampling.refused": "记录拒检",
    "sampling.suspended": "任务申请递补，抽样单暂停",
    "alternate.requested": "申请递补",
    "alternate.decided": "递补申请已决定",
    "sample.sealed": "样品封样",
    "sample.status_changed": "样品状态变化",
    "portion.sealed": "各份样品封存",
    "portion.stored": "备用样品确认存放",
    "portion.handed_over": "样品交出",
    "portion.received": "样品接收",
    "portion.returned": "交接被拒或撤回，样品退回",
    "handover.started": "发起样品交接",
    "handover.accepted": "接收样品交接",
    "handover.rejected": "拒收样品交接",
    "handover.withdrawn": "撤回样品交接",
    # laboratory
    "intake.accepted": "检验机构接收样品",
    "intake.rejected": "检验机构拒收样品",
    "lab_sample.created": "发放盲样编号",
    "lab_sample.status_changed": "盲样状态变化",
    "lab_sample.submitted": "提交检验报告",
    "result.entered": "录入检验结果",
    "result.corrected": "更正检验结果",
    "report.submitted": "报告提交审核",
    "report.reviewed": "报告审核通过",
    "report.returned": "报告退回修改",
    "report.approved": "报告批准签发",
    "notice.sent": "送达结果通知",
    "notice.received": "被抽样单位签收结果通知",
    "notice.served": "结果通知送达（书面送达，或以在平台提出异议视为收到）",
    "objection.filed": "提出异议",
    "objection.decided": "异议已决定",
    "retest.drawn": "抽取复检机构",
    "retest.confirmed": "确认复检备样状况",
    "retest.started": "开始复检",
    "retest.done": "复检完成",
    "outcome.final": "检验结论确定",
    # enforcement
    "announcement.drafted": "起草抽查结果公告",
    "announcement.updated": "修改公告草稿",
    "announcement.published": "审核并公开抽查结果公告",
    "announcement.row_corrected": "更正已公开的抽查结果（新版本）",
    "announcement.row_withdrawn": "撤回已公开的抽查结果",
    "error_report.filed": "公众提交纠错",
    "error_report.answered": "答复纠错",
    "open_bulk.built": "生成年度公开数据包",
    # analytics
    "history.imported": "导入历史抽查结果",
    "risk_signal.created": "登记风险信号",
    "risk_signal.withdrawn": "撤销风险信号",
    "warning.raised": "发出质量预警",
    "warning.closed": "关闭质量预警",
    "comparison.recorded": "记录实验室比对结果",
    "bulletin.drafted": "起草季度质量通报",
    "bulletin.updated": "修改季度通报草稿",
    "bulletin.published": "审核并公开季度质量通报",
    "case.opened": "后处理立案",
    "case.step_done": "办理后处理步骤",
    "case.recheck_ordered": "下达复查抽样",
    "case.recheck_concluded": "复查任务结论（案件此前已办结）",
    "case.lapsed": "后处理步骤逾期，按程序产生后果",
    "case.suspended": "中止后处理期限",
    "case.resumed": "恢复后处理期限",
    "case.referral_acknowledged": "确认接收移送的后处理案件",
    "case.file_attached": "提交后处理材料",
    "case.removal_recorded": "登记不合格批次退场",
    "case.removal_witnessed": "监理见证不合格批次退场",
    "case.penalty_decided": "登记处罚决定",
    "credit.recorded": "记入企业信用记录",
    "blacklist.listed": "列入黑名单",
    "blacklist.exited": "黑名单期满移出",
    "blacklist.repair_applied": "申请信用修复",
    "blacklist.repair_reviewed": "审查信用修复申请",
    "blacklist.repair_decided": "决定信用修复申请",
    "plan.ladder_set": "设置计划的后处理程序和期限",
}

# The admin site writes through the ledger too, for any ledgered kind: "<kind>.admin_created" and so on.
ADMIN_ACTIONS: dict[str, str] = {
    "admin_created": "在管理后台新建",
    "admin_updated": "在管理后台修改",
    "admin_deleted": "在管理后台删除",
}


# Event families named after what happened rather than after the kind of object the entry is about.
OBJECT_KINDS = {"alternate": "alternate_request", "sampling": "sampling_record", "result": "lab_sample"}


class UnknownEvent(ValueError):
    pass


def label(name: str) -> str:
    """What the entry records, in Chinese; raises `UnknownEvent` for a name nobody declared."""
    if name in EVENTS:
        return EVENTS[name]
    kind, _, action = name.partition(".")
    if action in ADMIN_ACTIONS and kind in _ledgered_kinds():
        return ADMIN_ACTIONS[action]
    raise UnknownEvent(f"ledger event {name!r} is not declared in choujian.ledger.events")


def _ledgered_kinds() -> set[str]:
    from choujian.ledger.objects import ledgered_models

    return set(ledgered_models())


def document() -> str:
    """docs/ledger-events.md: every event, what it records, and whether its public body shows the object's state."""
    from choujian.ledger.objects import ledgered_models

    models = ledgered_models()
    lines = [
        "# Ledger events",
        "",
        "Generated from `src/choujian/ledger/events.py` (`choujian ledger events > docs/ledger-events.md`).",
        "Every entry of the public log has one of these types. *Body* says what its published body carries: the",
        "object's full state and the event's data, or — for records that would tell whom a sample came from — only",
        "their digests (the state and data are kept aside for regulators).",
        "",
        "| Event | 含义 | Body |",
        "|---|---|---|",
    ]
    for name, meaning in EVENTS.items():
        family = name.partition(".")[0]
        model = models.get(OBJECT_KINDS.get(family, family))
        body = "digests only" if getattr(model, "ledger_private", False) else "state and data"
        lines.append(f"| `{name}` | {meaning} | {body} |")
    lines += ["", "And for every ledgered kind, changes made in the admin site:", ""]
    lines += [f"- `<kind>.{action}` — {meaning}" for action, meaning in ADMIN_ACTIONS.items()]
    return "\n".join(lines) + "\n"
