"""Turn a table (Word, Excel, CSV) into citable row lines that keep their column headers.

Each data row becomes one line, `｜项目名称：XX大道改造，投资：500万元，进度：完成80%`:
- it starts with ROW_MARK, which the section parser (ingest.structure) reads as "a table row":
  a row is never taken for a heading (a row reading 一、… stays a row) and rows following a
  caption line (表1 …情况表, a sheet's name) are filed under that caption;
- fields are joined with "，", not "；": ； ends a sentence (assistant.text), and a row must stay one
  sentence so a quoted figure carries its row label and column header with it;
- a vertically merged cell's value counts for every row it spans, a horizontally merged cell
  appears once per row (named by the headers its columns share);
- header rows are the first row, plus the rows below it while the row above has a cell spanning
  several columns (a two-row header with group headers gives names like 资金（万元）·中央).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

ROW_MARK = "｜"  # first character of every table row line (never the start of a report paragraph)
FIELD_SEP = "，"
NAME_SEP = "·"  # between a group header and the header under it
_MAX_HEADER_ROWS = 3
# A cell that is a figure (500, 80%, 1,200.5万元, -3): a row holding one is data, not a header.
_FIGURE = re.compile(r"^[-+]?\d[\d,，.]*\s*(?:%|％|万元|亿元|元|万|亿|个|人|户|亩|公里|km)?$")


@dataclass(frozen=True)
class Cell:
    """One grid position: its text and the identity of the cell it belongs to (a merged cell's
    positions share one key)."""

    text: str
    key: object


Grid = Sequence[Sequence[Cell]]


def cell_text(text: str) -> str:
    """A cell's text on one line: line breaks and runs of spaces become one space."""
    return " ".join(text.split())


def _is_figure(text: str) -> bool:
    return bool(_FIGURE.match(text))


def _has_span(row: Sequence[Cell]) -> bool:
    """A non-empty cell covering several adjacent columns of this row."""
    return any(a.key == b.key and cell_text(a.text) for a, b in itertools.pairwise(row))


def header_depth(grid: Grid) -> int:
    """How many rows at the top are column headers (0 when the first row already holds figures)."""
    if len(grid) < 2 or any(_is_figure(cell_text(c.text)) for c in grid[0]):
        return 0
    depth = 1
    while (
        depth < min(_MAX_HEADER_ROWS, len(grid) - 1)
        and _has_span(grid[depth - 1])
        and not any(_is_figure(cell_text(c.text)) for c in grid[depth])
    ):
        depth += 1
    return depth


def column_names(grid: Grid, depth: int) -> list[str]:
    """Each column's name: its header cells top to bottom, a repeated (merged) one once."""
    width = max((len(row) for row in grid), default=0)
    names = []
    for col in range(width):
        parts: list[str] = []
        for row in grid[:depth]:
            text = cell_text(row[col].text) if col < len(row) else ""
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        names.append(NAME_SEP.join(parts))
    return names


def _shared_name(names: list[str]) -> str:
    """The name of a cell spanning columns: their name if they agree, else the group header they
    share, else none (合计 across 类别 and 项目名称 is just 合计)."""
    distinct = list(dict.fromkeys(n for n in names if n))
    if len(distinct) <= 1:
        return distinct[0] if distinct else ""
    first = distinct[0].split(NAME_SEP)
    common = 0
    while all(len(n.split(NAME_SEP)) > common and n.split(NAME_SEP)[common] == first[common] for n in distinct):
        common += 1
    return NAME_SEP.join(first[:common])


def row_text(row: Sequence[Cell], names: Sequence[str]) -> str:
    """One data row as `名称：值，名称：值` (without ROW_MARK); "" for an empty row. A row whose
    one non-empty cell spans every column (a group label such as 一、基础设施类) is that text alone."""
    groups: list[tuple[Cell, list[int]]] = []
    for col, cell in enumerate(row):
        if groups and groups[-1][0].key == cell.key:
            groups[-1][1].append(col)
        else:
            groups.append((cell, [col]))
    filled = [(cell_text(cell.text), cols) for cell, cols in groups if cell_text(cell.text)]
    if len(filled) == 1 and len(filled[0][1]) == len(row) > 1:
        return filled[0][0]
    fields = []
    for value, cols in filled:
        name = _shared_name([names[c] for c in cols if c < len(names)])
        fields.append(f"{name}：{value}" if name and name != value else value)
    return FIELD_SEP.join(fields)


_FIELD = re.compile(r"([^：，。；！？\n]{1,16})：")


def row_fields(line: str) -> list[tuple[str, str]] | None:
    """The (header, value) fields of a row line `｜名称：值，名称：值` as table_lines writes it; None when
    the line is not a row line. A field whose header was its value (or a group label) has header ""."""
    if not line.startswith(ROW_MARK):
        return None
    text = line[len(ROW_MARK) :]
    starts = [m for m in _FIELD.finditer(text) if m.start() == 0 or text[m.start() - 1] == FIELD_SEP]
    if not starts:
        return [("", text)] if text else None
    fields: list[tuple[str, str]] = []
    if starts[0].start() > 0:
        fields.append(("", text[: starts[0].start() - 1]))
    for i, m in enumerate(starts):
        end = starts[i + 1].start() - 1 if i + 1 < len(starts) else len(text)
        fields.append((m.group(1), text[m.end() : end]))
    return fields


def table_lines(grid: Grid) -> list[str]:
    """The row lines of a table, each starting with ROW_MARK; header and empty rows give none."""
    depth = header_depth(grid)
    names = column_names(grid, depth)
    lines = []
    for row in grid[depth:]:
        text = row_text(row, names)
        if text:
            lines.append(ROW_MARK + text)
    return lines


def docx_lines(document: object) -> list[str]:
    """The lines of a python-docx Document in document order: paragraphs as written, each table as
    its row lines where it stands. A one-column table (a text box drawn as a table) reads as its
    paragraphs. Tables nested in cells are read as their cells' text."""
    from docx.table import Table

    lines: list[str] = []
    for block in document.iter_inner_content():  # type: ignore[attr-defined]
        if not isinstance(block, Table):
            lines.append(block.text)
            continue
        grid = _docx_grid(block)
        if max((len(row) for row in grid), default=0) <= 1:
            lines.extend(cell.text for row in grid for cell in row)
        else:
            lines.extend(table_lines(grid))
    return lines


def _docx_grid(table: object) -> list[list[Cell]]:
    """One Cell per grid position; python-docx gives a merged cell (gridSpan or vMerge) at every
    position it covers, so positions of one merged cell share its <w:tc> element as key."""
    grid: list[list[Cell]] = []
    for row in table.rows:  # type: ignore[attr-defined]
        grid.append([Cell(cell.text, cell._tc) for cell in row.cells])
    width = max((len(row) for row in grid), default=0)
    for i, row in enumerate(grid):  # rows short of the grid (gridBefore/gridAfter): empty positions
        row.extend(Cell("", (i, col)) for col in range(len(row), width))
    return grid
