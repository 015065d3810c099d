"""The sampling form PDF in its three copies, and the QR labels that travel with blind samples."""

import datetime as dt
import hashlib
import io
import re
import secrets
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from choujian.planning.models import Plan, PlanLine, Task
from choujian.sampling import fonts
from choujian.sampling.documents import sampling_form_pdf
from choujian.sampling.fonts import cjk_font_name
from choujian.sampling.labels import labels_pdf
from choujian.sampling.models import Evidence, Portion, Sample, SamplingRecord, Signature
from tests.factories import CategoryFactory, EnterpriseFactory, OrganisationFactory, ProductFactory, member

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
ENTERPRISE = "福建闽力预应力钢绞线股份有限公司"
PLACE = "福州市鼓楼区福马路延伸线A3标段钢材堆场2号棚"
PRODUCT = "预应力混凝土用钢绞线"
BRAND = "闽力"
LABORATORY = "福建省交通建设工程试验检测中心"
PLAN = "2026年福建省交通建设工程材料产品质量监督抽查"


def label_url(portion: Portion) -> str:
    return f"https://cj.example.gov.cn/l/{portion.label_token}"


def _need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"需要命令行工具：{', '.join(missing)}")


def _run(*args: str, data: bytes | None = None) -> str:
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode("utf-8")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text without whitespace; compare it with `_squash(expected)`."""
    _need("pdftotext")
    path = tmp_path / f"{hashlib.sha256(pdf).hexdigest()[:12]}.pdf"
    path.write_bytes(pdf)
    return _squash(_run("pdftotext", "-enc", "UTF-8", str(path), "-"))


def _squash(text: str) -> str:
    """pdftotext drops or adds spaces between CJK and Latin runs: compare text without any whitespace."""
    return re.sub(r"\s+", "", text)


def _info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    _need("pdfinfo")
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    lines = _run("pdfinfo", str(path)).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def _page_size(info: dict[str, str]) -> tuple[float, float]:
    width, height = re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"]).groups()
    return float(width), float(height)


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


def _qr_codes(png: Path) -> list[str]:
    _need("zbarimg")
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True)
    return [line for line in result.stdout.decode("utf-8").splitlines() if line]


def _png(colour: str, size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _signature_png(seed: int) -> bytes:
    """A transparent scribble, as a phone's signature pad sends it."""
    picture = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    points = [(20 + 30 * n, 75 + ((n * 37 + seed * 11) % 70) - 35) for n in range(13)]
    draw.line(points, fill=(10, 10, 60, 255), width=5, joint="curve")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Scene:
    plan: Plan
    line: PlanLine
    enterprise: object
    product: object
    agency: object
    lab: object
    samplers: list


@pytest.fixture
def scene(world) -> Scene:
    category = CategoryFactory(code="JT-0101", name="预应力钢绞线")
    enterprise = EnterpriseFactory(name=ENTERPRISE, region="350102")
    product = ProductFactory(enterprise=enterprise, category=category, name=PRODUCT, brand=BRAND)
    agency = OrganisationFactory(kind="sampling_agency", level="", region="350100", name="福建闽安抽样技术有限公司")
    lab = OrganisationFactory(kind="laboratory", level="", region="350100", name=LABORATORY)
    samplers = [
        member(agency, "sampler", username="linxm", display_name="林晓敏"),
        member(agency, "sampler", username="zhengwh", display_name="郑文华"),
    ]
    plan = Plan.objects.create(
        code="JH-2026-0001",
        name=PLAN,
        year=2026,
        regulator=world.province,
        region="350000",
        participants=["林监管", "王见证"],
        drafted_by=world.provincial_admin,
    )
    line = PlanLine.objects.create(
        plan=plan, category=category, quota=3, sampling_mode="construction", agency=agency, laboratory=lab
    )
    return Scene(plan, line, enterprise, product, agency, lab, samplers)


def _task(scene: Scene, rank: int) -> Task:
    return Task.objects.create(
        plan=scene.plan,
        line=scene.line,
        frame_item_id=f"delivery:{rank}",
        rank=rank,
        enterprise=scene.enterprise,
        product=scene.product,
        agency=scene.agency,
        laboratory=scene.lab,
        drawn_at=dt.datetime(2026, 5, 18, 9, 30, tzinfo=SHANGHAI),
        code=f"RW-2026-{rank:06d}",
    )


def _record(scene: Scene, rank: int = 1, **fields) -> SamplingRecord:
    values = {
        "code": f"CYD-2026-{rank:06d}",
        "client_uuid": uuid.uuid4(),
        "task": _task(scene, rank),
        "status": "sealed",
        "created_by": scene.samplers[0],
        "party_name": ENTERPRISE,
        "party_uscc": scene.enterprise.uscc,
        "party_address": "福建省福州市闽侯县上街镇科技东路18号",
        "party_contact": "陈建国",
        "party_phone": "0591-83456789",
        "product_name": PRODUCT,
        "brand": BRAND,
        "model_spec": "1×7-15.20-1860",
        "batch_no": "B20260512-07",
        "production_date": dt.date(2026, 5, 12),
        "standard": "GB/T 5224-2023《预应力混凝土用钢绞线》",
        "licence_no": "XK05-001-00123",
        "place_kind": "site",
        "place_address": PLACE,
        "lot_size": Decimal("25.000"),
        "lot_unit": "t",
        "test_quantity": "3 根 × 1.2 m",
        "backup_portions": 2,
        "backup_quantity": "3 根 × 1.2 m",
        "seal_numbers": ["FT-0001", "FT-0002"],
        "latitude": Decimal("26.074508"),
        "longitude": Decimal("119.296494"),
        "position_accuracy": 8,
        "device_time": dt.datetime(2026, 5, 20, 10, 41, tzinfo=SHANGHAI),
        "paper_matches": True,
        "paper_note": "质量证明书与预传电子版一致",
        "remarks": "样品从同一盘卷截取，两端各去除 0.5 m 后取样；现场见证人全程在场。",
        "content_sha256": hashlib.sha256(f"record-{rank}".encode()).hexdigest(),
        "sealed_at": dt.datetime(2026, 5, 20, 10, 48, tzinfo=SHANGHAI),
    }
    values.update(fields)
    record = SamplingRecord.objects.create(**values)
    record.samplers.set(scene.samplers)
    return record


def _evidence(record: SamplingRecord, kind: str, name: str, colour: str, **fields) -> Evidence:
    content = _png(colour)
    item = Evidence(
        client_uuid=uuid.uuid4(),
        record=record,
        kind=kind,
        original_name=name,
        content_type="image/png",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=record.created_by,
        **fields,
    )
    item.file.save(name, ContentFile(content), save=False)
    item.save()
    return item


def _signature(record: SamplingRecord, role: str, name: str, seed: int, **fields) -> Signature:
    content = _signature_png(seed)
    signature = Signature(
        client_uuid=uuid.uuid4(),
        record=record,
        role=role,
        signer_name=name,
        image_sha256=hashlib.sha256(content).hexdigest(),
        content_sha256=record.content_sha256,
        signed_at=dt.datetime(2026, 5, 20, 10, 50 + seed, tzinfo=SHANGHAI),
        recorded_by=record.created_by,
        **fields,
    )
    signature.image.save(f"sig-{seed}.png", ContentFile(content), save=False)
    signature.save()
    return signature


def _sample(scene: Scene, record: SamplingRecord, backups: int = 2) -> Sample:
    sample = Sample.objects.create(
        code="CJ-2026-000001",
        record=record,
        task=record.task,
        laboratory=scene.lab,
        sealed_at=record.sealed_at,
        delivery_due=dt.date(2026, 5, 27),
    )
    for number in range(1, backups + 2):
        Portion.objects.create(
            sample=sample,
            kind="test" if number == 1 else "backup",
            number=number,
            seal_no=f"FT-{number:04d}",
            quantity="3 根 × 1.2 m",
            custodian=scene.samplers[0] if number == 1 else scene.samplers[1],
            custodian_org=scene.agency,
            storage_place="抽样车样品柜" if number == 1 else "闽安抽样备样室 B-03 柜",
            label_token=secrets.token_urlsafe(32),
        )
    return sample


@pytest.fixture
def sealed(scene) -> SamplingRecord:
    record = _record(scene)
    _evidence(
        record,
        "product",
        "IMG_20260520_103512.png",
        "#8899aa",
        taken_at=dt.datetime(2026, 5, 20, 10, 35, tzinfo=SHANGHAI),
        exif_latitude=Decimal("26.074511"),
        exif_longitude=Decimal("119.296480"),
    )
    _evidence(record, "label", "铭牌照片.png", "#aa8866")
    _evidence(record, "seal", "封样-FT-0001.png", "#66aa88")
    _signature(record, "sampler", "林晓敏", 1, signer=scene.samplers[0])
    _signature(record, "party", "陈建国", 2)
    _signature(record, "party", "作废的签字人", 3, voided_at=dt.datetime(2026, 5, 20, 10, 55, tzinfo=SHANGHAI))
    _sample(scene, record)
    return record


@pytest.mark.django_db
def test_it_prints_three_copies_of_the_form_with_every_field(sealed, tmp_path):
    pdf = sampling_form_pdf(sealed, label_url=label_url)
    one_copy = int(_info(sampling_form_pdf(sealed, copies=("party",)), tmp_path)["Pages"])
    assert int(_info(pdf, tmp_path)["Pages"]) == 3 * one_copy
    text = pdf_text(pdf, tmp_path)
    for copy in ("第一联 被抽样单位留存", "第二联 检验机构留存", "第三联 组织单位留存"):
        assert _squash(copy) in text
    assert text.count(_squash(f"第 1 页 共 {one_copy} 页")) == 3
    for label in (
        "产品质量监督抽查抽样单",
        "抽样单编号",
        "任务编号",
        "抽样机构",
        "检验机构",
        "被抽样单位",
        "统一社会信用代码",
        "产品名称",
        "规格型号",
        "生产日期",
        "执行标准",
        "抽样地点",
        "抽样基数",
        "检验样品数量",
        "备用样品",
        "封条编号",
        "随货文件核对",
        "现场证据",
        "签字",
        "表单内容 SHA-256",
    ):
        assert _squash(label) in text, label
    for value in (
        ENTERPRISE,
        sealed.party_uscc,
        sealed.code,
        sealed.task.code,
        PLAN,
        "福建省交通运输厅",
        LABORATORY,
        "林晓敏",
        "郑文华",
        "施工现场",
        "25 t",
        "FT-0001、FT-0002",
        "2026-05-20 10:48",
        "CJ-2026-000001",
        "备用样品 2",
        "一致",
        "GB/T 5224-2023",
        "陈建国",
        sealed.content_sha256,
        sealed.content_sha256[:16],
    ):
        assert _squash(value) in text, value
    for item in sealed.evidence.all():
        assert _squash(item.sha256) in text
    assert _squash("作废的签字人") not in text
    assert _squash("网络购买信息") not in text


@pytest.mark.django_db
def test_it_renders_the_form_readably_with_the_label_qr(sealed):
    pdf = sampling_form_pdf(sealed, label_url=label_url)
    pages = _render(pdf, "sampling-form", 150)
    assert pages and all(page.stat().st_size > 10_000 for page in pages)
    with Image.open(pages[0]) as first:
        assert first.size[0] == pytest.approx(1240, abs=2) and first.size[1] == pytest.approx(1754, abs=2)
    test_portion = sealed.sample.portions.get(kind="test")
    sharp = _render(sampling_form_pdf(sealed, label_url=label_url, copies=("laboratory",)), "sampling-form-300", 300)
    assert _qr_codes(sharp[0]) == [label_url(test_portion)]


@pytest.mark.django_db
def test_it_prints_the_online_purchase_block_only_for_online_sampling(scene, tmp_path):
    record = _record(
        scene,
        place_kind="online",
        place_address="天猫 闽力钢材旗舰店",
        seller_name="福州闽力贸易有限公司",
        shop_url="https://detail.tmall.example/item.htm?id=6712345678901234567&spm=a1z10.1-b-s.w4004",
        order_no="3365123456789012345",
        payment_account="支付宝 cj***@fj.gov.cn",
        buyer_account="fjjt-cj-2026",
        delivery_address="福州市鼓楼区五四路 158 号 福建省交通运输厅 抽检样品收发室",
    )
    text = pdf_text(sampling_form_pdf(record, copies=("organiser",)), tmp_path)
    assert _squash("网络购买信息") in text
    for value in ("福州闽力贸易有限公司", "3365123456789012345", "fjjt-cj-2026", "网络购买"):
        assert _squash(value) in text
    assert _squash("尚未封样") in text
    _render(sampling_form_pdf(record, copies=("organiser",)), "sampling-form-online", 150)


@pytest.mark.django_db
def test_it_shows_a_refusal_prominently(scene, tmp_path):
    record = _record(
        scene,
        rank=2,
        status="refused",
        refusal_reason="企业负责人以“产品已全部发往工地”为由拒绝抽样，并拒绝在抽样单上签字。",
        refused_at=dt.datetime(2026, 5, 21, 15, 12, tzinfo=SHANGHAI),
        sealed_at=None,
        seal_numbers=[],
        paper_matches=None,
        paper_note="",
    )
    _evidence(record, "refusal", "拒检现场.png", "#cc4444")
    _signature(record, "sampler", "林晓敏", 4, signer=scene.samplers[0])
    pdf = sampling_form_pdf(record, copies=("organiser",), label_url=label_url)
    text = pdf_text(pdf, tmp_path)
    assert _squash("拒检") in text
    assert _squash("产品已全部发往工地") in text
    assert _squash("2026-05-21 15:12") in text
    assert _squash("未抽取样品（拒检）") in text
    assert _squash("不适用") in text
    _render(pdf, "sampling-form-refused", 150)


@pytest.mark.django_db
def test_it_carries_a_long_evidence_table_over_several_pages(sealed, tmp_path):
    for n in range(30):
        _evidence(sealed, "sampling", f"抽样过程-第{n + 1:02d}张-钢绞线盘卷端部截取及标识核对.png", f"#{n:02x}6080")
    pdf = sampling_form_pdf(sealed, copies=("party",))
    pages = int(_info(pdf, tmp_path)["Pages"])
    assert pages >= 3
    text = pdf_text(pdf, tmp_path)
    assert _squash(f"第 {pages} 页 共 {pages} 页") in text
    for item in sealed.evidence.all():
        assert item.sha256 in text
    _render(pdf, "sampling-form-long", 150)


@pytest.mark.django_db
def test_it_prints_a_draft_with_nothing_filled_in(scene, tmp_path, world):
    task = _task(scene, 4)
    record = SamplingRecord.objects.create(
        code="CYD-2026-000004", client_uuid=uuid.uuid4(), task=task, created_by=scene.samplers[0]
    )
    text = pdf_text(sampling_form_pdf(record, copies=("organiser",), label_url=label_url), tmp_path)
    for value in ("填写中", "尚未封样", "无有效签字", "不适用", "CYD-2026-000004"):
        assert _squash(value) in text, value


@pytest.mark.django_db
def test_it_rejects_an_unknown_copy_or_layout(sealed):
    with pytest.raises(ValueError, match="联次"):
        sampling_form_pdf(sealed, copies=("party", "archive"))
    with pytest.raises(ValueError, match="版式"):
        labels_pdf(sealed.sample, label_url=label_url, layout="a5")


@pytest.mark.django_db
def test_it_prints_one_label_page_per_portion_with_a_qr_of_only_the_label_url(sealed, tmp_path):
    sample = sealed.sample
    portions = list(sample.portions.order_by("number"))
    pdf = labels_pdf(sample, label_url=label_url)
    info = _info(pdf, tmp_path)
    assert int(info["Pages"]) == len(portions) == 3
    assert _page_size(info) == pytest.approx((170.08, 113.39), abs=0.05)
    text = pdf_text(pdf, tmp_path)
    for portion, kind in zip(portions, ["检验样品", "备用样品 1", "备用样品 2"], strict=True):
        assert _squash(portion.label_code) in text
        assert _squash(portion.seal_no) in text
        assert _squash(kind) in text
    assert _squash("2026-05-20") in text
    pages = _render(pdf, "labels", 300)
    assert [_qr_codes(page) for page in pages] == [[label_url(portion)] for portion in portions]
    _assert_blind(sealed, text, [label_url(portion) for portion in portions])


@pytest.mark.django_db
def test_it_lays_labels_out_on_a4_with_cut_lines(sealed, tmp_path):
    sample = sealed.sample
    urls = {label_url(portion) for portion in sample.portions.all()}
    pdf = labels_pdf(sample, label_url=label_url, layout="a4")
    info = _info(pdf, tmp_path)
    assert int(info["Pages"]) == 1
    assert _page_size(info) == pytest.approx((595.28, 841.89), abs=0.05)
    text = pdf_text(pdf, tmp_path)
    assert _squash("CJ-2026-000001-3") in text
    pages = _render(pdf, "labels-a4", 300)
    assert set(_qr_codes(pages[0])) == urls
    _assert_blind(sealed, text, urls)


@pytest.mark.django_db
def test_it_continues_labels_on_a_second_a4_sheet(scene, tmp_path):
    record = _record(scene, rank=3)
    sample = _sample(scene, record, backups=22)
    pdf = labels_pdf(sample, label_url=label_url, layout="a4")
    assert int(_info(pdf, tmp_path)["Pages"]) == 2
    text = pdf_text(pdf, tmp_path)
    assert _squash("CJ-2026-000001-23") in text
    assert _squash("第 2 页 共 2 页") in text


def _assert_blind(record: SamplingRecord, text: str, urls) -> None:
    forbidden = [
        ENTERPRISE,
        record.party_uscc,
        PRODUCT,
        BRAND,
        PLACE,
        LABORATORY,
        PLAN,
        record.party_address,
        record.model_spec,
    ]
    for value in forbidden:
        assert _squash(value) not in text, value
        for url in urls:
            assert value not in url, value


def test_it_finds_a_font_that_draws_chinese():
    name = cjk_font_name()
    assert name == cjk_font_name()
    if Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").is_file():
        assert name != "STSong-Light"


@pytest.fixture
def fresh_fonts():
    fonts.cjk_font_name.cache_clear()
    fonts.cjk_bold_font_name.cache_clear()
    yield
    # Found again on next use, once monkeypatch has put the real search back.
    fonts.cjk_font_name.cache_clear()
    fonts.cjk_bold_font_name.cache_clear()


NOTO_OTF = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def test_it_skips_a_configured_font_it_cannot_embed(fresh_fonts, monkeypatch):
    if not NOTO_OTF.is_file():
        pytest.skip("需要 PostScript 轮廓的 Noto CJK 字体")
    monkeypatch.setenv("CHOUJIAN_PDF_FONT", str(NOTO_OTF))
    assert cjk_font_name() in (fonts.REGULAR_NAME, fonts.CID_FALLBACK)


@pytest.mark.django_db
def test_it_falls_back_to_the_readers_song_font_without_a_truetype_chinese_font(
    fresh_fonts, monkeypatch, sealed, tmp_path
):
    monkeypatch.delenv("CHOUJIAN_PDF_FONT", raising=False)
    monkeypatch.setattr(fonts, "KNOWN_REGULAR", ())
    monkeypatch.setattr(fonts, "_fc_match", lambda: [])
    assert cjk_font_name() == "STSong-Light"
    text = pdf_text(sampling_form_pdf(sealed, copies=("party",)), tmp_path)
    assert _squash("产品质量监督抽查抽样单") in text
    assert _squash(ENTERPRISE) in text
