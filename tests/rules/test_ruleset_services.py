"""Loading the shipped rules, drafting, editing, activating and retiring versions: checked, ledgered, versioned."""

import copy
import datetime as dt
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.ledger.models import LedgerEntry
from choujian.ledger.verify import verify
from choujian.registry.models import ProductCategory
from choujian.rules import schema, selectors
from choujian.rules.choices import RuleSetStatus
from choujian.rules.models import RuleSet
from choujian.rules.services import (
    ruleset_activate,
    ruleset_create,
    ruleset_load_files,
    ruleset_retire,
    ruleset_update,
)
from tests.factories import OrganisationFactory, member

STRAND = "jt-0303-prestressing-steel-strand.yaml"


def _problems() -> list:
    """Ledger problems other than factory-made rows (which have no entries by design)."""
    return [p for p in verify() if p.kind != "object" or p.object.startswith("ruleset:")]


def _entries(prefix: str = "ruleset:") -> int:
    return LedgerEntry.objects.filter(object__startswith=prefix).count()


def _copy(tmp_path, *names):
    for name in names:
        shutil.copy(schema.DATA_DIR / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def loaded(db):
    return ruleset_load_files(actor=None)


def test_it_loads_every_shipped_file_as_a_ledgered_draft(loaded):
    files = schema.rule_files()
    assert sorted(loaded.created) == sorted(p.name for p in files)
    assert RuleSet.objects.count() == len(files)
    assert set(RuleSet.objects.values_list("status", flat=True)) == {RuleSetStatus.STATUS_DRAFT}
    assert LedgerEntry.objects.filter(type="ruleset.loaded", actor="system").count() == len(files)
    strand = RuleSet.objects.get(source_file=STRAND)
    assert strand.category.code == "JT-0303" and strand.category.name == "预应力混凝土用钢绞线"
    assert strand.content_sha256 == schema.content_sha256(strand.content)
    assert _problems() == []


def test_loading_again_changes_nothing(loaded):
    before = (_entries(), list(RuleSet.objects.values_list("public_id", "version", "content_sha256")))
    again = ruleset_load_files(actor=None)
    assert not again.changed and len(again.unchanged) == len(loaded.created)
    assert (_entries(), list(RuleSet.objects.values_list("public_id", "version", "content_sha256"))) == before


def test_it_reuses_existing_categories(db):
    category = ProductCategory.objects.create(code="JT-0303", name="预应力混凝土用钢绞线", standard="GB/T 5224")
    ruleset_load_files(actor=None)
    assert RuleSet.objects.get(source_file=STRAND).category == category


def _move_date(directory, old: str, new: str, *names: str) -> None:
    for name in names:
        path = directory / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"effective_date: {old}", f"effective_date: {new}"), encoding="utf-8")


def test_a_changed_file_refreshes_its_draft_but_never_a_released_or_edited_version(world, tmp_path):
    waterstop_file = "jt-0402-rubber-waterstop.yaml"
    directory = _copy(tmp_path, STRAND, waterstop_file)
    ruleset_load_files(actor=None, directory=directory)
    _move_date(directory, "2025-01-01", "2025-03-01", STRAND, waterstop_file)
    refreshed = ruleset_load_files(actor=world.provincial_admin, directory=directory)
    assert sorted(refreshed.refreshed) == sorted([STRAND, waterstop_file])
    strand = RuleSet.objects.get(source_file=STRAND)
    assert strand.effective_date == dt.date(2025, 3, 1) and strand.version == 2
    assert LedgerEntry.objects.filter(type="ruleset.refreshed").count() == 2

    strand = ruleset_activate(actor=world.provincial_admin, ruleset=strand, version=2)
    waterstop = RuleSet.objects.get(source_file=waterstop_file)
    edited = copy.deepcopy(waterstop.content)
    edited["scope"] = "经审核修改的适用范围"
    waterstop = ruleset_update(actor=world.provincial_admin, ruleset=waterstop, content=edited, version=2)
    assert waterstop.source_file == ""
    _move_date(directory, "2025-03-01", "2025-04-01", STRAND, waterstop_file)
    kept = ruleset_load_files(actor=None, directory=directory)
    assert set(kept.kept) == {STRAND, waterstop_file} and not kept.changed
    assert "现行" in kept.kept[STRAND] and "平台上修改" in kept.kept[waterstop_file]
    assert RuleSet.objects.get(pk=strand.pk).effective_date == dt.date(2025, 3, 1)
    assert RuleSet.objects.get(pk=waterstop.pk).content["scope"] == "经审核修改的适用范围"
    assert _problems() == []


def test_one_bad_file_loads_nothing(db, tmp_path):
    directory = _copy(tmp_path, STRAND, "jt-0402-rubber-waterstop.yaml")
    path = directory / "jt-0402-rubber-waterstop.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('limit: ">=10"', 'limit: ">=ten"'), encoding="utf-8")
    with pytest.raises(ServiceError) as caught:
        ruleset_load_files(actor=None, directory=directory)
    (message,) = caught.value.errors["jt-0402-rubber-waterstop.yaml"]
    assert "检验项目 tensile_strength" in message and "字段 limit" in message
    assert RuleSet.objects.count() == 0 and _entries() == 0


def test_only_national_and_provincial_regulator_admins_write_rules(world, loaded):
    strand = RuleSet.objects.get(source_file=STRAND)
    county_admin = member(world.county, "regulator_admin", username="countyadmin")
    lab = OrganisationFactory(kind="laboratory", name="检测中心")
    tester = member(lab, "tester", username="tester")
    for outsider in (world.provincial_officer, county_admin, tester):
        with pytest.raises(NotPermitted):
            ruleset_activate(actor=outsider, ruleset=strand, version=strand.version)
        with pytest.raises(NotPermitted):
            ruleset_load_files(actor=outsider)
    assert ruleset_activate(actor=world.provincial_admin, ruleset=strand, version=1).status == "active"


def _new_version(content: dict, version: str) -> dict:
    content = copy.deepcopy(content)
    content["version"] = version
    return content


def test_an_admin_drafts_edits_activates_and_retires_a_version(world, loaded):
    admin = world.provincial_admin
    current = RuleSet.objects.get(source_file=STRAND)
    draft = ruleset_create(actor=admin, content=_new_version(current.content, "2025.2"))
    assert (draft.status, draft.source_file, draft.version) == ("draft", "", 1)
    assert LedgerEntry.objects.filter(type="ruleset.created", object=f"ruleset:{draft.public_id}").exists()

    edited = copy.deepcopy(draft.content)
    edited["items"][1]["verified"] = True
    edited["items"][1]["note"] = ""
    draft = ruleset_update(actor=admin, ruleset=draft, content=edited, version=1)
    assert draft.version == 2 and draft.content["items"][1]["verified"] is True
    assert draft.content_sha256 == schema.content_sha256(edited | {"items": draft.content["items"]})

    with pytest.raises(ConflictError):
        ruleset_update(actor=admin, ruleset=draft, content=current.content | {"version": "2025.2"}, version=1)

    active = ruleset_activate(actor=admin, ruleset=draft, version=2)
    with pytest.raises(ServiceError, match="不能修改"):
        ruleset_update(actor=admin, ruleset=active, content=edited, version=active.version)
    with pytest.raises(ServiceError, match="草拟中"):
        ruleset_activate(actor=admin, ruleset=active, version=active.version)
    retired = ruleset_retire(actor=admin, ruleset=active, version=active.version)
    assert retired.status == "retired"
    types = list(LedgerEntry.objects.filter(object=f"ruleset:{draft.public_id}").values_list("type", flat=True))
    assert types == ["ruleset.created", "ruleset.updated", "ruleset.activated", "ruleset.retired"]
    assert _problems() == []


def test_an_edit_keeps_the_category_and_version_and_is_checked(world, loaded):
    admin = world.provincial_admin
    strand = RuleSet.objects.get(source_file=STRAND)
    with pytest.raises(ServiceError, match="版本号"):
        ruleset_update(actor=admin, ruleset=strand, content=_new_version(strand.content, "9.9"), version=1)
    broken = copy.deepcopy(strand.content)
    broken["items"][0]["step"] = "0.3"
    with pytest.raises(ServiceError) as caught:
        ruleset_update(actor=admin, ruleset=strand, content=broken, version=1)
    assert "检验项目 diameter" in caught.value.errors["content"][0]
    with pytest.raises(ServiceError, match="请提供"):
        ruleset_update(actor=admin, ruleset=strand, version=1)
    assert RuleSet.objects.get(pk=strand.pk).version == 1


def test_creating_needs_a_known_category_and_a_new_version(world, loaded):
    strand = RuleSet.objects.get(source_file=STRAND)
    with pytest.raises(ServiceError, match="已有版本"):
        ruleset_create(actor=world.provincial_admin, content=strand.content)
    unknown = copy.deepcopy(strand.content)
    unknown["category"]["code"] = "JT-9999"
    with pytest.raises(ServiceError, match="不存在"):
        ruleset_create(actor=world.provincial_admin, content=unknown)


def test_the_version_in_force_is_the_latest_active_one_by_effective_date(world, loaded):
    admin = world.provincial_admin
    first = RuleSet.objects.get(source_file=STRAND)
    assert selectors.ruleset_in_force(first.category, dt.date(2026, 1, 1)) is None  # drafts are not in force
    ruleset_activate(actor=admin, ruleset=first, version=1)
    later = _new_version(first.content, "2027.1")
    later["effective_date"] = "2026-07-01"
    second = ruleset_activate(actor=admin, ruleset=ruleset_create(actor=admin, content=later), version=1)
    assert selectors.ruleset_in_force(first.category, dt.date(2024, 12, 31)) is None
    assert selectors.ruleset_in_force(first.category, dt.date(2026, 6, 30)) == first
    assert selectors.ruleset_in_force(first.category, dt.date(2026, 7, 1)) == second


@pytest.mark.tampers
def test_a_row_changed_behind_the_platforms_back_is_detected(loaded):
    strand = RuleSet.objects.get(source_file=STRAND)
    content = copy.deepcopy(strand.content)
    content["items"][1]["limit"]["1×7-15.20-1860"] = ">=250"
    RuleSet.objects.filter(pk=strand.pk).update(content=content)
    problems = _problems()
    assert len(problems) == 1 and "content" in problems[0].fields


def test_the_command_checks_and_loads(db, capsys):
    call_command("rules", "check")
    assert "jt-0303-prestressing-steel-strand.yaml: JT-0303 2025.1" in capsys.readouterr().out
    call_command("rules", "load")
    call_command("rules", "load")
    assert "未变 jt-0303-prestressing-steel-strand.yaml" in capsys.readouterr().out


def test_the_command_reports_a_bad_file(db, tmp_path):
    (tmp_path / "bad.yaml").write_text("schema: choujian-rules/1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="bad.yaml"):
        call_command("rules", "check", "--directory", str(tmp_path))
    with pytest.raises(CommandError, match="bad.yaml"):
        call_command("rules", "load", "--directory", str(tmp_path))
