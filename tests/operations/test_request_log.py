"""Every request is logged once with its id, method, path, status and time; the id comes back in the response and
is on every line written while the request was served, as JSON when asked."""

import json
import logging

import pytest
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from choujian.core.requestlog import RequestIdFilter

pytestmark = pytest.mark.django_db


def test_a_request_is_logged_with_its_id_which_the_response_returns(caplog):
    caplog.set_level(logging.INFO, logger="choujian.request")
    response = Client().get("/healthz", headers={"X-Request-ID": "lb-7f3a9c2e5b1d"})
    assert response["X-Request-ID"] == "lb-7f3a9c2e5b1d"
    line = next(r for r in caplog.records if r.name == "choujian.request")
    assert (line.method, line.path, line.status) == ("GET", "/healthz", response.status_code) and line.ms >= 0
    made = Client().get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})["X-Request-ID"]
    assert len(made) == 32 and "\n" not in made  # a header that is not a plain token is replaced


def test_the_json_format_carries_the_request_id_on_each_line():
    handler_output = []

    class Capture(logging.Handler):
        def emit(self, record):
            handler_output.append(self.format(record))

    handler = Capture()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"))
    logger = logging.getLogger("choujian.request")
    logger.addHandler(handler)
    try:
        response = Client().get("/healthz")
    finally:
        logger.removeHandler(handler)
    record = json.loads(handler_output[-1])
    assert record["request_id"] == response["X-Request-ID"] and record["status"] == response.status_code
