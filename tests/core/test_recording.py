"""The one way a ledgered row is created: the row and its entry stand or fall together, inside the caller's work."""

import pytest
from django.db import transaction

from choujian.core import recording
from choujian.core.errors import NotPermitted, ServiceError
from choujian.ledger.models import LedgerEntry
from choujian.ledger.services import current_size
from choujian.registry.models import Enterprise
from choujian.registry.services import enterprise_create
from tests.factories import EnterpriseFactory


def _enterprise(uscc: str, name: str) -> Enterprise:
    return Enterprise(uscc=uscc, name=name, region="350102")


def test_it_undoes_the_row_and_its_entry_when_the_actor_may_not_hold_it(world):
    before = current_size()
    uscc = EnterpriseFactory.build().uscc
    with transaction.atomic():
        with pytest.raises(NotPermitted):
            recording.record_create(
                _enterprise(uscc, "不许登记的企业"), actor=world.county_officer, event="enterprise.created",
                allowed=lambda row: False,
            )  # fmt: skip
        # the caller's transaction goes on: nothing of the refused row is left in it
        assert not Enterprise.objects.filter(uscc=uscc).exists()
        assert current_size() == before
    assert not LedgerEntry.objects.filter(object__startswith="enterprise:", seq__gte=before).exists()


def test_it_reports_a_duplicate_the_check_missed_and_the_callers_transaction_goes_on(world, monkeypatch):
    officer = world.county_officer
    taken = enterprise_create(actor=officer, uscc=EnterpriseFactory.build().uscc, name="先登记的企业", region="350102")
    before = current_size()
    monkeypatch.setattr(recording, "validate", lambda instance, exclude=None: None)  # as when a twin commits first
    with transaction.atomic():
        with pytest.raises(ServiceError, match="与已有记录重复"):
            recording.record_create(_enterprise(taken.uscc, "同码的企业"), actor=officer, event="enterprise.created")
        assert Enterprise.objects.filter(uscc=taken.uscc).count() == 1
        assert current_size() == before
    other = recording.record_create(
        _enterprise(EnterpriseFactory.build().uscc, "后登记的企业"), actor=officer, event="enterprise.created"
    )
    assert LedgerEntry.objects.get(seq=before).object == f"enterprise:{other.public_id}"  # no gap left behind
