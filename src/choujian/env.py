"""Strict parsing of the environment: a typo in a setting stops the start-up with a clear message."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip(), 10)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is outside {minimum}..{maximum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_days(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """A comma-separated list of day counts (0–60), largest first."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        days = sorted({int(item.strip(), 10) for item in raw.split(",") if item.strip()}, reverse=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a list of whole numbers of days") from None
    if not days or any(not 0 <= n <= 60 for n in days):
        raise ImproperlyConfigured(f"{name}={raw!r}: each number of days must be between 0 and 60")
    return tuple(days)
