"""The implementation rules pages: everyone signed in reads them; a provincial regulator admin drafts a new version
from an existing one, is told which line of bad YAML is wrong, and puts the version in force."""

import pytest
import yaml

from choujian.rules.models import RuleSet
from choujian.rules.services import ruleset_load_files
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(world):
    ruleset_load_files(actor=None)
    return RuleSet.objects.get(category__code="JT-0303", rule_version="2025.1")


def test_it_lets_an_admin_draft_edit_and_activate_a_new_version(client, world, shipped):
    client.force_login(world.provincial_admin)
    listing = client.get("/rules/").content.decode()
    assert shipped.title in listing and "新建版本" in listing
    page = client.get(f"/rules/new/?from={shipped.public_id}").content.decode()
    assert "items:" in page
    content = dict(shipped.content, version="2027.1")
    made = client.post("/rules/new/", {"content": yaml.safe_dump(content, allow_unicode=True)})
    draft = RuleSet.objects.get(category__code="JT-0303", rule_version="2027.1")
    assert made.status_code == 302 and draft.status == "draft"
    broken = client.post(f"/rules/{draft.public_id}/", {"content": "items: [\n  - bad", "version": draft.version})
    assert "第" in broken.content.decode() and "YAML" in broken.content.decode()
    client.post(f"/rules/{draft.public_id}/activate/")
    assert RuleSet.objects.get(pk=draft.pk).status == "active"


def test_a_tester_reads_the_rules_but_cannot_change_them(client, world, shipped):
    lab = OrganisationFactory(kind="laboratory", level="", region="350100")
    client.force_login(member(lab, "tester", username="ruletester"))
    page = client.get(f"/rules/{shipped.public_id}/").content.decode()
    assert "GB/T" in page and "保存草稿" not in page
    assert client.post(f"/rules/{shipped.public_id}/activate/").status_code == 404
    assert client.get("/rules/new/").status_code == 404
    assert RuleSet.objects.get(pk=shipped.pk).status == "draft"
