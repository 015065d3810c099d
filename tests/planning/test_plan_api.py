"""The plan and draw API end to end: plan → line → submit → approve → frame → freeze → ceremony → draw → tasks."""

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from choujian.draws import verify
from choujian.draws.models import CeremonyParticipant, Draw
from choujian.planning.models import Plan, Task
from tests.factories import OrganisationFactory, api_token, member
from tests.planning.conftest import approved_plan, link_token

SECRETS = {"林监管": "3f9a1c0e5b7d2a4c6e8f0a1b2c3d4e5f", "王见证": "public-witness-dice-6153-2244-51"}


def _create_plan(api, setting, **extra) -> dict:
    response = api(setting.drafter).post(
        "/api/v1/plans/",
        {"name": "2026年预应力钢绞线监督抽查", "year": 2026, "participants": ["林监管", "王见证"], **extra},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _line(setting, **extra) -> dict:
    return {
        "category": setting.category.code,
        "quota": 3,
        "sampling_mode": "production",
        "agency": str(setting.agency.public_id),
        "laboratory": str(setting.lab.public_id),
        **extra,
    }


def _ceremony(api, code: str) -> list[str]:
    """Commit and reveal for every participant through their personal tokens, anonymously; returns the tokens."""
    tokens = [(link_token(p), p.name) for p in CeremonyParticipant.objects.filter(ceremony__plan__code=code)]
    anonymous = api(None)
    for token, name in tokens:
        commitment = hashlib.sha256(SECRETS[name].encode()).hexdigest()
        response = anonymous.post(f"/api/v1/ceremony/{token}/commit/", {"commitment": commitment}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["committed"] is True
    for token, name in tokens:
        response = anonymous.post(f"/api/v1/ceremony/{token}/reveal/", {"secret": SECRETS[name]}, format="json")
        assert response.status_code == 200, response.content
    return [token for token, _ in tokens]


def _verifies(path) -> int:
    return verify.main([str(path)])


def test_it_runs_a_plan_from_draft_to_tasks_with_a_public_verifiable_record(api, setting, tmp_path, capsys):
    drafter, approver = api(setting.drafter), api(setting.approver)
    plan = _create_plan(api, setting)
    code = plan["code"]
    assert plan["status"] == "draft" and plan["region"] == "350000" and plan["regulator_name"] == "福建省交通运输厅"

    response = drafter.post(f"/api/v1/plans/{code}/lines/", _line(setting), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["agency_name"] == "闽安抽样"
    assert drafter.post(f"/api/v1/plans/{code}/submit/").json()["status"] == "submitted"

    refused = drafter.post(f"/api/v1/plans/{code}/approve/")
    assert refused.status_code == 400
    assert "起草人不能批准" in json.dumps(refused.json(), ensure_ascii=False)
    approved = approver.post(f"/api/v1/plans/{code}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == str(setting.approver)

    built = drafter.post(f"/api/v1/plans/{code}/frame/")
    assert built.status_code == 201, built.content
    frame = drafter.get(f"/api/v1/plans/{code}/frame/").json()
    assert len(frame["items"]) == 12 and frame["exclusions"] == []
    assert frame["digest"] == built.json()["digest"] and len(frame["digest"]) == 64
    assert {item["stratum"] for item in frame["items"]} == {"JT-0101"}

    frozen = drafter.post(f"/api/v1/plans/{code}/freeze/", {"reveal_hours": 48}, format="json")
    assert frozen.status_code == 201, frozen.content
    ceremony = frozen.json()
    frame = drafter.get(f"/api/v1/plans/{code}/frame/").json()  # frozen: the digest is now the salted frame root
    assert ceremony["status"] == "committing" and ceremony["frame_digest"] == frame["digest"]
    assert all(p["link_issued_at"] is None and "link" not in p for p in ceremony["participants"])
    name = ceremony["participants"][0]["name"]
    issued = drafter.post(f"/api/v1/plans/{code}/ceremony/links/", {"participant": name}, format="json")
    assert issued.status_code == 201 and "/ceremony/" in issued.json()["link"]
    token = issued.json()["link"].rstrip("/").rsplit("/", 1)[1]
    again = drafter.get(f"/api/v1/plans/{code}/ceremony/").json()
    assert token not in json.dumps(again) and again["participants"][0]["link_issued_at"]
    mine = api(None).get(f"/api/v1/ceremony/{token}/").json()
    assert mine["plan"] == code and mine["frame_digest"] == frame["digest"] and mine["committed"] is False
    _ceremony(api, code)

    assert Plan.objects.get(code=code).status == "drawn"
    tasks = drafter.get(f"/api/v1/tasks/?plan={code}").json()["results"]
    assert len(tasks) == 3
    assert all(len(task["inspectors"]) == 2 and task["status"] == "assigned" for task in tasks)
    detail = drafter.get(f"/api/v1/tasks/{tasks[0]['code']}/").json()
    assert detail["enterprise"]["name"].startswith("钢绞线企业") and detail["laboratory"]["name"] == "省交通检测中心"

    listed = drafter.get(f"/api/v1/draws/?plan={code}").json()["results"]
    objects = [d for d in listed if d["purpose"] == "enterprises"]
    assert len(objects) == 1 and len(listed) == 4
    stored = Draw.objects.get(public_id=objects[0]["id"])
    assert objects[0]["record_sha256"] == stored.record_sha256 and objects[0]["task"] is None

    anonymous = api(None)
    record = anonymous.get(f"/api/v1/draws/{objects[0]['id']}/record")
    assert record.status_code == 200
    assert record["Content-Type"] == "application/json; charset=utf-8"
    assert record.content.decode("utf-8") == stored.record
    path = tmp_path / "record.json"
    path.write_bytes(record.content)
    assert _verifies(path) == 0, capsys.readouterr()

    published = json.loads(stored.record)
    assert "frame" not in published and "selected" not in published and published["revealed"] == []
    tampered = published | {"selection_digest": "0" * 64}
    tampered["seed_source"] = tampered["seed_source"] | {
        "secrets": {k: "x" for k in published["seed_source"]["secrets"]}
    }
    path.write_text(json.dumps(tampered, ensure_ascii=False, indent=2), encoding="utf-8")
    assert _verifies(path) != 0


def test_it_replaces_a_task_through_the_api_with_reason_and_evidence(api, setting):
    plan = _drawn_plan(api, setting)
    task = Task.objects.filter(plan=plan).first()
    client = api(setting.drafter)
    missing = client.post(f"/api/v1/tasks/{task.code}/replace/", {"reason": "closed"}, format="multipart")
    assert missing.status_code == 400 and "evidence" in missing.json()
    evidence = SimpleUploadedFile("停产.jpg", b"\xff\xd8\xff photo", content_type="image/jpeg")
    response = client.post(
        f"/api/v1/tasks/{task.code}/replace/",
        {"reason": "closed", "note": "现场已停产", "evidence": evidence},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["replaces"] == task.code and len(response.json()["inspectors"]) == 2
    again = client.post(
        f"/api/v1/tasks/{task.code}/replace/",
        {"reason": "closed", "evidence": SimpleUploadedFile("x.jpg", b"x")},
        format="multipart",
    )
    assert again.status_code == 400


def _drawn_plan(api, setting) -> Plan:
    from choujian.draws import services

    plan = approved_plan(setting, quota=2)
    services.frame_build(actor=setting.drafter, plan=plan)
    services.frame_freeze(actor=setting.drafter, plan=Plan.objects.get(pk=plan.pk))
    _ceremony(api, plan.code)
    return Plan.objects.get(pk=plan.pk)


def test_it_shows_a_county_the_provinces_plan_but_refuses_its_edits(api, setting):
    plan = approved_plan(setting)
    county = api(setting.world.other_county_officer)
    listed = county.get("/api/v1/plans/").json()["results"]
    assert [p["code"] for p in listed] == [plan.code]
    assert county.get(f"/api/v1/plans/{plan.code}/").status_code == 200
    edit = county.patch(f"/api/v1/plans/{plan.code}/", {"name": "改名", "version": plan.version}, format="json")
    assert edit.status_code == 403
    assert county.post(f"/api/v1/plans/{plan.code}/frame/").status_code == 403
    assert Plan.objects.get(pk=plan.pk).name == "2026年预应力钢绞线监督抽查"


def test_it_hides_a_plan_from_other_provinces_and_draft_plans_of_lower_levels_from_above(api, setting):
    plan = approved_plan(setting)
    elsewhere = OrganisationFactory(name="浙江省交通运输厅", level="province", region="330000")
    outsider = api(member(elsewhere, "regulator_admin", username="zj"))
    assert outsider.get("/api/v1/plans/").json()["results"] == []
    assert outsider.get(f"/api/v1/plans/{plan.code}/").status_code == 404
    assert outsider.post(f"/api/v1/plans/{plan.code}/approve/").status_code == 404
    county_plan = api(setting.world.county_officer).post(
        "/api/v1/plans/", {"name": "鼓楼区计划", "year": 2026, "participants": ["甲", "乙"]}, format="json"
    )
    assert county_plan.status_code == 201
    assert county_plan.json()["region"] == "350102"
    other = api(setting.world.other_county_officer).get(f"/api/v1/plans/{county_plan.json()['code']}/")
    assert other.status_code == 404, "a neighbouring county does not see another county's plan"
    province = api(setting.world.provincial_officer).get(f"/api/v1/plans/{county_plan.json()['code']}/")
    assert province.status_code == 200


def test_it_requires_the_version_on_patch_and_refuses_a_stale_one(api, setting):
    plan = _create_plan(api, setting)
    client = api(setting.drafter)
    url = f"/api/v1/plans/{plan['code']}/"
    assert client.patch(url, {"name": "新名称"}, format="json").status_code == 400
    ok = client.patch(url, {"name": "新名称", "version": plan["version"]}, format="json")
    assert ok.status_code == 200 and ok.json()["name"] == "新名称"
    stale = client.patch(url, {"name": "又一个名称", "version": plan["version"]}, format="json")
    assert stale.status_code == 409


def test_it_answers_anonymous_users_401_on_plans_and_200_on_records(api, setting):
    plan = _drawn_plan(api, setting)
    anonymous = api(None)
    for path in ["/api/v1/plans/", f"/api/v1/plans/{plan.code}/", "/api/v1/tasks/", "/api/v1/draws/"]:
        assert anonymous.get(path).status_code == 401, path
    assert anonymous.post("/api/v1/plans/", {}, format="json").status_code == 401
    draw = Draw.objects.filter(plan=plan).first()
    assert anonymous.get(f"/api/v1/draws/{draw.public_id}/record").status_code == 200
    assert anonymous.get(f"/api/v1/draws/{draw.public_id}/").json()["plan"] == plan.code
    assert anonymous.get("/api/v1/draws/00000000-0000-0000-0000-000000000000/record").status_code == 404
    assert anonymous.get("/api/v1/ceremony/not-a-real-token-at-all-000/").status_code == 404


def test_it_keeps_tasks_from_laboratories_and_shows_samplers_only_their_own(api, setting):
    plan = _drawn_plan(api, setting)
    tester = member(setting.lab, "tester", username="tester")
    lab = api(tester)
    assert [p["code"] for p in lab.get("/api/v1/plans/").json()["results"]] == [plan.code]
    assert lab.get("/api/v1/tasks/").json()["results"] == []
    assert lab.get(f"/api/v1/plans/{plan.code}/frame/").status_code == 404
    for sampler in setting.samplers:
        mine = {t["code"] for t in api(sampler).get("/api/v1/tasks/").json()["results"]}
        expected = set(Task.objects.filter(inspectors__inspector=sampler).values_list("code", flat=True))
        assert mine == expected


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "x", "year": "abc", "participants": ["甲", "乙"]},
        {"name": "x", "year": 2026, "participants": "甲乙"},
        {"name": "x", "year": 2026, "participants": ["甲"]},
        {"name": "x", "year": 2026, "participants": ["甲", "甲"]},
        {"name": "x", "year": 2026, "participants": ["甲\t丙", "乙"]},
        {"name": "x", "year": 2026, "participants": [{"a": 1}, "乙"]},
        {"name": "x", "year": 2026, "participants": ["甲", "乙"], "region": "999999"},
        {"name": "x", "year": 2026, "participants": ["甲", "乙"], "region": "330000"},
        {"name": "x", "year": 2026, "participants": ["甲", "乙"], "risk_rule": {"max": "a"}},
        {"name": "x", "year": 2026, "participants": ["甲", "乙"], "risk_rule": {"boost": 3}},
        {"name": "x", "year": 2026, "participants": ["甲", "乙"], "regulator": "not-a-uuid"},
        {"name": "x", "year": 2026, "participants": ["甲", "乙"], "budget_total": "-1"},
        {"name": "x", "year": 99999, "participants": ["甲", "乙"]},
        {"name": "", "year": 2026, "participants": ["甲", "乙"]},
        [],
    ],
)
def test_it_answers_400_never_500_to_garbage_plans(api, setting, payload):
    response = api(setting.drafter).post("/api/v1/plans/", payload, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "changes",
    [
        {"quota": -1},
        {"quota": "many"},
        {"category": "NO-SUCH"},
        {"agency": "00000000-0000-0000-0000-000000000000"},
        {"agency": "garbage"},
        {"laboratory": None},
        {"sampling_mode": "teleport"},
        {"strata_by": "city"},
        {"strata_by": "city", "stratum_quotas": {"350100": 2}},
        {"strata_by": "city", "stratum_quotas": {"abc": 3}},
        {"strata_by": "city", "stratum_quotas": {"350100": 2.5}},
        {"strata_by": "city", "stratum_quotas": ["350100"]},
        {"stratum_quotas": {"350100": 3}},
    ],
)
def test_it_answers_400_never_500_to_garbage_lines(api, setting, changes):
    plan = _create_plan(api, setting)
    response = api(setting.drafter).post(
        f"/api/v1/plans/{plan['code']}/lines/", _line(setting, **changes), format="json"
    )
    assert response.status_code == 400, response.content


def test_it_refuses_the_same_organisation_as_agency_and_laboratory(api, setting):
    plan = _create_plan(api, setting)
    line = _line(setting, agency=str(setting.lab.public_id))
    assert api(setting.drafter).post(f"/api/v1/plans/{plan['code']}/lines/", line, format="json").status_code == 400


def test_it_answers_400_to_out_of_order_steps_and_garbage_ceremony_input(api, setting):
    plan = approved_plan(setting)
    client = api(setting.drafter)
    assert client.post(f"/api/v1/plans/{plan.code}/freeze/", {}, format="json").status_code == 400
    assert client.post(f"/api/v1/plans/{plan.code}/submit/").status_code == 400
    assert client.get(f"/api/v1/plans/{plan.code}/frame/").status_code == 404
    assert client.get(f"/api/v1/plans/{plan.code}/ceremony/").status_code == 404
    client.post(f"/api/v1/plans/{plan.code}/frame/")
    for bad in [{"reveal_hours": "x"}, {"reveal_hours": 0}, {"seed_kind": "coin"}, {"reveal_hours": 10**12}]:
        assert client.post(f"/api/v1/plans/{plan.code}/freeze/", bad, format="json").status_code == 400, bad
    assert client.post(f"/api/v1/plans/{plan.code}/freeze/", {}, format="json").status_code == 201
    assert client.post(f"/api/v1/plans/{plan.code}/frame/").status_code == 400
    seed = client.post(f"/api/v1/plans/{plan.code}/external-seed/", {"seed": "1" * 30, "description": "掷骰"})
    assert seed.status_code == 400
    token = link_token(CeremonyParticipant.objects.filter(ceremony__plan=plan).first())
    anonymous = api(None)
    for bad in [{"commitment": "abc"}, {"commitment": "g" * 64}, {}, {"commitment": ["a"]}, {"commitment": "a" * 500}]:
        assert anonymous.post(f"/api/v1/ceremony/{token}/commit/", bad, format="json").status_code == 400, bad
    assert (
        anonymous.post(f"/api/v1/ceremony/{token}/reveal/", {"secret": "too-early"}, format="json").status_code == 400
    )
    good = hashlib.sha256(b"a-good-long-secret-0001").hexdigest()
    assert anonymous.post(f"/api/v1/ceremony/{token}/commit/", {"commitment": good}, format="json").status_code == 200
    again = anonymous.post(f"/api/v1/ceremony/{token}/commit/", {"commitment": good}, format="json")
    assert again.status_code == 400
    assert (
        anonymous.post(f"/api/v1/ceremony/{token}/commit/", "not json", content_type="application/json").status_code
        == 400
    )


def test_it_draws_with_an_external_seed_entered_by_a_second_admin(api, setting):
    plan = approved_plan(setting)
    client = api(setting.drafter)
    client.post(f"/api/v1/plans/{plan.code}/frame/")
    frozen = client.post(f"/api/v1/plans/{plan.code}/freeze/", {"seed_kind": "external"}, format="json")
    assert frozen.status_code == 201 and frozen.json()["participants"] == []
    officer = api(setting.world.provincial_officer)
    dice = "31415926535897932384"
    refused = officer.post(f"/api/v1/plans/{plan.code}/external-seed/", {"seed": dice, "description": "公开掷骰"})
    assert refused.status_code == 403
    short = client.post(f"/api/v1/plans/{plan.code}/external-seed/", {"seed": "123", "description": "掷骰"})
    assert short.status_code == 400
    done = client.post(f"/api/v1/plans/{plan.code}/external-seed/", {"seed": dice, "description": "公开会议掷骰 20 次"})
    assert done.status_code == 200 and done.json()["status"] == "complete" and done.json()["seed"] == dice
    assert Task.objects.filter(plan=plan).count() == 3


def test_it_returns_a_submitted_plan_with_a_reason(api, setting):
    plan = _create_plan(api, setting)
    client = api(setting.drafter)
    client.post(f"/api/v1/plans/{plan['code']}/lines/", _line(setting), format="json")
    client.post(f"/api/v1/plans/{plan['code']}/submit/")
    approver = api(setting.approver)
    assert approver.post(f"/api/v1/plans/{plan['code']}/return/", {}, format="json").status_code == 400
    back = approver.post(f"/api/v1/plans/{plan['code']}/return/", {"reason": "批次太少"}, format="json")
    assert back.status_code == 200 and back.json()["status"] == "draft"
    line = back.json()["lines"][0]["id"]
    assert client.post(f"/api/v1/plans/{plan['code']}/lines/{line}/remove/").status_code == 204
    assert client.get(f"/api/v1/plans/{plan['code']}/").json()["lines"] == []


def test_it_builds_a_stratified_frame_with_a_quota_per_city(api, setting):
    plan = _create_plan(api, setting)
    client = api(setting.drafter)
    line = _line(setting, quota=4, strata_by="city", stratum_quotas={"350100": 4})
    assert client.post(f"/api/v1/plans/{plan['code']}/lines/", line, format="json").status_code == 201
    client.post(f"/api/v1/plans/{plan['code']}/submit/")
    api(setting.approver).post(f"/api/v1/plans/{plan['code']}/approve/")
    frame = client.post(f"/api/v1/plans/{plan['code']}/frame/").json()
    assert frame["quotas"] == {"JT-0101/350100": 4}
    assert {item["stratum"] for item in frame["items"]} == {"JT-0101/350100"}


@pytest.mark.django_db(transaction=True)
def test_it_never_answers_500_on_the_plan_and_draw_api(live_server, setting):
    """Fuzz every plan, task, draw and ceremony operation from the OpenAPI schema, on a real plan and token."""
    import re

    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from choujian.draws import services

    plan = approved_plan(setting)
    services.frame_build(actor=setting.drafter, plan=plan)
    services.frame_freeze(actor=setting.drafter, plan=Plan.objects.get(pk=plan.pk))
    token = link_token(CeremonyParticipant.objects.filter(ceremony__plan=plan).first())
    headers = {"Authorization": f"Token {api_token(setting.drafter)}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    failures, tried = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not re.match(r"^/api/v1/(plans|tasks|draws|ceremony)/", operation.path):
            continue
        tried += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case):
            params = dict(case.path_parameters or {})
            if "code" in params and "/plans/" in case.operation.path:
                params["code"] = plan.code
            if "token" in params:
                params["token"] = token
            case.path_parameters = params
            response = case.call(base_url=live_server.url, headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code}")

        check()
    assert tried >= 20
    assert failures == []
