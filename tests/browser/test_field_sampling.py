"""Sampling on a phone (390×844): a drawn sampler opens the task, fills the form, takes photos, collects the three
signatures, seals, prints the labels and hands the test portion over; the lab's intake clerk scans the label on
her phone and signs for it. Screenshots of every step go to test-artifacts/."""

import io

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from choujian.planning.models import Task
from choujian.sampling.models import Handover, Sample, SamplingRecord
from tests.factories import DEMO_PASSWORD
from tests.sampling import conftest as sampling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
setting = sampling.setting
field = sampling.field

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SITE = {"latitude": 26.0745, "longitude": 119.2965, "accuracy": 9}


def _jpeg(colour) -> bytes:
    image = Image.new("RGB", (800, 600), colour)
    ImageDraw.Draw(image).rectangle((200, 150, 600, 450), fill=(240, 240, 240))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _sign(page, form) -> None:
    canvas = form.locator("canvas.sigpad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 24, box["y"] + box["height"] * (0.3 if step % 2 else 0.7), steps=3)
    page.mouse.up()


def _phone(browser, **extra):
    return browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, **extra)


def test_a_sampler_samples_seals_labels_and_hands_over_on_a_phone(browser, live_server, field, screenshot_dir):
    base, task = live_server.url, field.task
    sampler = field.samplers[0]
    context = _phone(browser, geolocation=SITE, permissions=["geolocation"])
    page = context.new_page()
    _login(page, base, sampler.username)

    page.goto(f"{base}/sampling/")
    page.click(f"text={task.code}")
    page.screenshot(path=str(screenshot_dir / "field-1-task-phone.png"), full_page=True)
    page.click("text=开始抽样")
    page.wait_for_url(f"{base}/sampling/records/**")
    record = SamplingRecord.objects.get(task=task)
    assert page.input_value("[data-field=party_name]") == task.enterprise.name  # prefilled from the draw

    page.fill("[data-field=batch_no]", "20261101-A")
    page.fill("[data-field=lot_size]", "120")
    page.fill("[data-field=lot_unit]", "t")
    page.fill("[data-field=seal_numbers]", "FT-000101, FT-000102")
    page.click("#locate")
    expect(page.locator("[data-field=latitude]")).not_to_have_value("")
    page.wait_for_selector("#save-status.ok", timeout=15000)
    record.refresh_from_db()
    assert record.batch_no == "20261101-A" and record.seal_numbers == ["FT-000101", "FT-000102"]
    assert float(record.latitude) == pytest.approx(SITE["latitude"], abs=1e-5)

    # The connection drops: the form keeps a draft on the phone and sends it when the network is back.
    context.set_offline(True)
    page.fill("[data-field=remarks]", "离线时填写：现场信号中断")
    page.wait_for_selector("#save-status.warn", timeout=15000)
    assert page.evaluate(f"localStorage.getItem('choujian-draft-{record.code}')") is not None
    record.refresh_from_db()
    assert record.remarks == ""
    context.set_offline(False)
    page.wait_for_selector("#save-status.ok", timeout=15000)
    record.refresh_from_db()
    assert record.remarks == "离线时填写：现场信号中断"
    assert page.evaluate(f"localStorage.getItem('choujian-draft-{record.code}')") is None

    for kind, colour in (("label", (40, 90, 160)), ("seal", (170, 40, 40))):
        page.select_option("#evidence-kind", kind)
        page.set_input_files(
            "#evidence-file", files=[{"name": f"{kind}.jpg", "mimeType": "image/jpeg", "buffer": _jpeg(colour)}]
        )
        with page.expect_navigation():
            page.click("#evidence-form button")
    assert record.evidence.count() == 2
    page.screenshot(path=str(screenshot_dir / "field-2-form-photos-phone.png"), full_page=True)

    for _ in range(3):  # two samplers, then the inspected party's representative
        form = page.locator("form.sign-form").first
        if form.locator("input[name=signer_name]").count():
            form.locator("input[name=signer_name]").fill("陈经理")
            form.locator("input[name=signer_id_digits]").fill("123X")
            form.locator("input[name=person_photo]").set_input_files(
                files=[{"name": "face.jpg", "mimeType": "image/jpeg", "buffer": _jpeg((210, 170, 140))}]
            )
        if form.locator("input[name=signer_password]").count():  # the other sampler, on this phone
            form.locator("input[name=signer_password]").fill(DEMO_PASSWORD)
        _sign(page, form)
        with page.expect_navigation():
            form.locator("button.primary").click()
    assert record.signatures.filter(voided_at=None).count() == 3
    page.screenshot(path=str(screenshot_dir / "field-3-signed-phone.png"), full_page=True)
    assert page.locator("#seal-button").is_enabled()
    page.click("#seal-button")
    page.wait_for_url(f"{base}/sampling/samples/**")
    sample = Sample.objects.get(task=task)
    assert sample.code in page.title()
    page.screenshot(path=str(screenshot_dir / "field-4-sample-phone.png"), full_page=True)

    labels = context.request.get(f"{base}/api/v1/samples/{sample.code}/labels.pdf")
    assert labels.ok and labels.body().startswith(b"%PDF")
    (screenshot_dir / "field-labels.pdf").write_bytes(labels.body())
    form_pdf = context.request.get(f"{base}/api/v1/samples/{sample.code}/sampling-form.pdf")
    assert form_pdf.ok and form_pdf.body().startswith(b"%PDF")

    handover = page.locator("form[data-api='/api/v1/handovers/']")
    _sign(page, handover)
    handover.locator("button[type=submit]").click()
    page.wait_for_selector("text=待接收")
    assert Handover.objects.get(sample=sample).status == "pending"
    assert Task.objects.get(pk=task.pk).status == "in_transit"
    page.screenshot(path=str(screenshot_dir / "field-5-handed-over-phone.png"), full_page=True)
    context.close()

    lab = _phone(browser)
    intake = lab.new_page()
    _login(intake, base, field.intake.username)
    test_portion = sample.portions.get(kind="test")
    intake.goto(f"{base}/q/{sample.code}/{test_portion.label_token}/")
    assert intake.locator("text=标签真实有效").is_visible()
    intake.screenshot(path=str(screenshot_dir / "field-6-label-scan-phone.png"), full_page=True)
    intake.click("text=核对封条并签收")
    intake.check("input[name=seal_intact][value=true]")
    intake.fill("input[name=condition]", "包装完好，封条完整")
    accept = intake.locator("form[data-api$='/accept/']")
    _sign(intake, accept)
    accept.locator("button[type=submit]").click()
    intake.wait_for_selector(".badge.ok")
    intake.screenshot(path=str(screenshot_dir / "field-7-received-phone.png"), full_page=True)
    sample.refresh_from_db()
    assert sample.status == "received"
    assert Task.objects.get(pk=task.pk).status == "received"
    assert intake.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    lab.close()

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    regulator = desk.new_page()
    _login(regulator, base, field.setting.drafter.username)
    regulator.goto(f"{base}/sampling/samples/{sample.code}/")
    assert regulator.locator("text=检验机构已接收").first.is_visible()
    regulator.screenshot(path=str(screenshot_dir / "field-8-sample-desktop.png"), full_page=True)
    desk.close()
