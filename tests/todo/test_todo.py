"""Every demo login lands on its to-do page: each line counts what its selector lists, links to a page the person
may open, and that page shows every item the line counts; the API gives the same lines."""

import datetime as dt

import pytest
from django.urls import reverse

from choujian.accounts.models import User
from choujian.demo.data import LOGINS
from choujian.demo.lab import PARTY_LOGINS
from choujian.todo.kinds import BY_KEY
from choujian.todo.selectors import todo_for
from tests.factories import signed_in

pytestmark = pytest.mark.django_db
USERNAMES = [spec.username for spec in LOGINS] + list(PARTY_LOGINS)
DEMO_HISTORY = True  # the enforcement cases of the earlier checks put work on the parties' lists
DEMO_STATISTICS = True  # the warnings and the bulletin waiting for its second approval


@pytest.mark.parametrize("username", USERNAMES)
def test_each_login_lands_on_a_to_do_page_whose_lines_match_their_lists(demo, demo_media, settings, username):
    settings.MEDIA_ROOT = demo_media
    user = User.objects.get(username=username)
    client = signed_in(username)
    home = client.get("/")
    assert home.status_code == 200
    page = home.content.decode()
    for line in todo_for(user):
        kind = BY_KEY[line.kind]
        rows = kind.rows(user)
        assert line.count == rows.values("pk").distinct().count() > 0
        assert f'data-kind="{line.kind}"' in page and line.url in page.replace("&amp;", "&")
        listed = client.get(line.url.split("#")[0])
        assert listed.status_code == 200, line.url
        body = listed.content.decode()
        for code in rows.values_list(kind.codes, flat=True)[:50]:
            assert str(code) in body, f"{line.kind}: {code} is counted but not on {line.url}"
    api = client.get("/api/v1/todo/").json()
    assert [item["kind"] for item in api] == [line.kind for line in todo_for(user)]


def test_the_demo_roles_find_their_work_waiting(demo):
    waiting = {
        username: {line.kind: line for line in todo_for(User.objects.get(username=username))} for username in USERNAMES
    }
    assert {"draws_to_run", "alternates_requested", "refused_tasks"} <= set(waiting["regulator"])
    assert any("tasks_to_sample" in waiting[f"sampler{n}"] for n in range(1, 6))  # whoever the draws sent
    assert {"handovers_to_receive", "samples_to_take_in"} <= set(waiting["intake"])
    assert "samples_to_test" in waiting["tester"] and "reports_to_review" in waiting["reviewer"]
    # The objector's notice was served when it objected in the platform; the recipient's waits for its signature.
    assert "notices_to_acknowledge" not in waiting["objector"] and "notices_to_acknowledge" in waiting["recipient"]
    assert "notices_unserved" in waiting["regulator"]
    assert "warnings_to_handle" in waiting["regulator"] and "bulletins_to_publish" in waiting["regulator2"]
    assert "bulletins_to_publish" not in waiting["regulator"]  # the drafter does not approve their own
    # A county sees the province's tasks on its ground, but the province decides about them.
    assert "alternates_requested" not in waiting["county"] and "draws_to_run" not in waiting["county"]
    # Enforcement: the manufacturer rectifies, the contractor takes a failed lot off its site, the regulator acts.
    assert "case_steps_for_party" in waiting["manufacturer"] and "case_steps_for_party" in waiting["objector"]
    assert "removals_to_record" in waiting["contractor"] and "case_steps_to_do" in waiting["regulator"]
    # Blind testers are never pointed at anything that names an enterprise.
    assert set(waiting["tester"]) <= {"samples_to_test", "overdue_testing"}


def test_overdue_work_comes_first_and_is_marked(demo, settings):
    from choujian.testing.models import LabSample

    tester = User.objects.get(username="tester")
    lab_sample = LabSample.objects.filter(laboratory__memberships__user=tester, status="testing").first()
    LabSample.objects.filter(pk=lab_sample.pk).update(due_on=dt.date(2020, 1, 2))
    lines = todo_for(tester)
    assert lines[0].kind in {"samples_to_test", "overdue_testing"} and lines[0].overdue >= 1
    page = signed_in("tester").get("/").content.decode()
    assert "is-overdue" in page and "2020-01-02" in page


def test_a_person_with_nothing_waiting_is_told_so(demo):
    page = signed_in("approver3").get("/").content.decode()
    assert "目前没有等您处理的工作" in page


def test_the_to_do_api_needs_a_signed_in_caller(client, db):
    assert client.get(reverse("api-todo")).status_code in (401, 403)
