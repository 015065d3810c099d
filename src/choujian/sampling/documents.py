"""PDF documents of field sampling: the sampling form (抽样单) in its copies, and the sample labels with their QR codes.

The labels travel with blind samples into the laboratory, so they carry only the portion's code, its kind, its seal
number and the sealing date; their QR code encodes the label URL and nothing else (blind testing, invariant 3).
"""

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from django.utils import timezone, translation
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from choujian.sampling.choices import PlaceKind, PortionKind, RecordStatus
from choujian.sampling.fonts import cjk_bold_font_name, cjk_font_name
from choujian.sampling.models import Portion, Sample, SamplingRecord
from choujian.workcalendar.selectors import deadline_display

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONO = "Courier"
LATIN_BOLD = "Helvetica-Bold"

COPIES: dict[str, str] = {
    "party": "第一联 被抽样单位留存",
    "laboratory": "第二联 检验机构留存",
    "organiser": "第三联 组织单位留存",
}


PAGE_MARGIN_X = 15 * mm
PAGE_MARGIN_TOP = 18 * mm
PAGE_MARGIN_BOTTOM = 16 * mm
CONTENT_W = A4[0] - 2 * PAGE_MARGIN_X
KV_WIDTHS = [30 * mm, 60 * mm, 30 * mm, 60 * mm]

GRID = colors.HexColor("#7a7a7a")
SHADE = colors.HexColor("#ececec")
LABEL_GREY = colors.HexColor("#444444")
ALERT = colors.HexColor("#b00000")
ALERT_SHADE = colors.HexColor("#fdecec")
EMPTY = "—"


# ── small formatting helpers ───────────────────────────────────────────────────────────────────────────────────────


def pdf_text(value) -> str:
    if value is None or value == "":
        return EMPTY
    return str(value)


def _when(value: datetime | None) -> str:
    if value is None:
        return EMPTY
    if timezone.is_naive(value):
        value = timezone.make_aware(value, SHANGHAI)
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def day_text(value: date | datetime | None) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        return _when(value)[:10]
    return value.strftime("%Y-%m-%d")


def _decimal(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB（{size:,} B）"
    return f"{size / 1024 / 1024:.1f} MB（{size:,} B）"


def _person(user) -> str:
    # Accounts keep the Chinese name in display_name; first/last name are rarely filled.
    return user.get_full_name() or getattr(user, "display_name", "") or user.username


def _coordinates(latitude, longitude) -> str:
    return f"{latitude:.6f}, {longitude:.6f}"


def _position(latitude, longitude, accuracy=None) -> str:
    if latitude is None or longitude is None:
        return EMPTY
    text = f"纬度 {latitude:.6f}，经度 {longitude:.6f}"
    if accuracy is not None:
        text += f"（精度 {accuracy} 米）"
    return text


def _paper_check(matches: bool | None) -> str:
    return {True: "一致", False: "不一致", None: "不适用"}[matches]


def _portion_kind(portion: Portion, backups: Sequence[Portion]) -> str:
    if portion.kind == PortionKind.KIND_TEST:
        return PortionKind.label(PortionKind.KIND_TEST)
    index = next((n for n, other in enumerate(backups, start=1) if other.pk == portion.pk), portion.number)
    return f"{PortionKind.label(PortionKind.KIND_BACKUP)} {index}"


def portions_with_kind(sample: Sample) -> list[tuple[Portion, str]]:
    """The sample's portions in order, each with its label kind (检验样品 / 备用样品 n)."""
    portions = list(sample.portions.select_related("custodian", "custodian_org").order_by("number"))
    backups = [p for p in portions if p.kind == PortionKind.KIND_BACKUP]
    return [(portion, _portion_kind(portion, backups)) for portion in portions]


def _sample_of(record: SamplingRecord) -> Sample | None:
    try:
        return record.sample
    except Sample.DoesNotExist:
        return None


# ── QR codes ───────────────────────────────────────────────────────────────────────────────────────────────────────


def a4_document(buffer, title: str, **metadata) -> BaseDocTemplate:
    """An A4 document with the platform's margins and reproducible bytes (the same content, the same file)."""
    return BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN_X,
        rightMargin=PAGE_MARGIN_X,
        topMargin=PAGE_MARGIN_TOP,
        bottomMargin=PAGE_MARGIN_BOTTOM,
        title=title,
        creator="Choujian",
        invariant=True,
        **metadata,
    )


def a4_frame() -> Frame:
    """The text area of an A4 page within the documents' margins (the sampling form and the test report)."""
    return Frame(
        PAGE_MARGIN_X,
        PAGE_MARGIN_BOTTOM,
        CONTENT_W,
        A4[1] - PAGE_MARGIN_TOP - PAGE_MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw `data` as a QR code (level M) in a size×size square whose four-module quiet zone is included."""
    rows = list(segno.make(data, error="m", micro=False).matrix_iter(scale=1, border=4))
    module = size / len(rows)
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    # One path for every dark run: a single fill leaves no hairline seams between neighbouring modules.
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + start * module, top, (c - start) * module, module)
            else:
                c += 1
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


class QrFlowable(Flowable):
    def __init__(self, data: str, size: float):
        super().__init__()
        self.data = data
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        draw_qr(self.canv, self.data, 0, 0, self.size)


# ── sampling form ──────────────────────────────────────────────────────────────────────────────────────────────────


class PdfStyles:
    def __init__(self):
        font, bold = cjk_font_name(), cjk_bold_font_name()
        base = ParagraphStyle("cj", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
        self.body = base
        self.label = ParagraphStyle("cj-label", parent=base, textColor=LABEL_GREY)
        self.small = ParagraphStyle("cj-small", parent=base, fontSize=7.5, leading=9.5)
        self.head = ParagraphStyle("cj-head", parent=base, fontName=bold, fontSize=8.5, leading=11)
        self.section = ParagraphStyle("cj-section", parent=base, fontName=bold, fontSize=10.5, leading=14)
        self.title = ParagraphStyle(
            "cj-title", parent=base, fontName=bold, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=2
        )
        self.copy = ParagraphStyle("cj-copy", parent=base, fontName=bold, fontSize=11, leading=15, alignment=TA_CENTER)
        self.meta = ParagraphStyle("cj-meta", parent=base, alignment=TA_CENTER)
        self.mono = ParagraphStyle("cj-mono", parent=base, fontName=MONO, fontSize=7.5, leading=9.5, wordWrap=None)
        self.alert_title = ParagraphStyle(
            "cj-alert", parent=base, fontName=bold, fontSize=16, leading=21, textColor=ALERT
        )
        self.alert = ParagraphStyle("cj-alert-body", parent=base, fontSize=10, leading=14)

    def p(self, value, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(pdf_text(value)).replace("\n", "<br/>"), style or self.body)


def pdf_table(data, widths, styles: list, repeat: int = 0) -> Table:
    table = Table(data, colWidths=widths, repeatRows=repeat, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                *styles,
            ]
        )
    )
    return table


def pdf_section(s: PdfStyles, title: str, rows: list[list[tuple[str, object]]]) -> Table:
    """A titled table of label/value pairs, two pairs a row; a row of one pair spans the full width."""
    data = [[s.p(title, s.section), "", "", ""]]
    styles: list = [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    for pairs in rows:
        n = len(data)
        if len(pairs) == 1:
            ((label, value),) = pairs
            data.append([s.p(label, s.label), s.p(value), "", ""])
            styles.append(("SPAN", (1, n), (-1, n)))
        else:
            (l1, v1), (l2, v2) = pairs
            data.append([s.p(l1, s.label), s.p(v1), s.p(l2, s.label), s.p(v2)])
        styles.append(("BACKGROUND", (0, n), (0, n), colors.HexColor("#f7f7f7")))
        if len(pairs) == 2:
            styles.append(("BACKGROUND", (2, n), (2, n), colors.HexColor("#f7f7f7")))
    return pdf_table(data, KV_WIDTHS, styles, repeat=1)


def _spaced(*parts: tuple[str, object]) -> str:
    """Paragraph markup of `label：value` pairs separated by a wide gap (CJK spaces would collapse)."""
    gap = "&nbsp;" * 6
    return gap.join(f"{escape(label)}：{escape(pdf_text(value))}" for label, value in parts)


def _heading_table(
    s: PdfStyles, title: str, header: list, widths: list, rows: list, styles: list, *, intro: str = "", empty: str = ""
) -> Table:
    """A titled table with column headings; `intro` (markup) sits between title and headings, `empty` replaces both
    headings and rows when there is nothing to list."""
    blank = [""] * (len(widths) - 1)
    data = [[s.p(title, s.section), *blank]]
    base = [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    if empty:
        data.append([s.p(empty), *blank])
        return pdf_table(data, widths, [*base, ("SPAN", (0, 1), (-1, 1))], repeat=1)
    if intro:
        data.append([Paragraph(intro, s.body), *blank])
        base.append(("SPAN", (0, 1), (-1, 1)))
    n = len(data)
    data += [[s.p(h, s.head) for h in header], *rows]
    base.append(("BACKGROUND", (0, n), (-1, n), colors.HexColor("#f7f7f7")))
    # Row indexes in `styles` count from the first row after the headings.
    shifted = []
    for command, (c0, r0), (c1, r1), *rest in styles:
        shifted.append((command, (c0, r0 + n + 1 if r0 >= 0 else r0), (c1, r1 + n + 1 if r1 >= 0 else r1), *rest))
    return pdf_table(data, widths, base + shifted, repeat=n + 1)


def _header_block(s: PdfStyles, record: SamplingRecord, copy: str, qr: tuple[str, str] | None) -> Table:
    meta = _spaced(("抽样单编号", record.code), ("任务编号", record.task.code), ("状态", record.get_status_display()))
    left = [
        s.p("产品质量监督抽查抽样单", s.title),
        s.p(COPIES[copy], s.copy),
        Spacer(1, 2 * mm),
        Paragraph(meta, s.meta),
    ]
    if qr is None:
        return pdf_table([[left]], [CONTENT_W], [("GRID", (0, 0), (-1, -1), 0, colors.white)])
    url, code = qr
    caption = ParagraphStyle("cj-qr", parent=s.small, alignment=TA_CENTER, fontSize=6.5, leading=8)
    right = [QrFlowable(url, 24 * mm), s.p(f"检验样品 {code}", caption)]
    # An empty column as wide as the QR's keeps the title centred on the page.
    table = Table([["", left, right]], colWidths=[30 * mm, CONTENT_W - 60 * mm, 30 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
                ("VALIGN", (2, 0), (2, 0), "TOP"),
                ("ALIGN", (2, 0), (2, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _refusal_block(s: PdfStyles, record: SamplingRecord) -> Table:
    content = [
        s.p("拒检", s.alert_title),
        s.p("被抽样单位拒绝接受监督抽查抽样。", s.alert),
        s.p(f"拒检理由：{pdf_text(record.refusal_reason)}", s.alert),
        s.p(f"拒检时间：{_when(record.refused_at)}", s.alert),
    ]
    table = Table([[content]], colWidths=[CONTENT_W], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 2, ALERT),
                ("BACKGROUND", (0, 0), (-1, -1), ALERT_SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def _signature_image(signature, max_w: float = 40 * mm, max_h: float = 15 * mm):
    try:
        with signature.image.open("rb") as handle:
            picture = PILImage.open(io.BytesIO(handle.read()))
            picture.load()
    except (OSError, ValueError):
        return None
    # Phone canvases give transparent PNGs: flatten on white so every reader shows the ink.
    picture = picture.convert("RGBA")
    flat = PILImage.new("RGB", picture.size, "white")
    flat.paste(picture, mask=picture.getchannel("A"))
    flat.thumbnail((800, 300))
    scale = min(max_w / flat.width, max_h / flat.height)
    buffer = io.BytesIO()
    flat.save(buffer, format="PNG")
    buffer.seek(0)
    return Image(buffer, width=flat.width * scale, height=flat.height * scale)


def _form_story(s: PdfStyles, record: SamplingRecord, copy: str, qr: tuple[str, str] | None, context: dict) -> list:
    task = record.task
    story: list = [_header_block(s, record, copy, qr), Spacer(1, 4 * mm)]
    refused = record.status == RecordStatus.STATUS_REFUSED
    if refused:
        story += [_refusal_block(s, record), Spacer(1, 4 * mm)]
    numbers = iter("一二三四五六七八九十")

    def title(text: str) -> str:
        return f"{next(numbers)}、{text}"

    story += [
        pdf_section(
            s,
            title("任务信息"),
            [
                [("抽查计划", task.plan.name)],
                [("组织单位", task.plan.regulator.name), ("任务编号", task.code)],
                [("抽样机构", task.agency.name), ("检验机构", task.laboratory.name)],
                [("抽样人员", "、".join(context["samplers"])), ("状态", record.get_status_display())],
            ],
        ),
        Spacer(1, 3 * mm),
        pdf_section(
            s,
            title("被抽样单位"),
            [
                [("单位名称", record.party_name)],
                [("统一社会信用代码", record.party_uscc), ("联系人", record.party_contact)],
                [("单位地址", record.party_address), ("联系电话", record.party_phone)],
            ],
        ),
        Spacer(1, 3 * mm),
        pdf_section(
            s,
            title("产品信息"),
            [
                [("产品名称", record.product_name), ("商标/品牌", record.brand)],
                [("规格型号", record.model_spec), ("批号", record.batch_no)],
                [("生产日期", day_text(record.production_date)), ("生产许可证编号", record.licence_no)],
                [("执行标准", record.standard)],
                [("（标称）生产企业", record.maker_name)],
                [("生产企业地址", record.maker_address)],
            ],
        ),
        Spacer(1, 3 * mm),
    ]
    lot = f"{_decimal(record.lot_size)} {record.lot_unit}".strip()
    backups = f"{record.backup_portions} 份" + (f" × {record.backup_quantity}" if record.backup_quantity else "")
    paper = _paper_check(record.paper_matches) + (f"（{record.paper_note}）" if record.paper_note else "")
    story += [
        pdf_section(
            s,
            title("抽样信息"),
            [
                [("抽样地点类型", record.get_place_kind_display()), ("抽样基数", lot)],
                [("抽样地点", record.place_address)],
                [("检验样品数量", record.test_quantity), ("备用样品", backups)],
                [
                    ("封条编号", "、".join(str(n) for n in record.seal_numbers or [])),
                    ("封样时间", _when(record.sealed_at)),
                ],
                [
                    ("定位（GPS）", _position(record.latitude, record.longitude, record.position_accuracy)),
                    ("设备时间", _when(record.device_time)),
                ],
                [("随货文件核对", paper)],
                [("备注", record.remarks)],
            ],
        ),
        Spacer(1, 3 * mm),
    ]
    if record.place_kind == PlaceKind.PLACE_ONLINE:
        story += [
            pdf_section(
                s,
                title("网络购买信息"),
                [
                    [("网店经营者", record.seller_name), ("订单号", record.order_no)],
                    [("商品页面网址", record.shop_url)],
                    [("支付账户", record.payment_account), ("购买注册账户", record.buyer_account)],
                    [("收货地址", record.delivery_address)],
                ],
            ),
            Spacer(1, 3 * mm),
        ]
    story += [_sample_table(s, title("样品及封存"), context["sample"], context["portions"], refused), Spacer(1, 3 * mm)]
    story += [_evidence_table(s, title("现场证据"), context["evidence"]), Spacer(1, 3 * mm)]
    story += [_signature_table(s, title("签字"), record, context["signatures"]), Spacer(1, 4 * mm)]
    story.append(
        KeepTogether(
            [
                Paragraph(
                    f"表单内容 SHA-256：<font name='{MONO}' size='8.5'>"
                    f"{escape(pdf_text(record.content_sha256))}</font>",
                    s.body,
                ),
                s.p("各签字所绑定的内容摘要与此值一致，表明签字后表单内容未被改动。", s.small),
            ]
        )
    )
    return story


def _sample_table(s: PdfStyles, title: str, sample: Sample | None, portions: list, refused: bool) -> Table:
    widths = [12 * mm, 22 * mm, 26 * mm, 30 * mm, 44 * mm, 46 * mm]
    header = ["序号", "用途", "封条编号", "数量", "保管人", "存放地点"]
    if sample is None:
        return _heading_table(s, title, header, widths, [], [], empty="未抽取样品（拒检）" if refused else "尚未封样")
    intro = _spaced(
        ("样品编号", sample.code),
        ("封样时间", _when(sample.sealed_at)),
        ("送样期限", deadline_display(sample, "delivery_due")),
    )
    rows = [
        [
            s.p(portion.number),
            s.p(kind),
            s.p(portion.seal_no),
            s.p(portion.quantity),
            s.p(f"{_person(portion.custodian)}\n{portion.custodian_org.name}"),
            s.p(portion.storage_place),
        ]
        for portion, kind in portions
    ]
    return _heading_table(s, title, header, widths, rows, [], intro=intro)


def _evidence_table(s: PdfStyles, title: str, evidence: list) -> Table:
    widths = [12 * mm, 28 * mm, 54 * mm, 34 * mm, 52 * mm]
    header = ["序号", "类型", "原文件名", "大小", "拍摄时间及位置（EXIF）"]
    if not evidence:
        return _heading_table(s, title, header, widths, [], [], empty="无")
    rows, styles = [], []
    for n, item in enumerate(evidence, start=1):
        exif = [_when(item.taken_at)] if item.taken_at else []
        if item.exif_latitude is not None and item.exif_longitude is not None:
            exif.append(_coordinates(item.exif_latitude, item.exif_longitude))
        first = len(rows)
        rows.append(
            [
                s.p(n),
                s.p(item.get_kind_display()),
                s.p(item.original_name),
                s.p(_size(item.size), s.small),
                s.p("\n".join(exif) or EMPTY, s.small),
            ]
        )
        rows.append(["", Paragraph(f"SHA-256&nbsp;&nbsp;{escape(item.sha256)}", s.mono), "", "", ""])
        styles += [
            ("SPAN", (0, first), (0, first + 1)),
            ("SPAN", (1, first + 1), (-1, first + 1)),
            ("VALIGN", (0, first), (0, first + 1), "TOP"),
        ]
    return _heading_table(s, title, header, widths, rows, styles)


def _signature_table(s: PdfStyles, title: str, record: SamplingRecord, signatures: list) -> Table:
    widths = [30 * mm, 26 * mm, 28 * mm, 46 * mm, 50 * mm]
    header = ["签字身份", "签字人", "签字时间", "签名", "所签内容 SHA-256（前 16 位）"]
    if not signatures:
        return _heading_table(s, title, header, widths, [], [], empty="无有效签字")
    rows = []
    for signature in signatures:
        picture = _signature_image(signature) or s.p("（签名图像缺失）", s.small)
        bound = signature.content_sha256 == record.content_sha256 and bool(record.content_sha256)
        digest = [
            Paragraph(escape(signature.content_sha256[:16]), s.mono),
            s.p("与本表内容一致" if bound else "与本表内容不一致", s.small),
        ]
        rows.append(
            [
                s.p(signature.get_role_display()),
                s.p(signature.signer_name),
                s.p(_when(signature.signed_at)),
                picture,
                digest,
            ]
        )
    return _heading_table(s, title, header, widths, rows, [("ALIGN", (3, 0), (3, -1), "CENTER")])


def _numbered_canvas(copy_titles: list[str], record_code: str):
    """A canvas that holds pages back until the end, to print "第 x 页 共 y 页" counted within each copy."""
    font = cjk_font_name()

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []
            self.copy_index = 0

        def showPage(self):
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            totals: dict[int, int] = {}
            for state in self._held:
                totals[state["copy_index"]] = totals.get(state["copy_index"], 0) + 1
            seen: dict[int, int] = {}
            for state in self._held:
                self.__dict__.update(state)
                seen[self.copy_index] = seen.get(self.copy_index, 0) + 1
                self._footer(seen[self.copy_index], totals[self.copy_index])
                super().showPage()
            super().save()

        def _footer(self, page: int, total: int) -> None:
            width = self._pagesize[0]
            self.saveState()
            self.setFont(font, 8.5)
            self.setFillColor(LABEL_GREY)
            self.drawCentredString(width / 2, 9 * mm, f"第 {page} 页 共 {total} 页")
            self.drawString(PAGE_MARGIN_X, 9 * mm, f"抽样单编号 {record_code}")
            self.drawRightString(width - PAGE_MARGIN_X, 9 * mm, copy_titles[self.copy_index])
            self.restoreState()

    return NumberedCanvas


def _page_chrome(canvas: Canvas, doc, *, index: int, copy_title: str, record_code: str) -> None:
    canvas.copy_index = index
    width, height = A4
    font = cjk_font_name()
    canvas.saveState()
    canvas.setFont(font, 8.5)
    canvas.setFillColor(LABEL_GREY)
    canvas.drawString(PAGE_MARGIN_X, height - 11 * mm, f"产品质量监督抽查抽样单　{record_code}")
    canvas.setFont(cjk_bold_font_name(), 9)
    canvas.setFillColor(colors.black)
    canvas.drawRightString(width - PAGE_MARGIN_X, height - 11 * mm, copy_title)
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(0.5)
    canvas.line(PAGE_MARGIN_X, height - 13 * mm, width - PAGE_MARGIN_X, height - 13 * mm)
    canvas.line(PAGE_MARGIN_X, 12.5 * mm, width - PAGE_MARGIN_X, 12.5 * mm)
    canvas.restoreState()


def sampling_form_pdf(
    record: SamplingRecord,
    *,
    label_url: Callable[[Portion], str] | None = None,
    copies: Sequence[str] = ("party", "laboratory", "organiser"),
) -> bytes:
    """The sampling form (产品质量监督抽查抽样单) on A4: one complete copy per entry of `copies`, in that order.

    With `label_url`, the header carries a QR code of the test portion's label URL. Every copy shows the enterprise
    and product: hand the laboratory copy to intake and approvers only, never to testers.
    """
    copies = list(copies)
    unknown = [name for name in copies if name not in COPIES]
    if unknown or not copies:
        choices = "、".join(COPIES)
        raise ValueError(f"未知的抽样单联次：{'、'.join(unknown) or '（空）'}，可选：{choices}")
    with translation.override("zh-hans"):
        styles = PdfStyles()
        sample = _sample_of(record)
        portions = portions_with_kind(sample) if sample is not None else []
        context = {
            "samplers": [_person(user) for user in record.samplers.order_by("username")],
            "sample": sample,
            "portions": portions,
            "evidence": list(record.evidence.all()),
            "signatures": list(record.signatures.filter(voided_at=None).order_by("signed_at", "pk")),
        }
        qr = None
        if label_url is not None:
            test = next((p for p, _ in portions if p.kind == PortionKind.KIND_TEST), None)
            if test is not None:
                qr = (label_url(test), test.label_code)
        buffer = io.BytesIO()
        doc = a4_document(buffer, f"产品质量监督抽查抽样单 {record.code}")
        frame = a4_frame()
        titles = [COPIES[name] for name in copies]
        doc.addPageTemplates(
            [
                PageTemplate(
                    id=f"copy-{n}",
                    frames=[frame],
                    onPage=partial(_page_chrome, index=n, copy_title=titles[n], record_code=record.code),
                )
                for n in range(len(copies))
            ]
        )
        story: list = []
        for n, name in enumerate(copies):
            if n:
                story += [NextPageTemplate(f"copy-{n}"), PageBreak()]
            story += _form_story(styles, record, name, qr, context)
        doc.build(story, canvasmaker=_numbered_canvas(titles, record.code))
    return buffer.getvalue()


# ── labels ─────────────────────────────────────────────────────────────────────────────────────────────────────────
