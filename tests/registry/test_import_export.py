"""Spreadsheet import (all or nothing, errors naming row and column) and export (formula injection neutralised)."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from choujian.accounts import services as accounts
from choujian.core import tabular
from choujian.core.errors import ServiceError
from choujian.core.uscc import make_uscc
from choujian.ledger.models import LedgerEntry
from choujian.ledger.services import current_size
from choujian.registry import exporters, importers, services
from choujian.registry.models import Delivery, Enterprise, Product, Project

PASSWORD = "Spot-check-import-2026"
ENTERPRISE_HEADER = ["统一社会信用代码", "企业名称", "行政区划代码", "地址", "生产许可证编号", "状态"]


def uscc(n: int, region: str = "350100") -> str:
    return make_uscc("9", "1", region, f"{n:08d}")


def bad_uscc(n: int) -> str:
    code = uscc(n)
    wrong = "0" if code[-1] != "0" else "1"
    return code[:-1] + wrong


def make_user(username: str, organisation, role: str):
    user = accounts.user_create(actor=None, username=username, password=PASSWORD, display_name=username)
    accounts.membership_grant(actor=None, user=user, organisation=organisation, role=role)
    return user


def enterprise_rows(count: int, start: int = 0) -> list[list[str]]:
    return [
        [
            uscc(start + i),
            f"福建测试钢铁有限公司{start + i}号",
            "350100",
            f"福州市鼓楼区{i}号",
            f"XK05-001-{i:05d}",
            "存续",
        ]
        for i in range(count)
    ]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def xlsx_bytes(header, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(header, rows, encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def first_sheet(content: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


# ---------------------------------------------------------------------------------------------- all or nothing


def test_it_imports_1000_enterprises_with_a_ledger_entry_each(officer):
    before = current_size()
    result = importers.import_rows(
        actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=enterprise_rows(1000)
    )
    assert result.ok, result.detail
    assert result.created == 1000
    assert Enterprise.objects.count() == 1000
    assert current_size() == before + 1000
    assert LedgerEntry.objects.filter(type="enterprise.created").count() == 1000


def test_it_rejects_the_whole_file_when_one_row_in_1000_is_bad(officer):
    rows = enterprise_rows(1000)
    rows[499][0] = bad_uscc(499)  # data row 500 is spreadsheet row 501
    before = current_size()
    result = importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=rows)
    assert not result.ok
    assert result.created == 0
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (501, "统一社会信用代码")
    assert "校验码错误" in error.message
    assert str(error).startswith("第 501 行，“统一社会信用代码”列：校验码错误：第 18 位应为")
    assert Enterprise.objects.count() == 0
    assert current_size() == before


def test_it_rolls_back_everything_when_a_service_refuses_a_row_midway(officer, monkeypatch):
    real = services.enterprise_create
    calls = {"n": 0}

    def flaky(*, actor, **fields):
        calls["n"] += 1
        if calls["n"] == 3:
            raise ServiceError({"name": ["名称被并发占用"]})
        return real(actor=actor, **fields)

    monkeypatch.setattr(services, "enterprise_create", flaky)
    before = current_size()
    result = importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=enterprise_rows(5))
    assert not result.ok
    assert [(e.row, e.column, e.message) for e in result.errors] == [(4, "企业名称", "名称被并发占用")]
    assert Enterprise.objects.count() == 0
    assert current_size() == before


def test_it_names_the_row_a_user_may_not_register(officer):
    rows = enterprise_rows(3)
    rows[1][0] = uscc(1, region="440100")
    rows[1][2] = "440100"  # 广州: outside the Fujian officer's region
    result = importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=rows)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "行政区划代码")]
    assert "本辖区" in result.errors[0].message
    assert Enterprise.objects.count() == 0


def test_it_reports_duplicate_and_already_registered_codes(officer):
    services.enterprise_create(actor=officer, uscc=uscc(900), name="已登记企业", region="350100")
    rows = enterprise_rows(3)
    rows[2][0] = rows[0][0]
    rows.append([uscc(900), "重复登记", "350100", "", "", ""])
    result = importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=rows)
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert messages[(4, "统一社会信用代码")] == "与第 2 行的统一社会信用代码重复"
    assert "已登记" in messages[(5, "统一社会信用代码")]
    assert Enterprise.objects.count() == 1


def test_it_lists_at_most_50_errors_then_counts_the_rest(officer):
    rows = enterprise_rows(60)
    for row in rows:
        row[2] = "999999"
    result = importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=rows)
    assert len(result.errors) == 50 and result.omitted == 10
    assert result.detail.endswith("…另有 10 处错误")
    assert result.errors[0].row == 2 and result.errors[-1].row == 51


def test_it_checks_the_header(officer):
    result = importers.import_rows(
        actor=officer, kind="enterprise", header=["企业名称", "名 称", "电话"], rows=[["甲", "乙", "1"]]
    )
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert "无法识别的列名" in errors[(1, "电话")]
    assert "重复" in errors[(1, "名 称")]
    assert errors[(1, "统一社会信用代码")] == "缺少必填列"
    assert errors[(1, "行政区划代码")] == "缺少必填列"


# ------------------------------------------------------------------------------------------------ file formats


def test_it_imports_a_gbk_csv(officer):
    content = csv_bytes(ENTERPRISE_HEADER, enterprise_rows(3), "gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload("企业.csv", content))
    assert result.ok, result.detail
    assert sorted(Enterprise.objects.values_list("name", flat=True)) == [f"福建测试钢铁有限公司{i}号" for i in range(3)]
    assert Enterprise.objects.get(uscc=uscc(0)).address == "福州市鼓楼区0号"


def test_it_imports_a_utf8_csv_with_bom(officer):
    content = b"\xef\xbb\xbf" + csv_bytes(ENTERPRISE_HEADER, enterprise_rows(2), "utf-8")
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload("enterprises.csv", content))
    assert result.ok, result.detail
    assert Enterprise.objects.filter(name="福建测试钢铁有限公司1号").exists()


def test_it_imports_xlsx_with_numeric_cells_and_blank_rows(officer):
    rows = [
        [uscc(1), "数字区划企业", 350100, None, None, None],
        [None] * 6,
        [uscc(2), "第二家", "350102", "", "", "停产/歇业"],
    ]
    content = xlsx_bytes(ENTERPRISE_HEADER, rows)
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload("企业.xlsx", content))
    assert result.ok, result.detail
    assert Enterprise.objects.get(uscc=uscc(1)).region == "350100"
    assert Enterprise.objects.get(uscc=uscc(2)).status == "closed"


def test_it_numbers_rows_as_the_spreadsheet_shows_them(officer):
    rows = [[uscc(1), "甲", "350100"], [None, None, None], [uscc(2), "乙", "3501"]]
    content = xlsx_bytes(ENTERPRISE_HEADER[:3], rows)
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload("企业.xlsx", content))
    assert [(e.row, e.column) for e in result.errors] == [(4, "行政区划代码")]


def test_it_skips_title_lines_above_the_header(officer):
    content = xlsx_bytes(["2026 年福建省生产企业名录"], [[], ENTERPRISE_HEADER, *enterprise_rows(2)])
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload("名录.xlsx", content))
    assert result.ok, result.detail
    rows = enterprise_rows(2, start=10)
    rows[1][2] = "3501"
    content = xlsx_bytes(["2026 年福建省生产企业名录"], [ENTERPRISE_HEADER, *rows])
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload("名录.xlsx", content))
    assert [(e.row, e.column) for e in result.errors] == [(4, "行政区划代码")]


def test_it_refuses_a_damaged_utf8_csv_instead_of_reading_it_as_gbk(officer):
    content = csv_bytes(ENTERPRISE_HEADER, enterprise_rows(3), "utf-8")
    broken = content.replace("1号".encode(), b"\xff\xfe")
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload("企业.csv", broken))
    assert not result.ok
    assert "UTF-8" in result.detail and "第 3 行" in result.detail
    assert Enterprise.objects.count() == 0


def test_it_warns_when_excel_turned_a_credit_code_into_a_number(officer):
    content = xlsx_bytes(ENTERPRISE_HEADER[:3], [[914403001922038216, "数字", "350100"]])
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload("企业.xlsx", content))
    assert "文本" in result.errors[0].message


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * (tabular.MAX_UNZIPPED_BYTES + 1))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "空的"),
        ("garbage.csv", bytes(range(256)) * 4, "二进制"),
        ("bad.csv", b"\xff\xfe\xfd\x80\x81" * 10 + b"\n", "UTF-16"),
        ("bad2.csv", b"name\n\x80\xff\x80\xff\n", "编码"),
        ("page.xlsx", b"<!doctype html><html><body>hi</body></html>", "不是 Excel"),
        ("page.csv", b"<!doctype html><html><body>hi</body></html>", "无法识别的列名"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        ("virus.exe", b"MZ\x90\x00", ".xlsx"),
        ("broken.xlsx", b"PK\x03\x04" + b"\0" * 50, "损坏"),
        ("bomb.xlsx", _zip_bomb(), "解压后超过"),
        ("header-only.csv", "统一社会信用代码,企业名称,行政区划代码\n".encode(), "没有数据行"),
    ],
)
def test_it_refuses_unreadable_files_with_a_clear_error(officer, name, content, expected):
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload(name, content))
    assert not result.ok
    assert expected in result.detail
    assert Enterprise.objects.count() == 0


def test_it_refuses_files_over_the_row_limit(officer, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 5)
    content = csv_bytes(ENTERPRISE_HEADER, enterprise_rows(6), "utf-8")
    result = importers.import_upload(actor=officer, kind="enterprise", upload=upload("big.csv", content))
    assert "超过 5 行" in result.detail


def test_it_refuses_files_over_the_size_limit(officer):
    big = upload("big.csv", b"a" * (tabular.MAX_BYTES + 1))
    result = importers.import_upload(actor=officer, kind="enterprise", upload=big)
    assert "文件过大" in result.detail


# ------------------------------------------------------------------------------------------ other registries


def test_it_imports_products_by_enterprise_code_and_category(officer, site):
    header = ["生产企业统一社会信用代码", "产品类别代码", "产品名称", "商标/品牌", "规格型号", "执行标准", "状态"]
    rows = [
        [uscc(1), "GJX", "钢绞线", "闽钢", "1×7-15.20-1860", "GB/T 5224-2023", "在产"],
        [uscc(1), "预应力钢绞线", "钢绞线", "", "1×7-12.70-1860", "", ""],
        [uscc(2), "GJX", "钢绞线", "", "", "", ""],
        [uscc(1), "XXX", "钢绞线", "", "", "", ""],
    ]
    result = importers.import_rows(actor=officer, kind="product", header=header, rows=rows)
    assert [(e.row, e.column) for e in result.errors] == [(4, "生产企业统一社会信用代码"), (5, "产品类别代码")]
    assert Product.objects.count() == 0
    result = importers.import_rows(actor=officer, kind="product", header=header, rows=rows[:2])
    assert result.ok, result.detail
    assert set(Product.objects.values_list("model_spec", "category__code")) == {
        ("1×7-15.20-1860", "GJX"),
        ("1×7-12.70-1860", "GJX"),
    }


def test_it_imports_projects_by_owner_name_or_id(officer, site):
    header = ["项目名称", "建设单位", "行政区划代码", "纬度", "经度"]
    rows = [
        ["沈海高速改扩建", "福建高速建设公司", "350100", "26.074508", "119.296494"],
        ["G15 复线", str(site["owner"].public_id), "350102", "", ""],
        ["外省项目", "福建高速建设公司", "440100", "", ""],
        ["无主项目", "不存在的单位", "350100", "", ""],
    ]
    result = importers.import_rows(actor=officer, kind="project", header=header, rows=rows)
    assert [(e.row, e.column) for e in result.errors] == [(4, "行政区划代码"), (5, "建设单位")]
    result = importers.import_rows(actor=officer, kind="project", header=header, rows=rows[:2])
    assert result.ok, result.detail
    project = Project.objects.get(name="沈海高速改扩建")
    assert project.latitude == Decimal("26.074508") and project.owner == site["owner"]


def test_it_imports_deliveries_by_section_path_and_product_key(officer, site):
    product = services.product_create(
        actor=officer, enterprise=site["enterprise"], category=site["category"], name="钢绞线", model_spec="15.20"
    )
    header = ["标段", "生产企业统一社会信用代码", "产品名称", "规格型号", "批号", "数量", "单位", "进场日期"]
    rows = [
        ["福厦高速扩建 / A1标", uscc(1), "钢绞线", "15.20", "B2026-001", "12.5", "t", dt.date(2026, 3, 1)],
        [str(site["section"].public_id), uscc(1), "钢绞线", "15.20", "B2026-002", 3, "t", "2026/3/2"],
        ["福厦高速扩建/B9标", uscc(1), "钢绞线", "15.20", "B2026-003", "1", "t", "2026-03-03"],
        ["福厦高速扩建/A1标", uscc(1), "钢绞线", "12.70", "B2026-004", "abc", "t", "三月"],
    ]
    result = importers.import_rows(actor=officer, kind="delivery", header=header, rows=rows)
    assert [(e.row, e.column) for e in result.errors] == [(4, "标段"), (5, "数量"), (5, "进场日期")]
    assert Delivery.objects.count() == 0
    result = importers.import_rows(actor=officer, kind="delivery", header=header, rows=rows[:2])
    assert result.ok, result.detail
    first = Delivery.objects.get(batch_no="B2026-001")
    assert (first.product, first.section, first.quantity) == (product, site["section"], Decimal("12.5"))
    assert Delivery.objects.get(batch_no="B2026-002").delivered_on == dt.date(2026, 3, 2)


# ------------------------------------------------------------------------------------------------------ export


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_round_trips_an_export_through_the_importer(officer, fmt):
    importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=enterprise_rows(5))
    Enterprise.objects.filter(uscc=uscc(3)).update(status="deregistered", licence_no="")
    before = sorted(Enterprise.objects.values_list("uscc", "name", "region", "address", "licence_no", "status"))
    exported = exporters.export_file(user=officer, kind="enterprise", fmt=fmt)
    assert exported.filename.endswith(f".{fmt}")
    for enterprise in Enterprise.objects.all():
        services.enterprise_delete(actor=officer, enterprise=enterprise)
    result = importers.import_upload(
        actor=officer, kind="enterprise", upload=upload(exported.filename, exported.content)
    )
    assert result.ok, result.detail
    after = sorted(Enterprise.objects.values_list("uscc", "name", "region", "address", "licence_no", "status"))
    assert after == before


def test_it_round_trips_deliveries_with_their_references(officer, site):
    product = services.product_create(
        actor=officer, enterprise=site["enterprise"], category=site["category"], name="钢绞线", model_spec="15.20"
    )
    services.delivery_create(
        actor=officer,
        section=site["section"],
        product=product,
        batch_no="B1",
        quantity=Decimal("7.250"),
        unit="t",
        delivered_on=dt.date(2026, 3, 1),
    )
    exported = exporters.export_file(user=officer, kind="delivery", fmt="xlsx")
    result = importers.import_upload(actor=officer, kind="delivery", upload=upload("d.xlsx", exported.content))
    assert result.ok, result.detail
    copies = Delivery.objects.filter(batch_no="B1")
    assert copies.count() == 2
    assert {(d.section_id, d.product_id, d.quantity, d.delivered_on) for d in copies} == {
        (site["section"].pk, product.pk, Decimal("7.250"), dt.date(2026, 3, 1))
    }


def test_it_neutralises_formula_injection_in_exports(officer):
    name = "=cmd|' /C calc'!A0"
    services.enterprise_create(actor=officer, uscc=uscc(7), name=name, region="350100", address="+1 -2 @3")
    xlsx = exporters.export_file(user=officer, kind="enterprise", fmt="xlsx")
    rows = first_sheet(xlsx.content)
    assert rows[0][:2] == ("统一社会信用代码", "企业名称")
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][3] == "'+1 -2 @3"
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.worksheets[0]["B2"].data_type == "s"  # text, never a formula
    text = exporters.export_file(user=officer, kind="enterprise", fmt="csv").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][1] == "'=cmd|' /C calc'!A0"
    assert tabular.unneutralise("'=cmd|") == "=cmd|" and tabular.unneutralise("'abc") == "'abc"
    for value in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert tabular.neutralise(value) == "'" + value


def test_it_exports_only_what_the_user_may_see(officer, outsider):
    importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=enterprise_rows(3))
    header, rows = exporters.export_rows(user=outsider, kind="enterprise")
    assert header == ENTERPRISE_HEADER and list(rows) == []
    header, rows = exporters.export_rows(user=officer, kind="enterprise", q="1号")
    assert [row[1] for row in rows] == ["福建测试钢铁有限公司1号"]


def test_it_writes_csv_as_utf8_with_bom(officer):
    importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=enterprise_rows(1))
    content = exporters.export_file(user=officer, kind="enterprise", fmt="csv").content
    assert content.startswith(b"\xef\xbb\xbf")
    assert "福建测试钢铁有限公司0号" in content.decode("utf-8-sig")


# --------------------------------------------------------------------------------------------------------- API


def test_the_api_imports_and_reports_errors(officer, client_for):
    client = client_for(officer)
    url = reverse("api-import", args=["enterprises"])
    rows = enterprise_rows(4)
    rows[2][2] = "12345"
    bad = csv_bytes(ENTERPRISE_HEADER, rows, "gbk")
    response = client.post(url, {"file": upload("企业.csv", bad)})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [{"row": 4, "column": "行政区划代码", "message": body["errors"][0]["message"]}]
    assert "第 4 行，“行政区划代码”列" in body["detail"]
    assert Enterprise.objects.count() == 0

    good = csv_bytes(ENTERPRISE_HEADER, enterprise_rows(4), "gbk")
    response = client.post(url, {"file": upload("企业.csv", good)})
    assert response.status_code == 201
    assert response.json() == {"created": 4}


def test_the_api_never_fails_with_a_500(officer, client_for):
    client = client_for(officer)
    url = reverse("api-import", args=["enterprises"])
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"file": upload("x.xlsx", b"\x00garbage")}).status_code == 400
    assert client.post(url, {"file": upload("x.csv", b"")}).status_code == 400
    assert client.post(url, {"file": "not a file"}).status_code == 400
    assert client.post(url, b"junk", content_type="application/octet-stream").status_code == 415
    assert client.post(reverse("api-import", args=["widgets"]), {}).status_code == 404


def test_the_api_exports_xlsx_and_csv(officer, client_for):
    importers.import_rows(actor=officer, kind="enterprise", header=ENTERPRISE_HEADER, rows=enterprise_rows(2))
    client = client_for(officer)
    url = reverse("api-export", args=["enterprises"])
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == tabular.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert len(first_sheet(response.content)) == 3
    response = client.get(url, {"format": "csv", "q": "1号"})
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").count("\r\n") == 2
    assert client.get(url, {"format": "pdf"}).status_code == 400
    assert client.get(reverse("api-export", args=["widgets"])).status_code == 404


def test_the_api_requires_sign_in_and_a_registry_role(client, province):
    url = reverse("api-export", args=["enterprises"])
    assert client.get(url).status_code in (401, 403)
    lab = accounts.organisation_create(actor=None, name="某检测中心", kind="laboratory", region="350100")
    client.force_login(make_user("tester", lab, "tester"))
    assert client.get(url).status_code == 403
    assert client.post(reverse("api-import", args=["enterprises"]), {}).status_code == 403


def test_the_import_views_declare_access():
    from django.urls import resolve

    from choujian.core.access import declared_level

    for path in ["/api/v1/imports/enterprises/", "/api/v1/exports/products/"]:
        assert declared_level(resolve(path).func) == "login"
    for path in ["/registry/enterprise/import/", "/registry/enterprise/import/template/", "/registry/project/export/"]:
        assert declared_level(resolve(path).func)[0] == "roles"


def test_the_openapi_schema_describes_import_and_export():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert "multipart/form-data" in schema["paths"]["/api/v1/imports/{kind}/"]["post"]["requestBody"]["content"]
    assert "text/csv" in schema["paths"]["/api/v1/exports/{kind}/"]["get"]["responses"]["200"]["content"]


# ------------------------------------------------------------------------------------------------------- pages


def test_the_import_page_shows_errors_and_imports(officer, client_for):
    client = client_for(officer)
    url = reverse("registry:import_page", args=["enterprise"])
    page = client.get(url)
    assert page.status_code == 200
    assert "下载导入模板" in page.content.decode()
    rows = enterprise_rows(3)
    rows[1][0] = bad_uscc(1)
    page = client.post(url, {"file": upload("企业.csv", csv_bytes(ENTERPRISE_HEADER, rows, "gbk"))})
    html = page.content.decode()
    assert page.status_code == 200 and "未导入任何数据" in html and "校验码错误" in html
    assert Enterprise.objects.count() == 0
    page = client.post(url, {"file": upload("企业.csv", csv_bytes(ENTERPRISE_HEADER, enterprise_rows(3), "gbk"))})
    assert page.status_code == 302 and page.url == reverse("registry:object_list", args=["enterprise"])
    assert Enterprise.objects.count() == 3
    listing = client.get(page.url).content.decode()
    assert reverse("registry:import_page", args=["enterprise"]) in listing
    assert "导出 Excel" in listing


def test_the_template_has_the_import_headers(officer, client_for):
    client = client_for(officer)
    for kind in importers.KINDS:
        response = client.get(reverse("registry:import_template", args=[kind]))
        assert response.status_code == 200
        assert list(first_sheet(response.content)[0]) == importers.spec_for(kind).import_titles()
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert sheet.column_dimensions["A"].number_format == "@"  # Excel keeps long codes as typed
    assert client.get(reverse("registry:import_template", args=["widget"])).status_code == 404


def test_the_export_page_downloads_and_refuses_unknown_formats(officer, client_for):
    client = client_for(officer)
    url = reverse("registry:export", args=["product"])
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert client.get(url, {"format": "exe"}).status_code == 400


def test_export_columns_are_importable():
    for kind in importers.KINDS:
        known = {c.title for c in importers.spec_for(kind).columns}
        header, _ = exporters.EXPORTS[kind].columns, None
        assert {title for title, _ in header} <= known
