"""The item editor in a real browser, on a desktop and on a phone: a rules administrator changes one limit of a
variant row, is told beside the field when it is wrong, and nothing scrolls sideways."""

import pytest

from choujian.rules.models import RuleSet
from choujian.rules.services import ruleset_load_files
from tests.browser.test_field_sampling import _login

# One headless Chromium per test session (tests/browser/conftest.py): a second one in the same worker cannot start.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", WIDTHS)
def test_an_administrator_edits_a_variant_limit_on_a_desktop_and_a_phone(
    browser, live_server, world, screenshot_dir, width
):
    ruleset_load_files(actor=None)
    strand = RuleSet.objects.get(category__code="JT-0303", rule_version="2025.1")
    base = live_server.url
    context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN")
    page = context.new_page()
    _login(page, base, world.provincial_admin.username)

    page.goto(f"{base}/rules/{strand.public_id}/")
    page.click("#item-max_force a:has-text('编辑')")
    page.wait_for_selector("#id_limit_v1")
    assert page.input_value("#id_limit_v1") == ">=260"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    page.screenshot(path=str(screenshot_dir / f"rules-item-{width}.png"), full_page=True)

    page.fill("#id_limit_v1", ">=2 6 0 kN")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector(".has-error #id_limit_v1")
    assert "无法识别" in page.inner_text(".has-error:has(#id_limit_v1) .error")
    page.screenshot(path=str(screenshot_dir / f"rules-item-error-{width}.png"), full_page=True)
    strand.refresh_from_db()
    assert strand.content["items"][1]["limit"]["1×7-15.20-1860"] == ">=260"

    page.fill("#id_limit_v1", ">=261")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_url(f"{base}/rules/{strand.public_id}/#item-max_force")
    assert "已保存检验项目" in page.inner_text(".messages")
    strand.refresh_from_db()
    assert strand.content["items"][1]["limit"]["1×7-15.20-1860"] == ">=261"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    page.screenshot(path=str(screenshot_dir / f"rules-detail-{width}.png"), full_page=True)
    context.close()
