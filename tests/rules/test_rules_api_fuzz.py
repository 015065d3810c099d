"""Fuzz the rules API from its own OpenAPI schema over HTTP: no input may produce a 500."""

import re

import pytest
import schemathesis

from choujian.rules.services import ruleset_load_files
from tests.factories import OrganisationFactory, api_token, member
from tests.fuzzing import checker

RULES = re.compile(r"^/api/v1/rules/")
EXAMPLES_PER_OPERATION = 25


@pytest.mark.django_db(transaction=True)
def test_it_never_answers_500_on_the_rules_api(live_server):
    province = OrganisationFactory(name="福建省交通运输厅", level="province", region="350000")
    user = member(province, "regulator_admin", username="rulesfuzzer")
    ruleset_load_files(actor=None)
    headers = {"Authorization": f"Token {api_token(user)}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    failures, tried = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not RULES.match(operation.path):
            continue
        tried += 1

        checker(operation, live_server.url, headers, failures, examples=EXAMPLES_PER_OPERATION)()
    assert tried >= 6, "the schema should expose the rules operations"
    assert failures == []
