"""Risk scores per enterprise and product category, which a plan can take its frame weights from. The context that
computes them registers a provider at start-up (its `flags` module); the frame builder asks here and never imports
that context — the scores reach it as data."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryScores:
    """`default` for an enterprise with no history in the category (the category's prior mean); `by_enterprise`
    maps an enterprise's id to its score and a one-line reason."""

    default: float
    by_enterprise: dict[int, tuple[float, str]]


Provider = Callable[[str], CategoryScores]
_PROVIDER: list[Provider] = []


def provides(provider: Provider) -> Provider:
    _PROVIDER[:] = [provider]
    return provider


def scores_of(category_code: str) -> CategoryScores | None:
    """None when no context computes scores (then a plan cannot weigh by them)."""
    return _PROVIDER[0](category_code) if _PROVIDER else None
