"""A regulator signs in, lists enterprises, searches and opens one — on a phone and on a desktop."""

import pytest
from playwright.sync_api import expect

from tests.factories import DEMO_PASSWORD, EnterpriseFactory, OrganisationFactory, ProductFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def province_with_enterprises():
    province = OrganisationFactory(name="福建省交通运输厅", level="province", region="350000")
    member(province, "regulator_officer", username="regulator", display_name="林监管")
    for n in range(30):
        EnterpriseFactory(name=f"福建闽通交通设施有限公司{n:02d}", region="350102")
    target = EnterpriseFactory(name="福州鼎力预应力钢绞线有限公司", region="350104")
    ProductFactory(enterprise=target, name="预应力钢绞线")
    return target


@pytest.mark.parametrize("size", SIZES)
def test_it_lets_a_regulator_find_an_enterprise(browser, live_server, province_with_enterprises, screenshot_dir, size):
    page = browser.new_page(viewport=SIZES[size], locale="zh-CN")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "regulator")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.screenshot(path=str(screenshot_dir / f"home-{size}.png"), full_page=True)

    page.goto(f"{live_server.url}/registry/enterprise/")
    assert page.locator("h1").inner_text() == "生产企业"
    assert "共 31 条" in page.locator(".pager").inner_text()
    page.screenshot(path=str(screenshot_dir / f"enterprise-list-{size}.png"), full_page=True)

    page.fill("input[name=q]", "鼎力")
    page.press("input[name=q]", "Enter")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / f"enterprise-search-{size}.png"), full_page=True)

    page.click("text=福州鼎力预应力钢绞线有限公司")
    page.wait_for_selector("dl.fields")
    assert province_with_enterprises.uscc in page.content()
    assert "预应力钢绞线" in page.locator("ul.list").inner_text()
    page.screenshot(path=str(screenshot_dir / f"enterprise-detail-{size}.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= SIZES[size]["width"], "the page must not scroll sideways"
    page.close()
