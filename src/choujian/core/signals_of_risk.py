"""Facts about enterprises that other contexts know and a risk-based frame weighs (a maker on the blacklist). A
context adds them from its `flags` module (found at start-up); the frame builder asks here and never imports the
context that knows — the facts reach it as data."""

from collections.abc import Callable

Provider = Callable[[], dict[int, list[str]]]
_PROVIDERS: list[Provider] = []


def provides(provider: Provider) -> Provider:
    """Register `provider() -> {enterprise_id: [reason, …]}`: each reason raises the enterprise's weight once."""
    _PROVIDERS.append(provider)
    return provider


def enterprise_risk_signals() -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for provider in _PROVIDERS:
        for pk, reasons in provider().items():
            found.setdefault(pk, []).extend(reasons)
    return found
