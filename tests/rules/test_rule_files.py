"""The shipped rule files validate, and the validator names the file, item and field of every problem."""

import copy
import json
from pathlib import Path

import pytest

from choujian.demo.categories import CATEGORIES
from choujian.rules import judgment, schema

FILES = schema.rule_files()


def _strand() -> dict:
    return schema.load_file(schema.DATA_DIR / "jt-0303-prestressing-steel-strand.yaml")


def test_at_least_ten_transport_products_are_shipped_each_edition_once():
    editions = [(content["category"]["code"], content["version"]) for _, content in schema.load_directory()]
    assert len({code for code, _ in editions}) >= 10 and len(set(editions)) == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_shipped_file_validates(path: Path):
    content = schema.load_file(path)
    assert content["schema"] == schema.SCHEMA
    for item in content["items"]:
        assert item["source"].strip(), item["code"]
        assert item["verified"] or item["note"].strip(), item["code"]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_shipped_file_uses_a_demo_category_code_and_name(path: Path):
    demo = {c.code: c.name for c in CATEGORIES}
    content = schema.load_file(path)
    assert demo.get(content["category"]["code"]) == content["category"]["name"]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_variant_of_every_file_yields_judgeable_items(path: Path):
    content = schema.load_file(path)
    for variant in schema.variant_codes(content) or [None]:
        rules = schema.item_rules(content, variant)
        assert rules
        for rule in rules:
            values = ["合格"] * rule.replicates if rule.limit.qualitative else [_inside(rule.limit)] * rule.replicates
            assert judgment.judge_item(rule, values).passed, (path.name, variant, rule.code)


def _inside(limit: judgment.Limit) -> str:
    if limit.low is not None and limit.high is not None:
        return str((limit.low + limit.high) / 2)
    if limit.low is not None:
        return str(limit.low + 1)
    return str(limit.high - 1)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_item_of_every_file_states_how_its_values_combine(path: Path):
    raw = schema.read_file(path)  # as written: the normalised content would not show a missing key
    assert all(item.get("combine") in judgment.COMBINES for item in raw["items"]), path.name


RUBBER_EDITIONS = [
    ("jt-0402-rubber-waterstop.yaml", "jt-0402-rubber-waterstop-2027.yaml"),
    ("jt-0202-laminated-rubber-bearing.yaml", "jt-0202-laminated-rubber-bearing-2027.yaml"),
]


@pytest.mark.parametrize(("old_name", "new_name"), RUBBER_EDITIONS)
def test_rubber_tensile_items_take_the_median_from_their_2027_editions_and_nothing_else_changes(old_name, new_name):
    old, new = schema.load_file(schema.DATA_DIR / old_name), schema.load_file(schema.DATA_DIR / new_name)
    assert (new["version"], new["effective_date"]) == ("2027.1", "2027-01-01") and "GB/T 528" in new["notes"]
    tensile = {item["code"] for item in new["items"] if "GB/T 528" in item["test_method"]}
    assert len(tensile) >= 2
    for before, after in zip(old["items"], new["items"], strict=True):
        if after["code"] in tensile:
            assert (before["combine"], after["combine"]) == ("mean", "median")
            assert not after["verified"] and "GB/T 528" in after["note"]
        assert {k: v for k, v in after.items() if k not in ("combine", "note")} == {
            k: v for k, v in before.items() if k not in ("combine", "note")
        }
    unchanged = ("schema", "category", "title", "product_standards", "scope", "variants", "sampling", "judgment")
    assert all(old[key] == new[key] for key in unchanged)


def test_the_seed_cases_ozone_ageing_of_waterstops_is_an_a_class_item():
    content = schema.load_file(schema.DATA_DIR / "jt-0402-rubber-waterstop.yaml")
    ozone = next(item for item in content["items"] if item["code"] == "ozone_ageing")
    assert ozone["class"] == "A" and ozone["limit"] == "qualitative" and ozone["requirement"]


def test_items_limited_to_one_variant_do_not_apply_to_the_others():
    content = schema.load_file(schema.DATA_DIR / "jt-0402-rubber-waterstop.yaml")
    assert "rubber_metal_bond" in {r.code for r in schema.item_rules(content, "钢边橡胶止水带")}
    assert "rubber_metal_bond" not in {r.code for r in schema.item_rules(content, "普通橡胶止水带")}
    with pytest.raises(judgment.RuleError, match="请指定规格") as caught:
        schema.item_rules(content)
    assert caught.value.field == "variant"
    with pytest.raises(judgment.RuleError, match="没有规格"):
        schema.item_rules(content, "J型")


def test_decimals_in_yaml_are_kept_as_written():
    text = (schema.DATA_DIR / "jt-0303-prestressing-steel-strand.yaml").read_text(encoding="utf-8")
    text = text.replace('step: "0.01"', "step: 0.010", 1)
    content = schema.validate(schema.parse_text(text), source="x.yaml")
    assert content["items"][0]["step"] == "0.010"


def test_the_digest_is_that_of_the_canonical_content():
    first, second = _strand(), _strand()
    second["items"] = list(second["items"])
    assert schema.content_sha256(first) == schema.content_sha256(second)
    second["items"][0] = {**second["items"][0], "limit": "1~2"}
    assert schema.content_sha256(first) != schema.content_sha256(second)


def test_json_rule_files_are_read_too(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(_strand(), ensure_ascii=False), encoding="utf-8")
    assert schema.load_file(path) == _strand()


def _problems(content: dict, name: str = "bad.yaml") -> list[str]:
    with pytest.raises(schema.SchemaError) as caught:
        schema.validate(content, source=name)
    return [str(p) for p in caught.value.problems]


def test_a_bad_limit_is_reported_with_file_item_and_field():
    content = _strand()
    content["items"][1] = {**content["items"][1], "limit": {**content["items"][1]["limit"], "1×7-15.20-1860": ">=abc"}}
    (problem,) = _problems(content)
    assert problem.startswith("bad.yaml，检验项目 max_force，字段 limit.1×7-15.20-1860：")
    assert "无法识别" in problem


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"step": "0.3"}, "step", "不符合 GB/T 8170"),
        ({"step": None}, "step", "修约间隔"),
        ({"class": "D"}, "class", "A、B 或 C"),
        ({"combine": "mode"}, "combine", "median"),
        ({"comparison": "approx"}, "comparison", "full"),
        ({"source": ""}, "source", "不能为空"),
        ({"verified": "yes"}, "verified", "true 或 false"),
        ({"verified": False, "note": ""}, "note", "必须说明"),
        ({"replicates": 0}, "replicates", "整数"),
        ({"code": "Max Force"}, "code", "小写字母"),
        ({"limit": {"1×7-99-1860": ">=1"}}, "limit.1×7-99-1860", "未在 variants"),
        ({"colour": "red"}, "colour", "不认识的字段"),
    ],
)
def test_each_item_field_is_checked(change, field, message):
    content = _strand()
    content["items"][1] = {**content["items"][1], **change}
    problems = _problems(content)
    assert any(f"字段 {field}：" in p and message in p for p in problems), problems


def test_qualitative_items_need_a_requirement_and_no_step():
    content = _strand()
    surface = {**content["items"][-1], "requirement": "", "step": "1"}
    content["items"][-1] = surface
    problems = _problems(content)
    assert any("字段 requirement" in p for p in problems) and any("定性项目不需要修约间隔" in p for p in problems)


def test_top_level_and_sampling_fields_are_checked():
    content = _strand()
    del content["title"]
    content["effective_date"] = "2025-13-01"
    content["sampling"] = {**content["sampling"], "test_quantity": 0, "min_lot": {"quantity": "-1", "unit": "t"}}
    content["items"].append(copy.deepcopy(content["items"][0]))
    problems = "\n".join(_problems(content))
    expected = [
        "字段 title：不能为空",
        "字段 effective_date",
        "字段 sampling.test_quantity",
        "sampling.min_lot.quantity",
    ]
    assert all(text in problems for text in expected), problems
    assert "项目代码“diameter”重复" in problems


def test_duplicate_yaml_keys_and_broken_syntax_are_refused():
    with pytest.raises(schema.SchemaError, match="重复出现"):
        schema.parse_text("version: 1\nversion: 2\n", name="dup.yaml")
    with pytest.raises(schema.SchemaError, match="第 1 行") as caught:
        schema.parse_text("limit: >=97.0\n", name="broken.yaml")
    assert caught.value.problems[0].file == "broken.yaml"


def test_the_same_category_and_version_twice_is_refused(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(
            (schema.DATA_DIR / "jt-0303-prestressing-steel-strand.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    with pytest.raises(schema.SchemaError, match="类别和版本相同"):
        schema.load_directory(tmp_path)


def test_unverified_lists_what_to_check():
    found = dict(schema.unverified(_strand()))
    assert "sampling" in found and "max_force" in found and all(found.values())


def test_the_number_of_backup_portions_is_optional_and_bounded():
    content = _strand()
    assert "backup_portions" not in content["sampling"]
    content["sampling"] = {**content["sampling"], "backup_portions": 2}
    assert schema.validate(content)["sampling"]["backup_portions"] == 2
    content["sampling"]["backup_portions"] = 9
    assert any("sampling.backup_portions" in p for p in _problems(content))
