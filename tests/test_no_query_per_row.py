"""No list costs a query per row: shown with one row or with a page of many, a list takes the same number of queries.
Every list of the API (found from the URLs, so a new one is covered) and every list page, as the people who see the
most rows of it, on the demo with its earlier years."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from choujian.accounts.models import User
from choujian.analytics import views as analytics_views
from choujian.core import listing
from choujian.disclosure import views as disclosure_views

pytestmark = pytest.mark.django_db
DEMO_HISTORY = True
DEMO_STATISTICS = True
# A prefetch runs only when some row on the page has related rows: a page of one may save a query or two, never more.
SLACK = 2
ROWS = SLACK + 2  # with this many rows a query per row shows as more than SLACK
PEOPLE = ("regulator", "tester", "intake", "sampler1", "manufacturer", "auditor")


def _api_lists() -> list[str]:
    found = ["/api/open/v1/results/"]

    def walk(resolver, namespace=None):
        for entry in resolver.url_patterns:
            if hasattr(entry, "url_patterns"):
                walk(entry, entry.namespace or namespace)
            elif (entry.name or "").endswith("-list") and "format" not in str(entry.pattern):
                found.append(reverse(f"{namespace}:{entry.name}" if namespace else entry.name))

    walk(get_resolver())
    return sorted(set(found))


def _queries(client, path: str) -> tuple[int, object]:
    client.get(path)  # a first read may fill a cache; the second is what every later visitor costs
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries), response


@pytest.fixture
def people(demo):
    from django.test import Client

    clients = {}
    for username in PEOPLE:
        clients[username] = Client()
        clients[username].force_login(User.objects.get(username=username))
    return clients


def test_an_api_list_takes_as_many_queries_for_fifty_rows_as_for_one(people):
    measured, growing = 0, []
    for path in _api_lists():
        for username, client in people.items():
            if client.get(path).status_code != 200:
                continue
            many, response = _queries(client, f"{path}?page_size=50")
            shown = len(response.json()["results"])
            if shown < ROWS:
                continue
            one, _ = _queries(client, f"{path}?page_size=1")
            if many > one + SLACK:
                growing.append(f"{path} as {username}: {one} queries for 1 row, {many} for {shown}")
            measured += 1
    assert not growing, "\n".join(growing)
    assert measured >= 15  # the demo fills most lists for somebody


LIST_PAGES = ["/plans/", "/plans/tasks/", "/sampling/samples/", "/lab/samples/", "/lab/reports/", "/lab/intakes/",
              "/enforcement/", "/registry/enterprise/", "/registry/product/", "/registry/project/",
              "/registry/delivery/", "/open/", "/analytics/results/"]  # fmt: skip


def test_a_list_page_takes_as_many_queries_for_a_page_of_rows_as_for_one(people, monkeypatch):
    measured, growing = 0, []
    for path in LIST_PAGES:
        for username, client in people.items():
            if client.get(path).status_code != 200:
                continue
            counts = []
            for size in (1, 25):
                for module in (listing, disclosure_views):
                    monkeypatch.setattr(module, "PAGE_SIZE", size)
                monkeypatch.setattr(analytics_views, "RESULTS_PAGE_SIZE", size)
                counts.append(_queries(client, path)[0])
            one, many = counts
            if many > one + SLACK:
                growing.append(f"{path} as {username}: {one} queries for 1 row, {many} for a page of 25")
            measured += 1
    assert not growing, "\n".join(growing)
    assert measured >= len(LIST_PAGES)


def test_a_blind_sample_page_takes_as_many_queries_after_many_corrections(people):
    """Each correction keeps the old values, shown struck out with the reason: read with the page, not one by one."""
    from choujian.demo.values import example_values
    from choujian.testing import services
    from choujian.testing.choices import LabStatus
    from choujian.testing.models import LabSample

    lab_sample = LabSample.objects.filter(status=LabStatus.STATUS_TESTING).first()
    path = f"/lab/samples/{lab_sample.lab_code}/"
    tester = User.objects.get(username="tester")

    def enter_every_item(reason: str) -> None:
        for item in services.item_details(lab_sample):
            services.result_enter(actor=tester, lab_sample=lab_sample, item=item["code"], values=example_values(item),
                                  instrument="万能试验机", reason=reason)  # fmt: skip

    enter_every_item("首次录入")
    before, _ = _queries(people["tester"], path)
    for round_ in range(1, 4):
        enter_every_item(f"第 {round_} 次复核")
    after, response = _queries(people["tester"], path)
    assert "第 3 次复核" in response.content.decode()
    assert after <= before + SLACK
