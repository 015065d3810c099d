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


def _checker(operation, base_url: str, headers: dict, record_code: str, failures: list):
    """A hypothesis test of one operation; on the sampling form's own routes the code is the real form's."""
    on_records = "sampling-records" in operation.path

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case):
        if on_records and "code" in (case.path_parameters or {}):
            case.path_parameters["code"] = record_code
        response = case.call(base_url=base_url, headers=headers)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code}")

    return check


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
        if SAMPLING.match(operation.path):
            tried += 1
            _checker(operation, live_server.url, headers, record.code, failures)()
    assert tried >= 15, "the schema should expose the sampling operations"
    assert failures == []
