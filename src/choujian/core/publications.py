"""Documents other contexts publish on the public portal (a quarterly bulletin…). A context registers a provider from
its app config; the portal lists what the providers give and never imports the contexts that publish."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Publication:
    kind: str  # shown as is: “季度质量通报”
    title: str
    published_at: dt.datetime
    url: str


Provider = Callable[[int], list[Publication]]
_PROVIDERS: list[Provider] = []


def provides(provider: Provider) -> Provider:
    """Register `provider(limit) -> [Publication, …]`, newest first."""
    _PROVIDERS.append(provider)
    return provider


def latest(limit: int = 10) -> list[Publication]:
    found = [publication for provider in _PROVIDERS for publication in provider(limit)]
    return sorted(found, key=lambda p: p.published_at, reverse=True)[:limit]
