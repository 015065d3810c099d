"""Editing a draft rule set in the browser one test item at a time (and its title, date and standards): every save
is checked by the schema and ledgered; a bad value is named beside its field and changes nothing; a published rule
set is read-only; only rules administrators see the forms at all."""

import pytest

from choujian.ledger.models import LedgerEntry
from choujian.rules import schema
from choujian.rules.forms import ItemForm, RuleSetForm
from choujian.rules.models import RuleSet
from choujian.rules.services import ruleset_activate, ruleset_load_files
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def strand(world):
    """A draft with variants (a limit per specification row)."""
    ruleset_load_files(actor=None)
    return RuleSet.objects.get(category__code="JT-0303", rule_version="2025.1")


@pytest.fixture
def waterstop(strand):
    return RuleSet.objects.get(category__code="JT-0402", rule_version="2025.1")


@pytest.fixture
def admin(client, world):
    client.force_login(world.provincial_admin)
    return client


def _item(ruleset: RuleSet, code: str) -> dict:
    return next(item for item in ruleset.content["items"] if item["code"] == code)


def _data(ruleset: RuleSet, item: dict, **changes) -> dict:
    """What the form posts for `item` as it stands, with `changes` (form field names)."""
    data = {
        "code": item["code"],
        "name": item["name"],
        "cls": item["class"],
        "test_method": item["test_method"],
        "unit": item["unit"],
        "replicates": item["replicates"],
        "combine": item["combine"],
        "comparison": item["comparison"],
        "step": item["step"] or "",
        "limit": "" if isinstance(item["limit"], dict) else item["limit"],
        "requirement": item["requirement"],
        "source": item["source"],
        "note": item["note"],
        "version": ruleset.version,
    }
    for index, variant in enumerate(ruleset.content["variants"]):
        data[f"limit_v{index}"] = item["limit"].get(variant["code"], "") if isinstance(item["limit"], dict) else ""
    if item["verified"]:
        data["verified"] = "on"
    data.update(changes)
    return data


def _url(ruleset: RuleSet, code: str = "") -> str:
    return f"/rules/{ruleset.public_id}/item/" + (f"?item={code}" if code else "")


def _entries(ruleset: RuleSet) -> int:
    return LedgerEntry.objects.filter(object=f"ruleset:{ruleset.public_id}").count()


def test_it_changes_one_limit_of_a_draft_and_ledgers_it(admin, strand):
    page = admin.get(_url(strand, "max_force")).content.decode()
    assert "整根钢绞线最大力" in page and "1×7-15.20-1860" in page and "370~500" in page and "qualitative" in page
    before, entries = strand.content, _entries(strand)
    response = admin.post(_url(strand, "max_force"), _data(strand, _item(strand, "max_force"), limit_v1=">=261"))
    assert response.status_code == 302 and response["Location"].endswith(f"/rules/{strand.public_id}/#item-max_force")
    strand.refresh_from_db()
    assert _item(strand, "max_force")["limit"]["1×7-15.20-1860"] == ">=261"
    assert _item(strand, "max_force")["limit"]["1×7-12.70-1860"] == ">=184"
    assert [i for i in strand.content["items"] if i["code"] != "max_force"] == [
        i for i in before["items"] if i["code"] != "max_force"
    ]
    assert strand.content_sha256 == schema.content_sha256(strand.content) and strand.source_file == ""
    assert _entries(strand) == entries + 1
    last = LedgerEntry.objects.filter(object=f"ruleset:{strand.public_id}").order_by("-pk").first()
    assert last.type == "ruleset.updated"


def test_a_variant_row_left_empty_means_the_item_does_not_apply_to_it(admin, strand):
    data = _data(strand, _item(strand, "max_force"), limit_v0="")
    assert admin.post(_url(strand, "max_force"), data).status_code == 302
    strand.refresh_from_db()
    assert set(_item(strand, "max_force")["limit"]) == {"1×7-15.20-1860", "1×7-17.80-1860"}


def test_a_bad_limit_is_named_beside_its_field_and_changes_nothing(admin, strand, waterstop):
    for ruleset, code, field, changes in [
        (strand, "max_force", "limit_v1", {"limit_v1": ">=abc"}),
        (waterstop, "tensile_strength", "limit", {"limit": "10"}),
        (waterstop, "tensile_strength", "step", {"step": "0.3"}),
        (waterstop, "ozone_ageing", "step", {"step": "1"}),
        (waterstop, "ozone_ageing", "combine", {"combine": "median"}),
        (waterstop, "tensile_strength", "note", {"note": ""}),
        (waterstop, "tensile_strength", "code", {"code": "hardness"}),
    ]:
        before, version, entries = ruleset.content, ruleset.version, _entries(ruleset)
        response = admin.post(_url(ruleset, code), _data(ruleset, _item(ruleset, code), **changes))
        assert response.status_code == 200, (code, changes)
        form = response.context["form"]
        assert list(form.errors) == [field], (code, changes, form.errors)
        assert "has-error" in response.content.decode()
        ruleset.refresh_from_db()
        assert (ruleset.content, ruleset.version, _entries(ruleset)) == (before, version, entries)
    response = admin.post(_url(strand, "max_force"), _data(strand, _item(strand, "max_force"), limit_v1=">=abc"))
    assert "限值“&gt;=abc”无法识别" in response.content.decode()


def test_a_limit_is_either_one_for_all_variants_or_one_per_variant(admin, strand):
    item = _item(strand, "max_force")
    both = admin.post(_url(strand, "max_force"), _data(strand, item, limit=">=200"))
    assert "请只填写一种" in str(both.context["form"].errors["limit"])
    none = _data(strand, item, limit_v0="", limit_v1="", limit_v2="")
    assert "至少一个规格" in str(admin.post(_url(strand, "max_force"), none).context["form"].errors["limit"])
    assert admin.post(_url(strand, "max_force"), _data(strand, item, limit_v0="", limit_v1="", limit_v2="",
                                                       limit=">=200")).status_code == 302  # fmt: skip
    strand.refresh_from_db()
    assert _item(strand, "max_force")["limit"] == ">=200"


def test_a_stale_version_is_refused_and_changes_nothing(admin, strand):
    data = _data(strand, _item(strand, "max_force"), limit_v1=">=261", version=strand.version + 5)
    response = admin.post(_url(strand, "max_force"), data)
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    strand.refresh_from_db()
    assert _item(strand, "max_force")["limit"]["1×7-15.20-1860"] == ">=260"


def test_it_adds_and_deletes_an_item(admin, waterstop):
    assert "新增检验项目" in admin.get(_url(waterstop)).content.decode()
    entries, count = _entries(waterstop), len(waterstop.content["items"])
    new = {
        "code": "tensile_set",
        "name": "拉伸永久变形",
        "cls": "C",
        "test_method": "GB/T 528-2009",
        "unit": "%",
        "replicates": 5,
        "combine": "median",
        "comparison": "full",
        "step": "1",
        "limit_v0": "<=20",
        "limit_v1": "<=20",
        "requirement": "",
        "source": "GB/T 18173.2-2014 表2",
        "note": "示例项目，须核对",
        "version": waterstop.version,
    }
    response = admin.post(_url(waterstop), new)
    assert response.status_code == 302 and response["Location"].endswith("#item-tensile_set")
    waterstop.refresh_from_db()
    added = waterstop.content["items"][-1]
    assert (added["code"], added["combine"], added["verified"], len(waterstop.content["items"])) == (
        "tensile_set", "median", False, count + 1,
    )  # fmt: skip
    assert added["limit"] == {"普通橡胶止水带": "<=20", "钢边橡胶止水带": "<=20"}
    detail = admin.get(f"/rules/{waterstop.public_id}/").content.decode()
    assert "拉伸永久变形" in detail and "?item=tensile_set" in detail and "编辑" in detail

    assert admin.get(f"/rules/{waterstop.public_id}/item/delete/").status_code == 405
    response = admin.post(
        f"/rules/{waterstop.public_id}/item/delete/", {"item": "tensile_set", "version": waterstop.version}
    )
    assert response.status_code == 302
    waterstop.refresh_from_db()
    assert "tensile_set" not in {i["code"] for i in waterstop.content["items"]}
    assert len(waterstop.content["items"]) == count and _entries(waterstop) == entries + 2
    missing = admin.post(f"/rules/{waterstop.public_id}/item/delete/", {"item": "tensile_set", "version": 1})
    assert missing.status_code == 404


def test_the_last_item_cannot_be_deleted(admin, waterstop, client):
    ruleset = waterstop
    for item in ruleset.content["items"][:-1]:
        client.post(f"/rules/{ruleset.public_id}/item/delete/", {"item": item["code"], "version": ruleset.version})
        ruleset.refresh_from_db()
    (last,) = ruleset.content["items"]
    entries = _entries(ruleset)
    response = client.post(
        f"/rules/{ruleset.public_id}/item/delete/", {"item": last["code"], "version": ruleset.version}, follow=True
    )
    assert "至少一个检验项目" in response.content.decode()
    ruleset.refresh_from_db()
    assert len(ruleset.content["items"]) == 1 and _entries(ruleset) == entries


def test_an_active_rule_set_is_read_only_and_points_to_a_new_edition(admin, world, strand):
    ruleset_activate(actor=world.provincial_admin, ruleset=strand)
    strand.refresh_from_db()
    before, entries = strand.content, _entries(strand)
    detail = admin.get(f"/rules/{strand.public_id}/").content.decode()
    assert "?item=" not in detail and f"/rules/new/?from={strand.public_id}" in detail
    page = admin.get(_url(strand, "max_force"))
    text = page.content.decode()
    assert page.status_code == 200 and "不能修改" in text and f"/rules/new/?from={strand.public_id}" in text
    assert 'type="submit"' not in text and "disabled" in text
    changed = admin.post(_url(strand, "max_force"), _data(strand, _item(strand, "max_force"), limit_v1=">=1"))
    assert changed.status_code == 200 and "不能修改" in changed.content.decode()
    deleted = admin.post(f"/rules/{strand.public_id}/item/delete/", {"item": "max_force", "version": strand.version})
    assert deleted.status_code == 302
    general = admin.post(f"/rules/{strand.public_id}/edit/", {"title": "改名", "effective_date": "2025-01-01",
                                                                "product_standards": "GB/T 5224-2023"})  # fmt: skip
    assert general.status_code == 200 and "不能修改" in general.content.decode()
    strand.refresh_from_db()
    assert (strand.content, strand.status, _entries(strand)) == (before, "active", entries)


def test_only_rules_administrators_reach_the_editing_pages(client, world, strand):
    lab = OrganisationFactory(kind="laboratory", level="", region="350100")
    outsiders = [
        member(lab, "tester", username="ruletester"),
        world.provincial_officer,  # a regulator, but not an administrator
        member(world.county, "regulator_admin", username="countyadmin"),  # an administrator, but of a county
    ]
    before = strand.content
    for user in outsiders:
        client.force_login(user)
        assert "?item=" not in client.get(f"/rules/{strand.public_id}/").content.decode()
        assert client.get(_url(strand, "max_force")).status_code == 404
        assert client.get(_url(strand)).status_code == 404
        assert client.get(f"/rules/{strand.public_id}/edit/").status_code == 404
        data = _data(strand, _item(strand, "max_force"), limit_v1=">=1")
        assert client.post(_url(strand, "max_force"), data).status_code == 404
        delete = {"item": "max_force", "version": strand.version}
        assert client.post(f"/rules/{strand.public_id}/item/delete/", delete).status_code == 404
    client.logout()
    assert client.get(_url(strand, "max_force")).status_code == 302
    strand.refresh_from_db()
    assert strand.content == before


def test_an_unknown_item_is_not_found(admin, strand):
    assert admin.get(_url(strand, "no_such_item")).status_code == 404


def test_it_edits_the_title_date_and_standards(admin, waterstop):
    page = admin.get(f"/rules/{waterstop.public_id}/edit/").content.decode()
    assert "GB/T 18173.2-2014" in page and 'value="2025-01-01"' in page
    entries = _entries(waterstop)
    data = {
        "title": "橡胶止水带产品质量监督抽查实施细则（修订稿）",
        "effective_date": "2025-03-01",
        "product_standards": "GB/T 18173.2-2014\n\n  GB/T 528-2009  \n",
        "scope": waterstop.content["scope"],
        "notes": waterstop.content["notes"],
        "version": waterstop.version,
    }
    assert admin.post(f"/rules/{waterstop.public_id}/edit/", data).status_code == 302
    waterstop.refresh_from_db()
    assert waterstop.title == data["title"] and str(waterstop.effective_date) == "2025-03-01"
    assert waterstop.content["product_standards"] == ["GB/T 18173.2-2014", "GB/T 528-2009"]
    assert waterstop.content["effective_date"] == "2025-03-01" and _entries(waterstop) == entries + 1
    bad = admin.post(f"/rules/{waterstop.public_id}/edit/", {**data, "effective_date": "2025-02-30"})
    assert list(bad.context["form"].errors) == ["effective_date"]


def test_schema_problems_go_beside_the_field_they_name():
    variants = [{"code": "CR", "name": "氯丁橡胶"}, {"code": "NR", "name": "天然橡胶"}]
    form = ItemForm(variants=variants)
    form.cleaned_data = {}
    problems = [
        schema.Problem("", "limit.NR", "限值无法识别", "rubber"),
        schema.Problem("", "class", "应为 A、B 或 C", "rubber"),
        schema.Problem("", "limit", "各规格限值不能既有定性又有数值", "#3"),
        schema.Problem("", "code", "重复", "other"),
        schema.Problem("", "title", "不能为空"),
    ]
    form.add_problems(problems, {"rubber", "#3"})
    assert form.errors["limit_v1"] == ["限值无法识别"] and form.errors["cls"] == ["应为 A、B 或 C"]
    assert form.errors["limit"] == ["各规格限值不能既有定性又有数值"]
    assert form.errors["__all__"] == ["细则，检验项目 other，字段 code：重复", "细则，字段 title：不能为空"]
    general = RuleSetForm()
    general.cleaned_data = {}
    general.add_problems(problems, {""})
    assert general.errors["title"] == ["不能为空"] and len(general.errors["__all__"]) == 4
