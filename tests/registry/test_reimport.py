"""Updating the registry from an edited export: a preview of every change, then exactly that, or nothing."""

import pytest
from django.urls import reverse

from choujian.ledger.models import LedgerEntry
from choujian.ledger.services import current_size
from choujian.registry import exporters, importers, services
from choujian.registry.models import Enterprise, Product, Project
from tests.registry.test_import_export import (
    ENTERPRISE_HEADER,
    enterprise_rows,
    first_sheet,
    upload,
    uscc,
    xlsx_bytes,
)


def exported(user, kind: str) -> tuple[list, list[list]]:
    rows = first_sheet(exporters.export_file(user=user, kind=kind, fmt="xlsx").content)
    return list(rows[0]), [list(r) for r in rows[1:]]


def preview_of(officer, header, rows):
    return importers.import_rows(actor=officer, kind="enterprise", header=header, rows=rows, update=True, preview=True)


@pytest.fixture
def registered(officer):
    result = importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=enterprise_rows(3))
    assert result.ok, result.detail
    return Enterprise.objects.order_by("uscc")


def edited_enterprises(officer):
    header, rows = exported(officer, "enterprise")
    rows.sort(key=lambda r: r[0])
    rows[0][header.index("企业名称")] = "福建测试钢铁集团有限公司"
    rows[1][header.index("状态")] = "停产/歇业"
    rows.append([uscc(99), "新登记的钢厂", "350100", "", "", ""])
    return header, rows


def test_a_preview_lists_each_change_and_writes_nothing(officer, registered):
    header, rows = edited_enterprises(officer)
    before = current_size()
    result = importers.import_rows(
        actor=officer, kind="enterprise", header=header, rows=rows, update=True, preview=True
    )
    assert result.ok and result.preview, result.detail
    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    changes = {row.label: row.changes for row in result.changed_rows}
    assert changes["福建测试钢铁有限公司0号"] == (("企业名称", "福建测试钢铁有限公司0号", "福建测试钢铁集团有限公司"),)
    assert changes["福建测试钢铁有限公司1号"] == (("状态", "存续", "停产/歇业"),)
    assert [row.label for row in result.new_rows] == ["新登记的钢厂"]
    assert current_size() == before and Enterprise.objects.count() == 3
    assert not Enterprise.objects.filter(name="福建测试钢铁集团有限公司").exists()


def test_confirming_the_preview_writes_exactly_it_with_ledger_entries(officer, registered):
    header, rows = edited_enterprises(officer)
    preview = importers.import_rows(
        actor=officer, kind="enterprise", header=header, rows=rows, update=True, preview=True
    )
    result = importers.import_rows(
        actor=officer, kind="enterprise", header=header, rows=rows, update=True, expected=preview.digest
    )
    assert result.ok and not result.preview and not result.stale
    assert Enterprise.objects.count() == 4
    assert Enterprise.objects.get(uscc=uscc(0)).name == "福建测试钢铁集团有限公司"
    assert Enterprise.objects.get(uscc=uscc(1)).status == "closed"
    events = list(LedgerEntry.objects.order_by("-seq").values_list("type", flat=True)[:3])
    assert sorted(events) == ["enterprise.created", "enterprise.updated", "enterprise.updated"]


def test_a_registry_changed_after_the_preview_is_not_overwritten(officer, registered):
    header, rows = edited_enterprises(officer)
    preview = importers.import_rows(
        actor=officer, kind="enterprise", header=header, rows=rows, update=True, preview=True
    )
    services.enterprise_update(actor=officer, enterprise=Enterprise.objects.get(uscc=uscc(2)), address="改过的地址")
    before = current_size()
    result = importers.import_rows(
        actor=officer, kind="enterprise", header=header, rows=rows, update=True, expected=preview.digest
    )
    assert result.stale and result.preview
    assert current_size() == before and Enterprise.objects.count() == 3
    assert any(c[0] == "地址" for row in result.changed_rows for c in row.changes)  # the new preview shows it


def test_importing_an_export_again_does_not_register_everything_twice(officer, site):
    services.product_create(actor=officer, enterprise=site["enterprise"], category=site["category"], name="钢绞线")
    services.project_create(actor=officer, name="沈海高速改扩建", owner=site["owner"], region="350100")
    for kind, model in [("product", Product), ("project", Project)]:
        header, rows = exported(officer, kind)
        count = model.objects.count()
        result = importers.import_rows(actor=officer, kind=kind, header=header, rows=rows)
        assert not result.ok and "更新已登记的记录" in result.detail
        assert model.objects.count() == count


def test_an_update_names_the_row_whose_number_is_unknown(officer, site):
    services.product_create(actor=officer, enterprise=site["enterprise"], category=site["category"], name="钢绞线")
    header, rows = exported(officer, "product")
    rows[0][header.index("产品编号")] = "5b0d3c5e-6f1a-4a8e-9a55-000000000000"
    result = importers.import_rows(actor=officer, kind="product", header=header, rows=rows, update=True, preview=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, "产品编号")]


def test_a_product_update_changes_its_specification(officer, site):
    services.product_create(actor=officer, enterprise=site["enterprise"], category=site["category"], name="钢绞线")
    header, rows = exported(officer, "product")
    rows[0][header.index("规格型号")] = "1×7-15.20-1960"
    result = importers.import_rows(actor=officer, kind="product", header=header, rows=rows, update=True)
    assert result.ok and result.updated == 1, result.detail
    assert Product.objects.get().model_spec == "1×7-15.20-1960"


def test_deliveries_cannot_be_updated_by_import(officer, site):
    header = ["标段", "产品名称", "批号", "数量", "单位", "进场日期"]
    rows = [["福厦高速扩建/A1标", "钢绞线", "B1", "10", "t", "2026-03-01"]]
    result = importers.import_rows(actor=officer, kind="delivery", header=header, rows=rows, update=True)
    assert not result.ok and "不能通过导入修改" in result.detail


def test_the_page_previews_then_confirms(officer, registered, client_for):
    client = client_for(officer)
    header, rows = edited_enterprises(officer)
    url = reverse("registry:import_page", args=["enterprise"])
    page = client.post(url, {"file": upload("企业.xlsx", xlsx_bytes(header, rows)), "update": "on"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "福建测试钢铁集团有限公司" in text and "确认写入" in text
    assert Enterprise.objects.count() == 3
    token, digest = page.context["token"], page.context["result"].digest
    done = client.post(url, {"token": token, "digest": digest})
    assert done.status_code == 302
    assert Enterprise.objects.count() == 4
    again = client.post(url, {"token": token, "digest": digest}, follow=True)
    assert "预览已过期" in again.content.decode()  # the kept file went with the confirmation
    assert Enterprise.objects.count() == 4


def test_the_api_previews_and_applies(officer, registered, client_for):
    client = client_for(officer)
    header, rows = edited_enterprises(officer)
    url = reverse("api-import", args=["enterprises"])
    content = xlsx_bytes(header, rows)
    preview = client.post(url, {"file": upload("e.xlsx", content), "mode": "update", "dry_run": "true"})
    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert body["preview"] and body["updated"] == 2 and body["changed_rows"][0]["changes"][0]["column"]
    done = client.post(url, {"file": upload("e.xlsx", content), "mode": "update", "expected": body["digest"]})
    assert done.status_code == 201 and done.json()["created"] == 1
    bad = client.post(url, {"file": upload("e.xlsx", content), "mode": "replace"})
    assert bad.status_code == 400 and "mode" in bad.json()["detail"]
