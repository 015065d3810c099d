"""The blacklist's warning on an enterprise wherever the registry shows it (see `core.flags`), and the listing as a
risk signal that raises the maker's weight in a risk-based frame (see `core.signals_of_risk`)."""

from choujian.core import signals_of_risk
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


@signals_of_risk.provides
def listed_makers() -> dict[int, list[str]]:
    listed = BlacklistEntry.objects.filter(status=ListingStatus.STATUS_LISTED).order_by("enterprise_id", "until")
    found: dict[int, list[str]] = {}
    for enterprise_id, until in listed.values_list("enterprise_id", "until"):
        found.setdefault(enterprise_id, []).append(f"列入黑名单（至 {until:%Y-%m-%d}）")
    return found
