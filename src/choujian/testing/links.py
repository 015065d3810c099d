"""The URL a report's QR code encodes: a public page that tells whether the report is genuine and unchanged."""

from django.conf import settings
from django.urls import reverse


def verify_path(report) -> str:
    return reverse("report-verify", args=[report.verify_token])


def verify_url(request, report) -> str:
    base = settings.CHOUJIAN_PUBLIC_URL
    if base:
        return base.rstrip("/") + verify_path(report)
    return request.build_absolute_uri(verify_path(report))
