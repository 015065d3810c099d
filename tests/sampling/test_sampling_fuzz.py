"""Fuzz the sampling and custody API from its own OpenAPI schema over HTTP: no input may produce a 500."""

import re
import uuid

import pytest
import schemathesis

from choujian.sampling import services
from tests.factories import api_token
from tests.fuzzing import checker
from tests.sampling import conftest as sampling

SAMPLING = re.compile(r"^/api/v1/(sampling-records|samples|portions|evidence|signatures|handovers|alternate-requests)/")
setting = sampling.setting
field = sampling.field


@pytest.mark.django_db(transaction=True)
def test_it_never_answers_500_on_the_sampling_api(live_server, field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    sampling.complete_form(record, sampler)
    headers = {"Authorization": f"Token {api_token(sampler)}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    failures, tried = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if SAMPLING.match(operation.path):
            tried += 1
            fill = {"code": record.code} if "sampling-records" in operation.path else {}
            checker(operation, live_server.url, headers, failures, fill)()
    assert tried >= 15, "the schema should expose the sampling operations"
    assert failures == []
