"""Plan, frame, ceremony, draw-result and task pages; the participant's page by token; the public draw page."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from choujian.draws import services
from choujian.draws.models import Ceremony, CeremonyParticipant, Draw
from choujian.draws.tasks import block_overdue_ceremonies
from choujian.planning.models import Plan, Task
from tests.factories import member
from tests.planning.conftest import approved_plan, link_token

SECRETS = {"林监管": "3f9a1c0e5b7d2a4c6e8f0a1b2c3d4e5f", "王见证": "public-witness-dice-6153-2244-51"}


def _signed_in(client, user):
    client.force_login(user)
    return client


def _frozen(setting, quota: int = 3) -> Plan:
    plan = approved_plan(setting, quota=quota)
    services.frame_build(actor=setting.drafter, plan=plan)
    services.frame_freeze(actor=setting.drafter, plan=Plan.objects.get(pk=plan.pk))
    return Plan.objects.get(pk=plan.pk)


def _drawn(setting, quota: int = 3) -> Plan:
    plan = _frozen(setting, quota)
    people = list(CeremonyParticipant.objects.filter(ceremony__plan=plan))
    for p in people:
        services.ceremony_commit(participant=p, commitment=hashlib.sha256(SECRETS[p.name].encode()).hexdigest())
    for p in people:
        services.ceremony_reveal(participant=p, secret=SECRETS[p.name])
    return Plan.objects.get(pk=plan.pk)


def test_it_lets_a_regulator_draft_a_plan_with_lines_and_submit_it(client, setting):
    _signed_in(client, setting.drafter)
    assert client.get("/plans/new/").status_code == 200
    response = client.post(
        "/plans/new/",
        {
            "name": "2026年钢绞线专项抽查",
            "kind": "special",
            "year": 2026,
            "regulator": setting.world.province.pk,
            "region": "",
            "lookback_days": 180,
            "budget_per_sample": "1200",
            "budget_total": "36000",
            "participants": "林监管\n\n王见证（社会监督员）\n",
        },
    )
    assert response.status_code == 302, response.content.decode()
    plan = Plan.objects.get(name="2026年钢绞线专项抽查")
    assert plan.participants == ["林监管", "王见证（社会监督员）"] and plan.region == "350000"
    page = client.get(f"/plans/{plan.code}/").content.decode()
    assert "起草人以外" in page and "添加产品类别" in page

    line = {
        "category": setting.category.pk,
        "quota": 3,
        "strata_by": "city",
        "stratum_quotas": "350100=3",
        "sampling_mode": "production",
        "agency": setting.agency.pk,
        "laboratory": setting.lab.pk,
    }
    assert client.post(f"/plans/{plan.code}/lines/", line).status_code == 302
    assert plan.lines.get().stratum_quotas == {"350100": 3}
    assert client.post(f"/plans/{plan.code}/submit/").status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == "submitted"


@pytest.mark.parametrize(
    "changes",
    [
        {"stratum_quotas": "福州=3"},
        {"stratum_quotas": '{"350100": "x"}'},
        {"stratum_quotas": "{broken"},
        {"stratum_quotas": "350100=2"},
        {"quota": "-4"},
        {"agency": "999999"},
        {"laboratory": "not-a-number"},
    ],
)
@pytest.mark.tampers  # a shortcut to the state under test, written straight into the database
def test_it_shows_errors_for_a_bad_line_and_changes_nothing(client, setting, changes):
    plan = Plan.objects.get(pk=approved_plan(setting).pk)
    Plan.objects.filter(pk=plan.pk).update(status="draft")
    _signed_in(client, setting.drafter)
    line = {
        "category": setting.category.pk,
        "quota": 3,
        "strata_by": "city",
        "stratum_quotas": "350100=3",
        "sampling_mode": "production",
        "agency": setting.agency.pk,
        "laboratory": setting.lab.pk,
        **changes,
    }
    before = plan.lines.count()
    response = client.post(f"/plans/{plan.code}/lines/", line)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert plan.lines.count() == before


def test_it_keeps_the_drafter_from_approving_and_lets_a_second_admin_approve(client, setting):
    plan = approved_plan(setting)
    Plan.objects.filter(pk=plan.pk).update(status="submitted", approved_by=None)
    _signed_in(client, setting.drafter)
    page = client.get(f"/plans/{plan.code}/").content.decode()
    assert "您是本计划的起草人，不能批准" in page
    client.post(f"/plans/{plan.code}/approve/")
    assert Plan.objects.get(pk=plan.pk).status == "submitted"
    assert "起草人不能批准" in client.get(f"/plans/{plan.code}/").content.decode()
    client.force_login(setting.approver)
    assert "批准计划" in client.get(f"/plans/{plan.code}/").content.decode()
    assert client.post(f"/plans/{plan.code}/approve/").status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == "approved"


def test_it_builds_reviews_and_freezes_the_frame_then_lists_personal_links(client, setting):
    plan = approved_plan(setting)
    _signed_in(client, setting.drafter)
    assert "尚未生成抽样框" in client.get(f"/plans/{plan.code}/frame/").content.decode()
    client.post(f"/plans/{plan.code}/frame/build/")
    page = client.get(f"/plans/{plan.code}/frame/").content.decode()
    frame = Plan.objects.get(pk=plan.pk).frame
    assert frame.digest in page and "钢绞线企业00" in page and "锁定并公布摘要" in page
    bad = client.post(f"/plans/{plan.code}/freeze/", {"reveal_hours": "0", "seed_kind": "ceremony"})
    assert bad.status_code == 400
    done = client.post(f"/plans/{plan.code}/freeze/", {"reveal_hours": "24", "seed_kind": "ceremony"})
    assert done.status_code == 302 and done["Location"].endswith(f"/plans/{plan.code}/ceremony/")
    page = client.get(f"/plans/{plan.code}/ceremony/").content.decode()
    assert "等待提交承诺值" in page and not re.search(r"/ceremony/[A-Za-z0-9_-]{20,}/", page)
    people = list(CeremonyParticipant.objects.filter(ceremony__plan=plan))
    issued = client.post(f"/plans/{plan.code}/ceremony/link/", {"participant": people[0].name}).content.decode()
    link = re.search(r'value="(https?://[^"]+/ceremony/[^"]+/)"', issued).group(1)
    assert "只显示这一次" in issued and client.get(link).status_code == 200
    shown_once = client.get(f"/plans/{plan.code}/ceremony/").content.decode()
    assert link not in shown_once and "已发放" in shown_once


def test_it_shows_the_exclusions_with_their_reasons(client, setting):
    from choujian.registry.models import Enterprise

    closed = Enterprise.objects.get(name="钢绞线企业03")
    Enterprise.objects.filter(pk=closed.pk).update(status="closed")
    plan = approved_plan(setting)
    services.frame_build(actor=setting.drafter, plan=plan)
    page = _signed_in(client, setting.drafter).get(f"/plans/{plan.code}/frame/").content.decode()
    exclusions = page[page.index('id="exclusions"') :]
    assert "钢绞线企业03" in exclusions and "企业状态为" in exclusions


def test_it_hides_personal_links_from_regulators_who_do_not_run_the_plan(client, setting):
    plan = _frozen(setting)
    page = _signed_in(client, setting.world.county_officer).get(f"/plans/{plan.code}/ceremony/").content.decode()
    assert "林监管" in page
    for participant in CeremonyParticipant.objects.filter(ceremony__plan=plan):
        assert participant.token not in page


def test_it_serves_the_participant_page_by_token_without_login(client, setting):
    plan = _frozen(setting)
    participant = CeremonyParticipant.objects.filter(ceremony__plan=plan).first()
    page = client.get(f"/ceremony/{link_token(participant)}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert participant.name in text and "第一步" in text and plan.frame.digest in text
    assert "sha256.js" in text and "ceremony.js" in text
    assert client.get("/ceremony/this-token-does-not-exist-000/").status_code == 404
    assert client.get("/ceremony/x/").status_code == 404


def test_it_moves_the_participant_page_through_reveal_to_done(client, setting):
    plan = _frozen(setting)
    people = list(CeremonyParticipant.objects.filter(ceremony__plan=plan))
    first = people[0]
    token = link_token(first)
    services.ceremony_commit(participant=first, commitment=hashlib.sha256(SECRETS[first.name].encode()).hexdigest())
    assert "已提交承诺值" in client.get(f"/ceremony/{token}/").content.decode()
    second = people[1]
    services.ceremony_commit(participant=second, commitment=hashlib.sha256(SECRETS[second.name].encode()).hexdigest())
    assert "第二步" in client.get(f"/ceremony/{token}/").content.decode()
    for p in people:
        services.ceremony_reveal(participant=p, secret=SECRETS[p.name])
    page = client.get(f"/ceremony/{token}/").content.decode()
    draw = Draw.objects.get(plan=plan, purpose="enterprises")
    assert "仪式完成" in page and f"/draws/{draw.public_id}/" in page


def test_it_shows_a_blocked_ceremony_prominently(client, setting):
    plan = _frozen(setting)
    people = list(CeremonyParticipant.objects.filter(ceremony__plan=plan))
    late = link_token(people[1])
    for p in people:
        services.ceremony_commit(participant=p, commitment=hashlib.sha256(SECRETS[p.name].encode()).hexdigest())
    services.ceremony_reveal(participant=people[0], secret=SECRETS[people[0].name])
    deadline = Ceremony.objects.get(plan=plan).reveal_deadline
    with time_machine.travel(deadline + timedelta(minutes=5)):
        signed_in = _signed_in(client, setting.drafter)
        before = signed_in.get(f"/plans/{plan.code}/ceremony/").content.decode()
        assert 'id="blocked"' not in before  # reading changes nothing
        block_overdue_ceremonies.call_local()  # the worker's minute job
        page = signed_in.get(f"/plans/{plan.code}/ceremony/").content.decode()
        assert 'id="blocked"' in page and "抽取受阻" in page and people[1].name in page
        client.logout()
        assert "抽取受阻" in client.get(f"/ceremony/{late}/").content.decode()


def test_it_shows_the_draw_result_and_replaces_a_task_from_the_page(client, setting):
    plan = _drawn(setting)
    _signed_in(client, setting.drafter)
    page = client.get(f"/plans/{plan.code}/draw/").content.decode()
    tasks = list(Task.objects.filter(plan=plan))
    for task in tasks:
        assert task.code in page and task.enterprise.name in page
    assert "备选对象" in page and "递补替换" in page and "企业已停产、歇业或注销" in page
    missing = client.post(f"/plans/{plan.code}/replace/", {"task": tasks[0].code, "reason": "closed"})
    assert missing.status_code == 400 and Task.objects.filter(plan=plan).count() == 3
    evidence = SimpleUploadedFile("停产.jpg", b"\xff\xd8\xff photo", content_type="image/jpeg")
    done = client.post(
        f"/plans/{plan.code}/replace/",
        {"task": tasks[0].code, "reason": "not_producing", "note": "改产其他产品", "evidence": evidence},
    )
    assert done.status_code == 302
    page = client.get(f"/plans/{plan.code}/draw/").content.decode()
    assert "企业已不再生产该产品" in page and "改产其他产品" in page
    assert Task.objects.get(pk=tasks[0].pk).status == "replaced"


def test_it_publishes_the_draw_page_without_login(client, setting):
    plan = _drawn(setting)
    draw = Draw.objects.get(plan=plan, purpose="enterprises")
    page = client.get(f"/draws/{draw.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert plan.frame.digest in text
    assert f"/api/v1/draws/{draw.public_id}/record" in text
    assert "python -m choujian.draws.verify record.json" in text and "/draws/verify.py" in text
    for name, secret in SECRETS.items():
        assert name in text and secret in text
    task = Task.objects.filter(plan=plan).first()
    inspectors = Draw.objects.get(task=task)
    assert client.get(f"/draws/{inspectors.public_id}/").status_code == 200
    assert client.get("/draws/00000000-0000-0000-0000-000000000000/").status_code == 404
    verifier = client.get("/draws/verify.py")
    assert verifier.status_code == 200 and b"choujian-draw-v1" in verifier.content


def test_it_lists_tasks_for_regulators_and_samplers_but_not_for_laboratories(client, setting):
    plan = _drawn(setting)
    tasks = list(Task.objects.filter(plan=plan))
    _signed_in(client, setting.world.provincial_officer)
    page = client.get("/plans/tasks/").content.decode()
    assert all(task.code in page for task in tasks) and "抽查计划" in page
    assert client.get(f"/plans/tasks/{tasks[0].code}/").status_code == 200
    client.force_login(setting.world.county_officer)
    page = client.get("/plans/tasks/").content.decode()
    assert all((task.code in page) == (task.enterprise.region == "350102") for task in tasks)
    sampler = tasks[0].inspectors.first().inspector
    client.force_login(sampler)
    page = client.get("/plans/tasks/").content.decode()
    assert tasks[0].code in page and "抽查任务" in page and "抽查计划" not in page
    mine = set(Task.objects.filter(inspectors__inspector=sampler).values_list("code", flat=True))
    assert set(re.findall(r"RW-\d{4}-\d{6}", page)) == mine
    assert client.get(f"/plans/{plan.code}/").status_code == 403
    client.force_login(member(setting.lab, "tester", username="tester"))
    assert client.get("/plans/tasks/").status_code == 403
    assert client.get(f"/plans/tasks/{tasks[0].code}/").status_code == 403
    client.logout()
    assert client.get("/plans/tasks/").status_code == 302
    assert client.get("/plans/").status_code == 302


def test_it_renders_every_plan_page_for_the_regulator_at_each_step(client, setting):
    plan = _drawn(setting)
    _signed_in(client, setting.world.provincial_officer)
    for path in ["/plans/", "/plans/?q=钢绞线&status=drawn", f"/plans/{plan.code}/", f"/plans/{plan.code}/frame/"]:
        assert client.get(path).status_code == 200, path
    for path in [f"/plans/{plan.code}/ceremony/", f"/plans/{plan.code}/draw/", "/plans/tasks/?plan=" + plan.code]:
        assert client.get(path).status_code == 200, path
    assert client.get("/plans/JH-1999-9999/").status_code == 404
    assert client.get(f"/plans/{plan.code}/ceremony/", HTTP_HX_REQUEST="true").status_code == 200
