"""The test report PDF: its text, its page numbering and footer digest, its rendering and the verify QR code."""

import copy
import hashlib
import re
import shutil
import subprocess
import types
from pathlib import Path

import pytest

from choujian.testing.report_pdf import report_pdf

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SHA = "ab" * 32
REPORT_CODE = "BG2026-350000-0042"
VERIFY_URL = "https://cj.example.gov.cn/v/3q2-Kx8bN0rT5yWm_ZpLd7eF1hJ4sUoVa9cGiQwE6nY"
ENTERPRISE = "福建闽力预应力钢绞线股份有限公司"
MAKER = "江苏宏盛金属制品有限公司"
LABORATORY = "福建省交通建设工程试验检测中心"
SIGNERS = ("陈晓峰", "林婉清", "黄志强")
FAILING = "整根钢绞线最大力 Fm"
UNVERIFIED = "弹性模量"


def _item(code, name, cls, unit, limit, values, judgment="pass", *, verified=True, method="GB/T 21839-2019", **extra):
    return {
        "code": code,
        "name": name,
        "class": cls,
        "unit": unit,
        "method": method,
        "replicates": len(values),
        "combine": extra.get("combine", "each"),
        "comparison": "rounded",
        "step": extra.get("step"),
        "limit": limit,
        "verified": verified,
        "values": values,
        "combined": extra.get("combined", ""),
        "rounded": extra.get("rounded", ""),
        "judgment": judgment,
        "instrument": "WAW-1000B 微机控制电液伺服万能试验机（JC-017）",
        "judgment_detail": {
            "values": [{"value": v, "rounded": r, "judgment": judgment} for v, r in extra.get("per", [])]
        },
    }


def _items() -> list[dict]:
    return [
        _item(
            "diameter",
            "公称直径",
            "B",
            "mm",
            "15.00~15.60",
            ["15.24", "15.27", "15.22"],
            per=[("15.24", "15.24"), ("15.27", "15.27"), ("15.22", "15.22")],
        ),
        _item(
            "max_force",
            FAILING,
            "A",
            "kN",
            ">=260",
            ["256.4", "261.8", "258.9"],
            "fail",
            per=[("256.4", "256"), ("261.8", "262"), ("258.9", "259")],
        ),
        _item("max_force_upper", "整根钢绞线最大力的最大值 Fm,max", "B", "kN", "<=289", ["256.4", "261.8", "258.9"]),
        _item("yield_force", "0.2% 屈服力 Fp0.2", "A", "kN", ">=229", ["233.1", "236.0", "234.4"]),
        _item("total_elongation", "最大力总伸长率 Agt（L0≥500 mm）", "A", "%", ">=3.5", ["4.6", "4.9", "5.1"]),
        _item(
            "relaxation",
            "应力松弛性能（初始负荷为 70% 实际最大力，1000 h 松弛率）",
            "B",
            "%",
            "<=2.5",
            ["1.8"],
        ),
        _item(
            "elastic_modulus",
            UNVERIFIED,
            "C",
            "GPa",
            "195±10",
            ["196", "198", "197"],
            verified=False,
            combine="mean",
            combined="197",
            rounded="197",
        ),
        {
            **_item("surface", "表面质量", "C", "", "qualitative", ["合格"], method="目视检查"),
            "requirement": (
                "表面不得有油、润滑脂等物质，不得有影响使用性能的有害缺陷；允许有轻微浮锈，但不得有目视可见的锈蚀凹坑。"
            ),
        },
    ]


def _content(**changes) -> dict:
    content = {
        "report": REPORT_CODE,
        "retest": False,
        "laboratory": LABORATORY,
        "lab_code": "MY-2026-0137",
        "sample": "YP-2026-350102-0007",
        "portion": "YP-2026-350102-0007-1",
        "task": "RW-2026-FJ-0019",
        "plan": "2026年福建省交通建设工程材料产品质量监督抽查",
        "organiser": "福建省交通运输厅",
        "sampling_agency": "福建省交通运输工程质量监督抽样中心",
        "inspected_party": {
            "name": ENTERPRISE,
            "uscc": "91350100MA2Y8K7L3Q",
            "address": "福建省福州市闽侯县青口镇东南汽车城大道88号",
        },
        "manufacturer": {"name": MAKER, "address": "江苏省无锡市江阴市周庄镇长寿工业园宏盛路1号"},
        "product": {
            "name": "预应力混凝土用钢绞线",
            "brand": "闽力",
            "model_spec": "1×7-15.20-1860",
            "batch_no": "L2603-118",
            "production_date": "2026-03-11",
            "standard": "GB/T 5224-2023",
        },
        "sampling": {
            "form": "CY-2026-350102-0007",
            "place": "施工现场 福州市鼓楼区福马路延伸线A3标段钢材堆场2号棚",
            "sealed_at": "2026-04-08 10:42",
            "lot": "36 t",
        },
        "received_on": "2026-04-09",
        "rules": {
            "title": "预应力混凝土用钢绞线产品质量监督抽查实施细则",
            "version": "2025.1",
            "sha256": hashlib.sha256(b"jt-0303").hexdigest(),
            "variant": "1×7-15.20-1860",
        },
        "items": _items(),
        "judgment": "fail",
        "reasons": [f"A 类不合格 1 项（允许 0 项）：{FAILING}"],
        "unverified": ["elastic_modulus"],
        "signatures": {
            "tester": {"name": SIGNERS[0], "at": "2026-04-20 16:05"},
            "reviewer": {"name": SIGNERS[1], "at": "2026-04-21 09:30"},
            "approver": {"name": SIGNERS[2], "at": "2026-04-21 14:12"},
        },
    }
    content.update(changes)
    return content


def _long_content() -> dict:
    items = []
    for n in range(40):
        item = copy.deepcopy(_items()[n % 8])
        item["code"] = f"{item['code']}_{n}"
        item["name"] = f"{item['name']}（第 {n + 1} 组）"
        items.append(item)
    return _content(items=items)


def _report(code: str = REPORT_CODE):
    return types.SimpleNamespace(code=code, content_sha256=SHA)


def _need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"需要命令行工具：{', '.join(missing)}")


def _squash(text: str) -> str:
    """pdftotext drops or adds spaces between CJK and Latin runs: compare text without any whitespace."""
    return re.sub(r"\s+", "", text)


def _write(pdf: bytes, tmp_path: Path) -> Path:
    path = tmp_path / f"{hashlib.sha256(pdf).hexdigest()[:12]}.pdf"
    path.write_bytes(pdf)
    return path


def _text(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    """The PDF's text (or one page's) without whitespace."""
    _need("pdftotext")
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(_write(pdf, tmp_path)), "-"], capture_output=True, check=True
    )
    return _squash(result.stdout.decode("utf-8"))


def _pages(pdf: bytes, tmp_path: Path) -> int:
    _need("pdfinfo")
    result = subprocess.run(["pdfinfo", str(_write(pdf, tmp_path))], capture_output=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", result.stdout.decode("utf-8"), re.M).group(1))


def _render(pdf: bytes, name: str, dpi: int) -> list[Path]:
    """Render every page to test-artifacts/<name>-<page>.png, so a person can look at them."""
    _need("pdftoppm")
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_report_is_a_pdf():
    pdf = report_pdf(_report(), _content(), verify_url=VERIFY_URL)
    assert pdf.startswith(b"%PDF")


def test_report_text(tmp_path):
    content = _content()
    text = _text(report_pdf(_report(), content, verify_url=VERIFY_URL), tmp_path)
    expected = [
        "产品质量监督抽查检验报告",
        REPORT_CODE,
        LABORATORY,
        ENTERPRISE,
        MAKER,
        "91350100MA2Y8K7L3Q",
        "CY-2026-350102-0007",
        "MY-2026-0137",
        "预应力混凝土用钢绞线产品质量监督抽查实施细则（2025.1）",
        content["rules"]["sha256"][:16],
        *(item["name"] for item in content["items"]),
        "不合格",
        "256.4、261.8、258.9",
        "≥260",
        "195±10",
        "判定说明",
        content["reasons"][0],
        "※该项限值尚待与标准原文核对",
        *SIGNERS,
        *(f"电子签名：{name}" for name in SIGNERS),
        f"报告内容SHA-256：{SHA}",
        "扫码核验报告真伪",
    ]
    for phrase in expected:
        assert _squash(phrase) in text, phrase
    assert f"{UNVERIFIED}※" in text
    assert "复检" not in text


def test_passing_report_has_no_explanation(tmp_path):
    items = [{**item, "judgment": "pass"} for item in _items()]
    text = _text(
        report_pdf(_report(), _content(items=items, judgment="pass", reasons=[]), verify_url=VERIFY_URL), tmp_path
    )
    assert "合格检验结论" in text or "检验结论合格" in text
    assert "不合格" not in text
    assert "判定说明" not in text


def test_long_report_spans_pages_with_footer(tmp_path):
    content = _long_content()
    pdf = report_pdf(_report(), content, verify_url=VERIFY_URL)
    pages = _pages(pdf, tmp_path)
    assert pages >= 2
    text = _text(pdf, tmp_path)
    for page in range(1, pages + 1):
        assert f"第{page}页共{pages}页" in text
    # Every footer carries the digest; the end of the report repeats it.
    assert text.count(SHA) == pages + 1
    # The table runs over at least two pages, its column headings repeated on each.
    table_pages = [n for n in range(1, pages + 1) if "（第" in _text(pdf, tmp_path, n)]
    assert len(table_pages) >= 2
    for n in table_pages:
        page = _text(pdf, tmp_path, n)
        assert all(heading in page for heading in ("序号", "检验项目", "技术要求", "计算值/修约值", "单项判定")), n
    for item in content["items"]:
        assert _squash(item["name"]) in text, item["name"]


def test_retest_report_says_so(tmp_path):
    text = _text(report_pdf(_report(), _content(retest=True), verify_url=VERIFY_URL), tmp_path)
    assert "复检报告" in text
    assert "监督抽查复检" in text


def test_rendering_and_verify_qr():
    _need("pdftoppm", "zbarimg")
    for name, content in (
        ("report", _content()),
        ("report-long", _long_content()),
        ("report-retest", _content(retest=True)),
    ):
        pngs = _render(report_pdf(_report(), content, verify_url=VERIFY_URL), name, 150)
        assert pngs and all(png.stat().st_size > 0 for png in pngs)
    pdf = report_pdf(_report(), _content(), verify_url=VERIFY_URL)
    first = _render(pdf, "report-300dpi", 300)[0]
    result = subprocess.run(["zbarimg", "--raw", "-q", str(first)], capture_output=True)
    assert [line for line in result.stdout.decode("utf-8").splitlines() if line] == [VERIFY_URL]
