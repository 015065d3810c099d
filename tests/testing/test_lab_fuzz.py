"""Fuzz the laboratory API (worklist, results, intake, reports, objections, re-tests) from the OpenAPI schema as
the tester, the intake clerk and the inspected party: no input may produce a 500."""

import re

import pytest
import schemathesis

from choujian.testing import services
from tests.factories import api_token
from tests.fuzzing import checker
from tests.testing import conftest as testing
from tests.testing.test_lab_flow import _approved

LAB = re.compile(r"^/api/v1/(lab/|reports|objections|retests|outcomes|rules/evaluate)")
setting = testing.setting
field = testing.field
lab = testing.lab


@pytest.mark.django_db(transaction=True)
def test_it_never_answers_500_on_the_laboratory_api(live_server, lab):
    report = _approved(lab)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    operations = [r.ok() for r in schema.get_all_operations() if LAB.match(r.ok().path)]
    assert len(operations) >= 12
    failures = []
    fill = {"lab_code": report.lab_sample.lab_code, "code": report.code}
    for user in (lab.tester, lab.intake, lab.party):
        headers = {"Authorization": f"Token {api_token(user)}"}
        for operation in operations:
            checker(operation, live_server.url, headers, failures, fill)()
    assert failures == []
    assert services.current_results(report.lab_sample)  # the approved results were never changed by the fuzzing
