"""The seed ceremony in real browsers: two participants on 360-px phones commit and reveal from their personal
links, the draw follows, and the regulator reviews the result and the public page on a desktop."""

import hashlib
import json

import pytest
from playwright.sync_api import expect

from choujian.draws import verify
from choujian.draws.models import Draw
from choujian.planning.models import Plan, Task
from tests.factories import DEMO_PASSWORD
from tests.planning import conftest as planning
from tests.planning.conftest import approved_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
setting = planning.setting  # the planning tests' province, agency, laboratory and admins, as a fixture here too

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
# A phone on a plain-http intranet host has no crypto.subtle: the page must fall back to sha256.js.
NO_SUBTLE = "Object.defineProperty(Crypto.prototype, 'subtle', {get() { return undefined; }, configurable: true});"
VECTORS = [
    "",
    "abc",
    "abcdbcdecdefdefgefghfghighijhijkijkljklmjklmnklmnomnopnopq",
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    "抽检 · 双随机、一公开 🎲",
    "a" * 55,
    "a" * 56,
    "a" * 63,
    "a" * 64,
    "a" * 65,
    "x" * 1000,
]


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page must not scroll sideways"


def test_it_computes_sha256_in_the_browser_with_and_without_crypto_subtle(browser, live_server):
    for script in ["", NO_SUBTLE]:
        context = browser.new_context()
        if script:
            context.add_init_script(script)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.add_script_tag(url="/static/choujian/sha256.js")
        assert page.evaluate("choujianSha256.hex('abc')") == (
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        for text in VECTORS:
            expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
            assert page.evaluate("t => choujianSha256.hex(t)", text) == expected, text[:20]
            assert page.evaluate("t => choujianSha256.hexAsync(t)", text) == expected, text[:20]
        million = page.evaluate("choujianSha256.hex('a'.repeat(1000000))")
        assert million == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        context.close()


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_it_runs_the_ceremony_on_two_phones_and_publishes_a_verifiable_draw(
    browser, live_server, setting, screenshot_dir, tmp_path
):
    base = live_server.url
    plan = approved_plan(setting, quota=3)
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    regulator = desk.new_page()
    _login(regulator, base, "drafter")

    regulator.goto(f"{base}/plans/new/")
    regulator.screenshot(path=str(screenshot_dir / "plan-new-desktop.png"), full_page=True)
    regulator.goto(f"{base}/plans/{plan.code}/")
    regulator.screenshot(path=str(screenshot_dir / "plan-detail-desktop.png"), full_page=True)
    regulator.goto(f"{base}/plans/{plan.code}/frame/")
    regulator.click("button:has-text('生成抽样框')")
    regulator.wait_for_selector("#frame-digest")
    digest = Plan.objects.get(pk=plan.pk).frame.digest
    assert regulator.inner_text("#frame-digest") == digest
    regulator.screenshot(path=str(screenshot_dir / "frame-desktop.png"), full_page=True)
    regulator.fill("#id_reveal_hours", "24")
    regulator.click("button:has-text('锁定并公布摘要')")
    regulator.wait_for_url(f"{base}/plans/{plan.code}/ceremony/")
    digest = Plan.objects.get(pk=plan.pk).frame.digest  # frozen: the root of the salted frame (draw-v2)
    assert regulator.query_selector_all("input.participant-link") == []  # links are never listed
    links = {}
    for name in ("林监管", "王见证"):
        regulator.click(f"button.issue-link[data-name='{name}']")
        regulator.wait_for_selector("#issued-link")
        links[name] = regulator.get_attribute("#issued-link input.participant-link", "value")
    assert len(set(links.values())) == 2
    regulator.screenshot(path=str(screenshot_dir / "ceremony-regulator-desktop.png"), full_page=True)

    phones = {}
    for name, script in [("林监管", NO_SUBTLE), ("王见证", "")]:
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        if script:
            context.add_init_script(script)
        phones[name] = context.new_page()
        phones[name].goto(links[name])
        assert phones[name].inner_text("#participant-name") == name
        assert phones[name].inner_text("#frame-digest") == digest

    first, second = phones["林监管"], phones["王见证"]
    first.screenshot(path=str(screenshot_dir / "ceremony-step1-phone.png"), full_page=True)
    _no_sideways_scroll(first, PHONE["width"])
    first.click("#generate")
    secret = first.input_value("#secret")
    assert len(secret) == 32 and all(c in "0123456789abcdef" for c in secret)
    expect(first.locator("#commitment")).to_have_text(hashlib.sha256(secret.encode()).hexdigest())
    assert first.inner_text("#secret-show") == secret
    assert first.is_disabled("#commit"), "commit waits until the participant confirms they saved the secret"
    first.check("#saved")
    first.screenshot(path=str(screenshot_dir / "ceremony-secret-phone.png"), full_page=True)
    first.click("#commit")
    first.wait_for_selector("text=已提交承诺值")
    first.screenshot(path=str(screenshot_dir / "ceremony-committed-phone.png"), full_page=True)

    typed = "dice-3-1-4-1-5-9-2-6-5-3-5-8-9-7"
    second.fill("#secret", typed)
    second.check("#saved")
    expect(second.locator("#commit")).to_be_enabled()
    second.click("#commit")
    second.wait_for_selector("#step-reveal")

    first.wait_for_selector("#step-reveal", timeout=15000)  # polled: moves on once every commitment is in
    assert first.input_value("#reveal-secret") == secret, "the secret comes back from localStorage"
    first.wait_for_selector("text=与您的承诺值一致")
    first.screenshot(path=str(screenshot_dir / "ceremony-reveal-phone.png"), full_page=True)
    _no_sideways_scroll(first, PHONE["width"])
    first.click("#reveal")
    first.wait_for_selector("text=已公开随机数")

    assert second.input_value("#reveal-secret") == typed
    second.click("#reveal")
    second.wait_for_selector("#step-done")
    second.screenshot(path=str(screenshot_dir / "ceremony-done-phone.png"), full_page=True)
    first.wait_for_selector("#step-done", timeout=15000)

    plan = Plan.objects.get(pk=plan.pk)
    assert plan.status == "drawn"
    tasks = list(Task.objects.filter(plan=plan))
    assert len(tasks) == 3 and all(task.inspectors.count() == 2 for task in tasks)
    record = json.loads(Draw.objects.get(plan=plan, purpose="enterprises").record)
    assert record["seed_source"]["secrets"] == {"林监管": secret, "王见证": typed}

    regulator.goto(f"{base}/plans/{plan.code}/draw/")
    for task in tasks:
        assert task.code in regulator.inner_text("#tasks")
    regulator.screenshot(path=str(screenshot_dir / "draw-result-desktop.png"), full_page=True)

    regulator.click("a:has-text('公开页面与校验')")
    regulator.wait_for_selector("#verify")
    assert regulator.inner_text("#frame-digest") == digest
    regulator.screenshot(path=str(screenshot_dir / "draw-public-desktop.png"), full_page=True)
    href = regulator.get_attribute("#download", "href")
    anonymous = browser.new_context(viewport=PHONE, locale="zh-CN")
    public = anonymous.new_page()
    downloaded = public.request.get(f"{base}{href}")
    stored = Draw.objects.get(plan=plan, purpose="enterprises").record
    assert downloaded.status == 200 and downloaded.body().decode("utf-8") == stored
    path = tmp_path / "record.json"
    path.write_bytes(downloaded.body())
    assert verify.main([str(path)]) == 0
    public.goto(regulator.url)
    public.wait_for_selector("#verify")
    public.screenshot(path=str(screenshot_dir / "draw-public-phone.png"), full_page=True)
    _no_sideways_scroll(public, PHONE["width"])

    regulator.goto(f"{base}/plans/")
    assert plan.code in regulator.inner_text("table")
    regulator.screenshot(path=str(screenshot_dir / "plan-list-desktop.png"), full_page=True)
    regulator.goto(f"{base}/plans/tasks/")
    regulator.screenshot(path=str(screenshot_dir / "task-list-desktop.png"), full_page=True)

    sampler = tasks[0].inspectors.first().inspector
    field = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    mine = field.new_page()
    _login(mine, base, sampler.username)
    mine.goto(f"{base}/plans/tasks/")
    assert tasks[0].code in mine.inner_text("table")
    mine.screenshot(path=str(screenshot_dir / "task-list-sampler-phone.png"), full_page=True)
    _no_sideways_scroll(mine, PHONE["width"])
    mine.click(f"text={tasks[0].code}")
    mine.wait_for_selector("ul.people")
    mine.screenshot(path=str(screenshot_dir / "task-detail-sampler-phone.png"), full_page=True)
    _no_sideways_scroll(mine, PHONE["width"])
    for context in [desk, anonymous, field, *[p.context for p in phones.values()]]:
        context.close()
