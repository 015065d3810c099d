"""One log line per request, and a request id on every log line written while it is served: taken from the proxy's
`X-Request-ID` when it is a plain token, otherwise made here; sent back in the response's `X-Request-ID`, so an
operator can find a user's report in the logs (`CHOUJIAN_LOG_FORMAT=json` writes the lines as JSON)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
TOKEN = re.compile(r"[A-Za-z0-9._-]{8,64}")
log = logging.getLogger("choujian.request")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if TOKEN.fullmatch(offered) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            log.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "ms": round((time.perf_counter() - started) * 1000, 1),
                       "user": user.pk if user is not None and user.is_authenticated else None},
            )  # fmt: skip
            return response
        finally:
            _request_id.reset(token)
