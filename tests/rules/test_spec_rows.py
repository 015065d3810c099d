"""A sample is judged by the specification row (grade, size) its sampling form names: a 1960-grade strand by the
1960 row, never silently by another; no matching row is refused before testing starts."""

from types import SimpleNamespace

import pytest

from choujian.core.errors import ServiceError
from choujian.rules import judgment, schema
from choujian.testing.services import variant_for


def _rules(code: str, version: str) -> SimpleNamespace:
    content = next(c for _, c in schema.load_directory() if c["category"]["code"] == code and c["version"] == version)
    return SimpleNamespace(content=content, title=content["title"], rule_version=version)


def _sample(spec: str) -> SimpleNamespace:
    return SimpleNamespace(record=SimpleNamespace(model_spec=spec))


def _max_force(content: dict, variant: str, values: list[str]) -> judgment.ItemResult:
    rule = next(r for r in schema.item_rules(content, variant) if r.code == "max_force")
    return judgment.judge_item(rule, values)


@pytest.mark.parametrize(
    ("code", "version", "spec", "row"),
    [
        ("JT-0303", "2026.1", "1×7-15.20-1960", "1×7-15.20-1960"),
        ("JT-0303", "2026.1", "1x7-15.20-1960", "1×7-15.20-1960"),
        ("JT-0303", "2026.1", "１×７-12.70-1860", "1×7-12.70-1860"),
        ("JT-0202", "2026.1", "GJZ 300×400×63(CR)", "CR"),
        ("JT-0202", "2026.1", "GYZ d250×52(NR)", "NR"),
        ("JT-0304", "2026.1", "HRB400E Φ16", "HRB400E-14~20"),
        ("JT-0304", "2026.1", "HRB400E Φ25", "HRB400E-22~50"),
        ("JT-0402", "2025.1", "钢边橡胶止水带 B-350", "钢边橡胶止水带"),
    ],
)
def test_the_row_follows_the_form(code, version, spec, row):
    assert variant_for(_rules(code, version), _sample(spec)) == row


def test_a_1960_strand_is_judged_by_the_1960_row_not_the_1860_one():
    rules = _rules("JT-0303", "2026.1")
    row = variant_for(rules, _sample("1×7-15.20-1960"))
    values = ["270", "271", "270"]  # enough for 1860 (≥ 260 kN), not for 1960 (≥ 274 kN)
    assert _max_force(rules.content, row, values).passed is False
    assert _max_force(rules.content, "1×7-15.20-1860", values).passed is True


@pytest.mark.parametrize(("code", "spec"), [("JT-0303", "1×7-15.20-2000"), ("JT-0304", "HRB500E Φ20"), ("JT-0303", "")])
def test_a_form_without_a_matching_row_is_refused_naming_it_and_the_rows(code, spec):
    rules = _rules(code, "2026.1")
    with pytest.raises(ServiceError) as refused:
        variant_for(rules, _sample(spec))
    message = refused.value.errors["variant"][0]
    assert (spec or "未填写") in message and "不能按其他规格判定" in message
    assert schema.variant_codes(rules.content)[0] in message


def test_rules_without_rows_need_no_spec():
    assert variant_for(_rules("JT-0207", "2025.1"), _sample("")) == ""


@pytest.mark.django_db
def test_the_rules_api_serves_the_1960_rows_and_the_current_edition(api, world):
    from choujian.rules.services import ruleset_load_files

    ruleset_load_files(actor=world.provincial_admin)
    listed = api(world.provincial_officer).get("/api/v1/rules/?page_size=100").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    strand = [r for r in rows if r["category"] == "JT-0303"]
    assert {r["rule_version"] for r in strand} >= {"2025.1", "2026.1"}
    detail = next(r for r in strand if r["rule_version"] == "2026.1")
    body = api(world.provincial_officer).get(f"/api/v1/rules/{detail['id']}/").json()
    codes = [v["code"] for v in body["content"]["variants"]]
    assert "1×7-15.20-1960" in codes
    limits = next(i for i in body["content"]["items"] if i["code"] == "max_force")["limit"]
    assert limits["1×7-15.20-1960"] == ">=274" and limits["1×7-12.70-1860"] == ">=184"
