"""The written documents of a case — 责令整改通知书, 复查通知, 移送函, 处罚决定摘要 — as content derived only from what
the case recorded (so the same document comes out every time, and a GET writes nothing), a digest of that content,
and an A4 PDF in the usual layout with a QR code to a public page where anyone holding the paper checks it."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageTemplate, Spacer

from choujian.core.canonical import digest
from choujian.enforcement.models import Case
from choujian.sampling.documents import (
    PdfStyles,
    QrFlowable,
    a4_document,
    a4_frame,
    pdf_section,
)

SALT = "choujian.enforcement.document"
KINDS = {
    "order": "责令整改通知书",
    "recheck": "复查通知书",
    "referral": "案件移送函",
    "penalty": "处罚决定摘要",
}
ORDER_STEPS = ("notice", "order", "warn")
RECHECK_STEPS = ("recheck", "second_recheck")


class NotIssued(LookupError):
    """The case has not reached the point where this document exists."""


@dataclass(frozen=True)
class Document:
    kind: str
    title: str
    number: str
    addressee: str
    issuer: str
    issued_on: str
    paragraphs: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]

    def content(self) -> dict:
        return {
            "kind": self.kind,
            "number": self.number,
            "addressee": self.addressee,
            "issuer": self.issuer,
            "issued_on": self.issued_on,
            "paragraphs": list(self.paragraphs),
            "facts": [list(pair) for pair in self.facts],
        }

    @property
    def sha256(self) -> str:
        return digest(self.content())


def _day(moment) -> str:
    return timezone.localdate(moment).isoformat() if moment else ""


def _facts(case: Case) -> list[tuple[str, str]]:
    facts = [
        ("被抽查企业", f"{case.enterprise.name}（{case.enterprise.uscc}）"),
        ("产品及规格型号", str(case.product)),
        ("批号", case.batch_no or "—"),
        ("抽查任务", case.task.code),
    ]
    if case.outcome_id:
        facts.append(("检验报告", case.outcome.report.code))
    if case.delivery_id:
        facts.append(("工程项目及标段", str(case.delivery.section)))
    return facts


def _done(case: Case, codes) -> tuple:
    step = case.steps.filter(code__in=codes).exclude(done_at=None).order_by("order").first()
    if step is None:
        raise NotIssued
    following = case.steps.filter(order=step.order + 1).first()
    return step, following


def build(case: Case, kind: str, index: int = 0) -> Document:
    """The document of `kind` as the case recorded it (a penalty summary: the `index`-th decision)."""
    number = f"{case.code}-{ {'order': 'ZG', 'recheck': 'FC', 'referral': 'YS', 'penalty': 'CF'}[kind] }"
    facts = _facts(case)
    if kind == "order":
        step, following = _done(case, ORDER_STEPS)
        if case.cause == "refused":
            paragraphs = [f"你单位拒绝接受依法进行的产品质量监督抽查。依据{step.basis}，现给予警告，责令你单位改正。"]
        else:
            paragraphs = [
                f"经监督抽查，你单位生产的上述产品{case.get_cause_display()}。依据{step.basis}，现责令你单位："
                "立即停止生产、销售同一产品，查明原因，认真整改。"
            ]
        if following is not None:
            paragraphs.append(
                f"请于 {following.due.isoformat()} 前完成“{following.name}”（依据：{following.basis}）。"
                "逾期未办理的，将依法处理。"
            )
        return Document(kind, KINDS[kind], number, case.enterprise.name, case.regulator.name, _day(step.done_at),
                        tuple(paragraphs), tuple(facts))  # fmt: skip
    if kind == "recheck":
        step = case.steps.filter(code__in=RECHECK_STEPS).order_by("order").first()
        if step is None:
            raise NotIssued
        paragraphs = (
            f"你单位已提交整改报告。依据{step.basis}，本部门将于 {step.due.isoformat()} 前组织复查，"
            "在你单位抽取复查样品；复查样品由你单位无偿提供，复查合格前不得销售同一产品。",
        )
        previous = case.steps.filter(order=step.order - 1).first()
        issued = _day(previous.done_at) if previous is not None and previous.done_at else step.starts_on.isoformat()
        return Document(kind, KINDS[kind], number, case.enterprise.name, case.regulator.name,
                        issued, paragraphs, tuple(facts))  # fmt: skip
    if kind == "referral":
        if case.referred_at is None:
            raise NotIssued
        paragraphs = (
            f"本部门组织的监督抽查（计划 {case.plan.code}）中，住所在你部门辖区的上述企业"
            f"产品{case.get_cause_display()}。"
            "现将该案移送你部门，请依法督促企业整改并组织后处理，确认接收后在平台办理。",
        )
        return Document(kind, KINDS[kind], number, case.regulator.name, case.organiser.name, _day(case.referred_at),
                        paragraphs, tuple(facts))  # fmt: skip
    if kind == "penalty":
        penalties = list(case.penalties.select_related("subject").order_by("pk"))
        if index >= len(penalties):
            raise NotIssued
        p = penalties[index]
        amount = f"{p.amount} 元" + (f"（合同价款 {p.contract_price} 元的 {p.rate}%）" if p.rate is not None else "")
        paragraphs = (f"{p.get_kind_display()}：对{p.subject.name}处以 {amount}。依据：{p.basis}。",)
        facts += [("决定书文号", p.decision_no), ("决定日期", p.decided_on.isoformat())]
        issuer = case.regulator.name if p.kind == "art64" else case.delivery.section.project.owner.name
        return Document(kind, KINDS[kind], f"{number}-{index + 1}", p.subject.name, issuer, p.decided_on.isoformat(),
                        paragraphs, tuple(facts))  # fmt: skip
    raise NotIssued


def available(case: Case) -> list[tuple[str, int, str]]:
    """(kind, index, title) of every document the case has reached."""
    found = []
    for kind in ("order", "recheck", "referral"):
        try:
            build(case, kind)
            found.append((kind, 0, KINDS[kind]))
        except NotIssued:
            continue
    for index, _ in enumerate(case.penalties.all()):
        found.append(("penalty", index, f"{KINDS['penalty']}（{index + 1}）"))
    return found


def token(case: Case, kind: str, index: int = 0) -> str:
    """What the QR code carries: the case, the document and its digest, signed so it cannot be made up."""
    data = {"c": case.code, "k": kind, "i": index, "d": build(case, kind, index).sha256[:32]}
    return signing.Signer(salt=SALT).sign_object(data, compress=True)  # no timestamp: the same paper, the same code


def read_token(value: str) -> dict | None:
    try:
        data = signing.Signer(salt=SALT).unsign_object(value)
    except (signing.BadSignature, ValueError):
        return None
    return data if isinstance(data, dict) and {"c", "k", "i", "d"} <= set(data) else None


def pdf(document: Document, verify_url: str) -> bytes:
    s = PdfStyles()
    story: list = [s.p(document.title, s.title), s.p(document.number, s.meta), Spacer(1, 6 * mm)]
    story += [s.p(f"{document.addressee}："), Spacer(1, 2 * mm)]
    story += [s.p(f"　　{paragraph}") for paragraph in document.paragraphs]
    story += [Spacer(1, 4 * mm), pdf_section(s, "基本情况", [[pair] for pair in document.facts]), Spacer(1, 8 * mm)]
    signed = ParagraphStyle("cj-signed", parent=s.body, alignment=TA_RIGHT, fontSize=10.5, leading=15)
    story += [s.p(document.issuer, signed), s.p(document.issued_on, signed), Spacer(1, 8 * mm)]
    story += [QrFlowable(verify_url, 26 * mm), s.p("扫码核验本文书；内容摘要（SHA-256）：", s.small)]
    story += [s.p(document.sha256, s.mono)]
    buffer = io.BytesIO()
    doc = a4_document(buffer, f"{document.title} {document.number}")
    doc.addPageTemplates([PageTemplate(id="document", frames=[a4_frame()])])
    doc.build(story)
    return buffer.getvalue()
