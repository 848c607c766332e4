"""A report as the document view shows it: its full text rebuilt from the store's chunks, its section
tree, table rows as tables, one passage in focus with the quoted text highlighted.

The text is rebuilt from the chunks in order of their offsets into the cleaned text (chunk text is
exactly `cleaned[start:end]`; overlaps are taken once, a gap between chunks, a line break in the
cleaned text, is shown as one). That is the text every citation quotes and every offset points at, so
a passage found by its offsets is the one the answer cited. Every piece of document text goes through
html.escape: the only markup is the view's own.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.ingest.structure import heading_level
from assistant.ingest.tables import row_fields

CSS = """
.doc-view {line-height:1.8}
.doc-cols {display:flex;gap:16px;align-items:flex-start}
.doc-cols .doc-tree {flex:0 0 30%;max-height:75vh;overflow:auto;position:sticky;top:0;font-size:0.9em}
.doc-cols .doc-body {flex:1 1 auto;max-height:75vh;overflow:auto}
.doc-view .doc-head {color:#555;font-size:0.9em;margin-bottom:8px}
.doc-view .doc-line {margin:2px 0;white-space:pre-wrap}
.doc-view .doc-h {font-weight:700;margin:10px 0 4px 0}
.doc-view .doc-h1 {font-size:1.15em}
.doc-view .doc-h2 {font-size:1.08em}
.doc-view .doc-focus {background:#eef4ff;border-left:3px solid #1f5fbf;padding:2px 8px}
.doc-view mark {background:#ffe27a;padding:0 2px}
.doc-view table.doc-table {border-collapse:collapse;margin:6px 0}
.doc-view table.doc-table th, .doc-view table.doc-table td {border:1px solid #c8d0dc;padding:2px 8px}
.doc-view table.doc-table th {background:#f2f5fa}
.doc-tree ul {margin:2px 0 2px 16px;padding:0}
.doc-view .doc-ocr {border-left:3px dashed #c9a227;padding-left:6px}
.doc-view .doc-ocr-note {background:#fff8e1;border:1px solid #e6c65c;padding:4px 8px;margin:4px 0}
.doc-tree li {list-style:disc}
"""


@dataclass(frozen=True)
class Line:
    """One line of the rebuilt text with its offsets in the cleaned text."""

    start: int
    end: int
    text: str


def rebuild(chunks: Sequence[dict[str, Any]]) -> list[Line]:
    """The document's non-blank lines from its chunks' (start, end, text), in order, with their offsets.
    Overlapping spans are taken once; a gap between two chunks (the line breaks between them) is filled
    with as many line breaks, so positions in the text built stay those of the cleaned text."""
    ordered = sorted(chunks, key=lambda m: (int(m.get("start", 0)), int(m.get("end", 0))))
    if not ordered:
        return []
    first = int(ordered[0].get("start", 0))
    parts: list[str] = []
    covered = first
    for meta in ordered:
        start, end, text = int(meta.get("start", 0)), int(meta.get("end", 0)), str(meta.get("text", ""))
        if end <= covered:
            continue
        if start > covered:
            parts.append("\n" * (start - covered))
        parts.append(text[max(0, covered - start) :])
        covered = end
    lines: list[Line] = []
    offset = first
    for part in "".join(parts).split("\n"):
        if part.strip():
            lines.append(Line(offset, offset + len(part), part))
        offset += len(part) + 1
    return lines


def table_cells(line: str) -> list[tuple[str, str]] | None:
    """[(header, value), …] when the line is a table row as the loaders write it
    (`｜项目名称：A，投资：500万元`, assistant.ingest.tables), else None."""
    return row_fields(line.strip())


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _marked(line: Line, span: tuple[int, int] | None) -> str:
    """The line's text escaped, the part inside `span` (cleaned-text offsets) in <mark>."""
    if span is None or span[1] <= line.start or span[0] >= line.end:
        return _e(line.text)
    a, b = max(span[0], line.start) - line.start, min(span[1], line.end) - line.start
    return _e(line.text[:a]) + "<mark>" + _e(line.text[a:b]) + "</mark>" + _e(line.text[b:])


def quote_span(chunk: dict[str, Any] | None, quote: str) -> tuple[int, int] | None:
    """Where the quote lies in the cleaned text (within its chunk); None when it is not there as written."""
    if not chunk or not quote:
        return None
    at = str(chunk.get("text", "")).find(quote)
    if at < 0:
        return None
    start = int(chunk.get("start", 0)) + at
    return start, start + len(quote)


def _table(rows: list[tuple[Line, list[tuple[str, str]]]], span: tuple[int, int] | None) -> str:
    headers = [h for h, _ in rows[0][1]]
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for line, cells in rows:
        marked = span is not None and span[0] < line.end and span[1] > line.start
        cls = ' class="doc-hit"' if marked else ""
        tds = "".join(f"<td>{'<mark>' if marked else ''}{_e(v)}{'</mark>' if marked else ''}</td>" for _, v in cells)
        body.append(f"<tr{cls}>{tds}</tr>")
    return f'<table class="doc-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def body_html(
    lines: Sequence[Line],
    focus: tuple[int, int] | None,
    span: tuple[int, int] | None,
    ocr: Sequence[tuple[int, int]] = (),
) -> str:
    """The text: headings as headings, runs of table rows with the same headers as one table, the lines
    of the focused passage (`focus`, cleaned-text offsets) in one block with id doc-focus; lines inside
    `ocr` (spans of passages read by OCR) in class doc-ocr."""
    out: list[str] = []
    rows: list[tuple[Line, list[tuple[str, str]]]] = []
    in_focus = False

    def flush() -> None:
        if rows:
            out.append(_table(rows, span))
            rows.clear()

    for line in lines:
        inside = focus is not None and line.start < focus[1] and line.end > focus[0]
        if inside != in_focus:
            flush()
            out.append('<div class="doc-focus" id="doc-focus">' if inside else "</div>")
            in_focus = inside
        cells = table_cells(line.text)
        if cells is not None:
            if rows and [h for h, _ in rows[0][1]] != [h for h, _ in cells]:
                flush()
            rows.append((line, cells))
            continue
        flush()
        level = heading_level(line.text.strip())
        read = " doc-ocr" if any(line.start < b and line.end > a for a, b in ocr) else ""
        tip = f' title="{OCR_TIP}"' if read else ""
        if level is not None and len(line.text) <= 60:
            out.append(f'<div class="doc-h doc-h{min(level, 3)}{read}"{tip}>{_marked(line, span)}</div>')
        else:
            out.append(f'<p class="doc-line{read}"{tip}>{_marked(line, span)}</p>')
    flush()
    if in_focus:
        out.append("</div>")
    return "".join(out)


def section_tree(chunks: Sequence[dict[str, Any]]) -> str:
    """The headings, nested as the chunks' section paths nest them, in document order."""
    root: dict[str, Any] = {}
    for meta in sorted(chunks, key=lambda m: int(m.get("start", 0))):
        node = root
        for heading in [h for h in str(meta.get("section", "")).split(" > ") if h]:
            node = node.setdefault(heading, {})

    def render(node: dict[str, Any]) -> str:
        items = "".join(f"<li>{_e(key)}{render(child)}</li>" for key, child in node.items())
        return f"<ul>{items}</ul>" if items else ""

    return f'<div class="doc-tree"><h4>章节结构</h4>{render(root) or "<p>（无章节标题）</p>"}</div>'


def doc_html(
    title: str,
    about: str,
    chunks: Sequence[dict[str, Any]],
    focus_chunk: str | None = None,
    quote: str = "",
) -> str:
    """The whole view: title, a line about the report (place, years, kind), the section tree and the
    full text; `focus_chunk` (a chunk id) is the passage to show, `quote` the text highlighted in it."""
    chunk = next((m for m in chunks if m.get("id") == focus_chunk), None) if focus_chunk else None
    focus = (int(chunk.get("start", 0)), int(chunk.get("end", 0))) if chunk else None
    span = quote_span(chunk, quote)
    if chunk is not None and span is None:
        span = focus  # the quote is not in it as written (a rewritten quote): the whole passage is marked
    lines = rebuild(chunks)
    ocr = [(int(m.get("start", 0)), int(m.get("end", 0))) for m in chunks if m.get("ocr")]
    return (
        f'<div class="doc-view"><h3>{_e(title)}</h3><div class="doc-head">{_e(about)}</div>{ocr_note(chunks)}'
        f'<div class="doc-cols">{section_tree(chunks)}'
        f'<div class="doc-body">{body_html(lines, focus, span, ocr)}</div>'
        "</div></div>"
    )


OCR_TIP = "此段由文字识别（OCR）自扫描页得到，可能有误，请以原件为准"


def ocr_note(chunks: Sequence[dict[str, Any]]) -> str:
    """A line above the text naming the pages read by OCR (chunk metadata `ocr`, `page`); "" if none."""
    pages = sorted({int(m["page"]) for m in chunks if m.get("ocr") and m.get("page")})
    if not any(m.get("ocr") for m in chunks):
        return ""
    where = f"第 {'、'.join(map(str, pages))} 页" if pages else "部分页面"
    return (
        f'<div class="doc-ocr-note">本文{where}为扫描件，文字由文字识别（OCR）得到，'
        "已用虚线框标出，可能有误，请以原件为准。</div>"
    )
