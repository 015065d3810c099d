"""Warnings about enterprises that other contexts raise, shown where the registry names an enterprise (a lot arriving
at a project from a blacklisted manufacturer). A context adds them from its `flags` module (found at start-up); the
registry asks here and never imports the context that knows."""

from collections.abc import Callable, Iterable

Provider = Callable[[list[int]], dict[int, list[str]]]
_PROVIDERS: list[Provider] = []


def provides(provider: Provider) -> Provider:
    """Register `provider(enterprise_ids) -> {enterprise_id: [warning, …]}`."""
    _PROVIDERS.append(provider)
    return provider


def enterprise_flags(enterprise_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = sorted({pk for pk in enterprise_ids if pk is not None})
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for provider in _PROVIDERS:
        for pk, warnings in provider(ids).items():
            found.setdefault(pk, []).extend(warnings)
    return found
