"""Plan lines (quotas, strata, sampling mode, agency, laboratory) imported from .xlsx/.csv, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from choujian.core import tabular
from choujian.ledger.models import LedgerEntry
from choujian.planning.importers import plan_lines_import, plan_lines_template
from choujian.planning.models import Plan, PlanLine
from choujian.planning.services import plan_create, plan_submit
from tests.factories import CategoryFactory

HEADER = ["产品类别代码", "产品类别名称", "抽查批次", "分层", "各层批次", "抽样方式", "抽样机构", "检验机构"]


@pytest.fixture
def draft(setting) -> Plan:
    CategoryFactory(code="JT-0102", name="波形梁钢护栏")
    CategoryFactory(code="JT-0103", name="板式橡胶支座")
    return plan_create(
        actor=setting.drafter,
        regulator=setting.world.province,
        name="2026年交通工程产品监督抽查",
        year=2026,
        region="350000",
        participants=["林监管", "王见证"],
    )


def _rows(setting) -> list[list]:
    agency, lab = setting.agency.name, setting.lab.name
    return [
        ["JT-0101", "预应力钢绞线", 3, "不分层", None, "生产企业抽样", agency, lab],
        ["JT-0102", "波形梁钢护栏", 3, "按地市分层", "350100:2;350200:1", "生产企业抽样", agency, lab],
        ["JT-0103", "板式橡胶支座", "2", "", "", "施工现场进场批次抽样", agency, lab],
    ]


def _xlsx(rows: list[list], header: list[str] = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile("计划类别.xlsx", tabular.write_xlsx(header, rows), content_type=tabular.XLSX_CONTENT_TYPE)


@pytest.mark.django_db
def test_it_adds_every_line_of_a_good_file(setting, draft):
    result = plan_lines_import(actor=setting.drafter, plan=draft, upload=_xlsx(_rows(setting)))
    assert result.ok, result.detail
    assert result.created == 3 and "已导入 3 个" in result.detail
    lines = {line.category.code: line for line in draft.lines.all()}
    assert set(lines) == {"JT-0101", "JT-0102", "JT-0103"}
    assert (lines["JT-0101"].quota, lines["JT-0101"].strata_by, lines["JT-0101"].stratum_quotas) == (3, "none", {})
    assert lines["JT-0102"].strata_by == "city"
    assert lines["JT-0102"].stratum_quotas == {"350100": 2, "350200": 1}
    assert lines["JT-0103"].sampling_mode == "construction"
    assert all(line.agency == setting.agency and line.laboratory == setting.lab for line in lines.values())
    assert LedgerEntry.objects.filter(type="plan.line_added").count() == 3


@pytest.mark.django_db
def test_it_adds_nothing_when_one_row_names_an_unknown_category(setting, draft):
    rows = _rows(setting)
    rows[1][0] = "JT-9999"  # spreadsheet row 3: the header is row 1
    result = plan_lines_import(actor=setting.drafter, plan=draft, upload=_xlsx(rows))
    assert not result.ok and result.created == 0
    assert [(e.row, e.column) for e in result.errors] == [(3, "产品类别代码")]
    assert "JT-9999" in result.errors[0].message
    assert "第 3 行，“产品类别代码”列" in result.detail and "未导入任何" in result.detail
    assert not PlanLine.objects.filter(plan=draft).exists()
    assert not LedgerEntry.objects.filter(type="plan.line_added").exists()


@pytest.mark.django_db
def test_it_reads_csv_too(setting, draft):
    content = tabular.write_csv(HEADER, _rows(setting)[:1])
    result = plan_lines_import(actor=setting.drafter, plan=draft, upload=SimpleUploadedFile("计划.csv", content))
    assert result.ok, result.detail
    assert draft.lines.get().category.code == "JT-0101"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("抽查批次", "三", "正整数"),
        ("抽查批次", 4, "应等于抽查批次（4）"),
        ("各层批次", "350100:2;350100:1", "填写了两次"),
        ("各层批次", "350102:2;350200:1", "应填写地市级行政区划代码"),
        ("各层批次", "330100:2;350200:1", "不在本计划的抽查范围内"),
        ("各层批次", "福州2个", "行政区划代码:批次"),
        ("分层", "按省分层", "不分层、按地市分层、按区县分层"),
        ("抽样方式", "随便抽", "生产企业抽样"),
        ("抽样机构", "不存在的机构", "未找到名为“不存在的机构”的抽样机构"),
    ],
)
def test_it_names_the_row_and_column_of_a_bad_cell(setting, draft, column, value, message):
    rows = _rows(setting)
    rows[1][HEADER.index(column)] = value
    result = plan_lines_import(actor=setting.drafter, plan=draft, upload=_xlsx(rows))
    assert not result.ok and not draft.lines.exists()
    # A quota that the strata do not add up to is reported where the model checks it: at the strata.
    reported = "各层批次" if message.startswith("应等于") else column
    assert any(e.row == 3 and e.column == reported and message in e.message for e in result.errors), result.detail


@pytest.mark.django_db
def test_it_refuses_a_laboratory_that_is_also_the_agency(setting, draft):
    rows = _rows(setting)
    rows[0][HEADER.index("检验机构")] = setting.agency.name
    result = plan_lines_import(actor=setting.drafter, plan=draft, upload=_xlsx(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "检验机构")]
    assert not draft.lines.exists()


@pytest.mark.django_db
def test_it_refuses_a_category_listed_twice_or_already_in_the_plan(setting, draft):
    assert plan_lines_import(actor=setting.drafter, plan=draft, upload=_xlsx(_rows(setting)[:1])).ok
    rows = _rows(setting)
    rows.append(list(rows[1]))
    result = plan_lines_import(actor=setting.drafter, plan=draft, upload=_xlsx(rows))
    assert {(e.row, e.column) for e in result.errors} == {(2, "产品类别代码"), (5, "产品类别代码")}
    assert draft.lines.count() == 1


@pytest.mark.django_db
def test_it_refuses_an_outsider_and_a_submitted_plan(setting, draft):
    outsider = setting.world.county_officer
    result = plan_lines_import(actor=outsider, plan=draft, upload=_xlsx(_rows(setting)))
    assert not result.ok and result.errors[0].row is None and not draft.lines.exists()
    assert plan_lines_import(actor=setting.drafter, plan=draft, upload=_xlsx(_rows(setting)[:1])).ok
    plan_submit(actor=setting.drafter, plan=draft)
    result = plan_lines_import(actor=setting.drafter, plan=Plan.objects.get(pk=draft.pk), upload=_xlsx(_rows(setting)))
    assert not result.ok and "不能修改" in result.detail
    assert draft.lines.count() == 1


@pytest.mark.django_db
def test_it_names_a_missing_column(setting, draft):
    header = [title for title in HEADER if title != "抽样方式"]
    rows = [[cell for title, cell in zip(HEADER, row, strict=True) if title != "抽样方式"] for row in _rows(setting)]
    result = plan_lines_import(actor=setting.drafter, plan=draft, upload=_xlsx(rows, header))
    assert [(e.row, e.column) for e in result.errors] == [(1, "抽样方式")]


def test_its_template_lists_the_columns():
    table = tabular.read_bytes("模板.xlsx", plan_lines_template())
    assert table.header[:3] == ["产品类别代码", "产品类别名称", "抽查批次"] and not table.rows


@pytest.mark.django_db
def test_it_imports_lines_from_the_plan_page(setting, draft, client):
    client.force_login(setting.drafter)
    response = client.post(f"/plans/{draft.code}/lines/import/", {"file": _xlsx(_rows(setting))})
    assert response.status_code == 302
    assert draft.lines.count() == 3
    assert "已导入 3 个" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_it_shows_the_row_and_column_of_a_bad_file_on_the_plan_page(setting, draft, client):
    rows = _rows(setting)
    rows[1][0] = "JT-9999"
    client.force_login(setting.drafter)
    response = client.post(f"/plans/{draft.code}/lines/import/", {"file": _xlsx(rows)}, follow=True)
    page = response.content.decode()
    assert "第 3 行" in page and "产品类别代码" in page
    assert not draft.lines.exists()
