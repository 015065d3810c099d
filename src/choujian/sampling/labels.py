"""Sample labels with their QR codes, on a label printer (60 × 40 mm) or on A4 sheets.

The labels travel with blind samples into the laboratory, so they carry only the portion's code, its kind, its seal
number and the sealing date; their QR code encodes the label URL and nothing else (blind testing, invariant 3).
"""

import io
from collections.abc import Callable, Sequence

from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from choujian.sampling.documents import EMPTY, LABEL_GREY, LATIN_BOLD, day_text, draw_qr, portions_with_kind
from choujian.sampling.fonts import cjk_bold_font_name, cjk_font_name
from choujian.sampling.models import Portion, Sample

LAYOUTS = ("label", "a4")
LABEL_W = 60 * mm
LABEL_H = 40 * mm
LABEL_QR = 28 * mm
A4_COLUMNS = 3
A4_ROWS = 7


def _fit(text: str, font: str, size: float, width: float, smallest: float = 5) -> float:
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def draw_label(
    canvas: Canvas,
    x: float,
    y: float,
    *,
    code: str,
    kind: str,
    rows: Sequence[tuple[str, str]],
    url: str,
    heading: str = "监督抽查样品",
    code_caption: str = "样品编号",
) -> None:
    """One 60×40 mm label with its lower-left corner at (x, y): QR, heading, kind, two captioned rows and the code.
    Nothing here may identify enterprise or product."""
    font, bold = cjk_font_name(), cjk_bold_font_name()
    draw_qr(canvas, url, x + 1 * mm, y + LABEL_H - 1 * mm - LABEL_QR, LABEL_QR)
    left = x + 1 * mm + LABEL_QR + 1 * mm
    room = x + LABEL_W - 2 * mm - left
    canvas.saveState()
    canvas.setFillColor(LABEL_GREY)
    canvas.setFont(font, 6.5)
    canvas.drawString(left, y + LABEL_H - 5.5 * mm, heading)
    canvas.setFillColor(colors.black)
    canvas.setFont(bold, _fit(kind, bold, 12, room))
    canvas.drawString(left, y + LABEL_H - 12 * mm, kind)
    for (caption, value), top in zip(rows[:2], (17.5, 25.5), strict=False):
        canvas.setFillColor(LABEL_GREY)
        canvas.setFont(font, 6)
        canvas.drawString(left, y + LABEL_H - top * mm, caption)
        canvas.setFillColor(colors.black)
        canvas.setFont(font, _fit(value, font, 8.5, room))
        canvas.drawString(left, y + LABEL_H - (top + 4) * mm, value)
    canvas.setFillColor(LABEL_GREY)
    canvas.setFont(font, 7)
    canvas.drawString(x + 2 * mm, y + 4 * mm, code_caption)
    start = x + 2 * mm + stringWidth(code_caption, font, 7) + 1.5 * mm
    canvas.setFillColor(colors.black)
    canvas.setFont(LATIN_BOLD, _fit(code, LATIN_BOLD, 12, x + LABEL_W - 2 * mm - start))
    canvas.drawString(start, y + 4 * mm, code)
    canvas.restoreState()


def label_pages_pdf(labels: list[dict], title: str) -> bytes:
    """Labels of `draw_label`, one 60×40 mm page each (for a label printer)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(LABEL_W, LABEL_H), invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Choujian")
    for label in labels:
        draw_label(canvas, 0, 0, **label)
        canvas.showPage()
    if not labels:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def labels_pdf(sample: Sample, *, label_url: Callable[[Portion], str], layout: str = "label") -> bytes:
    """QR labels of a sample's portions: one 60×40 mm page each (`label`), or 3×7 to an A4 sheet with cut lines (`a4`).

    A label shows the portion code (样品编号), 检验样品 / 备用样品 n, the seal number and the sealing date; its QR code
    encodes exactly `label_url(portion)`.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"未知的标签版式：{layout}，可选：{'、'.join(LAYOUTS)}")
    with translation.override("zh-hans"):
        sealed = day_text(sample.sealed_at)
        labels = [
            {
                "code": portion.label_code,
                "kind": kind,
                "rows": (("封条编号", portion.seal_no or EMPTY), ("封样日期", sealed)),
                "url": label_url(portion),
            }
            for portion, kind in portions_with_kind(sample)
        ]
    title = f"样品标签 {sample.code}"
    if layout == "label":
        return label_pages_pdf(labels, title)
    buffer = io.BytesIO()

    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Choujian")
    per_page = A4_COLUMNS * A4_ROWS
    pages = max(1, -(-len(labels) // per_page))
    grid_w, grid_h = A4_COLUMNS * LABEL_W, A4_ROWS * LABEL_H
    x0, y0 = (A4[0] - grid_w) / 2, (A4[1] - grid_h) / 2
    for page in range(pages):
        chunk = labels[page * per_page : (page + 1) * per_page]
        for n, label in enumerate(chunk):
            row, column = divmod(n, A4_COLUMNS)
            draw_label(canvas, x0 + column * LABEL_W, y0 + grid_h - (row + 1) * LABEL_H, **label)
        _draw_cut_lines(canvas, x0, y0, grid_w, grid_h)
        canvas.saveState()
        canvas.setFont(cjk_font_name(), 7)
        canvas.setFillColor(LABEL_GREY)
        canvas.drawCentredString(A4[0] / 2, 4.5 * mm, f"样品标签（沿虚线剪下）　第 {page + 1} 页 共 {pages} 页")
        canvas.restoreState()
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_cut_lines(canvas: Canvas, x0: float, y0: float, width: float, height: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#9a9a9a"))
    canvas.setLineWidth(0.3)
    canvas.setDash(2, 2)
    for column in range(A4_COLUMNS + 1):
        x = x0 + column * LABEL_W
        canvas.line(x, y0 - 2 * mm, x, y0 + height + 2 * mm)
    for row in range(A4_ROWS + 1):
        y = y0 + row * LABEL_H
        canvas.line(x0 - 2 * mm, y, x0 + width + 2 * mm, y)
    canvas.restoreState()
