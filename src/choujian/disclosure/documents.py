"""An announcement as a PDF in the usual government layout: the title, the number and the organiser; 一、基本情况;
二、抽查结果 with a paragraph per product; the non-conforming products in an attached table (附件); the date, and a
QR code to the announcement's page. Built from what is stored: the same announcement, the same bytes."""

from __future__ import annotations

import io

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageTemplate, Spacer

from choujian.core.divisions import name_of
from choujian.disclosure.models import Announcement
from choujian.disclosure.presenting import by_product, recheck_tables
from choujian.sampling.documents import CONTENT_W, SHADE, PdfStyles, QrFlowable, a4_document, a4_frame, pdf_table

COLUMNS = (
    "序号", "被抽查企业", "所在地区", "产品名称", "规格型号", "生产日期/批号", "抽样地点", "检验机构", "不合格项目",
)  # fmt: skip
WIDTHS = [w * CONTENT_W for w in (0.05, 0.14, 0.07, 0.1, 0.09, 0.11, 0.15, 0.12, 0.17)]
RECHECK_COLUMNS = (
    "序号",
    "被检企业",
    "产品及型号规格",
    "复查抽样地点",
    "复查抽样样本数",
    "是否合格",
    "不合格项",
    "备注",
)
MAINTAINED_COLUMNS = (
    "序号", "被检企业", "产品及型号规格", "生产日期/批号", "抽样地点", "是否合格", "不合格项", "备注",
)  # fmt: skip
RECHECK_WIDTHS = [w * CONTENT_W for w in (0.05, 0.17, 0.15, 0.17, 0.09, 0.07, 0.18, 0.12)]


def _failed(row) -> str:
    return "；".join(f"{i['item']} {i['measured']} {i.get('unit', '')}（要求 {i['limit']}）" for i in row.failed_items)


def _recheck_table(s: PdfStyles, rows, maintained: bool = False) -> list:
    columns = MAINTAINED_COLUMNS if maintained else RECHECK_COLUMNS
    data = [[s.p(title, s.head) for title in columns]]
    for index, row in enumerate(rows, 1):
        state = "（已撤回）" if row.status == "withdrawn" else ""
        product = " ".join(v for v in (row.product_name, row.model_spec) if v)
        verdict = "合格" if row.passed else "不合格"
        batch = " / ".join(v for v in (str(row.production_date or ""), row.batch_no) if v)
        middle = (batch, row.place) if maintained else (row.place, row.sample_count or "—")
        values = (index, row.enterprise_name + state, product, *middle, verdict, _failed(row) or "—", row.note)
        data.append([s.p(value, s.small) for value in values])
    return [pdf_table(data, RECHECK_WIDTHS, [("BACKGROUND", (0, 0), (-1, 0), SHADE)], repeat=1)]


def _recheck_story(s: PdfStyles, announcement: Announcement, heading, body) -> list:
    rechecked, maintained = recheck_tables(list(announcement.rows.all()))
    story = []
    if announcement.follows is not None:
        story.append(
            s.p(f"　　本公告所涉抽查结果见《{announcement.follows.title}》（{announcement.follows.code}）。", body)
        )
    story += [s.p("二、复查结果", heading)]
    story += _recheck_table(s, rechecked) if rechecked else [s.p("　　本公告没有复查结果。", body)]
    if maintained:
        story += [Spacer(1, 3 * mm), s.p("三、未按期申请复查的产品（抽查结论维持不合格）", heading)]
        story += _recheck_table(s, maintained, maintained=True)
    return story


def announcement_pdf(announcement: Announcement, page_url: str) -> bytes:
    s = PdfStyles()
    heading = ParagraphStyle("cj-h2", parent=s.section, fontSize=11, leading=16, spaceBefore=4)
    body = ParagraphStyle("cj-para", parent=s.body, fontSize=10.5, leading=17)
    story: list = [s.p(announcement.title, s.title), s.p(announcement.code, s.meta), Spacer(1, 6 * mm)]
    story += [s.p("一、基本情况", heading), s.p(f"　　{announcement.summary}", body)]
    if announcement.is_recheck:
        story += _recheck_story(s, announcement, heading, body)
        return _built(announcement, story + _signature(s, announcement, body), s, page_url)
    rows = list(announcement.rows.all())
    sections = by_product(rows, announcement.include_conforming)
    story += [s.p("二、抽查结果", heading)]
    for number, section in enumerate(sections, 1):
        text = (
            f"　　（{number}）{section.name}：共抽查 {section.batches} 批次，经检验合格 {section.passed} 批次，"
            f"批次合格率 {section.rate}。"
        )
        if section.failures:
            text += f"不合格 {len(section.failures)} 批次，详见附件。"
        story.append(s.p(text, body))
    story += _signature(s, announcement, body)
    failures = [row for section in sections for row in section.failures]
    if failures:
        story += [s.p("附件：不合格产品信息", heading), Spacer(1, 2 * mm)]
        data = [[s.p(title, s.head) for title in COLUMNS]]
        for index, row in enumerate(failures, 1):
            batch = " / ".join(v for v in (str(row.production_date or ""), row.batch_no) if v)
            state = "（已撤回）" if row.status == "withdrawn" else ""
            values = (index, row.enterprise_name + state, name_of(row.region), row.product_name, row.model_spec, batch,
                      row.place, row.testing_body, _failed(row))  # fmt: skip
            data.append([s.p(value, s.small) for value in values])
        story.append(pdf_table(data, WIDTHS, [("BACKGROUND", (0, 0), (-1, 0), SHADE)], repeat=1))
    return _built(announcement, story, s, page_url)


def _signature(s: PdfStyles, announcement: Announcement, body) -> list:
    signed = ParagraphStyle("cj-signed", parent=body, alignment=TA_RIGHT, fontSize=10.5, leading=15)
    day = announcement.published_at.date().isoformat() if announcement.published_at else "（草稿，未公开）"
    return [Spacer(1, 8 * mm), s.p(announcement.plan.regulator.name, signed), s.p(day, signed), Spacer(1, 6 * mm)]


def _built(announcement: Announcement, story: list, s: PdfStyles, page_url: str) -> bytes:
    story += [Spacer(1, 6 * mm), QrFlowable(page_url, 24 * mm)]
    story += [s.p("扫码查看本公告的网页版本、各项结果的全部版本及更正、撤回记录。", s.small)]
    buffer = io.BytesIO()
    doc = a4_document(buffer, f"{announcement.title} {announcement.code}")
    doc.addPageTemplates([PageTemplate(id="announcement", frames=[a4_frame()])])
    doc.build(story)
    return buffer.getvalue()
