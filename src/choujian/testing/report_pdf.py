"""The test report (产品质量监督抽查检验报告) as an A4 PDF, printed from the report's canonical content.

Everything shown comes from `content` (see report_content.py); the report's `content_sha256` (the SHA-256 of that
content) is printed in every page footer and again at the end, and the QR code in the header encodes the verify URL,
so a reader can check a paper copy against the platform. The report is unblinded: it names the enterprise.
"""

import io
from functools import partial
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, PageTemplate, Paragraph, Spacer, Table, TableStyle

# The report shares the sampling form's look: the same layout helpers.
from choujian.sampling.documents import (
    ALERT,
    ALERT_SHADE,
    CONTENT_W,
    EMPTY,
    GRID,
    KV_WIDTHS,
    LABEL_GREY,
    MONO,
    PAGE_MARGIN_X,
    SHADE,
    PdfStyles,
    QrFlowable,
    a4_document,
    a4_frame,
    pdf_section,
    pdf_table,
    pdf_text,
)
from choujian.sampling.fonts import cjk_bold_font_name, cjk_font_name

TITLE = "产品质量监督抽查检验报告"
RETEST = "复检报告"
QR_SIZE = 28 * mm
QR_COLUMN = 34 * mm
JUDGMENTS = {"pass": "合格", "fail": "不合格"}
UNVERIFIED_MARK = "※"
UNVERIFIED_NOTE = f"{UNVERIFIED_MARK} 该项限值尚待与标准原文核对"
SIGNERS = (("tester", "检验（编制）"), ("reviewer", "审核"), ("approver", "批准"))
# 序号, 检验项目, 单位, 检验方法, 技术要求, 实测值, 计算值/修约值, 单项判定: 180 mm in all.
RESULT_WIDTHS = [8 * mm, 36 * mm, 11 * mm, 27 * mm, 28 * mm, 29 * mm, 23 * mm, 18 * mm]
RESULT_HEADER = ["序号", "检验项目", "单位", "检验方法", "技术要求", "实测值", "计算值/修约值", "单项判定"]
PASS_GREEN = colors.HexColor("#1d6b2a")
FOOTER_SHA_SIZE = 6.5


class _ReportStyles(PdfStyles):
    def __init__(self):
        super().__init__()
        bold = cjk_bold_font_name()
        self.cell = ParagraphStyle("rp-cell", parent=self.body, fontSize=8, leading=10.5)
        self.cell_centre = ParagraphStyle("rp-cell-centre", parent=self.cell, alignment=TA_CENTER)
        self.cell_fail = ParagraphStyle("rp-cell-fail", parent=self.cell_centre, fontName=bold, textColor=ALERT)
        self.head_centre = ParagraphStyle("rp-head", parent=self.head, fontSize=8, leading=10, alignment=TA_CENTER)
        self.cover_meta = ParagraphStyle("rp-meta", parent=self.meta, fontSize=10, leading=15)
        self.retest = ParagraphStyle("rp-retest", parent=self.copy, fontSize=13, leading=17, textColor=ALERT)
        self.qr_caption = ParagraphStyle("rp-qr", parent=self.small, alignment=TA_CENTER, fontSize=7, leading=9)
        self.verdict = ParagraphStyle("rp-verdict", parent=self.body, fontName=bold, fontSize=16, leading=21)
        self.verdict_fail = ParagraphStyle("rp-verdict-fail", parent=self.verdict, fontSize=20, leading=26)
        self.sign_role = ParagraphStyle("rp-sign-role", parent=self.head, fontSize=9.5, leading=13)


# ── formatting ─────────────────────────────────────────────────────────────────────────────────────────────────────


def _judgment(value) -> str:
    return JUDGMENTS.get(value or "", pdf_text(value))


def _limit(item: dict) -> str:
    """The technical requirement as printed: comparison signs as symbols, a qualitative item's requirement text."""
    limit = item.get("limit")
    if isinstance(limit, str) and limit.strip().lower() in {"qualitative", "定性", "定性判定"}:
        return item.get("requirement") or "定性判定"
    text = pdf_text(limit)
    for word, symbol in ((">=", "≥"), ("=>", "≥"), ("<=", "≤"), ("=<", "≤")):
        text = text.replace(word, symbol)
    return text


def _computed(item: dict) -> str:
    """计算值/修约值; an item judged value by value (`each`) shows each value's rounded value instead."""
    combined, rounded = item.get("combined") or "", item.get("rounded") or ""
    if combined or rounded:
        return f"{combined or EMPTY} / {rounded or EMPTY}"
    per_value = (item.get("judgment_detail") or {}).get("values") or []
    roundeds = [str(value["rounded"]) for value in per_value if value.get("rounded") not in (None, "")]
    return "、".join(roundeds) if roundeds else EMPTY


def _basis(rules: dict) -> str:
    text = escape(pdf_text(rules.get("title")))
    if rules.get("version"):
        text += f"（{escape(str(rules['version']))}）"
    if rules.get("variant"):
        text += f"&nbsp;&nbsp;规格：{escape(str(rules['variant']))}"
    sha = str(rules.get("sha256") or "")
    if sha:
        text += f"<br/><font size='7' color='#444444'>细则 SHA-256：</font><font name='{MONO}' size='7'>"
        text += f"{escape(sha[:16])}…</font>"
    return text


def _unverified(item: dict, codes: set) -> bool:
    return item.get("verified") is False or item.get("code") in codes


# ── blocks ─────────────────────────────────────────────────────────────────────────────────────────────────────────


def _cover(s: _ReportStyles, content: dict, code: str, verify_url: str) -> Table:
    left: list = [s.p(TITLE, s.title)]
    if content.get("retest"):
        left.append(s.p(RETEST, s.retest))
    left += [
        Spacer(1, 3 * mm),
        s.p(f"报告编号：{pdf_text(code)}", s.cover_meta),
        s.p(f"检验机构：{pdf_text(content.get('laboratory'))}", s.cover_meta),
        s.p(f"检验类别：{'监督抽查复检' if content.get('retest') else '监督抽查'}", s.cover_meta),
    ]
    right = [QrFlowable(verify_url, QR_SIZE), Spacer(1, 1 * mm), s.p("扫码核验报告真伪", s.qr_caption)]
    # An empty column as wide as the QR's keeps the title centred on the page.
    table = Table([["", left, right]], colWidths=[QR_COLUMN, CONTENT_W - 2 * QR_COLUMN, QR_COLUMN], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
                ("VALIGN", (2, 0), (2, 0), "TOP"),
                ("ALIGN", (2, 0), (2, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _basic_info(s: _ReportStyles, title: str, content: dict) -> list:
    product = content.get("product") or {}
    party = content.get("inspected_party") or {}
    maker = content.get("manufacturer") or {}
    sampling = content.get("sampling") or {}
    info = pdf_section(
        s,
        title,
        [
            [("产品名称", product.get("name")), ("商标", product.get("brand"))],
            [("规格型号", product.get("model_spec")), ("批号", product.get("batch_no"))],
            [("生产日期", product.get("production_date")), ("执行标准", product.get("standard"))],
            [("受检单位", party.get("name"))],
            [("统一社会信用代码", party.get("uscc")), ("受检单位地址", party.get("address"))],
            [("生产单位", maker.get("name")), ("生产单位地址", maker.get("address"))],
            [("抽查计划", content.get("plan"))],
            [("组织单位", content.get("organiser")), ("任务编号", content.get("task"))],
            [("抽样机构", content.get("sampling_agency")), ("抽样单编号", sampling.get("form"))],
            [("抽样地点", sampling.get("place"))],
            [("封样时间", sampling.get("sealed_at")), ("抽样基数", sampling.get("lot"))],
            [("样品编号", content.get("sample")), ("盲样编号", content.get("lab_code"))],
            [("接收日期", content.get("received_on")), ("检验机构", content.get("laboratory"))],
        ],
    )
    basis = Paragraph(_basis(content.get("rules") or {}), s.body)
    failed = content.get("judgment") == "fail"
    verdict = Paragraph(
        escape(_judgment(content.get("judgment"))),
        ParagraphStyle(
            "rp-verdict-now",
            parent=s.verdict_fail if failed else s.verdict,
            textColor=ALERT if failed else PASS_GREEN if content.get("judgment") == "pass" else colors.black,
        ),
    )
    label_bg = colors.HexColor("#f7f7f7")
    # Continues the table above (same label column) so the conclusion may carry its own size and colour.
    tail = pdf_table(
        [[s.p("检验依据", s.label), basis], [s.p("检验结论", s.label), verdict]],
        [KV_WIDTHS[0], sum(KV_WIDTHS[1:])],
        [
            ("BACKGROUND", (0, 0), (0, -1), label_bg),
            ("TOPPADDING", (1, 1), (1, 1), 5),
            ("BOTTOMPADDING", (1, 1), (1, 1), 6),
            *([("BACKGROUND", (1, 1), (1, 1), ALERT_SHADE), ("BOX", (0, 1), (-1, 1), 1.2, ALERT)] if failed else []),
        ],
    )
    return [info, tail]


def _results(s: _ReportStyles, title: str, content: dict) -> list:
    items = content.get("items") or []
    unverified_codes = set(content.get("unverified") or [])
    blank = [""] * (len(RESULT_WIDTHS) - 1)
    data: list = [[s.p(title, s.section), *blank], [s.p(h, s.head_centre) for h in RESULT_HEADER]]
    styles: list = [
        ("SPAN", (0, 0), (-1, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("BACKGROUND", (0, 1), (-1, 1), colors.HexColor("#f7f7f7")),
    ]
    marked = False
    for n, item in enumerate(items, start=1):
        row = len(data)
        mark = _unverified(item, unverified_codes)
        marked = marked or mark
        name = escape(pdf_text(item.get("name")))
        if mark:
            name += f"<font color='#b00000'>{UNVERIFIED_MARK}</font>"
        if item.get("class"):
            name += f"<br/><font size='6.5' color='#444444'>{escape(str(item['class']))} 类</font>"
        failed = item.get("judgment") == "fail"
        values = item.get("values") or []
        data.append(
            [
                s.p(n, s.cell_centre),
                Paragraph(name, s.cell),
                s.p(item.get("unit"), s.cell_centre),
                s.p(item.get("method"), s.cell),
                s.p(_limit(item), s.cell),
                s.p("、".join(str(v) for v in values) if values else EMPTY, s.cell),
                s.p(_computed(item), s.cell),
                s.p(_judgment(item.get("judgment")), s.cell_fail if failed else s.cell_centre),
            ]
        )
        if failed:
            styles.append(("BACKGROUND", (-1, row), (-1, row), ALERT_SHADE))
    if not items:
        data.append([s.p("无检验项目", s.cell), *blank])
        styles.append(("SPAN", (0, 2), (-1, 2)))
    story: list = [pdf_table(data, RESULT_WIDTHS, styles, repeat=2)]
    if marked:
        note = escape(UNVERIFIED_NOTE).replace(UNVERIFIED_MARK, f"<font color='#b00000'>{UNVERIFIED_MARK}</font>", 1)
        story += [Spacer(1, 1.5 * mm), Paragraph(note, s.small)]
    return story


def _reasons(s: _ReportStyles, title: str, reasons: list) -> Table:
    data: list = [[s.p(title, s.section)]]
    for n, reason in enumerate(reasons, start=1):
        data.append([s.p(f"{n}. {pdf_text(reason)}")])
    return pdf_table(data, [CONTENT_W], [("BACKGROUND", (0, 0), (-1, 0), SHADE)], repeat=1)


def _signature_text(name: str, at: str, style: ParagraphStyle, width: float) -> str:
    """电子签名：<name>  <time>, on one line when it fits the box, else the time on the next."""
    line = f"电子签名：{name}  {at}"
    gap = "&nbsp;&nbsp;" if stringWidth(line, style.fontName, style.fontSize) <= width else "<br/>"
    return f"电子签名：{escape(name)}{gap}{escape(at)}"


def _signatures(s: _ReportStyles, title: str, signatures: dict) -> Table:
    width = CONTENT_W / 3
    inner = width - 12
    boxes = []
    for key, role in SIGNERS:
        entry = signatures.get(key) or {}
        name, at = entry.get("name") or "", entry.get("at") or ""
        if name:
            signed = Paragraph(_signature_text(name, at or EMPTY, s.body, inner), s.body)
        else:
            signed = s.p("未签署", s.label)
        boxes.append([s.p(role, s.sign_role), Spacer(1, 2.5 * mm), signed])
    table = pdf_table(
        [[s.p(title, s.section), "", ""], boxes],
        [width] * 3,
        [
            ("SPAN", (0, 0), (-1, 0)),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("VALIGN", (0, 1), (-1, 1), "TOP"),
            ("LEFTPADDING", (0, 1), (-1, 1), 6),
            ("RIGHTPADDING", (0, 1), (-1, 1), 6),
            ("TOPPADDING", (0, 1), (-1, 1), 5),
            ("BOTTOMPADDING", (0, 1), (-1, 1), 9),
        ],
    )
    return table


NOTES = (
    "本报告检验结果仅对所抽样品负责。",
    "扫描首页二维码可核验本报告；核验页面所示报告内容 SHA-256 与本报告所印一致，表明报告内容未被改动。",
    "本报告经检验（编制）、审核、批准三人电子签名后生效。",
)


def _closing(s: _ReportStyles, content_sha256: str) -> list:
    note = ParagraphStyle("rp-note", parent=s.small, leftIndent=9, firstLineIndent=-9)
    return [
        Paragraph(
            f"报告内容 SHA-256：<font name='{MONO}' size='8.5'>{escape(pdf_text(content_sha256))}</font>", s.body
        ),
        Spacer(1, 1.5 * mm),
        s.p("说明：", s.small),
        *(s.p(f"{n}. {text}", note) for n, text in enumerate(NOTES, start=1)),
    ]


def _story(s: _ReportStyles, content: dict, code: str, content_sha256: str, verify_url: str) -> list:
    numbers = iter("一二三四五六七八九十")

    def title(text: str) -> str:
        return f"{next(numbers)}、{text}"

    story: list = [_cover(s, content, code, verify_url), Spacer(1, 5 * mm)]
    story += [*_basic_info(s, title("基本信息"), content), Spacer(1, 4 * mm)]
    story += [*_results(s, title("检验结果"), content), Spacer(1, 4 * mm)]
    reasons = content.get("reasons") or []
    if reasons:
        story += [_reasons(s, title("判定说明"), reasons), Spacer(1, 4 * mm)]
    story.append(
        KeepTogether(
            [
                _signatures(s, title("签字"), content.get("signatures") or {}),
                Spacer(1, 4 * mm),
                *_closing(s, content_sha256),
            ]
        )
    )
    return story


# ── pages ──────────────────────────────────────────────────────────────────────────────────────────────────────────


def _numbered_canvas(code: str, content_sha256: str):
    """A canvas that holds pages back until the end, to print "第 x 页 共 y 页" and the content digest."""
    font = cjk_font_name()

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self):
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held)
            for page, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self._footer(page, total)
                super().showPage()
            super().save()

        def _footer(self, page: int, total: int) -> None:
            width = self._pagesize[0]
            self.saveState()
            self.setFillColor(LABEL_GREY)
            self.setFont(font, 8.5)
            self.drawString(PAGE_MARGIN_X, 8.5 * mm, f"报告编号 {code}")
            self.drawRightString(width - PAGE_MARGIN_X, 8.5 * mm, f"第 {page} 页 共 {total} 页")
            label = "报告内容 SHA-256："
            digest = content_sha256 or EMPTY
            self.setFont(font, 7)
            self.drawString(PAGE_MARGIN_X, 4.5 * mm, label)
            self.setFont(MONO, FOOTER_SHA_SIZE)
            self.drawString(PAGE_MARGIN_X + stringWidth(label, font, 7), 4.5 * mm, digest)
            self.restoreState()

    return NumberedCanvas


def _page_chrome(canvas: Canvas, doc, *, code: str, laboratory: str, retest: bool) -> None:
    width, height = A4
    canvas.saveState()
    canvas.setFont(cjk_font_name(), 8.5)
    canvas.setFillColor(LABEL_GREY)
    heading = f"{TITLE}（{RETEST}）" if retest else TITLE
    canvas.drawString(PAGE_MARGIN_X, height - 11 * mm, f"{heading}　{code}")
    canvas.drawRightString(width - PAGE_MARGIN_X, height - 11 * mm, laboratory)
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(0.5)
    canvas.line(PAGE_MARGIN_X, height - 13 * mm, width - PAGE_MARGIN_X, height - 13 * mm)
    canvas.line(PAGE_MARGIN_X, 12.5 * mm, width - PAGE_MARGIN_X, 12.5 * mm)
    canvas.restoreState()


def report_pdf(report, content: dict, *, verify_url: str) -> bytes:
    """The test report on A4 from its canonical `content`, with `report.content_sha256` in every footer and a QR
    code of `verify_url` in the header. Unblinded: hand it only to those who may see the enterprise."""
    code = str(content.get("report") or getattr(report, "code", "") or "")
    content_sha256 = str(getattr(report, "content_sha256", "") or "")
    laboratory = str(content.get("laboratory") or "")
    retest = bool(content.get("retest"))
    styles = _ReportStyles()
    buffer = io.BytesIO()
    doc = a4_document(
        buffer,
        f"{TITLE}{'（' + RETEST + '）' if retest else ''} {code}",
        subject=f"报告内容 SHA-256 {content_sha256}",
    )
    frame = a4_frame()
    chrome = partial(_page_chrome, code=code, laboratory=laboratory, retest=retest)
    doc.addPageTemplates([PageTemplate(id="report", frames=[frame], onPage=chrome)])
    doc.build(
        _story(styles, content, code, content_sha256, verify_url),
        canvasmaker=_numbered_canvas(code, content_sha256),
    )
    return buffer.getvalue()
