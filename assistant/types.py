"""Shared dataclasses: the shapes that flow between ingest, store, retrieval and the answer paths."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from assistant.script import fold


@dataclass(frozen=True)
class DocumentMeta:
    """What a report says about itself: title line, the place that issued it (`township` for any
    level: 吉林省, 海拉尔区, 安民乡), the years it covers (those of its title, its review and its
    plan), kind, and the date and meeting line it was given at."""

    doc_id: str
    title: str
    township: str
    years: tuple[int, ...]
    kind: str  # 总结 | 计划 | 述职 | 其他
    source: str = ""
    sha256: str = ""
    place_level: str = ""  # 省级 | 市级 | 县级 | 乡级 | ""
    date: str = ""  # YYYY-MM-DD, "" when the report states none
    meeting: str = ""  # ——2016年2月19日在…会议上
    # Paged files (.pdf, images): where each page starts in the cleaned text (page n at page_starts[n-1])
    # and the 1-based pages read by OCR (ingest.ocr). Empty for other files.
    page_starts: tuple[int, ...] = ()
    ocr_pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int:
        """The 1-based page holding this offset of the cleaned text; 0 for a file without pages."""
        return bisect.bisect_right(self.page_starts, offset)


@dataclass
class Section:
    """A node of the heading tree. Spans are offsets into the cleaned text."""

    level: int  # 0 = document root, 1 = 第X部分, 2 = 一、, 3 = （一）, 4 = 1., 5 = （1）, 6 = 一是
    heading: str
    heading_span: tuple[int, int]
    body_spans: list[tuple[int, int]] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    part: str = ""  # e.g. "2023年工作总结", "2024年工作计划"; "" when the section belongs to none

    def walk(self, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Section]]:
        """Every node below (and including) this one with its heading path, in document order."""
        here = (*path, self.heading) if self.level > 0 else path
        out = [(here, self)]
        for child in self.children:
            out.extend(child.walk(here))
        return out


@dataclass
class ParsedDocument:
    """A cleaned report with its metadata and section tree."""

    meta: DocumentMeta
    text: str
    root: Section
    notes: tuple[str, ...] = ()  # what ingest should say about the file (a hidden sheet, empty OCR pages)


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage. `text` is exactly `cleaned_text[start:end]`."""

    chunk_id: str
    doc_id: str
    text: str
    section_path: tuple[str, ...]
    start: int
    end: int
    part: str
    meta: DocumentMeta

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)

    def store_metadata(self) -> ChunkMeta:
        """Flat metadata for Chroma (scalars only); `page` and `ocr` only for a paged file (.pdf, image)."""
        meta: ChunkMeta = {
            "doc": self.doc_id,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "part": self.part,
            "part_kind": part_kind(self.part),
            "title": self.meta.title,
            "township": self.meta.township,
            "years": format_years(self.meta.years),
            "year_min": self.year_range[0],
            "year_max": self.year_range[1],
            "kind": self.meta.kind,
            "source": self.meta.source,
            "doc_sha256": self.meta.sha256,
            "place_level": self.meta.place_level,
            "date": self.meta.date,
            "meeting": self.meta.meeting,
        }
        if self.meta.page_starts:
            meta["page"] = self.meta.page_at(self.start)
            meta["ocr"] = meta["page"] in self.meta.ocr_pages
        return meta

    @property
    def year_range(self) -> tuple[int, int]:
        """The years this chunk reports on: its part's (2025年工作总结 → 2025), else its report's;
        (0, 0) when neither names a year. A year filter selects the parts about that year."""
        span = part_years(self.part)
        if span:
            return span
        years = self.meta.years
        return (min(years), max(years)) if years else (0, 0)


class ChunkMeta(TypedDict, total=False):
    """The flat metadata of a store entry, as Chroma keeps it (scalars only): a chunk's
    (Chunk.store_metadata, every key below but the last two) plus `unit`, and `parent` on a sentence
    unit. Rows read back from a store are not validated, so readers use `.get` with a default."""

    doc: str
    section: str  # the heading path, " > " between headings
    start: int  # offsets of the chunk in the cleaned text
    end: int
    part: str  # "2023年工作总结", "2024年工作计划", … ("" when none)
    part_kind: str  # 总结 | 计划 | 存在问题 | ""
    title: str
    township: str
    years: str  # "2023,2024" (parse_years reads it)
    year_min: int  # the years the chunk's part covers, else its report's; 0 when none is named
    year_max: int
    kind: str  # 总结 | 计划 | 述职 | 其他
    source: str
    doc_sha256: str
    place_level: str  # 省级 | 市级 | 县级 | 乡级 | ""
    date: str  # the report's date, YYYY-MM-DD or ""
    meeting: str  # the report's date-and-meeting line or ""
    page: int  # a paged file's (.pdf, image) page where the chunk starts, from 1
    ocr: bool  # that page's text came from OCR (a scan); only with `page`
    unit: str  # "chunk" | "sentence"
    parent: str  # a sentence unit's chunk id


def format_years(years: tuple[int, ...]) -> str:
    """(2023, 2024) → "2023,2024", the form the store keeps and `docs --json` prints."""
    return ",".join(str(y) for y in years)


def parse_years(text: object) -> tuple[int, ...]:
    """A stored `years` value as years: "2023,2024" → (2023, 2024); anything else in it is ignored."""
    return tuple(int(y) for y in str(text or "").split(",") if y.strip().isdigit())


@dataclass(frozen=True)
class DocRecord:
    """What the store knows about one ingested document (derived from its chunks' metadata)."""

    doc_id: str
    title: str
    township: str
    years: tuple[int, ...]
    kind: str
    source: str
    sha256: str
    chunks: int
    place_level: str = ""  # 省级 | 市级 | 县级 | 乡级 | ""
    date: str = ""  # YYYY-MM-DD, "" when the report states none
    meeting: str = ""  # the date-and-meeting line under the title

    def to_json(self) -> dict[str, Any]:
        """The `docs --json` shape (docs/contracts.md, JSON shapes): years as "2023,2024"."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "township": self.township,
            "years": format_years(self.years),
            "kind": self.kind,
            "source": self.source,
            "sha256": self.sha256,
            "chunks": self.chunks,
            "place_level": self.place_level,
            "date": self.date,
            "meeting": self.meeting,
        }


@dataclass(frozen=True)
class Passage:
    """A chunk as returned by a search, with its score and 1-based rank.

    Hybrid search also fills the dense/lexical scores and ranks it fused (None: not a candidate there).
    """

    chunk_id: str
    doc_id: str
    section: str
    text: str
    score: float
    rank: int
    metadata: ChunkMeta
    dense_score: float | None = None
    dense_rank: int | None = None
    lexical_score: float | None = None
    lexical_rank: int | None = None

    @property
    def years(self) -> tuple[int, ...]:
        """The years its report covers."""
        return parse_years(self.metadata.get("years"))


PART_KINDS = ("总结", "计划", "存在问题")

# One term of a filter, in Chroma's `where` syntax: {key: value} or {key: {"$in" | "$lte" | "$gte": bound}}.
Condition = dict[str, Any]


@dataclass(frozen=True)
class Filters:
    """Metadata filters; None means no constraint. `part` takes 总结/计划/存在问题 or a full part name.

    The one filter object: its conditions are built once, here, and give both Chroma's `where`
    (`chroma_where`) and the lexical index's row mask (LexicalTable.mask); `matches` evaluates
    them on one entry's metadata.
    """

    township: str | tuple[str, ...] | None = None
    year: int | None = None
    kind: str | None = None
    part: str | None = None
    doc: str | None = None
    _conditions: tuple[Condition, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Places and parts are stored in Simplified characters (script.fold): a --township 安民鄉
        # or a part 總結 typed in Traditional script is the same filter.
        if isinstance(self.township, str):
            object.__setattr__(self, "township", fold(self.township))
        elif isinstance(self.township, tuple):
            object.__setattr__(self, "township", tuple(fold(t) for t in self.township))
        if self.part:
            object.__setattr__(self, "part", fold(self.part))
        object.__setattr__(self, "_conditions", tuple(self._build()))

    def _build(self) -> list[Condition]:
        conds: list[Condition] = []
        if isinstance(self.township, tuple) and len(self.township) > 1:
            conds.append({"township": {"$in": list(self.township)}})
        elif self.township:
            one = self.township[0] if isinstance(self.township, tuple) else self.township
            conds.append({"township": one})
        if self.kind:
            conds.append({"kind": self.kind})
        if self.doc:
            conds.append({"doc": self.doc})
        if self.part:
            key = "part_kind" if self.part in PART_KINDS else "part"
            conds.append({key: self.part})
        if self.year is not None:
            conds += [{"year_min": {"$lte": self.year}}, {"year_max": {"$gte": self.year}}]
        return conds

    def is_empty(self) -> bool:
        """No field set (a field set to "" builds no condition, yet counts as set)."""
        return all(v is None for v in (self.township, self.year, self.kind, self.part, self.doc))

    def conditions(self) -> tuple[Condition, ...]:
        """The filter as Chroma `where` terms, all of which must hold (empty: no filter)."""
        return self._conditions

    def chroma_where(self) -> dict[str, Any] | None:
        """The filter as a Chroma `where` clause (None when empty)."""
        conds = self._conditions
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": list(conds)}

    def matches(self, meta: Mapping[str, Any]) -> bool:
        """The same filter evaluated on one entry's metadata (a missing value meets no condition)."""
        for cond in self._conditions:
            ((key, want),) = cond.items()
            value = meta.get(key)
            if isinstance(want, dict):
                op, bound = next(iter(want.items()))
                if op == "$in":
                    if value not in bound:
                        return False
                elif value is None or (op == "$lte" and not value <= bound) or (op == "$gte" and not value >= bound):
                    return False
            elif value != want:
                return False
        return True


_PART_YEARS = re.compile(r"^((?:19|20)\d{2})(?:-((?:19|20)\d{2}))?年")


def part_years(part: str) -> tuple[int, int] | None:
    """(2021, 2025) for '2021-2025年工作总结', (2025, 2025) for '2025年工作总结', None without years."""
    match = _PART_YEARS.match(part)
    if not match:
        return None
    first = int(match.group(1))
    return first, int(match.group(2) or first)


def part_kind(part: str) -> str:
    """'2024年工作计划' → '计划'; '' when the part is unknown."""
    return next((kind for kind in PART_KINDS if part.endswith(kind)), "")


@dataclass(frozen=True)
class Citation:
    """One `[n]` marker's source: the passage and the exact sentence quoted from it."""

    n: int
    doc: str
    section: str
    quote: str
    text: str
    chunk_id: str = ""
    title: str = ""
    township: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc": self.doc,
            "section": self.section,
            "quote": self.quote,
            "text": self.text,
            "title": self.title,
            "township": self.township,
        }


@dataclass
class Answer:
    """An answer or draft with its citations (docs/contracts.md, JSON shapes: `ask --json`);
    `passages` are what retrieval returned."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation]
    unsupported_numbers: list[str]
    mode: str
    latency_ms: int = 0
    passages: list[Passage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "unsupported_numbers": self.unsupported_numbers,
            "mode": self.mode,
            "latency_ms": self.latency_ms,
            "notes": self.notes,
            "passages": [
                {"rank": p.rank, "doc": p.doc_id, "section": p.section, "text": p.text, "score": p.score}
                for p in self.passages
            ],
        }
