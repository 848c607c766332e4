"""Parse the Chinese official-document heading hierarchy of a cleaned report into a section tree.

Levels: 第一部分 (1) > 一、 (2) > （一）/(一) (3) > 1. / 1、 (4) > （1） / ① (5) > inline 一是… items (6).
A heading line may carry its body after the first sentence end (`（一）学理论、助提升，…。一是…`).
Table rows (lines starting with tables.ROW_MARK) are never headings: they are body text of the section
they stand in, or of a table node (TABLE_LEVEL) named by the caption line right before them (表1 …,
…情况表, a sheet's name); the node ends with the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.metadata import names_part
from assistant.ingest.tables import ROW_MARK
from assistant.text import CLOSERS, HEADING_ENDS, LABEL_ENDS
from assistant.types import Section

_CN = "一二三四五六七八九十百零〇"
_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^第[{_CN}\d]+部分\s*[：:、.．]?")),
    (2, re.compile(rf"^[{_CN}]+\s*、")),
    (3, re.compile(rf"^[（(]\s*[{_CN}]+\s*[）)]")),
    (4, re.compile(r"^\d{1,2}\s*(?:[、]|[.．](?!\d))")),
    (5, re.compile(r"^(?:[（(]\s*\d{1,2}\s*[）)]|[①-⑳])")),
)
ITEM_LEVEL = 6
TABLE_LEVEL = 7  # a captioned table: below every heading, so the next heading of any level closes it
# A caption names a table in a few words: no sentence end inside (a colon or 。 may close it).
_MAX_CAPTION_CHARS = 60
_CAPTION_INNER_STOPS = "。！？；!?;"
# Longest heading sentence accepted before the line is treated as a numbered paragraph.
_MAX_HEADING_CHARS = 100
_ITEM_LABEL_CHARS = 40
# A first line longer than this is text, not a title (e.g. a file that is one enormous line).
_MAX_TITLE_CHARS = 100


def chinese_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for item counters)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


_ITEM_MARKERS = [chinese_numeral(i) + "是" for i in range(1, 21)]


def heading_level(line: str) -> int | None:
    """The hierarchy level of a line that starts with a heading marker, else None."""
    for level, pattern in _HEADING_PATTERNS:
        if pattern.match(line):
            return level
    return None


def heading_head(line: str) -> str | None:
    """The heading part of a heading line: the whole line, or its start up to and including the
    first sentence end when a body follows (`（一）学理论。一是…` → `（一）学理论。`). None when the
    line has no heading marker or is a numbered paragraph too long to be a heading."""
    if heading_level(line) is None:
        return None
    _, (start, end), body = _split_heading(_Line(0, len(line), line))
    if body is None:
        return line
    return None if body == (start, end) else line[:end]


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return [ln for ln in out if ln.text.strip()]


def _split_heading(line: _Line) -> tuple[str, tuple[int, int], tuple[int, int] | None]:
    """Return (heading label, heading span, body span or None) for a heading line."""
    text = line.text
    cut = next((i for i, ch in enumerate(text) if ch in HEADING_ENDS), None)
    if cut is None or cut >= len(text) - 1:
        label = text.rstrip(LABEL_ENDS)
        if len(label) <= _MAX_HEADING_CHARS:
            return label, (line.start, line.start + len(label)), None
        # A long numbered paragraph without a sentence end: label it by its start, keep it all as body.
        return label[:_ITEM_LABEL_CHARS] + "…", (line.start, line.end), (line.start, line.end)
    if cut <= _MAX_HEADING_CHARS:
        # The span keeps the sentence end so heading and body abut: the chunk reads as written.
        body_start = line.start + cut + 1
        return text[:cut], (line.start, body_start), (body_start, line.end)
    return text[:_ITEM_LABEL_CHARS] + "…", (line.start, line.end), (line.start, line.end)


def parse_sections(text: str) -> Section:
    """Build the section tree of a cleaned report. The first line is the title (root heading);
    a first line too long to be a title stays text, and the title is its start with "…"; the
    only line of a one-line document is both title and text."""
    lines = _lines(text)
    root = Section(level=0, heading="", heading_span=(0, 0))
    if not lines:
        return root
    title = lines[0]
    if len(title.text) <= _MAX_TITLE_CHARS:
        root.heading, root.heading_span = title.text, (title.start, title.end)
        if len(lines) > 1:  # a one-line document is its own title and its text, not an empty report
            lines = lines[1:]
    else:
        root.heading = title.text[:_ITEM_LABEL_CHARS] + "…"
    stack = [root]
    table: Section | None = None  # the section the current run of table rows is filed in
    previous: _Line | None = None
    for line in lines:
        if line.text.startswith(ROW_MARK):
            if table is None:
                table = _open_table(stack, previous)
            table.body_spans.append((line.start, line.end))
            previous = line
            continue
        if table is not None and table.level == TABLE_LEVEL and stack[-1] is table:
            stack.pop()  # a captioned table's node ends with its rows (an uncaptioned run is its section's body)
        table, previous = None, line
        level = heading_level(line.text)
        if level is None and line.start != root.heading_span[0] and names_part(line.text):
            level = 1  # an unnumbered part heading (“十四五”时期工作回顾) holds the numbered ones
        if level is None:
            stack[-1].body_spans.append((line.start, line.end))
            continue
        label, head_span, body = _split_heading(line)
        node = Section(level=level, heading=label, heading_span=head_span)
        while stack[-1].level >= level:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)
        if body is not None and body[1] > body[0]:
            node.body_spans.append(body)
    _attach_items(root, text)
    return root


def _is_caption(text: str) -> bool:
    body = text.rstrip("：:。")
    return 0 < len(body) <= _MAX_CAPTION_CHARS and not any(ch in body for ch in _CAPTION_INNER_STOPS)


def _open_table(stack: list[Section], previous: _Line | None) -> Section:
    """Where a run of table rows goes: a new table node named by the caption line right before it
    (that line was filed as body text of the current section), else the current section itself."""
    parent = stack[-1]
    if previous is None or not parent.body_spans or parent.body_spans[-1] != (previous.start, previous.end):
        return parent
    if not _is_caption(previous.text):
        return parent
    parent.body_spans.pop()
    label = previous.text.rstrip("：:。")
    node = Section(level=TABLE_LEVEL, heading=label, heading_span=(previous.start, previous.end))
    parent.children.append(node)
    stack.append(node)
    return node


def _attach_items(node: Section, text: str) -> None:
    """Move 一是/二是… runs out of each section's body into level-6 child items.

    An item runs from its marker to the next marker or the end of its paragraph; a run may
    continue over several paragraphs (二是 on the next line) and restarts at every 一是.
    """
    if node.level == TABLE_LEVEL:
        return
    for child in node.children:
        _attach_items(child, text)
    body: list[tuple[int, int]] = []
    items: list[Section] = []
    expected = 0  # index of the next marker in _ITEM_MARKERS; 0 means a run must start with 一是
    for start, end in node.body_spans:
        if text.startswith(ROW_MARK, start):  # a table row is never an 一是 item
            body.append((start, end))
            continue
        starts, expected = _item_starts(text, start, end, expected)
        if not starts:
            body.append((start, end))
            continue
        if starts[0] > start:
            body.append((start, starts[0]))
        for pos, nxt in zip(starts, [*starts[1:], end], strict=True):
            items.append(_item(text, pos, nxt))
    node.body_spans = body
    node.children = sorted([*node.children, *items], key=lambda s: s.heading_span[0])


def _item_starts(text: str, start: int, end: int, expected: int) -> tuple[list[int], int]:
    """Item marker positions at sentence starts in text[start:end], in 一是, 二是, … order."""
    found = []
    for pos in range(start, end - 1):
        if not _at_sentence_start(text, pos, start):
            continue
        if text.startswith(_ITEM_MARKERS[0], pos):
            found.append(pos)
            expected = 1
        elif 0 < expected < len(_ITEM_MARKERS) and text.startswith(_ITEM_MARKERS[expected], pos):
            found.append(pos)
            expected += 1
    return found, expected


def _at_sentence_start(text: str, pos: int, paragraph_start: int) -> bool:
    if pos == paragraph_start:
        return True
    prev = pos - 1
    while prev > paragraph_start and text[prev] in CLOSERS:
        prev -= 1
    return text[prev] in LABEL_ENDS


def _item(text: str, pos: int, end: int) -> Section:
    stop = pos
    while stop < end and text[stop] not in LABEL_ENDS:
        stop += 1
    label = text[pos:stop]
    if len(label) > _ITEM_LABEL_CHARS:
        label = label[:_ITEM_LABEL_CHARS] + "…"
    return Section(level=ITEM_LEVEL, heading=label, heading_span=(pos, stop), body_spans=[(pos, end)])
