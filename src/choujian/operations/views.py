"""`/healthz`: 200 while the platform can serve (ok or degraded), 503 when the database, the task queue or the file
storage is down."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from choujian.core.access import public
from choujian.operations import health


@public
@never_cache
@require_safe
def healthz(request):
    status, checks = health.report()
    body = {"status": status, "checks": {name: {"status": c.status, **c.detail} for name, c in checks.items()}}
    return JsonResponse(body, status=503 if status == health.DOWN else 200, json_dumps_params={"ensure_ascii": False})
