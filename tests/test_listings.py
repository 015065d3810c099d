"""The lists that grow — tasks, samples, the laboratory's worklist, intakes and reports — searched, filtered and
exported to .xlsx by the demo's own people, each seeing only their rows."""

import io

import openpyxl
import pytest
from django.urls import reverse

from choujian.accounts.models import User
from choujian.registry.models import Enterprise
from choujian.testing.models import LabSample, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, demo):
    def login(username: str):
        client.force_login(User.objects.get(username=username))
        return client

    return login


def sheet(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


def test_a_tester_lists_exports_and_filters_the_blind_worklist(as_user):
    client = as_user("tester")
    url = reverse("testing:worklist")
    page = client.get(url).content.decode()
    mine = LabSample.objects.filter(laboratory__memberships__user__username="tester")
    assert mine.exists() and all(s.lab_code in page for s in mine[:10])
    assert not any(e.name in page for e in Enterprise.objects.all()[:300])  # blind
    rows = sheet(client.get(url, {"format": "xlsx"}))
    assert rows[0][0] == "盲样编号" and len(rows) - 1 == mine.count()
    testing = client.get(url, {"status": "testing", "format": "xlsx"})
    assert len(sheet(testing)) - 1 == mine.filter(status="testing").count()
    code = mine.first().lab_code
    assert [r[0] for r in sheet(client.get(url, {"q": code, "format": "xlsx"}))[1:]] == [code]


def test_bad_filters_are_named_and_ignored(as_user):
    client = as_user("tester")
    response = client.get(reverse("testing:worklist"), {"from": "2026-13-45", "status": "<script>", "page": "x"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "应为日期" in text and "没有“&lt;script&gt;”这种状态" in text


def test_reports_are_filtered_by_conclusion_status_and_date(as_user):
    client = as_user("regulator")
    url = reverse("testing:report_list")
    everything = sheet(client.get(url, {"format": "xlsx"}))
    assert len(everything) - 1 == Report.objects.count()
    wide = {"from": "2000-01-01", "to": "2100-01-01", "format": "xlsx"}
    approved = sheet(client.get(url, {"status": "approved", **wide}))
    assert len(approved) - 1 == Report.objects.filter(status="approved").count()
    assert sheet(client.get(url, {"from": "2100-01-01", "format": "xlsx"}))[1:] == []
    assert "没有符合筛选条件的记录" in client.get(url, {"from": "2100-01-01"}).content.decode()


def test_tasks_filter_by_plan_and_status_and_keep_the_plan_in_every_link(as_user):
    from choujian.planning.models import Task

    client = as_user("regulator")
    task = Task.objects.order_by("code").first()
    url = reverse("planning:task_list")
    page = client.get(url, {"plan": task.plan.code}).content.decode()
    assert task.code in page and f"plan={task.plan.code}" in page
    rows = sheet(client.get(url, {"plan": task.plan.code, "status": task.status, "format": "xlsx"}))
    expected = Task.objects.filter(plan=task.plan, status=task.status).count()
    assert len(rows) - 1 == expected and all(r[1] == task.plan.code for r in rows[1:])


def test_a_sampler_finds_a_sample_and_an_intake_clerk_the_intake_records(as_user):
    from choujian.sampling.models import Sample

    client = as_user("regulator")
    sample = Sample.objects.order_by("code").first()
    page = client.get(reverse("sampling:sample_list"), {"q": sample.code}).content.decode()
    assert reverse("sampling:sample", args=[sample.code]) in page
    clerk = as_user("intake")
    rows = sheet(clerk.get(reverse("testing:intake_list"), {"format": "xlsx"}))
    assert rows[0][0] == "样品编号" and len(rows) > 1


def test_exported_cells_cannot_run_as_formulas(as_user, demo):
    from choujian.planning.models import Task

    task = Task.objects.order_by("code").first()
    Enterprise.objects.filter(pk=task.enterprise_id).update(name="=HYPERLINK(1)")
    rows = sheet(as_user("regulator").get(reverse("planning:task_list"), {"q": task.code, "format": "xlsx"}))
    assert rows[1][2] == "'=HYPERLINK(1)"
