"""The chain of one spot check as links — task ⇄ sampling form ⇄ sample ⇄ report — on each of their pages.

Every context adds the steps it owns from its `chain` module (found at start-up, like the policies), and shows a step
only if the viewer may open it, so a blind tester's report page names no task and a contractor's chain stops where
their sight does. A lower context never imports a higher one: the task page learns of reports only through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Step:
    order: int  # position along the chain
    label: str
    code: str
    url: str


Provider = Callable[[Any, Any], list[Step]]
_PROVIDERS: list[Provider] = []


def provides(provider: Provider) -> Provider:
    """Register `provider(user, task) -> [Step]`: the steps of a task's chain its context owns."""
    _PROVIDERS.append(provider)
    return provider


def steps(user, task) -> list[Step]:
    if task is None or not getattr(user, "is_authenticated", False):
        return []
    found = [step for provider in _PROVIDERS for step in provider(user, task)]
    return sorted(found, key=lambda step: (step.order, step.code))
