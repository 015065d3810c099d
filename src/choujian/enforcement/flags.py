"""The blacklist's warning on an enterprise wherever the registry shows it (see `core.flags`)."""

from choujian.core.flags import provides
from choujian.enforcement.choices import ListingStatus
from choujian.enforcement.models import BlacklistEntry


@provides
def blacklisted(enterprise_ids: list[int]) -> dict[int, list[str]]:
    listed = BlacklistEntry.objects.filter(enterprise_id__in=enterprise_ids, status=ListingStatus.STATUS_LISTED)
    found: dict[int, list[str]] = {}
    for entry in listed.order_by("until"):
        found.setdefault(entry.enterprise_id, []).append(f"黑名单（至 {entry.until:%Y-%m-%d}）")
    return found
