"""Every ledger event is declared once, documented, and nothing else reaches the log."""

import re
from pathlib import Path

import pytest

from choujian.ledger import events
from choujian.ledger.services import ledger_append
from tests.conftest import TEST_EVENTS

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "choujian"
# A string that looks like "<family>.<what happened>" passed as an event name, or chosen as one.
NAMED = re.compile(r'(?:type|event)=\s*"([a-z_]+\.[a-z_]+)"|"([a-z_]+\.[a-z_]+)" if |else "([a-z_]+\.[a-z_]+)"')
TRANSITION = re.compile(r'_transition\([^)]*"([a-z_]+\.[a-z_]+)"')


def _names_in_source() -> set[str]:
    names = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in [*NAMED.finditer(text), *TRANSITION.finditer(text)]:
            names |= {group for group in match.groups() if group}
    return names


def test_every_event_the_code_names_is_declared():
    names = _names_in_source()
    assert len(names) > 60
    assert sorted(name for name in names if name not in events.EVENTS) == []


def test_the_document_is_current(monkeypatch):
    for name in [*TEST_EVENTS, "bench.appended"]:  # what tests and benchmarks declare for themselves
        monkeypatch.delitem(events.EVENTS, name, raising=False)
    assert (ROOT / "docs" / "ledger-events.md").read_text(encoding="utf-8") == events.document()


@pytest.mark.django_db
def test_an_undeclared_event_is_refused_and_admin_events_are_known_for_every_ledgered_kind():
    with pytest.raises(events.UnknownEvent):
        ledger_append(type="enterprise.renamed_quietly", actor="system", object="enterprise:x", data={})
    assert events.label("enterprise.admin_updated") == "在管理后台修改"
    with pytest.raises(events.UnknownEvent):
        events.label("nothing.admin_updated")
