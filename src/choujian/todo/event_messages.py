"""Who is told what, when something happens (站内信 by event): each ledger event that asks someone to act maps to
the people concerned and a message, declared once here. It runs after the change has committed; messages to blind
laboratory roles name the lab code only (never a sample code, an enterprise or a place)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.accounts.scope import members_of
from choujian.notifications.services import message_send
from choujian.planning.policy import inspected_party_orgs
from choujian.sampling.choices import RecordStatus
from choujian.sampling.policy import RECEIVING_ROLES


@dataclass(frozen=True)
class Telling:
    recipients: Callable[[object], Iterable[User]]
    subject: Callable[[object], str]
    link: Callable[[object], str]


def _organisers(task) -> Iterable[User]:
    return members_of([task.plan.regulator_id], Role.REGULATOR_WRITERS)


def _party(task) -> Iterable[User]:
    return members_of(inspected_party_orgs(task), {Role.ROLE_ENTERPRISE_STAFF, Role.ROLE_CONTRACTOR_STAFF})


def _unsigned_samplers(record) -> list[User]:
    """The drawn samplers who have not signed this form yet (signing asks the others to)."""
    if record.status != RecordStatus.STATUS_DRAFT:
        return []
    signed = set(record.signatures.values_list("signer_id", flat=True))
    return [
        row.inspector for row in record.task.inspectors.select_related("inspector") if row.inspector_id not in signed
    ]


def _lab(organisation_id: int, role: str) -> Iterable[User]:
    return members_of([organisation_id], {role})


def _lab_sample_link(report) -> str:
    return reverse("testing:lab_sample", args=[report.lab_sample.lab_code])


TELLINGS: dict[str, Telling] = {
    "task.inspectors_drawn": Telling(
        lambda task: [row.inspector for row in task.inspectors.select_related("inspector")],
        lambda task: f"新的抽样任务：{task.code}（{task.line.category.name}）",
        lambda task: reverse("sampling:task", args=[task.code]),
    ),
    "sampling.signed": Telling(
        lambda record: _unsigned_samplers(record),
        lambda record: f"抽样单 {record.code} 已有人签字，等待您签字",
        lambda record: reverse("sampling:record", args=[record.code]),
    ),
    "alternate.requested": Telling(
        lambda request: _organisers(request.task),
        lambda request: f"任务 {request.task.code} 申请递补，请决定",
        lambda request: reverse("sampling:request", args=[request.public_id]),
    ),
    "alternate.decided": Telling(
        lambda request: [request.requested_by],
        lambda request: f"任务 {request.task.code} 的递补申请已决定：{request.get_status_display()}",
        lambda request: reverse("sampling:request", args=[request.public_id]),
    ),
    "handover.started": Telling(
        lambda h: members_of([h.to_org_id], RECEIVING_ROLES.get(h.to_org.kind, set())),
        lambda h: f"样品 {h.sample.code} 正在交给贵单位，请核对签收",
        lambda h: reverse("sampling:handover", args=[h.public_id]),
    ),
    "report.submitted": Telling(
        lambda r: _lab(r.lab_sample.laboratory_id, Role.ROLE_REVIEWER),
        lambda r: f"待审核：盲样 {r.lab_sample.lab_code} 的检验报告",
        _lab_sample_link,
    ),
    "report.reviewed": Telling(
        lambda r: _lab(r.lab_sample.laboratory_id, Role.ROLE_APPROVER),
        lambda r: f"待批准：盲样 {r.lab_sample.lab_code} 的检验报告",
        _lab_sample_link,
    ),
    "report.returned": Telling(
        lambda r: [r.drafted_by],
        lambda r: f"退回修改：盲样 {r.lab_sample.lab_code} 的检验报告",
        _lab_sample_link,
    ),
    "notice.sent": Telling(
        lambda n: _party(n.sample.task),
        lambda n: f"检验结果通知：报告 {n.report.code}，请签收；对结果有异议的，可在期限内提出",
        lambda n: reverse("testing:report", args=[n.report.code]),
    ),
    "notice.served": Telling(
        lambda n: _party(n.sample.task),
        lambda n: f"结果通知已送达：报告 {n.report.code}，异议期限至 {n.objection_due:%Y-%m-%d}",
        lambda n: reverse("testing:report", args=[n.report.code]),
    ),
    "objection.filed": Telling(
        lambda o: _organisers(o.sample.task),
        lambda o: f"收到异议：报告 {o.report.code}，请在期限内作出决定",
        lambda o: reverse("testing:report", args=[o.report.code]),
    ),
    "objection.decided": Telling(
        lambda o: list(_party(o.sample.task)) + [o.filed_by],
        lambda o: f"异议已作出决定：报告 {o.report.code}",
        lambda o: reverse("testing:report", args=[o.report.code]),
    ),
    "retest.drawn": Telling(
        lambda r: _lab(r.laboratory_id, Role.ROLE_LAB_INTAKE),
        lambda r: "贵机构被抽取为复检机构：备用样品送达后请接收登记",
        lambda r: reverse("testing:home") + "#queue",
    ),
}


def tell(sender, *, type: str, ref: str, instance, **kwargs) -> int:
    telling = TELLINGS.get(type)
    if telling is None or instance is None:
        return 0
    return message_send(
        recipients=telling.recipients(instance),
        kind=type,
        subject=telling.subject(instance),
        link=telling.link(instance),
        about=instance,
    )
