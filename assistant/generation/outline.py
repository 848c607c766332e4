"""Outline first, step one: 3–7 section headings proposed for a topic, for a clerk to edit.

Without a model the headings are the reports' own: the passages retrieved for the topic (from the
report part the style calls for: a 总结 from the review parts, a 计划 from the plan parts) each give
the deepest heading of their section path that is not a part heading (一、2023年工作总结, 存在问题,
下一步工作打算 open parts; they say nothing about content). Markers are taken off (（二）, 三是, 1.),
a heading found under several passages adds up their rank weights, headings sharing a topic term
weigh more, and near-duplicates (one inside the other, or most of their bigrams shared) count as
one. When retrieval gives fewer than MIN_SECTIONS, the style's template (prompts/outline_template.zh.md)
fills the outline. With a chat model, llm/outline.py asks it to choose and word the headings from
those found (prompts/outline.zh.md); the outline stays the clerk's to reorder, rename and delete.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.generation.answer import year_filter
from assistant.generation.citations import bigrams
from assistant.generation.corpus import Corpus
from assistant.generation.draft import Drafter
from assistant.generation.question import analyse
from assistant.ingest.metadata import names_part
from assistant.ingest.structure import chinese_numeral
from assistant.places import years_named
from assistant.resources import prompts_dir
from assistant.retrieval import Filters, Searcher
from assistant.types import Passage

MIN_SECTIONS, MAX_SECTIONS = 3, 7
DEFAULT_SECTIONS = 5
OUTLINE_PASSAGES = 24
SIMILAR = 0.5  # share of the shorter heading's bigrams the other holds: the same heading
TOPIC_BONUS = 1.0  # × the share of the topic's terms a heading names
MAX_HEADING_CHARS = 30
TEMPLATE_FILE = "outline_template.zh.md"
SOURCES = ("retrieval", "template", "llm", "user")

# A heading marker at the start: 第一部分： 一、 （一） (一) 1. 1、 （1） ① 一是 (the parser's levels).
_MARKER = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百\d]+部分\s*[：:、.．]?|[一二三四五六七八九十百]+\s*[、.．]|"
    r"[（(]\s*[一二三四五六七八九十\d]+\s*[）)]\s*[、.．]?|\d{1,2}\s*(?:、|[.．](?!\d))|[①-⑳]|"
    r"[一二三四五六七八九十]+是)\s*"
)
# Headings that open a report part (a review, the problems, the next steps), not a subject.
_PART_WORDS = re.compile(
    r"工作(?:总结|计划|打算|安排|思路|要点|回顾|部署)|存在(?:的)?(?:问题|不足)|履职情况|主要(?:做法|成效)$|下一步|今后"
)


@dataclass(frozen=True)
class Heading:
    """One outline heading, bare (no 一、): where it came from (SOURCES) and, from retrieval, the
    report section it was found under and its weight."""

    text: str
    source: str = "user"
    doc: str = ""
    section: str = ""
    score: float = 0.0

    def to_json(self, n: int) -> dict[str, Any]:
        return {
            "n": n,
            "heading": numbered(n, self.text),
            "text": self.text,
            "source": self.source,
            "doc": self.doc,
            "section": self.section,
            "score": round(self.score, 3),
        }


@dataclass
class Outline:
    """A proposed outline (docs/contracts.md, JSON shapes: `draft --outline --json`)."""

    topic: str
    style: str
    headings: list[Heading]
    latency_ms: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [h.text for h in self.headings]

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "style": self.style,
            "headings": [h.to_json(n) for n, h in enumerate(self.headings, start=1)],
            "latency_ms": self.latency_ms,
            "notes": self.notes,
        }


def bare(heading: str) -> str:
    """A heading without its markers and closing punctuation: （二）抓重点，破难题。 → 抓重点，破难题."""
    text = heading.strip()
    while True:
        stripped = _MARKER.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return text.replace(",", "，").strip().rstrip("。：:；;，,").strip()


def numbered(n: int, text: str) -> str:
    """The n-th first-level heading of a draft: 一、text."""
    return f"{chinese_numeral(n)}、{bare(text)}"


def is_part_heading(text: str) -> bool:
    """A heading that opens a report part (2023年工作总结, 存在问题, 下一步工作打算), not a subject."""
    return bool(years_named(text)) or names_part(text) or bool(_PART_WORDS.search(text))


def parse_headings(text: str) -> list[str]:
    """Headings typed by a clerk: one a line, or separated by |; markers taken off, blanks and repeats
    dropped."""
    out: list[str] = []
    for piece in re.split(r"[\n|｜]", text):
        heading = bare(piece)
        if heading and heading not in out:
            out.append(heading)
    return out


def similar(a: str, b: str) -> bool:
    """The same heading in other words: one inside the other, or SIMILAR of the shorter's bigrams shared."""
    if a in b or b in a:
        return True
    ga, gb = bigrams(a), bigrams(b)
    return bool(ga and gb) and len(ga & gb) / min(len(ga), len(gb)) >= SIMILAR


def section_heading(passage: Passage) -> tuple[str, str] | None:
    """(bare heading, its path) for the deepest heading of the passage's section path that names a
    subject (below the part headings), cut at its first sentence end; None when there is none."""
    path = [p for p in passage.section.split(" > ") if p.strip()]
    for depth in range(len(path), 0, -1):
        text = re.split(r"[。；;]", bare(path[depth - 1]), maxsplit=1)[0]
        if is_part_heading(text):
            return None
        if 4 <= len(text) <= MAX_HEADING_CHARS:
            return text, " > ".join(path[:depth])
    return None


def rank_headings(topic_terms: Sequence[str], passages: Sequence[Passage]) -> list[Heading]:
    """The headings of the passages, merged (similar ones count as one, the better worded kept), by
    weight: the sum of 1/√rank over the passages found under it, × (1 + TOPIC_BONUS × share of the
    topic's terms it names); ties keep retrieval order."""
    found: list[Heading] = []
    for rank, passage in enumerate(passages, start=1):
        got = section_heading(passage)
        if got is None:
            continue
        text, path = got
        weight = 1 / rank**0.5
        for i, h in enumerate(found):
            if similar(h.text, text):
                found[i] = replace(h, score=h.score + weight)
                break
        else:
            found.append(Heading(text, "retrieval", passage.doc_id, path, weight))
    terms = [t for t in topic_terms if len(t) >= 2]
    if terms:
        found = [
            replace(h, score=h.score * (1 + TOPIC_BONUS * sum(t in h.text for t in terms) / len(terms))) for h in found
        ]
    return sorted(found, key=lambda h: -h.score)


def template_headings(style: str) -> list[str]:
    """The style's template headings (prompts/outline_template.zh.md: a `## 总结` / `## 计划` line, then
    one heading a line)."""
    text = (prompts_dir() / TEMPLATE_FILE).read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("## "):
            current = out.setdefault(line[3:].strip(), [])
        elif current is not None and line and not line.startswith("<!--"):
            current.append(bare(line.lstrip("-* ")))
    return out.get(style) or out.get("总结", [])


class OutlineProposer:
    """Proposes outlines from the reports (see the module docstring)."""

    def __init__(self, retriever: Searcher, corpus: Corpus) -> None:
        self.retriever, self.corpus = retriever, corpus

    def propose(
        self, topic: str, style: str = "总结", filters: Filters | None = None, sections: int = DEFAULT_SECTIONS
    ) -> Outline:
        """About `sections` headings (MIN_SECTIONS–MAX_SECTIONS) for a `style` draft on `topic`."""
        started = time.perf_counter()
        sections = max(MIN_SECTIONS, min(MAX_SECTIONS, sections))
        ranked = self.ranked(topic, style, filters)
        headings = ranked[:sections]
        notes = []
        if len(headings) < MIN_SECTIONS:
            for text in template_headings(style):
                if len(headings) >= MIN_SECTIONS:
                    break
                if not any(similar(text, h.text) for h in headings):
                    headings.append(Heading(text, "template"))
            notes.append("资料中可作提纲的小标题不足，已用文体模板补足，请按需修改。")
        return Outline(topic, style, headings, int((time.perf_counter() - started) * 1000), notes)

    def ranked(self, topic: str, style: str, filters: Filters | None = None) -> list[Heading]:
        """Every heading found for the topic, best first: from the style's part of the reports (and the
        year the topic names), else from any part."""
        q = analyse(topic, self.corpus.townships)
        base = Drafter(self.retriever, self.corpus).scoped_filters(q, filters or Filters())
        narrowed = base if base.part else replace(base, part="计划" if style == "计划" else "总结")
        if style != "计划":
            narrowed = year_filter(q, narrowed)
        tries = [narrowed, base] if narrowed != base else [base]
        ranked: list[Heading] = []
        for f in tries:
            passages = self.retriever.search(topic, k=OUTLINE_PASSAGES, filters=f)
            for h in rank_headings(q.terms, passages):
                if not any(similar(h.text, r.text) for r in ranked):
                    ranked.append(h)
            if len(ranked) >= MIN_SECTIONS:
                break
        return ranked
