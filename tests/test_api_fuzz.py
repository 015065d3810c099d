"""Fuzz the registry API from its own OpenAPI schema over HTTP: no input may produce a 500."""

import re

import pytest
import schemathesis

from tests.factories import DeliveryFactory, OrganisationFactory, api_token, member
from tests.fuzzing import checker

REGISTRY = re.compile(r"^/api/v1/(enterprises|products|projects|sections|deliveries|organisations|categories|me)/")
EXAMPLES_PER_OPERATION = 12


@pytest.mark.django_db(transaction=True)
def test_it_never_answers_500_on_the_registry_api(live_server):
    province = OrganisationFactory(name="福建省交通运输厅", level="province", region="350000")
    user = member(province, "regulator_admin", username="fuzzer")
    DeliveryFactory(section__project__region="350102")
    headers = {"Authorization": f"Token {api_token(user)}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    failures, tried = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not REGISTRY.match(operation.path):
            continue
        tried += 1

        checker(operation, live_server.url, headers, failures, examples=EXAMPLES_PER_OPERATION)()
    assert tried >= 20, "the schema should expose the registry operations"
    assert failures == []
