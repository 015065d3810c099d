"""The platform's own calendar: deadlines never blank, provisional years, entering a year recomputes deadlines."""

import datetime as dt

import pytest
import time_machine

from choujian.ledger.models import LedgerEntry
from choujian.workcalendar.models import CalendarYear
from choujian.workcalendar.services import deadline_record
from tests.factories import member

pytestmark = pytest.mark.django_db

NOTICE_2027 = {
    "source": "国办发明电〔2026〕99号（测试用），2026年11月20日",
    "reason": "国务院办公厅发布2027年节假日安排",
    # Test data, not the real notice: 元旦 through Monday 4 January moves deadlines counted across New Year.
    "holidays": [{"date": f"2027-01-0{d}", "name": "元旦"} for d in (1, 2, 3, 4)]
    + [{"date": f"2027-02-{d:02d}", "name": "春节"} for d in range(5, 13)],
    "workdays": ["2027-02-20"],
}


@pytest.fixture
def top_admin(world):
    return world.provincial_admin


def test_it_computes_a_deadline_across_new_year_as_a_provisional_date(api, world):
    response = api(world.county_officer).get("/api/v1/calendar/deadline/?from=2026-12-20&days=20&kind=working")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {"from": "2026-12-20", "days": 20, "kind": "working", "due": body["due"], "provisional": True}
    assert dt.date.fromisoformat(body["due"]) > dt.date(2027, 1, 1)


def test_it_rolls_a_calendar_period_that_ends_on_a_holiday(api, world):
    # 2026-09-16 + 15 days = 2026-10-01 (National Day, off to the 7th) → the first working day after, 2026-10-08.
    body = api(world.county_officer).get("/api/v1/calendar/deadline/?from=2026-09-16&days=15&kind=calendar").json()
    assert body["due"] == "2026-10-08" and body["provisional"] is False


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01&days=3&kind=working", "from"),
        ("from=2026-12-01&days=-1&kind=working", "days"),
        ("from=2026-12-01&days=3651&kind=working", "days"),
        ("from=2026-12-01&days=abc&kind=working", "days"),
        ("from=2026-12-01&days=3&kind=weekly", "kind"),
        ("from=1999-12-01&days=3&kind=working", "from"),
        ("days=3&kind=working", "from"),
    ],
)
def test_it_names_the_bad_field(api, world, query, field):
    response = api(world.county_officer).get(f"/api/v1/calendar/deadline/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_anonymous_users_cannot_use_the_calendar_api(api):
    assert api(None).get("/api/v1/calendar/deadline/?from=2026-12-01&days=3&kind=working").status_code in (401, 403)


@time_machine.travel(dt.datetime(2026, 12, 20, 10, tzinfo=dt.UTC), tick=False)
def test_it_lists_official_years_and_provisional_ones_three_years_ahead(api, world):
    years = {y["year"]: y for y in api(world.county_officer).get("/api/v1/calendar/years/").json()}
    assert years[2026]["status"] == "official" and "chinesecalendar" in years[2026]["source"]
    assert {"date": "2026-10-01", "name": "国庆节"} in years[2026]["holidays"]
    assert "2026-09-20" in years[2026]["workdays"]
    for year in (2027, 2028, 2029):
        assert years[year]["status"] == "provisional" and years[year]["workdays"] == []
    assert {"date": "2027-02-09", "name": "春节补假"} in years[2027]["holidays"]


def test_only_top_regulator_administrators_may_enter_a_year(api, world):
    for user in (world.county_officer, world.provincial_officer):
        assert api(user).put("/api/v1/calendar/years/2027/", NOTICE_2027, format="json").status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()
    county_admin = member(world.county, "regulator_admin", username="countyadmin")
    assert api(county_admin).put("/api/v1/calendar/years/2027/", NOTICE_2027, format="json").status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"holidays": [{"date": "2027-02-30", "name": "春节"}]}, "holidays[0].date"),
        ({"holidays": [{"date": "2028-01-01", "name": "元旦"}]}, "holidays[0].date"),
        ({"workdays": ["2027-01-01"]}, "workdays[0]"),
        ({"workdays": ["2027-02-22"]}, "workdays[0]"),  # a Monday
        ({"workdays": ["not a date"]}, "workdays[0]"),
        ({"source": ""}, "source"),
        ({"holidays": "春节"}, "holidays"),
    ],
)
def test_a_bad_entry_names_the_field_and_changes_nothing(api, top_admin, change, field):
    before = LedgerEntry.objects.count()
    response = api(top_admin).put("/api/v1/calendar/years/2027/", NOTICE_2027 | change, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert LedgerEntry.objects.count() == before


def test_a_year_outside_the_range_is_refused(api, top_admin):
    response = api(top_admin).put("/api/v1/calendar/years/2101/", NOTICE_2027, format="json")
    assert response.status_code == 400 and "year" in response.json()


def test_entering_a_year_recomputes_every_deadline_that_counted_it(api, world, top_admin):
    deadline = deadline_record(
        owner="test:1",
        field="due",
        label="测试期限",
        start=dt.date(2026, 12, 31),
        days=20,
        kind="working",
        basis="测试",
    )
    assert deadline.provisional and deadline.provisional_year == 2027
    provisional_due = deadline.due
    untouched = deadline_record(
        owner="test:2",
        field="due",
        label="2026年内的期限",
        start=dt.date(2026, 11, 2),
        days=5,
        kind="working",
        basis="测试",
    )
    response = api(top_admin).put("/api/v1/calendar/years/2027/", NOTICE_2027, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "official"
    deadline.refresh_from_db()
    assert not deadline.provisional
    # Official 2027 (test data): 1–4 January off, so the twentieth working day is Monday 1 February.
    assert deadline.due == dt.date(2027, 2, 1)
    assert deadline.due != provisional_due
    assert response.json()["recomputed"] == [
        {"deadline": "测试期限", "old": provisional_due.isoformat(), "new": "2027-02-01"}
    ]
    untouched.refresh_from_db()
    assert untouched.due == dt.date(2026, 11, 9)
    entry = LedgerEntry.objects.filter(type="calendar.year_entered").get()
    assert entry.object == "calendar_year:2027"


def test_the_admin_screen_previews_and_saves_a_year_from_the_notice_text(client, top_admin):
    top_admin.two_factor_exempt = True
    top_admin.save()
    client.force_login(top_admin)
    notice = (
        "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
        "二、春节：2月5日至12日放假调休，共8天。2月20日（周六）上班。"
    )
    form = {"source": "国办发明电〔2026〕99号", "reason": "通知发布", "notice": notice}
    preview = client.post("/calendar/2027/edit/", form | {"action": "preview"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "d-makeup" in page and "保存并重算期限" in page
    assert not CalendarYear.objects.filter(year=2027).exists()
    saved = client.post("/calendar/2027/edit/", form | {"action": "save"})
    assert saved.status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert year.status == "official" and year.entered_by == top_admin
    assert year.days.filter(kind="workday").get().date == dt.date(2027, 2, 20)
    detail = client.get("/calendar/2027/").content.decode()
    assert "正式" in detail and "国办发明电〔2026〕99号" in detail


def test_the_admin_screen_shows_a_bad_line_without_saving(client, top_admin):
    top_admin.two_factor_exempt = True
    top_admin.save()
    client.force_login(top_admin)
    form = {"source": "x", "reason": "y", "notice": "春节：2月30日放假。", "action": "save"}
    response = client.post("/calendar/2027/edit/", form)
    assert response.status_code == 200
    assert "不是有效的日期" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_provisional_year_page_explains_the_rule(client, world):
    client.force_login(world.county_officer)
    page = client.get("/calendar/2029/").content.decode()
    assert "暂定" in page and "补假" in page
    assert client.get("/calendar/1999/").status_code == 404
