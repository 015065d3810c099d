"""After a failure, each party does its own step from its to-do page: the county regulator confirms the referral and
serves the rectification notice (desktop), the enterprise submits its rectification report and applies for 复查
(phone), the contractor records the removal of the lot with a photo and the supervisor witnesses it (phones), and the
organiser orders the 复查 sampling, whose passing result (from the laboratory) closes the case."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from choujian.enforcement import rechecks, services
from choujian.enforcement.models import Case
from choujian.planning.models import Task
from tests.browser.test_lab_flow import _as, _click_and_wait, _from_todo
from tests.enforcement import conftest as enforcement
from tests.factories import DeliveryFactory, OrganisationFactory, SectionFactory, member
from tests.sampling import conftest as sampling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.tampers]
setting = sampling.setting
field = sampling.field
parties = enforcement.parties


@pytest.fixture
def case(parties):
    owner = OrganisationFactory(kind="owner", name="福建高速建设公司")
    section = SectionFactory(project__owner=owner, contract_price=Decimal("8000000.00"))
    task = parties.field.task
    delivery = DeliveryFactory(section=section, product=task.product, quantity=Decimal("25.000"))
    Task.objects.filter(pk=task.pk).update(delivery=delivery)  # a lot sampled on site (the draw does this for real)
    task.refresh_from_db()
    return services.case_open(task=task, cause="failed")


@pytest.fixture
def contexts():
    opened = []
    yield opened
    for context in opened:
        context.close()


def _case_page(page, base, kind: str, code: str) -> None:
    _from_todo(page, base, kind)
    _click_and_wait(page, page.get_by_role("link", name=code).first)
    assert page.url.endswith(f"/enforcement/{code}/")


def _take(page, label: str, note: str = "") -> None:
    page.locator("#act summary", has_text=re.compile(f"^{label}…$")).click()
    box = page.locator("#act details[open] textarea")
    if note:
        box.fill(note)
    _click_and_wait(page, page.locator("#act details[open] button", has_text="确认"))
    expect(page.get_by_text("已办理")).to_be_visible()


def test_each_party_does_its_step_from_its_to_do_page(browser, live_server, parties, case, contexts, screenshot_dir):
    base, code = live_server.url, case.code
    section = case.delivery.section
    contractor = member(section.contractor, "contractor_staff", username="site-contractor")
    supervisor = member(section.supervisor, "supervisor_staff", username="site-supervisor")

    # The county regulator: the referral, then the rectification notice.
    context, county = _as(browser, base, parties.county)
    contexts.append(context)
    _case_page(county, base, "referrals_to_acknowledge", code)
    _click_and_wait(county, county.get_by_role("button", name="确认接收本案"))
    expect(county.locator("#referral")).to_have_count(0)
    _take(county, "已完成", "已送达《责令整改通知书》")
    county.screenshot(path=str(screenshot_dir / "enforcement-1-county-desktop.png"), full_page=True)

    # The enterprise on its phone: its report, then its application.
    context, maker = _as(browser, base, parties.maker, phone=True)
    contexts.append(context)
    _case_page(maker, base, "case_steps_for_party", code)
    expect(maker.locator(".timeline li.current")).to_contain_text("整改并提交整改报告、申请复查")
    maker.set_input_files("#step-file", files=[{"name": "整改报告.pdf", "mimeType": "application/pdf",
                                                "buffer": b"%PDF-1.4\n% rectification report\n%%EOF\n"}])  # fmt: skip
    _click_and_wait(maker, maker.get_by_role("button", name="上传"))
    expect(maker.locator("#files")).to_contain_text("整改报告.pdf")
    _take(maker, "已完成", "更换钢材供应商，增加出厂检验频次")
    maker.screenshot(path=str(screenshot_dir / "enforcement-2-enterprise-phone.png"), full_page=True)

    # The contractor removes the lot; the supervisor witnesses it from the to-do page.
    context, builder = _as(browser, base, contractor, phone=True)
    contexts.append(context)
    _case_page(builder, base, "removals_to_record", code)
    builder.fill("#place", "K12+300 钢筋加工场")
    builder.set_input_files("#photos", files=[{"name": "退场.png", "mimeType": "image/png",
                                               "buffer": _png()}])  # fmt: skip
    _click_and_wait(builder, builder.get_by_role("button", name="登记退场并请监理见证"))
    expect(builder.locator("#site .badge", has_text="待监理见证")).to_be_visible()
    context, watcher = _as(browser, base, supervisor, phone=True)
    contexts.append(context)
    _case_page(watcher, base, "removals_to_witness", code)
    watcher.locator("#site summary", has_text="见证并签认退场").click()
    _click_and_wait(watcher, watcher.get_by_role("button", name="确认见证"))
    expect(watcher.locator("#site .badge", has_text="监理已见证")).to_be_visible()
    watcher.screenshot(path=str(screenshot_dir / "enforcement-3-supervisor-phone.png"), full_page=True)

    # The organiser orders the 复查; its sample passes in the laboratory (see tests/enforcement/test_rechecks.py for
    # that chain), and the case closes by itself.
    context, office = _as(browser, base, parties.organiser)
    contexts.append(context)
    _case_page(office, base, "case_steps_to_do", code)
    office.locator("#act summary", has_text="下达复查抽样").click()
    _click_and_wait(office, office.get_by_role("button", name="确认：下达复查抽样"))
    expect(office.locator(".timeline .recheck")).to_contain_text("复查任务")
    rechecks.recheck_conclude(task=Case.objects.get(pk=case.pk).rechecks.get().task, judgment="pass")
    office.reload()
    expect(office.locator(".page-head .badge")).to_have_text("复查确认合格")
    office.screenshot(path=str(screenshot_dir / "enforcement-4-closed-desktop.png"), full_page=True)

    case = Case.objects.get(pk=case.pk)
    assert case.status == "closed" and case.conclusion == "@passed"
    assert case.removals.get().witnessed_by == supervisor and case.files.count() == 2


def _png() -> bytes:
    from tests.sampling.conftest import photo

    return photo("退场.jpg").read()
