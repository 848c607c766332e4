"""Figures in table rows (ingest.tables writes each row as `｜名称：值，名称：值`): the indicator a cell's
figure gets from its row label and column header, and the unit a header gives a bare number."""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.ingest.tables import FIELD_SEP, ROW_MARK, row_fields
from assistant.numbers import figures


def _row_spans(row: str) -> list[tuple[int, int, str, str]]:
    """(start, end, header, value) of each field of a table row line, offsets in the line."""
    spans, pos = [], len(ROW_MARK)
    for header, value in row_fields(row) or []:
        width = (len(header) + 1 if header else 0) + len(value)
        spans.append((pos, pos + width, header, value))
        pos += width + len(FIELD_SEP)
    return spans


_HEADER_UNIT = re.compile(r"[（(]([^（）()]{1,4})[）)]")


def header_unit(sentence: str, start: int, end: int, units: str) -> tuple[str, Decimal]:
    """The unit and multiplier a table's column header gives a bare number that is the whole cell:
    资金（万元）：300 → (元, 10000), as 300万元 would be read; ("", 1) when there is none. `units`: the
    measure words a figure may have (a regex alternation, extract._UNIT)."""
    if sentence.startswith(ROW_MARK):
        for a, b, header, value in _row_spans(sentence):
            if a <= start < b and value.strip() == sentence[start:end].strip():
                m = _HEADER_UNIT.fullmatch(header[header.rfind("（") :]) or _HEADER_UNIT.search(header)
                unit = m.group(1) if m else ""
                mult = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}.get(unit[:1], Decimal(1))
                rest = unit[1:] if mult != 1 else unit
                if rest and (rest == "%" or re.fullmatch(f"(?:{units})", rest)):
                    return rest, mult
    return "", Decimal(1)


def row_indicator(row: str, at: int) -> str:
    """The indicator of a figure at `at` in a table row line (｜项目名称：XX大道改造，投资：500万元):
    the row's label (its first field without a figure) and the header of the figure's column,
    XX大道改造投资; the header alone when the row has no such label."""
    spans = _row_spans(row)
    column = next(((h, v) for a, b, h, v in spans if a <= at < b), None)
    if column is None or not column[0]:
        return ""
    label = next((v for _, _, _, v in spans if v and v != column[1] and not figures(v)), "")
    return f"{label}{column[0]}" if label else column[0]
