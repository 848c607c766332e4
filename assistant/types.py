"""Shared dataclasses: the shapes that flow between ingest, store and retrieval."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DocumentMeta:
    """What a report says about itself (title line, township, years, kind)."""

    doc_id: str
    title: str
    township: str
    years: tuple[int, ...]
    kind: str  # 总结 | 计划 | 述职 | 其他
    source: str = ""
    sha256: str = ""


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

    def store_metadata(self) -> dict[str, Any]:
        """Flat metadata for Chroma (scalars only)."""
        return {
            "doc": self.doc_id,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "part": self.part,
            "part_kind": part_kind(self.part),
            "title": self.meta.title,
            "township": self.meta.township,
            "years": ",".join(str(y) for y in self.meta.years),
            "year_min": min(self.meta.years) if self.meta.years else 0,
            "year_max": max(self.meta.years) if self.meta.years else 0,
            "kind": self.meta.kind,
            "source": self.meta.source,
            "doc_sha256": self.meta.sha256,
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
    metadata: dict[str, Any]
    dense_score: float | None = None
    dense_rank: int | None = None
    lexical_score: float | None = None
    lexical_rank: int | None = None


PART_KINDS = ("总结", "计划", "存在问题")


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
    """An answer or draft with its citations (DESIGN §3.3); `passages` are what retrieval returned."""

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
