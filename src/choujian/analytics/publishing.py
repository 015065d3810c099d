"""Published quarterly bulletins on the public portal (through `core.publications`)."""

from django.urls import reverse

from choujian.analytics.choices import BulletinStatus
from choujian.analytics.models import Bulletin
from choujian.core import publications


@publications.provides
def published_bulletins(limit: int) -> list[publications.Publication]:
    rows = Bulletin.objects.filter(status=BulletinStatus.STATUS_PUBLISHED).order_by("-published_at")[:limit]
    return [
        publications.Publication(
            "季度质量通报", row.title, row.published_at, reverse("analytics:bulletin_pdf", args=[row.code])
        )  # fmt: skip
        for row in rows
    ]
