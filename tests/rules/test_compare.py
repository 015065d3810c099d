"""Two editions of a category's rules compared item by item, as the rule page shows them before activation."""

import pytest

from choujian.rules import schema
from choujian.rules.compare import compare
from choujian.rules.models import RuleSet
from choujian.rules.services import ruleset_load_files


def _edition(code: str, version: str) -> dict:
    return next(c for _, c in schema.load_directory() if c["category"]["code"] == code and c["version"] == version)


def test_it_names_added_rows_items_and_changed_limits_of_the_strand_editions():
    changes = compare(_edition("JT-0303", "2025.1"), _edition("JT-0303", "2026.1"))
    found = {(c.kind, c.where): (c.before, c.after) for c in changes}
    assert ("added", "规格 1×7-15.20-1960") in found
    assert found[("changed", "项目 公称直径·限值·1×7-12.70-1860")] == ("12.55~13.00", "12.50~13.10")
    assert found[("added", "项目 整根钢绞线最大力 Fm·限值·1×7-15.20-1960")] == ("", ">=274")
    assert ("added", "项目 0.2% 屈服力与最大力之比 Fp0.2/Fm") in found
    assert not any(c.where.startswith("项目 表面质量") for c in changes)


def test_a_removed_item_and_an_identical_edition():
    old = _edition("JT-0501", "2026.1")
    assert compare(old, old) == []
    shorter = {**old, "items": [i for i in old["items"] if i["code"] != "wall_thickness"]}
    assert [c.kind for c in compare(old, shorter)] == ["removed"]


@pytest.mark.django_db
def test_the_rule_page_compares_with_the_previous_edition(client, world):
    ruleset_load_files(actor=None)
    newer = RuleSet.objects.get(category__code="JT-0303", rule_version="2026.1")
    client.force_login(world.county_officer)
    page = client.get(f"/rules/{newer.public_id}/").content.decode()
    assert "与其他版本比较" in page and "从 2025.1 到 2026.1 的变化" in page
    assert "规格 1×7-15.20-1960" in page and "12.50~13.10" in page
    older = RuleSet.objects.get(category__code="JT-0303", rule_version="2025.1")
    back = client.get(f"/rules/{older.public_id}/?compare={newer.public_id}").content.decode()
    assert "从 2026.1 到 2025.1 的变化" in back
