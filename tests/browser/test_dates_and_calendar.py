"""Date fields in a Chinese-locale Chromium keep what people type, at phone and desktop sizes; the top regulator
administrator enters next year's holidays from the notice text and sees which deadlines moved."""

import datetime as dt
import uuid

import pytest

from choujian.registry.models import Delivery
from choujian.sampling import services
from choujian.sampling.models import SamplingRecord
from choujian.workcalendar.models import CalendarYear
from choujian.workcalendar.services import deadline_record
from tests.factories import DEMO_PASSWORD, DeliveryFactory
from tests.sampling import conftest as sampling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
setting = sampling.setting
field = sampling.field


SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _context(browser, size: str):
    extra = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
    return browser.new_context(viewport=SIZES[size], locale="zh-CN", timezone_id="Asia/Shanghai", **extra)


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _type_date(page, selector: str, day: dt.date) -> None:
    """Type into the browser's date picker as a person does, in the order the picker shows (year first on a Chinese
    system, month first on an English one)."""
    box = page.locator(selector)
    box.scroll_into_view_if_needed()
    box.click(position={"x": 12, "y": 10})
    page.keyboard.type(f"{day.year}")
    if page.input_value(selector).startswith(f"{day.year}-") or page.input_value(selector) == "":
        page.keyboard.press("ArrowRight")  # a year may have up to six digits: people move on by hand
        page.keyboard.type(f"{day.month:02d}{day.day:02d}")
    else:
        for _ in range(3):
            page.keyboard.press("Backspace")
            page.keyboard.press("ArrowLeft")
        box.click(position={"x": 12, "y": 10})
        page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
    assert page.input_value(selector) == day.isoformat()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_production_date_typed_on_the_sampling_form_is_kept_by_autosave(browser, live_server, field, size):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    context = _context(browser, size)
    page = context.new_page()
    _login(page, live_server.url, sampler.username)
    page.goto(f"{live_server.url}/sampling/records/{record.code}/")
    _type_date(page, "[data-field=production_date]", dt.date(2026, 11, 18))
    page.fill("[data-field=batch_no]", "20261118-B")
    page.wait_for_selector("#save-status.ok", timeout=15000)
    record = SamplingRecord.objects.get(pk=record.pk)
    assert record.production_date == dt.date(2026, 11, 18)

    # Reopened, the picker shows the stored date; editing another field must not blank it.
    page.reload()
    assert page.input_value("[data-field=production_date]") == "2026-11-18"
    page.fill("[data-field=remarks]", "再次打开后修改备注")
    page.wait_for_selector("#save-status.ok", timeout=15000)
    record.refresh_from_db()
    assert record.production_date == dt.date(2026, 11, 18) and record.remarks == "再次打开后修改备注"
    context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_editing_a_delivery_keeps_and_changes_its_date(browser, live_server, world, size):
    delivery = DeliveryFactory(delivered_on=dt.date(2026, 11, 18))
    context = _context(browser, size)
    page = context.new_page()
    _login(page, live_server.url, world.provincial_officer.username)
    page.goto(f"{live_server.url}/registry/delivery/{delivery.public_id}/edit/")
    assert page.input_value("#id_delivered_on") == "2026-11-18"
    page.fill("#id_batch_no", "B-改")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/registry/delivery/{delivery.public_id}/", wait_until="commit")
    assert Delivery.objects.get(pk=delivery.pk).delivered_on == dt.date(2026, 11, 18)

    page.goto(f"{live_server.url}/registry/delivery/{delivery.public_id}/edit/")
    _type_date(page, "#id_delivered_on", dt.date(2026, 12, 3))
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/registry/delivery/{delivery.public_id}/", wait_until="commit")
    assert Delivery.objects.get(pk=delivery.pk).delivered_on == dt.date(2026, 12, 3)
    context.close()


def test_the_administrator_enters_2027_and_sees_the_recomputed_deadlines(browser, live_server, world, screenshot_dir):
    admin = world.provincial_admin
    moved = deadline_record(
        owner="test:1",
        field="due",
        label="检验样品 LTEST-00001 检验期限",
        start=dt.date(2026, 12, 31),
        days=20,
        kind="working",
        basis="接收后 20 个工作日内完成检验（实施细则规定）",
    )
    assert moved.provisional
    context = _context(browser, "desktop")
    page = context.new_page()
    _login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/calendar/2027/")
    assert page.locator("text=暂定").first.is_visible()
    page.click("text=录入正式安排")
    page.fill("#id_source", "国办发明电〔2026〕99号（测试用）")
    page.fill("#id_reason", "国务院办公厅发布2027年节假日安排")
    page.fill(
        "#id_notice", "一、元旦：1月1日至4日放假，共4天。\n二、春节：2月5日至12日放假调休，共8天。2月20日（周六）上班。"
    )
    page.click("button[value=preview]")
    page.wait_for_selector("text=保存后将重算")  # the preview is a new page: count its cells once it is there
    assert page.locator(".months td.d-makeup").count() == 1
    assert "保存后将重算 1 个期限" in page.content()
    page.screenshot(path=str(screenshot_dir / "calendar-preview-desktop.png"), full_page=True)
    assert not CalendarYear.objects.filter(year=2027).exists()
    page.click("button[value=save]")
    page.wait_for_url(f"{live_server.url}/calendar/2027/")
    assert "1 个期限已重算" in page.content()
    assert "LTEST-00001" in page.content() and "2027-02-01" in page.content()
    page.screenshot(path=str(screenshot_dir / "calendar-entered-desktop.png"), full_page=True)
    context.close()
