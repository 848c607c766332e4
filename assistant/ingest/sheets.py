"""Read spreadsheets (.xlsx, .csv) into report text: the file's name as the title, each sheet a
section under its name, each row a citable line with its headers (ingest.tables).

.xlsx: formulas read as the values Excel (or WPS/LibreOffice) saved with them; a formula saved
without one (a file written by a program that does not calculate) is named in a note, not read
as empty without a word. Hidden sheets are skipped with a note. The zip-bomb guards of .docx apply.
.csv: decoded like .txt (strict detection, GBK included), the delimiter sniffed (, ; tab).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.ingest.loaders import LoadedText, LoadError, check_office_zip, decode_text_bytes
from assistant.ingest.tables import Cell, table_lines

_MAX_LISTED = 5  # cells named in a note before "等"


def format_number(value: float | int, number_format: str = "General") -> str:
    """A number as a person writes it: 500 (not 500.0), 12.5, 80% for a percent-formatted 0.8."""
    if isinstance(value, bool):
        return "是" if value else "否"
    percent = "%" in number_format
    number = Decimal(repr(value)) * (100 if percent else 1)
    integral = number == number.to_integral_value()
    text = str(int(number)) if integral else format(round(number, 10).normalize(), "f")
    return text + ("%" if percent else "")


def format_value(value: Any, number_format: str = "General") -> str:
    """A cell's value as text: numbers as format_number, dates as 2024年3月1日, text as written."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return format_number(value, number_format)
    if isinstance(value, dt.datetime):
        day = f"{value.year}年{value.month}月{value.day}日"
        return day if value.time() == dt.time(0) else f"{day} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    return str(value).strip()


def load_xlsx(path: Path) -> LoadedText:
    import openpyxl

    check_office_zip(path, ".xlsx")
    try:
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False)
    except LoadError:
        raise
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError and lxml errors alike
        raise LoadError(f"无法打开 Excel 文件（文件损坏或不是 .xlsx）：{type(exc).__name__}: {exc}") from exc
    lines, notes = [path.stem], []
    for sheet in values.worksheets:
        if sheet.sheet_state != "visible":
            notes.append(f"隐藏的工作表“{sheet.title}”未导入")
            continue
        grid, uncached = _sheet_grid(sheet, formulas[sheet.title])
        if uncached:
            listed = "、".join(uncached[:_MAX_LISTED]) + ("等" if len(uncached) > _MAX_LISTED else "")
            notes.append(
                f"工作表“{sheet.title}”中 {len(uncached)} 个公式单元格（{listed}）没有保存计算结果，按空值处理："
                "请在 Excel 或 WPS 中打开并保存后重新导入"
            )
        rows = table_lines(grid)
        if rows:
            lines.append(sheet.title)
            lines.extend(rows)
    return LoadedText("\n".join(lines), "xlsx", notes=tuple(notes))


def _sheet_grid(sheet: Any, formula_sheet: Any) -> tuple[list[list[Cell]], list[str]]:
    """The sheet's used range as a grid (a merged range's value at every position it covers) and the
    formula cells saved without a value."""
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in sheet.merged_cells.ranges:
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                merged[(row, col)] = (rng.min_row, rng.min_col)
    grid: list[list[Cell]] = []
    uncached: list[str] = []
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=sheet.max_column):
        cells = []
        for cell in row:
            anchor = merged.get((cell.row, cell.column), (cell.row, cell.column))
            source = sheet.cell(*anchor) if anchor != (cell.row, cell.column) else cell
            if source.value is None and anchor == (cell.row, cell.column):
                raw = formula_sheet.cell(cell.row, cell.column).value
                if isinstance(raw, str) and raw.startswith("="):
                    uncached.append(cell.coordinate)
            cells.append(Cell(format_value(source.value, source.number_format), anchor))
        grid.append(cells)
    return grid, uncached


def load_csv(path: Path) -> LoadedText:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
    decoded = decode_text_bytes(data)
    text = decoded.text
    try:
        dialect: Any = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise LoadError(f"无法读取 CSV：{exc}") from exc
    grid = [[Cell(value.strip(), (r, c)) for c, value in enumerate(row)] for r, row in enumerate(rows)]
    width = max((len(row) for row in grid), default=0)
    for r, row in enumerate(grid):
        row.extend(Cell("", (r, c)) for c in range(len(row), width))
    return LoadedText("\n".join([path.stem, *table_lines(grid)]), decoded.encoding)
