"""Reading and writing spreadsheets (.xlsx, .csv): registry and plan imports, and every export of a list.

Pure of Django models: bytes in, header + rows out, and back. Every problem with the file itself (size, encoding,
format, shape) is a :class:`TabularError` whose message is Chinese and, where it can, names the row and column as
the user sees them in a spreadsheet program (first row is 1, first column is A).

Exports neutralise spreadsheet formula injection (OWASP “CSV Injection”): a text cell beginning with ``=``, ``+``,
``-``, ``@``, tab or carriage return is written with a leading apostrophe, so Excel/WPS/LibreOffice show it as
text instead of evaluating it. Imports remove exactly that apostrophe again, so an export imports back unchanged.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

__all__ = [
    "DANGEROUS_PREFIXES",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "Table",
    "TabularError",
    "column_letter",
    "header_key",
    "neutralise",
    "read_bytes",
    "read_csv",
    "read_upload",
    "read_xlsx",
    "unneutralise",
    "write_csv",
    "write_xlsx",
]

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 60
# An .xlsx is a zip archive: a small file may inflate enormously (shared strings are loaded whole), so the
# uncompressed size and the number of members are bounded before openpyxl sees the file.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
# Rows iterated including blank ones: a stray cell at row 1,048,576 must not make us walk a million empty rows.
MAX_SCANNED_ROWS = 3 * MAX_ROWS
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and encrypted .xlsx
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}
HEADER_SEARCH_ROWS = 10  # non-blank rows searched for the header when a header test is given

HeaderTest = Callable[[Sequence[Any]], bool]


class TabularError(ValueError):
    """The file cannot be read as a table. ``row``/``column`` locate the problem when known."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"“{self.column}”列")
        return f"{'，'.join(where)}：{self.message}" if where else self.message


@dataclass
class Table:
    """A header and its data rows. ``row_numbers[i]`` is the spreadsheet row number of ``rows[i]``."""

    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    header_row: int = 1
    source: str = ""  # "xlsx", "csv (UTF-8)", "csv (GBK)", …


def column_letter(index: int) -> str:
    """0-based column index → spreadsheet letters: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def header_key(title: object) -> str:
    """How column titles are compared: width-folded, without spaces, required-markers or letter case."""
    text = unicodedata.normalize("NFKC", str(title or ""))
    text = "".join(text.split()).strip("*").lower()
    for marker in ("(必填)", "(选填)", "(可选)"):
        text = text.replace(marker, "")
    return text


def neutralise(value: Any) -> Any:
    """Make a text cell inert for spreadsheet programs (leading apostrophe); other values pass unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def unneutralise(value: Any) -> Any:
    """Undo :func:`neutralise`: drop the apostrophe only where it guards a dangerous first character."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(DANGEROUS_PREFIXES):
        return value[1:]
    return value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _suffix(name: str) -> str:
    return PurePosixPath((name or "").replace("\\", "/")).suffix.lower()


# ----------------------------------------------------------------------------------------------------- reading


def read_upload(upload: Any, is_header: HeaderTest | None = None) -> Table:
    """Read an uploaded file (anything with ``name``, ``size`` and ``read``), refusing oversize files unread."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise TabularError(_too_big(size))
    data = upload.read(MAX_BYTES + 1)
    return read_bytes(getattr(upload, "name", "") or "", data, is_header)


def _too_big(size: int) -> str:
    return f"文件过大（{size / 1024 / 1024:.1f} MB），上限 {MAX_BYTES // 1024 // 1024} MB，请分批导入"


def read_bytes(name: str, data: bytes, is_header: HeaderTest | None = None) -> Table:
    """Read .xlsx or .csv content; the extension says which, the content must agree.

    ``is_header`` recognises the header row, so that title lines above it (“2026 年生产企业名录”) are skipped;
    without it, or if no row within the first few passes, the first non-blank row is the header.
    """
    if len(data) > MAX_BYTES:
        raise TabularError(_too_big(len(data)))
    if not data:
        raise TabularError("文件是空的")
    suffix = _suffix(name)
    if data.startswith(_OLE_MAGIC):
        raise TabularError("不支持旧版 .xls 或加密的 Excel 文件：请在 Excel 中“另存为” .xlsx（且不设密码）后再导入")
    if suffix == ".xlsx":
        if not data.startswith(_ZIP_MAGIC):
            raise TabularError("文件扩展名是 .xlsx，但内容不是 Excel 工作簿：请用 Excel 或 WPS 重新保存为 .xlsx")
        return read_xlsx(data, is_header)
    if suffix in {".csv", ".txt"}:
        if data.startswith(_ZIP_MAGIC):
            raise TabularError("文件扩展名是 .csv，但内容是压缩包或 Excel 工作簿：Excel 文件请使用 .xlsx 扩展名")
        return read_csv(data, is_header)
    if suffix in {".xls", ".et", ".ods", ".numbers", ".xlsm", ".xlsb"}:
        raise TabularError(f"不支持 {suffix} 文件：请“另存为” .xlsx 或 .csv 后再导入")
    raise TabularError("只支持 .xlsx（Excel 工作簿）或 .csv（逗号分隔，UTF-8 或 GBK 编码）文件")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as exc:
            raise TabularError(f"文件标明为 UTF-8 编码，但第 {exc.start + 1} 个字节起内容无效：请重新保存") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise TabularError("文件标明为 UTF-16 编码，但内容无效：请另存为 UTF-8 或 GBK 编码的 CSV") from None
    if b"\x00" in data:
        raise TabularError("文件含有二进制数据，不是文本 CSV：请上传 .xlsx 或 .csv 文件")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    _refuse_damaged_utf8(data, first_bad)
    try:
        return data.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        raise TabularError(
            "无法识别文件编码（既不是 UTF-8 也不是 GBK）：请在 Excel 中“另存为”CSV UTF-8（逗号分隔），或 GBK 编码的 CSV"
        ) from None


def _refuse_damaged_utf8(data: bytes, first_bad: int) -> None:
    """A UTF-8 file with a few broken bytes also “decodes” as GBK — into mojibake (锟斤拷). Refuse it instead."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    sound = sum(1 for ch in text if ord(ch) > 127) - broken
    if sound >= 3 * broken:
        line = data[:first_bad].count(b"\n") + 1
        raise TabularError(
            f"文件是 UTF-8 编码，但第 {line} 行有无法识别的字节（文件可能已损坏）：请检查该行后重新保存为 UTF-8"
        )


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, is_header: HeaderTest | None = None) -> Table:
    text, encoding = decode_text(data)
    if text.endswith("\x1a"):  # DOS end-of-file marker some tools still append
        text = text[:-1]
    bad = next((ch for ch in text if ch in _CONTROL), None)
    if bad is not None:
        raise TabularError(f"文件含有控制字符（U+{ord(bad):04X}），不像是 CSV 文本文件：请上传 .xlsx 或 .csv 文件")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    try:
        table = _collect(enumerate(reader, start=1), f"csv ({encoding})", is_header)
    except csv.Error as exc:
        raise TabularError(f"第 {reader.line_num} 行：CSV 格式错误（{exc}），请检查引号是否成对") from None
    return table


def read_xlsx(data: bytes, is_header: HeaderTest | None = None) -> Table:
    """Read the first worksheet of an .xlsx, after bounding what unzipping it could cost."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise TabularError("文件已损坏，无法作为 Excel 工作簿打开：请用 Excel 或 WPS 重新保存为 .xlsx") from None
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise TabularError(f"Excel 文件解压后超过 {MAX_UNZIPPED_BYTES // 1024 // 1024} MB，请删除多余内容或分批导入")
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise TabularError("压缩包中没有 Excel 工作簿（xl/workbook.xml）：请上传 .xlsx 文件")

    import openpyxl

    workbook = None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        if not workbook.worksheets:
            raise TabularError("Excel 工作簿中没有工作表")
        sheet = workbook.worksheets[0]
        # The <dimension> a file declares may be wrong or absent; read what is really there instead.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS + 1, values_only=True)
        return _collect(enumerate(rows, start=1), "xlsx", is_header)
    except TabularError:
        raise
    except Exception:  # openpyxl raises anything from KeyError to XML errors on malformed input
        raise TabularError(
            "无法读取 Excel 文件：文件可能已损坏或格式不受支持，请用 Excel 或 WPS 重新保存为 .xlsx"
        ) from None
    finally:
        if workbook is not None:
            workbook.close()


def _cell(value: Any, row: int, col: int) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            raise TabularError(f"单元格内容过长（{len(value)} 个字符）", row=row, column=f"第 {column_letter(col)} 列")
        return value
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime | dt.time) or value is None:
        return value
    return str(value)


def _collect(
    numbered_rows: Iterable[tuple[int, Sequence[Any]]], source: str, is_header: HeaderTest | None = None
) -> Table:
    table: Table | None = None
    width = 0
    waiting: list[tuple[int, list[Any]]] = []  # non-blank rows seen while looking for the header

    def start(number: int, values: list[Any]) -> Table:
        header = [str(v).strip() if v is not None else "" for v in values]
        while header and not header[-1]:
            header.pop()
        if len(header) > MAX_COLUMNS:
            raise TabularError(f"列数过多（上限 {MAX_COLUMNS} 列）", row=number)
        return Table(header=header, header_row=number, source=source)

    def add(number: int, values: list[Any]) -> None:
        extra = next((i for i in range(width, len(values)) if not _is_blank(values[i])), None)
        if extra is not None:
            raise TabularError(
                "这一列有数据但没有列名（表头）：请补上列名或删除该列",
                row=number,
                column=f"第 {column_letter(extra)} 列",
            )
        if len(table.rows) >= MAX_ROWS:
            raise TabularError(f"数据超过 {MAX_ROWS} 行的上限，请分批导入")
        table.rows.append(values[:width] + [None] * (width - len(values)))
        table.row_numbers.append(number)

    def settle() -> None:
        # No row looked like a header: take the first one, so the user is told which column titles are wrong.
        nonlocal table, width
        table = start(*waiting[0])
        width = len(table.header)
        for number, values in waiting[1:]:
            add(number, values)
        waiting.clear()

    for number, raw in numbered_rows:
        if number > MAX_SCANNED_ROWS:
            raise TabularError(f"表格行数过多（含空行超过 {MAX_SCANNED_ROWS} 行）：请删除多余的空行，或分批导入")
        values = [_cell(v, number, i) for i, v in enumerate(raw)]
        if all(_is_blank(v) for v in values):
            continue
        if table is None:
            if is_header is None or is_header(values):
                table = start(number, values)
                width = len(table.header)
                waiting.clear()
                continue
            waiting.append((number, values))
            if len(waiting) >= HEADER_SEARCH_ROWS:
                settle()
            continue
        add(number, values)
    if table is None and waiting:
        settle()
    if table is None:
        raise TabularError("文件中没有内容：第一行应为列名（表头），其后每行一条记录")
    return table


# ----------------------------------------------------------------------------------------------------- writing


def _text_for_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel on Windows detects the encoding), CRLF line ends."""
    buffer = io.StringIO(newline="")
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_text_for_csv(h) for h in header])
    for row in rows:
        writer.writerow([_text_for_csv(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value == "":
        return None
    if isinstance(value, str):
        # openpyxl refuses control characters and would store "=…" as a formula: clean, then neutralise.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _rows_for_sheet(sheet: Any, rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    from openpyxl.cell import WriteOnlyCell

    for row in rows:
        cells = []
        for value in row:
            value = _xlsx_value(value)
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd" if not isinstance(value, dt.datetime) else "yyyy-mm-dd hh:mm"
                cells.append(cell)
            else:
                cells.append(value)
        yield cells


def write_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "数据",
    notes: Sequence[Sequence[Any]] | None = None,
    widths: Sequence[int] | None = None,
    as_text: bool = False,
) -> bytes:
    """An .xlsx with a bold, frozen header row; ``notes`` adds a second sheet of instructions.

    ``as_text`` formats every column as text (for blank templates): Excel then keeps an 18-digit credit code or a
    batch number like 000123 as typed instead of turning it into a rounded number.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for index, title_text in enumerate(header):
        width = widths[index] if widths and index < len(widths) else max(12, min(40, 2 * len(title_text) + 4))
        sheet.column_dimensions[column_letter(index)].width = width
        if as_text:
            sheet.column_dimensions[column_letter(index)].number_format = "@"
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head_cells = []
    for title_text in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(title_text))
        cell.font = bold
        head_cells.append(cell)
    sheet.append(head_cells)
    for cells in _rows_for_sheet(sheet, rows):
        sheet.append(cells)
    if notes:
        help_sheet = workbook.create_sheet(title="填写说明")
        help_sheet.column_dimensions["A"].width = 24
        help_sheet.column_dimensions["B"].width = 10
        help_sheet.column_dimensions["C"].width = 80
        for cells in _rows_for_sheet(help_sheet, notes):
            help_sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return (cleaned or "数据")[:31]
