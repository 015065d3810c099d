"""The scheduled check: it finds a row edited behind the platform's back, tells the administrators once, and clears
when the row is right again."""

import io

import pytest
from django.core.management import call_command

from choujian.accounts.models import Membership, Organisation
from choujian.ledger.models import WatchState
from choujian.ledger.services import ledger_append
from choujian.ledger.watch import ledger_watch
from choujian.notifications.ledger_alerts import guardians
from choujian.notifications.models import Message
from choujian.registry import services as registry
from choujian.registry.models import Enterprise
from tests.factories import EnterpriseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.tampers]


@pytest.fixture
def enterprises(world):
    # Factories write rows without entries; a real site creates them through services (the demo does).
    for row in [*Organisation.objects.order_by("pk"), *Membership.objects.order_by("pk")]:
        ledger_append(type="test.adopted", actor="system", object=row)
    return [
        registry.enterprise_create(
            actor=world.county_officer, uscc=EnterpriseFactory.build().uscc, name=name, region="350102"
        )
        for name in ("福州甲公司", "福州乙公司", "福州丙公司")
    ]


def test_a_clean_platform_passes_and_the_bookmark_moves_on(enterprises):
    first = ledger_watch()
    assert first.ok and first.entries > 0 and first.touched >= 3
    second = ledger_watch()
    assert second.ok and second.entries == 0 and second.touched == 0
    state = WatchState.objects.get()
    assert state.last_ok_at is not None and state.problems == []


def test_it_names_a_direct_edit_and_tells_the_administrators_once(world, enterprises):
    ledger_watch()
    Enterprise.objects.filter(pk=enterprises[1].pk).update(name="改名公司")
    report = ledger_watch(budget=100)
    assert not report.ok and len(report.problems) == 1
    problem = report.problems[0]
    assert problem["object"] == f"enterprise:{enterprises[1].public_id}" and problem["fields"] == ["name"]
    assert "改名公司" in problem["message"]
    told = Message.objects.filter(subject__contains="追溯日志校验")
    assert {m.recipient for m in told} == {world.provincial_admin} == set(guardians())
    assert "改名公司" in told.get().body

    again = ledger_watch(budget=100)
    assert len(again.problems) == 1 and again.new_problems == [] and told.count() == 1

    Enterprise.objects.filter(pk=enterprises[1].pk).update(name="福州乙公司")
    cleared = ledger_watch(budget=100)
    assert cleared.ok and WatchState.objects.get().problems == []


def test_the_rolling_recheck_reaches_every_row_within_rows_over_budget_runs(enterprises):
    ledger_watch()
    Enterprise.objects.filter(pk=enterprises[2].pk).update(address="篡改地址")
    # One row per kind per run: the third enterprise is re-read by the third run at the latest.
    found = [not ledger_watch(budget=1).ok for _ in range(4)]
    assert any(found)


def test_the_command_exits_non_zero_on_a_problem(enterprises):
    call_command("ledger", "watch", stdout=io.StringIO())
    Enterprise.objects.filter(pk=enterprises[0].pk).update(region="350103")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("ledger", "watch", stdout=out)
    assert exit_.value.code == 1 and "region" in out.getvalue()


def test_the_ledger_page_shows_the_watch(client, world, enterprises):
    ledger_watch()
    Enterprise.objects.filter(pk=enterprises[0].pk).update(name="改名公司")
    ledger_watch()
    client.force_login(world.provincial_officer)
    page = client.get("/ledger/").content.decode()
    assert "定时校验" in page and "1 处记录与日志不符" in page and "改名公司" in page
