"""A quarterly bulletin as a PDF in the usual government layout: title, number and issuing body; the narrative; the
figures with charts (matplotlib, the same Chinese font the PDFs embed) and the tables beside them; the date. Built
from what is stored — the frozen figures and the approved narrative."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server

from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from reportlab.lib.enums import TA_RIGHT  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.platypus import Image, PageTemplate, Spacer  # noqa: E402

from choujian.analytics.models import Bulletin  # noqa: E402
from choujian.sampling.documents import CONTENT_W, SHADE, PdfStyles, a4_document, a4_frame, pdf_table  # noqa: E402
from choujian.sampling.fonts import cjk_font_path  # noqa: E402

BLUE, AMBER = "#1f4e79", "#f79009"


def _font() -> str | None:
    path = cjk_font_path()
    if path is None:
        return None
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def _png(figure) -> Image:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=160, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    buffer.seek(0)
    width = CONTENT_W
    height = width * figure.get_figheight() / figure.get_figwidth()
    return Image(buffer, width=width, height=height)


def _bars(rows: list[dict], title: str) -> Image:
    rows = [r for r in rows if r["lots"]][:20]
    figure, axes = plt.subplots(figsize=(8, 3.2))
    labels = [r["label"] for r in rows]
    rates = [100 * (r["rate"] or 0) for r in rows]
    axes.bar(range(len(rows)), rates, color=BLUE)
    axes.set_xticks(range(len(rows)), labels, rotation=40, ha="right", fontsize=7)
    axes.set_ylim(max(0, min(rates + [100]) - 10), 100)
    axes.set_ylabel("批次合格率 %")
    axes.set_title(title, fontsize=10)
    axes.grid(axis="y", alpha=0.3)
    return _png(figure)


def _trend(rows: list[dict]) -> Image:
    figure, axes = plt.subplots(figsize=(8, 2.6))
    axes.plot([r["key"] for r in rows], [100 * (r["rate"] or 0) for r in rows], marker="o", color=BLUE)
    axes.set_ylabel("批次合格率 %")
    axes.set_title("近十二个月批次合格率", fontsize=10)
    axes.tick_params(axis="x", labelsize=7, rotation=40)
    axes.grid(alpha=0.3)
    return _png(figure)


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    family = _font()
    if family:
        plt.rcParams["font.family"] = family
    plt.rcParams["axes.unicode_minus"] = False
    s = PdfStyles()
    heading = ParagraphStyle("cj-h2", parent=s.section, fontSize=11, leading=16, spaceBefore=6)
    body = ParagraphStyle("cj-para", parent=s.body, fontSize=10.5, leading=17)
    f = bulletin.figures
    story: list = [s.p(bulletin.title, s.title), s.p(bulletin.code, s.meta), Spacer(1, 5 * mm)]
    story += [
        s.p(f"　　{paragraph.strip()}", body) for paragraph in bulletin.narrative.split("\n") if paragraph.strip()
    ]
    story += [s.p("一、总体情况", heading)]
    total, previous, ago = f["total"], f["previous"], f["a_year_ago"]
    data = [[s.p(t, s.head) for t in ("", "检验批次", "不合格", "拒检", "批次合格率", "95% 置信区间")]]
    for label, row in (("本季度", total), ("上季度", previous), ("上年同期", ago)):
        data.append([s.p(v, s.small) for v in (label, row["lots"], row["failed"], row["refused"], _pct(row["rate"]),
                                                f"{_pct(row['ci'][0])}–{_pct(row['ci'][1])}")])  # fmt: skip
    story.append(pdf_table(data, [CONTENT_W / 6] * 6, [("BACKGROUND", (0, 0), (-1, 0), SHADE)]))
    if f["trend"]:
        story += [Spacer(1, 3 * mm), _trend(f["trend"])]
    story += [s.p("二、分产品情况", heading)]
    if f["by_category"]:
        story.append(_bars(f["by_category"], "各产品类别批次合格率"))
        story.append(_table(s, ("产品类别", "检验批次", "不合格", "批次合格率"), f["by_category"]))
    story += [s.p("三、分地区情况", heading)]
    if f["by_region"]:
        story.append(_table(s, ("地区", "检验批次", "不合格", "批次合格率"), f["by_region"]))
    story += [s.p("四、不合格企业和主要不合格项目", heading)]
    if f["enterprises"]:
        story.append(_table(s, ("生产企业", "检验批次", "不合格", "批次合格率"), f["enterprises"]))
    if f["items"]:
        items = "、".join(f"{i['item']}（{i['count']} 批次）" for i in f["items"])
        story.append(s.p(f"　　不合格项目出现最多的依次为：{items}。", body))
    story += [s.p("五、质量预警", heading)]
    if f["warnings"]:
        for w in f["warnings"]:
            rules = "；".join(w["rules"])
            story.append(s.p(f"　　{w['code']}：{w['category']}（{w['region']}），{w['month']}，{rules}。", body))
    else:
        story.append(s.p("　　本季度未发出质量预警。", body))
    e = f["enforcement"]
    progress = (
        f"　　本季度新立案 {e['opened']} 件，办结 {e['closed']} 件，季末在办 {e['open_at_end']} 件，"
        f"列入黑名单 {e['listed']} 家。"
    )
    story += [s.p("六、后处理进展", heading), s.p(progress, body)]
    signed = ParagraphStyle("cj-signed", parent=body, alignment=TA_RIGHT)
    day = bulletin.published_at.date().isoformat() if bulletin.published_at else "（草稿，未公开）"
    story += [Spacer(1, 8 * mm), s.p(bulletin.regulator.name, signed), s.p(day, signed)]
    buffer = io.BytesIO()
    doc = a4_document(buffer, f"{bulletin.title} {bulletin.code}")
    doc.addPageTemplates([PageTemplate(id="bulletin", frames=[a4_frame()])])
    doc.build(story)
    return buffer.getvalue()


def _table(s: PdfStyles, titles, rows: list[dict]):
    data = [[s.p(t, s.head) for t in titles]]
    for row in rows:
        data.append([s.p(v, s.small) for v in (row["label"], row["lots"], row["failed"], _pct(row["rate"]))])
    widths = [CONTENT_W * w for w in (0.52, 0.16, 0.16, 0.16)]
    return pdf_table(data, widths, [("BACKGROUND", (0, 0), (-1, 0), SHADE)], repeat=1)
