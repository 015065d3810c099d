"""一公开 in the browser: a second officer publishes the drafted announcement from the to-do page (desktop); then a
visitor, without signing in, searches the portal on a phone, finds the failed product, its enterprise page and the
downloads — none of which showed anything before the publication."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from choujian.disclosure import services as disclosure
from choujian.testing import objections
from choujian.testing import services as lab
from tests.browser.test_field_sampling import DESKTOP, PHONE
from tests.browser.test_lab_flow import _as, _click_and_wait, _from_todo
from tests.enforcement import conftest as enforcement
from tests.factories import member
from tests.sampling import conftest as sampling
from tests.testing.conftest import activate_rules, seal_and_deliver, value_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
setting = sampling.setting
field = sampling.field
parties = enforcement.parties


@pytest.fixture
def drafted(parties):
    """A failed result made final through the laboratory, drafted into an announcement by the plan's officer."""
    field = parties.field
    activate_rules(field.setting.world.provincial_admin)
    sample = seal_and_deliver(field)
    lab_sample = lab.intake_accept(
        actor=field.intake, sample=sample, seals_intact=True, matches_form=True, condition="完好"
    )
    for index, item in enumerate(lab.item_details(lab_sample)):
        lab.result_enter(actor=field.tester, lab_sample=lab_sample, item=item["code"],
                         values=value_for(item, passing=index > 0), instrument="WE-01")  # fmt: skip
    report = lab.report_submit(actor=field.tester, lab_sample=lab_sample)
    lab.report_review(actor=member(field.setting.lab, "reviewer", username="rv"), report=report, approve=True)
    report = lab.report_approve(actor=member(field.setting.lab, "approver", username="ap"), report=report,
                                verify_url=lambda r: f"https://x.example/r/{r.verify_token}/")  # fmt: skip
    notice = objections.notice_acknowledge(actor=parties.maker, notice=report.notice)
    objections.outcomes_settle(today=notice.objection_due + dt.timedelta(days=1))
    return disclosure.announcement_draft(actor=parties.organiser, plan=field.plan)


def _visitor(browser, *, phone: bool):
    context = browser.new_context(viewport=PHONE if phone else DESKTOP)
    return context, context.new_page()


def test_a_second_officer_publishes_and_a_visitor_finds_the_result(
    browser, live_server, parties, drafted, screenshot_dir
):
    base, row = live_server.url, drafted.rows.get()
    visitor_context, visitor = _visitor(browser, phone=True)
    visitor.goto(f"{base}/")
    expect(visitor.get_by_text("尚未公开任何抽查结果")).to_be_visible()
    assert visitor.goto(f"{base}/open/announcements/{drafted.code}/").status == 404

    publisher = parties.field.setting.world.provincial_admin
    context, office = _as(browser, base, publisher)
    _from_todo(office, base, "announcements_to_publish")
    _click_and_wait(office, office.locator("#publish a", has_text=drafted.code))
    expect(office.get_by_text("草稿（未公开）")).to_be_visible()
    office.screenshot(path=str(screenshot_dir / "portal-1-draft-desktop.png"), full_page=True)
    office.locator("#publish summary").click()
    _click_and_wait(office, office.get_by_role("button", name="确认：审核通过并公开"))
    expect(office.get_by_text("公告已公开")).to_be_visible()
    context.close()

    visitor.goto(f"{base}/")
    visitor.fill("#q", row.enterprise_uscc)
    _click_and_wait(visitor, visitor.get_by_role("button", name="查询"))
    expect(visitor.get_by_text("查询结果：1 条")).to_be_visible()
    expect(visitor.locator("table .badge", has_text="不合格")).to_be_visible()
    visitor.screenshot(path=str(screenshot_dir / "portal-2-search-phone.png"), full_page=True)
    _click_and_wait(visitor, visitor.get_by_role("link", name=row.enterprise_name).first)
    expect(visitor.get_by_role("heading", name=row.enterprise_name)).to_be_visible()
    with visitor.expect_download() as download:
        visitor.goto(f"{base}/")
        visitor.get_by_role("link", name="CSV").click()
    assert row.enterprise_name in download.value.path().read_text(encoding="utf-8-sig")
    visitor_context.close()
    assert publisher != drafted.drafted_by


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_portal_reads_on_a_phone_and_a_desktop(browser, live_server, phone, screenshot_dir, db):
    context, page = _visitor(browser, phone=phone)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="产品质量监督抽查结果公开")).to_be_visible()
    expect(page.locator("#q")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1  # nothing runs off the screen
    page.goto(f"{live_server.url}/?region=福州")  # a hand-typed link: the region is chosen from a list on the page
    expect(page.get_by_text("地区应为 6 位行政区划代码")).to_be_visible()
    expect(page.locator("#region")).to_have_value("")
    page.screenshot(path=str(screenshot_dir / f"portal-empty-{'phone' if phone else 'desktop'}.png"), full_page=True)
    context.close()
