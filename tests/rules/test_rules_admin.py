"""Rule versions edited in the admin go through the services: checked, version-checked and ledgered."""

import copy

import yaml

from choujian.ledger.models import LedgerEntry
from choujian.rules.models import RuleSet
from choujian.rules.services import ruleset_load_files
from tests.factories import UserFactory

STRAND = "jt-0303-prestressing-steel-strand.yaml"


def _staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))


def test_it_drafts_a_new_version_from_yaml_in_the_admin(client, db):
    ruleset_load_files(actor=None)
    _staff(client)
    content = RuleSet.objects.get(source_file=STRAND).content
    document = yaml.safe_dump({**content, "version": "2025.2"}, allow_unicode=True, sort_keys=False)
    response = client.post("/admin/rules/ruleset/add/", {"document": document})
    assert response.status_code == 302, response.content.decode()[:2000]
    created = RuleSet.objects.get(rule_version="2025.2")
    assert created.content == {**content, "version": "2025.2"}
    assert LedgerEntry.objects.filter(type="ruleset.created", object=f"ruleset:{created.public_id}").exists()


def test_the_admin_shows_problems_in_the_document_and_saves_nothing(client, db):
    ruleset_load_files(actor=None)
    _staff(client)
    strand = RuleSet.objects.get(source_file=STRAND)
    content = copy.deepcopy(strand.content)
    content["items"][1]["limit"]["1×7-15.20-1860"] = ">=abc"
    document = yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
    response = client.post(f"/admin/rules/ruleset/{strand.pk}/change/", {"document": document})
    assert response.status_code == 200
    assert "检验项目 max_force，字段 limit.1×7-15.20-1860" in response.content.decode()
    assert RuleSet.objects.get(pk=strand.pk).version == 1


def test_it_activates_through_the_admin_action_and_then_refuses_edits(client, db):
    ruleset_load_files(actor=None)
    _staff(client)
    strand = RuleSet.objects.get(source_file=STRAND)
    response = client.post(
        "/admin/rules/ruleset/", {"action": "activate", "_selected_action": [strand.pk]}, follow=True
    )
    assert response.status_code == 200
    assert RuleSet.objects.get(pk=strand.pk).status == "active"
    assert LedgerEntry.objects.filter(type="ruleset.activated").count() == 1
    document = yaml.safe_dump(strand.content, allow_unicode=True, sort_keys=False)
    assert client.post(f"/admin/rules/ruleset/{strand.pk}/change/", {"document": document}).status_code == 403
