"""The URL a portion's QR label encodes: the sample code and an unguessable token, nothing else."""

from django.conf import settings
from django.urls import reverse


def label_path(portion) -> str:
    return reverse("sample-label", args=[portion.sample.code, portion.label_token])


def label_url(request, portion) -> str:
    base = getattr(settings, "CHOUJIAN_PUBLIC_URL", "") or ""
    if base:
        return base.rstrip("/") + label_path(portion)
    return request.build_absolute_uri(label_path(portion))
