"""Import of a draft plan's category lines (quota, strata, sampling mode, agency, laboratory) from .xlsx or .csv.

All or nothing (invariant 6), like the registry imports whose column and report machinery this reuses
(`choujian.registry.importers`): every row is checked first — cell formats, the category code, the organisations
named, the strata, model validation (quota sums, 抽检分离) — and every problem is reported with the row and column
the user sees in the spreadsheet (header in row 1, first line in row 2). Only a file without a single error is
written, in one transaction, through `planning.services.plan_line_add` (which checks permission and state again and
appends the ledger entries); if the service still refuses a row, everything rolls back and the error names the row.

Columns: 产品类别代码, 抽查批次, 分层 (不分层 / 按地市分层 / 按区县分层), 各层批次 (e.g. ``350100:2;350200:1``),
抽样方式 (the Chinese label, e.g. 生产企业抽样), 抽样机构 and 检验机构 (organisation names). Entry point:
`plan_lines_import(actor=…, plan=…, upload=…)`; `plan_lines_template()` gives a blank workbook with instructions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.models import Organisation, User, region_prefix
from choujian.core import tabular
from choujian.core.divisions import DivisionError, get_division
from choujian.core.errors import NotPermitted, ServiceError
from choujian.planning import services
from choujian.planning.choices import SamplingMode, StrataBy
from choujian.planning.models import Plan, PlanLine
from choujian.registry.importing import (
    MAX_LISTED_ERRORS,
    OMIT,
    CellError,
    Column,
    ImportReport,
    ImportResult,
    Record,
    Spec,
    choice,
    create_all,
    map_header,
    parse_rows,
    parse_text,
    read_upload_for,
    table_arguments,
)
from choujian.registry.models import ProductCategory

__all__ = ["PlanImportResult", "plan_lines_import", "plan_lines_import_rows", "plan_lines_template"]

KIND = "plan_line"
CATEGORY, QUOTA, STRATA, STRATUM_QUOTAS, MODE, AGENCY, LABORATORY = (
    "产品类别代码",
    "抽查批次",
    "分层",
    "各层批次",
    "抽样方式",
    "抽样机构",
    "检验机构",
)
_STRATUM_SEPARATORS = re.compile(r"[;；,，、\s]+")
_STRATUM_PAIR = re.compile(r"^(\d{6})\s*[:：=]\s*(\d+)$")
# Short forms people write for the sampling modes, besides the labels and stored values.
_MODE_ALIASES = {
    "生产企业": SamplingMode.MODE_PRODUCTION,
    "生产领域": SamplingMode.MODE_PRODUCTION,
    "市场": SamplingMode.MODE_MARKET,
    "流通领域": SamplingMode.MODE_MARKET,
    "市场/流通领域": SamplingMode.MODE_MARKET,
    "施工现场": SamplingMode.MODE_CONSTRUCTION,
    "进场批次": SamplingMode.MODE_CONSTRUCTION,
    "网络购买": SamplingMode.MODE_ONLINE,
    "网购": SamplingMode.MODE_ONLINE,
}


@dataclass
class PlanImportResult(ImportResult):
    """What a plan-line import did: ``created`` lines, or the errors and nothing written."""

    nothing = "计划类别"

    def success(self) -> str:
        return f"已导入 {self.created} 个计划类别（产品类别及其抽查批次）"


# ------------------------------------------------------------------------------------------------- cell parsers


def parse_quota(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(f"应为正整数，实际为“{value}”")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = parse_text(value)
    if not text.isdigit() or int(text) < 1:
        raise CellError(f"应为正整数（批次数），实际为“{text}”")
    return int(text)


def parse_stratum_quotas(value: Any) -> dict[str, int]:
    """``350100:2;350200:1`` (also with ；，、 or line breaks between, ： or = inside) → {"350100": 2, …}."""
    text = parse_text(value)
    quotas: dict[str, int] = {}
    for part in (p for p in _STRATUM_SEPARATORS.split(text) if p):
        match = _STRATUM_PAIR.match(part)
        if match is None:
            raise CellError(f"“{part}”应写作“行政区划代码:批次”，多个之间用分号分隔，如 350100:2;350200:1")
        region, quota = match.group(1), int(match.group(2))
        if region in quotas:
            raise CellError(f"行政区划 {region} 填写了两次")
        quotas[region] = quota
    return quotas


_parse_mode_label = choice(SamplingMode)


def parse_mode(value: Any) -> str:
    text = parse_text(value)
    if text in _MODE_ALIASES:
        return _MODE_ALIASES[text]
    return _parse_mode_label(text)


# ------------------------------------------------------------------------------------------------------- spec


class PlanLineSpec(Spec):
    kind = KIND
    title = "计划类别"
    model = PlanLine
    columns = (
        Column(CATEGORY, "category", True, aliases=("类别代码",), help="产品类别代码，如 JT-0303"),
        Column("产品类别名称", "category_name", aliases=("产品类别", "类别名称"), ignored=True, help="可选，仅供阅读"),
        Column(QUOTA, "quota", True, parse_quota, ("批次", "抽查批次数"), "正整数；分层时等于各层批次之和"),
        Column(STRATA, "strata_by", False, choice(StrataBy), ("分层方式",), "不分层、按地市分层或按区县分层", OMIT),
        Column(
            STRATUM_QUOTAS,
            "stratum_quotas",
            False,
            parse_stratum_quotas,
            ("分层批次",),
            "分层时填写，如 350100:2;350200:1（行政区划代码:批次）",
            OMIT,
        ),
        Column(
            MODE,
            "sampling_mode",
            True,
            parse_mode,
            help="生产企业抽样、市场/流通领域抽样、施工现场进场批次抽样或网络购买抽样",
        ),
        Column(AGENCY, "agency", True, aliases=("抽样单位",), help="抽样机构全称"),
        Column(
            LABORATORY,
            "laboratory",
            True,
            aliases=("检验检测机构", "检测机构"),
            help="检验检测机构全称，不能与抽样机构相同",
        ),
    )
    permission_column = ""

    def __init__(self, plan: Plan | None = None) -> None:
        self.plan = plan

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        categories = {c.code.upper(): c for c in ProductCategory.objects.all()}
        names = {r.values.get(key) for r in records for key in ("agency", "laboratory")} - {None, ""}
        organisations: dict[tuple[str, str], list[Organisation]] = defaultdict(list)
        for organisation in Organisation.objects.filter(name__in=names, active=True):
            organisations[(organisation.kind, organisation.name)].append(organisation)
        existing = set(self.plan.lines.values_list("category_id", flat=True))
        first_row: dict[int, int] = {}
        for record in records:
            values = record.values
            category = categories.get(values["category"].upper())
            if category is None:
                report.add(record.number, CATEGORY, f"未找到类别代码为“{values['category']}”的产品类别")
            elif category.pk in existing:
                report.add(record.number, CATEGORY, f"本计划已有产品类别“{category.name}”，不能重复添加")
            elif category.pk in first_row:
                report.add(record.number, CATEGORY, f"与第 {first_row[category.pk]} 行的产品类别重复")
            else:
                first_row[category.pk] = record.number
            agency = self._organisation(record, report, AGENCY, OrganisationKind.KIND_SAMPLING_AGENCY, organisations)
            laboratory = self._organisation(record, report, LABORATORY, OrganisationKind.KIND_LABORATORY, organisations)
            self._check_strata(record, report)
            if not report.ok(record):
                continue
            keep = {"quota", "strata_by", "stratum_quotas", "sampling_mode"}
            record.fields = {k: v for k, v in values.items() if k in keep}
            record.fields |= {"plan": self.plan, "category": category, "agency": agency, "laboratory": laboratory}
            self.validate_instance(record, report)

    def _organisation(
        self,
        record: Record,
        report: ImportReport,
        column: str,
        kind: str,
        found: dict[tuple[str, str], list[Organisation]],
    ) -> Organisation | None:
        name = record.values.get("agency" if column == AGENCY else "laboratory") or ""
        matches = found.get((kind, name), [])
        if len(matches) == 1:
            return matches[0]
        label = OrganisationKind.label(kind)
        if matches:
            message = f"有 {len(matches)} 个名为“{name}”的{label}，请联系管理员区分"
        elif any(other_name == name for (_, other_name) in found):
            message = f"“{name}”不是{label}"
        else:
            message = f"未找到名为“{name}”的{label}（须为有效的{label}，填写全称）"
        report.add(record.number, column, message)
        return None

    def _check_strata(self, record: Record, report: ImportReport) -> None:
        strata_by = record.values.get("strata_by", StrataBy.STRATA_NONE)
        quotas = record.values.get("stratum_quotas") or {}
        if strata_by == StrataBy.STRATA_NONE or not quotas:
            return  # the model says what is missing or superfluous
        level, level_label = ("city", "地市级") if strata_by == StrataBy.STRATA_CITY else ("county", "区县级")
        scope = "" if self.plan.regulator.level == "national" else region_prefix(self.plan.region)
        for region in quotas:
            try:
                division = get_division(region)
            except DivisionError:
                report.add(record.number, STRATUM_QUOTAS, f"“{region}”不是有效的行政区划代码")
                continue
            if division.level != level:
                report.add(
                    record.number,
                    STRATUM_QUOTAS,
                    f"{StrataBy.label(strata_by)}时应填写{level_label}行政区划代码，“{region} {division.name}”不是",
                )
            elif not region.startswith(scope):
                report.add(record.number, STRATUM_QUOTAS, f"“{region} {division.name}”不在本计划的抽查范围内")

    def create(self, actor: User, fields: dict) -> models.Model:
        return services.plan_line_add(actor=actor, **fields)


# ------------------------------------------------------------------------------------------------------ import


def _result(report: ImportReport, created: int = 0) -> PlanImportResult:
    if not report.errors:
        return PlanImportResult(kind=KIND, created=created)
    ordered = sorted(report.errors, key=lambda e: e.row if e.row is not None else 0)
    return PlanImportResult(
        kind=KIND, errors=ordered[:MAX_LISTED_ERRORS], omitted=max(0, len(ordered) - MAX_LISTED_ERRORS)
    )


def _refusal(actor: User, plan: Plan) -> str | None:
    """Why the actor may not add lines to this plan at all (checked before reading any row)."""
    try:
        services._require_writer(actor, plan)
        services._require_draft(plan)
    except NotPermitted as exc:
        return str(exc)
    except ServiceError as exc:
        return "；".join(str(m) for messages in exc.errors.values() for m in messages)
    return None


def plan_lines_import_rows(
    *,
    actor: User,
    plan: Plan,
    header: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    row_numbers: Sequence[int] | None = None,
    header_row: int = 1,
) -> PlanImportResult:
    """Check every row, then add all lines to the draft plan in one transaction — or none, naming row and column."""
    report = ImportReport()
    refusal = _refusal(actor, plan)
    if refusal:
        report.add(None, None, refusal)
        return _result(report)
    spec = PlanLineSpec(plan)
    rows = [list(r) for r in rows]
    numbers = list(row_numbers) if row_numbers is not None else list(range(header_row + 1, header_row + 1 + len(rows)))
    if len(numbers) != len(rows):
        raise ValueError("row_numbers must match rows")
    mapping = map_header(spec, header, rows, header_row, report)
    if report.errors:
        return _result(report)
    if not rows:
        report.add(None, None, "文件中只有表头，没有数据行")
        return _result(report)
    records = parse_rows(mapping, rows, numbers, report)
    good = [r for r in records if report.ok(r)]
    if good:
        spec.resolve(actor, good, report)
    if report.errors:
        return _result(report)
    created = create_all(spec, actor, records, report)
    return _result(report, created or 0)


def plan_lines_import(*, actor: User, plan: Plan, upload: Any) -> PlanImportResult:
    """Read an uploaded .xlsx/.csv of plan lines and add them to the draft `plan`, all or nothing."""
    table, errors = read_upload_for(PlanLineSpec(plan), upload)
    if table is None:
        return PlanImportResult(kind=KIND, errors=errors)
    return plan_lines_import_rows(actor=actor, plan=plan, **table_arguments(table))


def plan_lines_template() -> bytes:
    """A blank .xlsx with the import columns (formatted as text) and a sheet of instructions."""
    notes = [("列名", "是否必填", "说明"), *PlanLineSpec().help_rows()]
    notes.append(("", "", "每行一个产品类别；导入时整份文件逐行检查，有任何错误则不导入任何一行，并列出行号和列名。"))
    return tabular.write_xlsx([c.title for c in PlanLineSpec.columns], [], title="计划类别", notes=notes, as_text=True)
