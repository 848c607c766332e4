"""What the CLI, the app and the answer paths ask of the ledger: rows by filter, an indicator over
the years or across places, and the table as .xlsx or .csv (utf-8 with BOM, so Excel reads it)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.ledger.extract import KINDS, Row
from assistant.ledger.store import Ledger

# Table columns for exports, with their Chinese headers.
COLUMNS = (
    ("place", "地区"),
    ("year", "年份"),
    ("indicator", "指标"),
    ("value", "数值"),
    ("number", "数值（标准化）"),
    ("unit", "单位"),
    ("qualifier", "限定"),
    ("kind", "类型"),
    ("direction", "方向"),
    ("undisclosed", "未公开"),
    ("doc", "文档"),
    ("part", "部分"),
    ("section", "章节"),
    ("quote", "原文"),
)


class LedgerError(AssistantError, ValueError):
    exit_code = 2


def check_kind(kind: str | None) -> str | None:
    if kind is not None and kind not in KINDS:
        raise LedgerError(f"未知类型 {kind!r}，可选：{'、'.join(KINDS)}")
    return kind


def rows(
    ledger: Ledger,
    *,
    place: str | None = None,
    year: int | None = None,
    doc: str | None = None,
    indicator: str | None = None,
    kind: str | None = None,
) -> list[Row]:
    """Rows meeting every filter (indicator: part of its name)."""
    return ledger.rows(place=place, year=year, doc=doc, indicator=indicator, kind=check_kind(kind))


def series(ledger: Ledger, indicator: str, place: str) -> dict[int, list[Row]]:
    """An indicator's achieved rows (actual / change) of one place, by year (a line chart)."""
    out: dict[int, list[Row]] = defaultdict(list)
    for row in ledger.rows(place=place, indicator=indicator):
        if row.kind in ("actual", "change") and row.indicator == indicator:
            out[row.year].append(row)
    return dict(sorted(out.items()))


def across_places(ledger: Ledger, indicator: str, year: int) -> dict[str, list[Row]]:
    """An indicator's achieved rows of one year, by place (a bar chart)."""
    out: dict[str, list[Row]] = defaultdict(list)
    for row in ledger.rows(year=year, indicator=indicator):
        if row.kind in ("actual", "change") and row.indicator == indicator:
            out[row.place].append(row)
    return dict(sorted(out.items()))


def export(found: list[Row], path: Path) -> None:
    """The rows as .xlsx (openpyxl) or .csv (utf-8-sig); other suffixes are refused."""
    suffix = path.suffix.lower()
    table = [[_cell(r.to_json()[key]) for key, _ in COLUMNS] for r in found]
    headers = [title for _, title in COLUMNS]
    try:
        if suffix == ".csv":
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(headers)
                writer.writerows(table)
        elif suffix == ".xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.title = "指标台账"
            sheet.append(headers)
            for line in table:
                sheet.append(line)
            book.save(path)
        else:
            raise LedgerError(f"不支持的导出格式 {path.suffix or '（无扩展名）'}，请用 .xlsx 或 .csv")
    except OSError as exc:
        raise LedgerError(f"无法写入 {path}：{exc}") from exc


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else ""
    return "" if value is None else value
