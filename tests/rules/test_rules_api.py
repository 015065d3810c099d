"""The rules API: evaluate (200, 400 naming the field, 401), rule sets for readers and for the admins who write."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from choujian.ledger.models import LedgerEntry
from choujian.rules.models import RuleSet
from choujian.rules.services import ruleset_load_files
from tests.factories import OrganisationFactory, member

EVALUATE = "/api/v1/rules/evaluate/"
STRAND = "jt-0303-prestressing-steel-strand.yaml"


@pytest.fixture
def tester(db):
    return member(OrganisationFactory(kind="laboratory", name="交通检测中心"), "tester", username="tester")


@pytest.fixture
def rules(db):
    ruleset_load_files(actor=None)
    return {r.source_file: r for r in RuleSet.objects.all()}


def test_it_evaluates_the_key_example_both_ways(api, tester):
    client = api(tester)
    body = {"values": ["96.96"], "limit": ">=97.0", "unit_step": "0.1"}
    full = client.post(EVALUATE, {**body, "method": "full"}, format="json")
    rounded = client.post(EVALUATE, {**body, "method": "rounded"}, format="json")
    assert full.status_code == 200 and rounded.status_code == 200
    assert (full.json()["rounded"], full.json()["judgment"]) == ("97.0", "fail")
    assert (rounded.json()["rounded"], rounded.json()["judgment"]) == ("97.0", "pass")
    assert rounded.json()["limit"]["description"] == "≥97.0" and rounded.json()["method_label"] == "修约值比较法"


def test_full_comparison_and_the_limits_place_are_the_defaults(api, tester):
    response = api(tester).post(EVALUATE, {"values": ["96.96"], "limit": ">=97.0"}, format="json")
    assert response.json()["method"] == "full" and response.json()["step"] == "0.1"
    assert response.json()["judgment"] == "fail"


def test_json_numbers_are_taken_exactly_as_written(api, tester):
    body = '{"values": [96.96, 1.050], "limit": ">=1.0", "unit_step": 0.1, "combine": "each", "method": "rounded"}'
    response = api(tester).post(EVALUATE, body, content_type="application/json")
    assert response.status_code == 200
    assert [v["value"] for v in response.json()["values"]] == ["96.96", "1.050"]
    assert [v["rounded"] for v in response.json()["values"]] == ["97.0", "1.0"]


def test_it_combines_replicates_and_uses_half_and_fifth_units(api, tester):
    client = api(tester)
    mean = client.post(EVALUATE, {"values": ["3", "4", "6"], "limit": "<=4", "combine": "mean"}, format="json").json()
    assert (mean["combined"], mean["judgment"]) == ("4.333333333333333333333333333333333", "fail")
    half = {"values": ["60.25"], "limit": ">=60", "unit_step": "1", "rounding": "half", "method": "rounded"}
    assert client.post(EVALUATE, half, format="json").json()["rounded"] == "60.0"
    fifth = {"values": ["830"], "limit": "<=900", "unit_step": "100", "rounding": "fifth"}
    assert client.post(EVALUATE, fifth, format="json").json()["rounded"] == "840"
    qualitative = {"values": ["合格", "不合格"], "limit": "qualitative"}
    assert client.post(EVALUATE, qualitative, format="json").json()["judgment"] == "fail"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"values": ["abc"], "limit": ">=1"}, "values"),
        ({"values": [], "limit": ">=1"}, "values"),
        ({"values": "96.96", "limit": ">=1"}, "values"),
        ({"values": [True], "limit": ">=1"}, "values"),
        ({"values": [{"v": 1}], "limit": ">=1"}, "values"),
        ({"values": ["1"], "limit": ">=abc"}, "limit"),
        ({"values": ["1"], "limit": "80~60"}, "limit"),
        ({"values": ["1"]}, "limit"),
        ({"limit": ">=1"}, "values"),
        ({"values": ["1"], "limit": ">=1", "unit_step": "0.3"}, "unit_step"),
        ({"values": ["1"], "limit": ">=1", "unit_step": "0.5", "rounding": "half"}, "unit_step"),
        ({"values": ["1"], "limit": ">=1", "unit_step": "-1"}, "unit_step"),
        ({"values": ["1"], "limit": ">=1", "method": "approx"}, "method"),
        ({"values": ["1"], "limit": ">=1", "combine": "mode"}, "combine"),
        ({"values": ["1"], "limit": ">=1", "rounding": "third"}, "rounding"),
        ({"values": ["1e999999"], "limit": ">=1"}, "values"),
        ({"values": ["maybe"], "limit": "qualitative"}, "values"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, tester, body, field):
    response = api(tester).post(EVALUATE, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(
    "raw", ['{"values": [NaN], "limit": ">=1"}', "[1, 2]", "not json", '{"values": [1e999], "limit": ">=1"}']
)
def test_malformed_json_is_a_400_not_a_500(api, tester, raw):
    response = api(tester).post(EVALUATE, raw, content_type="application/json")
    assert response.status_code == 400


def test_anonymous_users_are_refused(db, rules):
    client = APIClient()
    assert client.post(EVALUATE, {"values": ["1"], "limit": ">=1"}, format="json").status_code == 401
    assert client.get("/api/v1/rules/").status_code == 401
    assert client.get(f"/api/v1/rules/{rules[STRAND].public_id}/").status_code == 401


def test_every_signed_in_user_reads_the_rule_sets(api, world, tester, rules):
    manufacturer = member(OrganisationFactory(kind="manufacturer"), "enterprise_staff", username="maker")
    for user in (world.provincial_admin, world.county_officer, tester, manufacturer):
        listing = api(user).get("/api/v1/rules/", {"category": "JT-0303"})
        assert listing.status_code == 200 and listing.json()["count"] == 2  # the 2025.1 and 2026.1 editions
        summary = listing.json()["results"][0]
        assert summary["category"] == "JT-0303" and "content" not in summary and summary["unverified_count"] > 0
    detail = api(tester).get(f"/api/v1/rules/{rules[STRAND].public_id}/").json()
    assert detail["content"]["items"][1]["code"] == "max_force"
    assert detail["content_sha256"] == rules[STRAND].content_sha256
    assert {"where": "max_force", "note": detail["content"]["items"][1]["note"]} in detail["unverified"]


def test_it_judges_a_sample_by_a_rule_set(api, tester, rules):
    url = f"/api/v1/rules/{rules[STRAND].public_id}/judge/"
    results = {"max_force": ["262", "259.6", "265"], "total_elongation": ["3.3", "4.0", "3.9"]}
    response = api(tester).post(url, {"variant": "1×7-15.20-1860", "results": results}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["judgment"] == "incomplete" and "diameter" in body["missing"]
    assert body["content_sha256"] == rules[STRAND].content_sha256
    elongation = next(i for i in body["items"] if i["code"] == "total_elongation")
    assert [v["rounded"] for v in elongation["values"]] == ["3.5", "4.0", "4.0"] and elongation["judgment"] == "pass"
    results["max_force"] = ["262", "259.4", "265"]  # 259.4 rounds to 259 < 260
    failed = api(tester).post(url, {"variant": "1×7-15.20-1860", "results": results}, format="json").json()
    assert failed["judgment"] == "fail" and failed["failures"]["A"] == ["max_force"]
    assert "max_force" in failed["unverified"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"results": {"max_force": ["1", "2", "3"]}}, "variant"),
        ({"variant": "1×7-99", "results": {"max_force": ["1", "2", "3"]}}, "variant"),
        ({"variant": "1×7-15.20-1860", "results": {"max_force": ["1"]}}, "results"),
        ({"variant": "1×7-15.20-1860", "results": {"nothing": ["1"]}}, "results"),
        ({"variant": "1×7-15.20-1860", "results": {"max_force": ["1", "x", "3"]}}, "results"),
        ({"variant": "1×7-15.20-1860", "results": []}, "results"),
    ],
)
def test_judging_bad_results_is_a_400_naming_the_field(api, tester, rules, body, field):
    response = api(tester).post(f"/api/v1/rules/{rules[STRAND].public_id}/judge/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


def _draft_body(rules) -> dict:
    content = copy.deepcopy(rules[STRAND].content)
    content["version"] = "2025.2"
    return {"content": content}


def test_a_provincial_admin_drafts_and_activates_a_version(api, world, rules):
    client = api(world.provincial_admin)
    created = client.post("/api/v1/rules/", _draft_body(rules), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["rule_version"], body["status"], body["version"]) == ("2025.2", "draft", 1)
    url = f"/api/v1/rules/{body['id']}/"
    content = body["content"]
    content["scope"] = "修改后的适用范围"
    assert client.patch(url, {"content": content}, format="json").status_code == 400  # version required
    patched = client.patch(url, {"content": content, "version": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert client.patch(url, {"content": content, "version": 1}, format="json").status_code == 409
    assert client.post(f"{url}activate/", {}, format="json").status_code == 400
    activated = client.post(f"{url}activate/", {"version": 2}, format="json")
    assert activated.status_code == 200 and activated.json()["status"] == "active"
    assert client.patch(url, {"content": content, "version": 3}, format="json").status_code == 400
    assert client.post(f"{url}retire/", {"version": 3}, format="json").json()["status"] == "retired"
    types = LedgerEntry.objects.filter(object=f"ruleset:{body['id']}").values_list("type", flat=True)
    assert list(types) == ["ruleset.created", "ruleset.updated", "ruleset.activated", "ruleset.retired"]


def test_a_bad_document_is_a_400_naming_file_item_and_field(api, world, rules):
    body = _draft_body(rules)
    body["content"]["items"][1]["step"] = 0.3
    response = api(world.provincial_admin).post("/api/v1/rules/", body, format="json")
    assert response.status_code == 400
    assert any("检验项目 max_force，字段 step" in m for m in response.json()["content"])


def test_colleagues_and_outsiders_may_not_write(api, world, tester, rules):
    strand = rules[STRAND]
    for user in (world.provincial_officer, world.county_officer, tester):
        client = api(user)
        assert client.post("/api/v1/rules/", _draft_body(rules), format="json").status_code == 403
        url = f"/api/v1/rules/{strand.public_id}/"
        assert client.patch(url, {"content": strand.content, "version": 1}, format="json").status_code == 403
        assert client.post(f"{url}activate/", {"version": 1}, format="json").status_code == 403
    assert RuleSet.objects.get(pk=strand.pk).status == "draft"


def test_the_openapi_schema_describes_the_rules_api(db):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    evaluate = schema["paths"]["/api/v1/rules/evaluate/"]["post"]
    assert "EvaluateRequest" in str(evaluate["requestBody"]) and "Evaluation" in str(evaluate["responses"]["200"])
    assert "/api/v1/rules/{public_id}/judge/" in schema["paths"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.sampled_from(["96.96", "1e5", "-0", "合格"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
evaluate_bodies = st.fixed_dictionaries(
    {},
    optional={
        "values": json_values,
        "limit": json_values | st.sampled_from([">=97.0", "60~80", "195±10", "qualitative", "≤-45"]),
        "unit_step": json_values | st.sampled_from(["0.1", "0.5", "20", "1000"]),
        "method": json_values | st.sampled_from(["full", "rounded"]),
        "combine": json_values | st.sampled_from(["mean", "median", "each", "min", "max"]),
        "rounding": json_values | st.sampled_from(["unit", "half", "fifth"]),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(body=evaluate_bodies | json_values)
def test_no_json_body_makes_evaluate_answer_500(api, tester, body):
    response = api(tester).post(EVALUATE, body, format="json")
    assert response.status_code in (200, 400), (body, response.content)
