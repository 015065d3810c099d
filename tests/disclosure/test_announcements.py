"""Announcements: drafted from final results, invisible to the public until another person publishes them; a
published row is never edited — a correction is a new version, a withdrawal keeps it visible — and every change
enters the public feed with its ledger entry."""

import pytest
from django.test import Client

from choujian.accounts.models import User
from choujian.core.errors import NotPermitted, ServiceError
from choujian.disclosure import selectors, services
from choujian.disclosure.models import Change, ResultRow
from choujian.ledger.models import LedgerEntry
from choujian.planning.models import Plan
from choujian.todo.selectors import todo_for

pytestmark = pytest.mark.django_db


def _people():
    return User.objects.get(username="regulator"), User.objects.get(username="regulator2")


def _draft():
    drafter, _ = _people()
    plan = Plan.objects.get(status="drawn")
    return services.announcement_draft(actor=drafter, plan=plan)


def test_a_draft_is_invisible_to_the_public_until_another_person_publishes_it(demo):
    drafter, reviewer = _people()
    announcement = _draft()
    row = announcement.rows.first()
    assert row is not None and row.conclusion == "fail" and row.failed_items
    anonymous = Client()
    assert anonymous.get(f"/open/announcements/{announcement.code}/").status_code == 404
    assert anonymous.get(f"/open/announcements/{announcement.code}.pdf").status_code == 404
    assert row.enterprise_name not in anonymous.get("/").content.decode()
    assert anonymous.get("/api/open/v1/results/").json()["count"] == 0
    with pytest.raises(ServiceError) as own:
        services.announcement_publish(actor=drafter, announcement=announcement)
    assert "另一人" in str(own.value)
    with pytest.raises(NotPermitted):
        services.announcement_publish(actor=User.objects.get(username="county"), announcement=announcement)
    services.announcement_publish(actor=reviewer, announcement=announcement)
    page = anonymous.get(f"/open/announcements/{announcement.code}/").content.decode()
    assert row.enterprise_name in page and "一、基本情况" in page and "二、抽查结果" in page
    assert row.enterprise_name in anonymous.get("/").content.decode()
    pdf = anonymous.get(f"/open/announcements/{announcement.code}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert anonymous.get(f"/open/announcements/{announcement.code}.pdf").content == pdf.content  # reproducible
    api = anonymous.get("/api/open/v1/results/")
    assert api["Access-Control-Allow-Origin"] == "*"
    [published] = api.json()["results"]
    assert published["id"] == str(row.row_id) and published["version"] == 1 and published["last_updated"]
    assert published["enterprise"] == row.enterprise_name and published["conclusion"] == "fail"
    entry = LedgerEntry.objects.get(type="announcement.published")
    assert Change.objects.get(row=row).ledger_seq == entry.seq


def test_nothing_names_an_inspector(demo):
    announcement = _draft()
    _, reviewer = _people()
    services.announcement_publish(actor=reviewer, announcement=announcement)
    page = Client().get(f"/open/announcements/{announcement.code}/").content.decode()
    task = announcement.rows.get().task
    for inspector in (ti.inspector for ti in task.inspectors.all()):
        assert inspector.display_name not in page and inspector.username not in page


def test_a_correction_publishes_a_new_version_and_both_stay_reachable(demo):
    _, reviewer = _people()
    announcement = services.announcement_publish(actor=reviewer, announcement=_draft())
    row = announcement.rows.get()
    with pytest.raises(ServiceError) as no_reason:
        services.row_correct(actor=reviewer, row=row, reason="", batch_no="X")
    assert "reason" in no_reason.value.errors
    with pytest.raises(ServiceError) as verdict:
        services.row_correct(actor=reviewer, row=row, reason="改结论", conclusion="pass")
    assert "conclusion" in verdict.value.errors
    corrected = services.row_correct(
        actor=reviewer, row=row, reason="批号抄录有误，按抽样单更正", batch_no="B-20261101"
    )
    assert (corrected.row_id, corrected.edition, corrected.batch_no) == (row.row_id, 2, "B-20261101")
    assert ResultRow.objects.get(pk=row.pk).status == "superseded"
    client = Client()
    page = client.get(f"/open/results/{row.row_id}/").content.decode()
    assert "批号抄录有误" in page and "第 1 版" in page and "第 2 版" in page
    [current] = client.get("/api/open/v1/results/").json()["results"]
    assert current["version"] == 2 and current["batch_no"] == "B-20261101"
    feed = client.get("/open/changes/").json()["changes"]
    assert [c["kind"] for c in feed] == ["published", "corrected"]
    assert feed[1]["result"]["version"] == 2 and feed[1]["reason"] == "批号抄录有误，按抽样单更正"
    since = feed[0]["at"]
    assert [c["kind"] for c in client.get("/open/changes/", {"since": since}).json()["changes"]] == ["corrected"]
    assert client.get("/open/changes/", {"since": "昨天"}).status_code == 400
    atom = client.get("/open/changes.atom")
    assert atom["Content-Type"].startswith("application/atom+xml") and "更正" in atom.content.decode()


def test_a_withdrawn_row_stays_visible_with_its_reason(demo):
    _, reviewer = _people()
    announcement = services.announcement_publish(actor=reviewer, announcement=_draft())
    row = services.row_withdraw(actor=reviewer, row=announcement.rows.get(), reason="复检机构资质存疑，待核实")
    results = Client().get("/api/open/v1/results/").json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [("withdrawn", "复检机构资质存疑，待核实")]
    with pytest.raises(ServiceError):
        services.row_withdraw(actor=reviewer, row=row, reason="再次撤回")
    assert "已撤回" in Client().get(f"/open/announcements/{announcement.code}/").content.decode()
    staff = Client()
    staff.force_login(reviewer)
    page = staff.get(f"/open/announcements/{announcement.code}/").content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<form" not in title and page.count('id="correct"') == 1  # the correction form once, in the page


def test_the_csv_and_xlsx_carry_the_same_rows_as_the_api(demo):
    from choujian.core import tabular

    _, reviewer = _people()
    announcement = services.announcement_publish(actor=reviewer, announcement=_draft())
    row = announcement.rows.get()
    client = Client()
    csv = client.get("/open/results.csv")
    assert csv.status_code == 200 and row.enterprise_name in csv.content.decode("utf-8-sig")
    table = tabular.read_bytes("r.xlsx", client.get("/open/results.xlsx").content)
    assert len(table.rows) == 1 and str(row.row_id) in [str(v) for v in table.rows[0]]
    assert client.get("/open/results.csv", {"region": "abc"}).status_code == 400


def test_the_portal_is_public_and_searchable(demo):
    client = Client()
    home = client.get("/")
    assert home.status_code == 200 and "产品质量监督抽查结果公开" in home.content.decode()
    assert "尚未公开任何抽查结果" in home.content.decode()
    assert "地区应为 6 位" in client.get("/", {"region": "福州"}).content.decode()
    _, reviewer = _people()
    row = services.announcement_publish(actor=reviewer, announcement=_draft()).rows.get()
    found = client.get("/", {"q": row.enterprise_uscc}).content.decode()
    assert row.enterprise_name in found and "查询结果：1 条" in found
    assert "没有符合条件" in client.get("/", {"q": "不存在的企业"}).content.decode()
    assert client.get(f"/open/enterprises/{row.enterprise_uscc}/").status_code == 200
    assert selectors.published_rows(None, conclusion="pass").count() == 0


def test_the_same_results_are_not_announced_twice(demo):
    _, reviewer = _people()
    services.announcement_publish(actor=reviewer, announcement=_draft())
    with pytest.raises(ServiceError) as again:
        _draft()
    assert "尚未公开" in str(again.value)


def test_anyone_reports_an_error_and_the_answer_is_published_with_the_result(demo):
    drafter, reviewer = _people()
    row = services.announcement_publish(actor=reviewer, announcement=_draft()).rows.get()
    visitor = Client()
    url = f"/open/results/{row.row_id}/"
    visitor.post(f"{url}report/", {"text": "短", "contact": ""})
    assert not row.error_reports.exists()  # too short: named, nothing stored
    visitor.post(f"{url}report/", {"text": "批号应为 20261101-A，抽样单上写的是这个", "contact": "13800000000"})
    report = row.error_reports.get()
    assert "13800000000" not in visitor.get(url).content.decode()  # not public, not even while open
    assert "error_reports_to_answer" in {line.kind for line in todo_for(drafter)}
    for _ in range(services.REPORTS_PER_HOUR):
        visitor.post(f"{url}report/", {"text": "重复提交的纠错内容", "contact": ""})
    assert row.error_reports.count() == services.REPORTS_PER_HOUR  # throttled per address
    with pytest.raises(NotPermitted):
        services.error_report_answer(actor=User.objects.get(username="county"), report=report, answer="已核实")
    services.error_report_answer(actor=drafter, report=report, answer="经核对抽样单原件，批号无误，不予更正")
    page = visitor.get(url).content.decode()
    assert "经核对抽样单原件" in page and "13800000000" not in page
    assert LedgerEntry.objects.filter(type__startswith="error_report.").count() == 6
