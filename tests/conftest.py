"""Shared fixtures: a small province with two counties, and the people who work in it."""

import datetime as dt
import os
from dataclasses import dataclass

import pytest
from hypothesis import settings as hypothesis_settings

from choujian.accounts.models import Organisation, User
from tests.factories import OrganisationFactory, member

# Timing belongs in the benchmarks: on a shared machine a slow first example must not fail a property test.
hypothesis_settings.register_profile("choujian", deadline=None)
hypothesis_settings.load_profile("choujian")


@pytest.fixture(scope="session", autouse=True)
def _frozen_today():
    """`CHOUJIAN_TEST_TODAY=YYYY-MM-DD` runs the suite as if it were that day (10:00 in Beijing, the clock ticking):
    CI runs the date-sensitive tests on late-December days, so a suite that would go red at New Year fails early."""
    today = os.environ.get("CHOUJIAN_TEST_TODAY")
    if not today:
        yield
        return
    import time_machine

    moment = dt.datetime.combine(dt.date.fromisoformat(today), dt.time(2, 0), tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=True):
        yield


# Entries the ledger's own tests write about nothing in particular.
TEST_EVENTS = {"test.note": "测试记录", "test.event": "测试事件", "test.adopted": "测试", "test.concurrent": "并发测试"}


@pytest.fixture(autouse=True)
def _test_events(monkeypatch):
    from choujian.ledger import events

    for name, meaning in TEST_EVENTS.items():
        monkeypatch.setitem(events.EVENTS, name, meaning)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing strength is not under test here; PBKDF2 would make every created user cost ~100 ms.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate limits count per test: the processes running tests side by side share the data directory's cache.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": tmp_path.name}
    }
    # Each test's commits are signed as they happen (tests/ledger/test_ledger_service.py tests the spacing).
    settings.CHOUJIAN_CHECKPOINT_SECONDS = 0


@dataclass
class World:
    province: Organisation
    city: Organisation
    county: Organisation
    other_county: Organisation
    provincial_officer: User
    county_officer: User
    other_county_officer: User
    provincial_admin: User


@pytest.fixture(autouse=True)
def _ledger_states_stay_true(request):
    """After every test that used the database, each object the ledger knows still digests to the state its last
    entry recorded: a service that changes a row (or a row embedded in it) without ledgering it fails here."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    transactional = transactional or bool(marker and marker.kwargs.get("transaction"))
    checked = (marker is not None or "db" in request.fixturenames) and not transactional
    checked = checked and request.node.get_closest_marker("tampers") is None
    start = None
    if checked:
        from choujian.ledger.models import LedgerHead

        request.getfixturevalue("db")  # set up first, so that the transaction is still open when we look
        start = LedgerHead.objects.values_list("size", flat=True).first() or 0
    yield
    if not checked:
        return
    from choujian.ledger.models import LedgerEntry
    from choujian.ledger.verify import check_object

    # The objects this test ledgered: a row changed again afterwards, or a row inside it changed, shows here.
    refs = LedgerEntry.objects.filter(seq__gte=start).order_by().values_list("object", flat=True).distinct()
    problems = [str(problem) for ref in refs if ref and (problem := check_object(ref)) is not None]
    assert problems == [], "ledger states differ from the rows after the test"


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    """Where the demo's files go: each test's own MEDIA_ROOT is another one."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo(request, django_db_setup, django_db_blocker, demo_media):
    """What `choujian demo` builds, built once per module (it takes seconds) inside a transaction that is rolled back
    when the module is done, so other modules start from an empty database; each test nests inside as a savepoint.
    The earlier spot checks and their enforcement cases (`demo.history`) only where the module sets
    `DEMO_HISTORY = True`: they change which enterprises today's draw picks; the earlier years' statistics too where it
    also sets `DEMO_STATISTICS = True`."""
    from django.db import transaction
    from django.test import override_settings

    from choujian.demo.builder import build_demo

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=demo_media)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        history = getattr(request.module, "DEMO_HISTORY", False)
        yield build_demo(history=history, statistics=history and getattr(request.module, "DEMO_STATISTICS", False))
        transaction.set_rollback(True)


@pytest.fixture
def world(db) -> World:
    province = OrganisationFactory(name="福建省交通运输厅", level="province", region="350000")
    city = OrganisationFactory(name="福州市交通运输局", level="city", region="350100", parent=province)
    county = OrganisationFactory(name="鼓楼区交通运输局", level="county", region="350102", parent=city)
    other = OrganisationFactory(name="台江区交通运输局", level="county", region="350103", parent=city)
    return World(
        province=province,
        city=city,
        county=county,
        other_county=other,
        provincial_officer=member(province, "regulator_officer", username="prov"),
        county_officer=member(county, "regulator_officer", username="gulou"),
        other_county_officer=member(other, "regulator_officer", username="taijiang"),
        provincial_admin=member(province, "regulator_admin", username="provadmin"),
    )


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    def client_for(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for
