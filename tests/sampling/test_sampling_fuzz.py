"""Fuzz the sampling and custody API from its own OpenAPI schema over HTTP: no input may produce a 500."""

import re
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from choujian.sampling import services
from tests.sampling import conftest as sampling

SAMPLING = re.compile(r"^/api/v1/(sampling-records|samples|portions|evidence|signatures|handovers|alternate-requests)/")
EXAMPLES_PER_OPERATION = 10
setting = sampling.setting
field = sampling.field


@pytest.mark.django_db(transaction=True)
def test_it_never_answers_500_on_the_sampling_api(live_server, field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    sampling.complete_form(record, sampler)
    headers = {"Authorization": f"Token {Token.objects.create(user=sampler).key}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    failures, tried = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not SAMPLING.match(operation.path):
            continue
        tried += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case, path=operation.path):
            if "code" in (case.path_parameters or {}) and "sampling-records" in path:
                case.path_parameters["code"] = record.code
            response = case.call(base_url=live_server.url, headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code}")

        check()
    assert tried >= 15, "the schema should expose the sampling operations"
    assert failures == []
