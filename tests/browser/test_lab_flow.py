"""The laboratory through its web pages, each person starting from their to-do page: the intake clerk accepts the sealed
sample on a phone and gets a blind code; the tester enters every item at a desk without ever seeing who made the
sample; review and approval issue the report PDF; the inspected party objects, the organiser accepts and a re-test
laboratory is drawn; both confirm the backup portion's seal, its custodian hands it over, the re-test laboratory
signs for it, tests it, and its report becomes the final outcome. Screenshots of every step go to test-artifacts/."""

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from choujian.sampling.models import Handover
from choujian.testing import services
from choujian.testing.models import LabSample, Outcome, Report, Retest
from tests.browser.test_field_sampling import DESKTOP, PHONE, _login, _sign
from tests.factories import member
from tests.sampling import conftest as sampling
from tests.testing import conftest as testing
from tests.testing.conftest import value_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
setting = sampling.setting
field = sampling.field
lab = testing.lab

INSTRUMENT = "万能试验机 WE-01"
LAB_CODE = re.compile(r"盲样编号\s*(L[0-9A-Z-]+)")


def _phone(browser):
    return browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)


def _desktop(browser):
    return browser.new_context(viewport=DESKTOP, locale="zh-CN")


def _as(browser, base: str, user, *, phone: bool = False):
    context = _phone(browser) if phone else _desktop(browser)
    page = context.new_page()
    _login(page, base, user.username)
    return context, page


def _click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def _from_todo(page, base: str, kind: str) -> None:
    """Every person starts from their to-do page: the line for this kind of work is there and leads to the list."""
    page.goto(f"{base}/")
    line = page.locator(f"li[data-kind={kind}] a")
    expect(line).to_be_visible()
    _click_and_wait(page, line)


def _intake(page, base: str, sample_code: str, shot) -> str:
    """From the to-do page to the intake queue: compare, accept, and read the blind code from the confirmation."""
    _from_todo(page, base, "samples_to_take_in")
    row = page.locator("table tr", has_text=sample_code)
    _click_and_wait(page, row.get_by_role("link", name="核对并接收"))
    assert page.url.endswith(f"/lab/intake/{sample_code}/")
    page.check("input[name=seals_intact][value=true]")
    page.check("input[name=matches_form][value=true]")
    page.fill("#condition", "包装完好，封条完整，数量与抽样单一致")
    page.screenshot(path=str(shot), full_page=True)
    _click_and_wait(page, page.get_by_role("button", name="接收并生成盲样编号"))
    page.wait_for_url(f"{base}/lab/samples/**")
    match = LAB_CODE.search(page.locator("ul.messages").inner_text())
    assert match, page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The blind label to stick on the portion: a PDF with the lab code and nothing about the source.
    label = page.get_by_role("link", name="打印盲样标签")
    expect(label).to_be_visible()
    pdf = page.request.get(base + label.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
    return match.group(1)


def _enter_results(page, base: str, lab_sample: LabSample, *, fail_first: bool, secrets: list[str]) -> None:
    """Every item through the results form, then submission for review; nothing identifying is ever shown."""
    _from_todo(page, base, "samples_to_test")
    for secret in secrets:
        assert secret not in page.content()
    _click_and_wait(page, page.get_by_role("link", name=lab_sample.lab_code))
    assert page.url.endswith(f"/lab/samples/{lab_sample.lab_code}/")
    for index, item in enumerate(services.item_details(lab_sample)):
        values = value_for(item, passing=not (fail_first and index == 0))
        page.select_option("#item", item["code"])
        page.fill("#values", ",".join(values))
        page.fill("#instrument", INSTRUMENT)
        _click_and_wait(page, page.get_by_role("button", name="录入并自动修约、判定"))
        expect(page.get_by_text("已录入")).to_be_visible()
        for secret in secrets:
            assert secret not in page.content()
    judgments = page.locator("td[data-label=判定] .badge")
    expect(judgments).to_have_count(len(services.item_details(lab_sample)))
    if fail_first:
        expect(judgments.first).to_have_class(re.compile(r"\bbad\b"))
    else:
        assert page.locator("td[data-label=判定] .badge.bad").count() == 0


def _submit_review_approve(context_pages, base: str, lab_code: str, shots) -> str:
    """The tester submits, the reviewer approves, the approver issues: returns the report code."""
    tester, reviewer, approver = context_pages
    url = f"{base}/lab/samples/{lab_code}/"
    tester.screenshot(path=str(shots[0]), full_page=True)
    _click_and_wait(tester, tester.get_by_role("button", name="结果齐全，提交审核"))
    expect(tester.get_by_text("已提交审核")).to_be_visible()

    _from_todo(reviewer, base, "reports_to_review")
    _click_and_wait(reviewer, reviewer.get_by_role("link", name=lab_code))
    assert reviewer.url == url
    reviewer.screenshot(path=str(shots[1]), full_page=True)
    _click_and_wait(reviewer, reviewer.get_by_role("button", name="审核通过"))
    expect(reviewer.get_by_text("审核意见已提交")).to_be_visible()

    _from_todo(approver, base, "reports_to_approve")
    _click_and_wait(approver, approver.get_by_role("link", name=lab_code))
    assert approver.url == url
    # An irreversible step: the first click only shows what will happen; the second one does it.
    approver.locator("#confirm-approve summary").click()
    expect(approver.get_by_text("批准后：检验结果锁定")).to_be_visible()
    approver.screenshot(path=str(shots[2]).replace(".png", "-confirm.png"), full_page=True)
    _click_and_wait(approver, approver.get_by_role("button", name="确认批准并签发"))
    approver.wait_for_url(f"{base}/lab/reports/**")
    expect(approver.get_by_text("报告已批准并签发")).to_be_visible()
    approver.screenshot(path=str(shots[2]), full_page=True)
    return approver.url.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def contexts():
    """Every browser context the test opens, closed at the end whatever happens."""
    opened = []
    yield opened
    for context in opened:
        context.close()


def test_a_sample_goes_through_the_lab_an_objection_and_a_retest_in_the_browser(
    browser, live_server, lab, contexts, screenshot_dir
):
    base = live_server.url
    sample = lab.sample
    organiser = lab.field.setting.drafter
    record = sample.record
    secrets = [sample.code, sample.task.enterprise.name, record.party_name, "被抽查钢绞线厂", record.code]
    secrets += [text for text in (record.brand, record.place_address) if text]

    # 1. The intake clerk, on her phone.
    context, page = _as(browser, base, lab.intake, phone=True)
    contexts.append(context)
    lab_code = _intake(page, base, sample.code, screenshot_dir / "lab-1-intake-phone.png")
    page.screenshot(path=str(screenshot_dir / "lab-1b-intake-accepted-phone.png"), full_page=True)
    lab_sample = LabSample.objects.get(lab_code=lab_code)
    assert lab_sample.portion.sample == sample and not lab_sample.is_retest
    assert sample.code[-6:] not in lab_code

    # 2–3. Tester and reviewer at their desks; the approver confirms on a phone.
    people = []
    for user in (lab.tester, lab.reviewer, lab.approver):
        context, page = _as(browser, base, user, phone=user is lab.approver)
        contexts.append(context)
        people.append(page)
    tester, reviewer, approver = people
    _enter_results(tester, base, lab_sample, fail_first=True, secrets=secrets)
    report_code = _submit_review_approve(
        people,
        base,
        lab_code,
        [screenshot_dir / f"lab-{n}.png" for n in ("2-tester-desktop", "3-reviewer-desktop", "3b-approved-phone")],
    )
    for secret in secrets[:2]:
        assert secret not in tester.content() and secret not in reviewer.content()
    report = Report.objects.get(code=report_code)
    assert report.status == "approved" and report.judgment == "fail"
    assert sample.code in approver.content()  # the approver sees the unblinded report

    link = approver.locator("a[href$='/pdf']")
    pdf = approver.context.request.get(f"{base}{link.get_attribute('href')}")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    pdf_path = screenshot_dir / "lab-report.pdf"
    pdf_path.write_bytes(pdf.body())
    if shutil.which("pdftoppm"):
        prefix = screenshot_dir / "lab-3c-report-pdf"
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf_path), str(prefix)],
            check=True,
            timeout=60,
        )
        assert (screenshot_dir / "lab-3c-report-pdf.png").stat().st_size > 1000
    report_url = f"{base}/lab/reports/{report_code}/"

    # 4. The inspected party acknowledges the notice and objects.
    context, party = _as(browser, base, lab.party)
    contexts.append(context)
    _from_todo(party, base, "notices_to_acknowledge")
    expect(party.locator("#notices ~ table").get_by_text("待签收")).to_be_visible()
    _click_and_wait(party, party.get_by_role("link", name=report_code).first)
    assert party.url == report_url
    expect(party.locator("#service")).to_contain_text("未送达")
    _click_and_wait(party, party.get_by_role("button", name="签收结果通知"))
    expect(party.get_by_text("已签收结果通知")).to_be_visible()
    # Confirming it in the platform is its service: the 15 days run from today.
    expect(party.locator("#service")).to_contain_text("送达（平台签收")
    party.fill("#reasons", "企业出厂检验与第三方检测均合格，对第一项结果有异议，申请复检")
    party.screenshot(path=str(screenshot_dir / "lab-4-party-objects-desktop.png"), full_page=True)
    _click_and_wait(party, party.get_by_role("button", name="提交异议"))
    expect(party.get_by_text("异议已提交")).to_be_visible()
    report.refresh_from_db()
    objection = report.objections.get()
    assert objection.status == "pending" and report.notice.received_at is not None

    # 5. The organiser accepts on a phone; a re-test laboratory is drawn; both sides confirm the backup portion.
    context, office = _as(browser, base, organiser, phone=True)
    contexts.append(context)
    _from_todo(office, base, "objections_to_decide")
    _click_and_wait(office, office.locator("#objections ~ ul").get_by_role("link", name=report_code))
    assert office.url == report_url
    expect(office.locator("#note")).to_be_hidden()  # the decision is behind a confirmation step
    office.locator("#confirm-decide summary").click()
    expect(office.get_by_text("不予受理：原检验结论即为最终结论")).to_be_visible()
    office.fill("#note", "理由充分，安排复检")
    _click_and_wait(office, office.get_by_role("button", name="确认受理并安排复检"))
    expect(office.get_by_text("已作出决定")).to_be_visible()
    expect(office.get_by_text(f"复检机构：{lab.other_lab.name}")).to_be_visible()
    retest = Retest.objects.get(objection=objection)
    assert retest.laboratory == lab.other_lab
    office.screenshot(path=str(screenshot_dir / "lab-5-organiser-accepts-desktop.png"), full_page=True)
    for page, condition in ((party, f"备样封条 {retest.portion.seal_no} 完好"), (office, "封条完好，状况正常")):
        page.goto(report_url)
        page.fill("#condition", condition)
        _click_and_wait(page, page.get_by_role("button", name="确认封条完好、状况正常"))
        expect(page.get_by_text("已确认备用样品封条与状况")).to_be_visible()
    retest.refresh_from_db()
    assert retest.status == "confirmed"
    office.screenshot(path=str(screenshot_dir / "lab-5b-retest-confirmed-phone.png"), full_page=True)

    # 6. The custodian hands the backup portion to the re-test laboratory, which signs for it and tests it.
    backup = retest.portion
    context, keeper = _as(browser, base, backup.custodian, phone=True)
    contexts.append(context)
    keeper.goto(f"{base}/sampling/samples/{sample.code}/")
    handover = keeper.locator("form[data-api='/api/v1/handovers/']")
    boxes = handover.locator("input[name=portions]")
    for index in range(boxes.count()):
        boxes.nth(index).uncheck()
    handover.locator(f"input[name=portions][value='{backup.number}']").check()
    handover.locator("select[name=to_org]").select_option(str(lab.other_lab.public_id))
    handover.locator("input[name=place]").fill(f"{lab.other_lab.name} 样品接收室")
    _sign(keeper, handover)
    keeper.screenshot(path=str(screenshot_dir / "lab-6-backup-handover-phone.png"), full_page=True)
    handover.locator("button[type=submit]").click()
    expect(keeper.locator("ol.list > li")).to_have_count(2)
    moved = Handover.objects.get(sample=sample, to_org=lab.other_lab)
    assert moved.status == "pending" and list(moved.portions.all()) == [backup]

    context, clerk = _as(browser, base, lab.other_intake, phone=True)
    contexts.append(context)
    _from_todo(clerk, base, "handovers_to_receive")
    expect(clerk.get_by_role("heading", name="待我方接收的样品")).to_be_visible()
    _click_and_wait(clerk, clerk.locator("table tr", has_text=sample.code).get_by_role("link", name="核对并接收"))
    clerk.check("input[name=seal_intact][value=true]")
    clerk.fill("input[name=condition]", "备用样品封条完好，包装无破损")
    accept = clerk.locator("form[data-api$='/accept/']")
    _sign(clerk, accept)
    accept.locator("button[type=submit]").click()
    clerk.wait_for_selector(".page-head .badge.ok")
    clerk.screenshot(path=str(screenshot_dir / "lab-6b-retest-received-phone.png"), full_page=True)
    moved.refresh_from_db()
    assert moved.status == "accepted"

    retest_code = _intake(clerk, base, sample.code, screenshot_dir / "lab-6c-retest-intake-phone.png")
    retest_sample = LabSample.objects.get(lab_code=retest_code)
    assert retest_sample.is_retest and retest_sample.laboratory == lab.other_lab and retest_code != lab_code

    people = []
    for role in ("tester", "reviewer", "approver"):
        user = member(lab.other_lab, role, username=f"retest-{role}")
        context, page = _as(browser, base, user)
        contexts.append(context)
        people.append(page)
    _enter_results(people[0], base, retest_sample, fail_first=False, secrets=secrets)
    retest_report_code = _submit_review_approve(
        people,
        base,
        retest_code,
        [
            screenshot_dir / f"lab-{n}-desktop.png"
            for n in ("6d-retest-tester", "6e-retest-reviewer", "6f-retest-report")
        ],
    )
    assert Report.objects.get(code=retest_report_code).judgment == "pass"

    # 7. The final outcome is the re-test's.
    office.goto(report_url)
    final = office.get_by_text("最终结论")
    expect(final).to_be_visible()
    expect(final).to_contain_text("复检")
    expect(office.get_by_role("link", name=f"复检报告 {retest_report_code}").last).to_be_visible()
    chain = office.get_by_role("navigation", name="本次抽查的环节")  # task ⇄ form ⇄ sample ⇄ report ⇄ re-test
    for code in (sample.task.code, sample.record.code, sample.code, report_code, retest_report_code):
        expect(chain).to_contain_text(code)
    office.screenshot(path=str(screenshot_dir / "lab-7-final-outcome-phone.png"), full_page=True)
    office.goto(f"{base}/lab/oversight/")
    row = office.locator("table tr", has_text=sample.code)
    expect(row).to_contain_text("复检")
    office.screenshot(path=str(screenshot_dir / "lab-7b-oversight-desktop.png"), full_page=True)
    outcome = Outcome.objects.get(sample=sample)
    assert outcome.basis == "retest" and outcome.judgment == "pass" and not outcome.ready_for_enforcement
