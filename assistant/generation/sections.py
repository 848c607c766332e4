"""Outline first, step two: a draft written section by section, each from its own retrieval.

Each heading is drafted by the configured draft path (extractive or LLM: paths.DraftPath) with the
topic and the heading as its topic, so it is cited and checked as every draft is; its citations
are its own (1…k). The whole draft is the sections in order, each under its 一、二、… heading, with
the citations renumbered on assembly: in order of first use across the draft, one number for a
passage however many sections cite it. Redrafting one section replaces that section only: the others
keep their text and citations (and their numbers move only when the sections before them change what
they cite).
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.errors import AssistantError
from assistant.generation.citations import MARKER, split_answer_sentences, unmarked
from assistant.generation.outline import MAX_SECTIONS, bare, numbered
from assistant.generation.paths import DraftPath
from assistant.retrieval import Filters
from assistant.types import Answer, Citation, Passage

MIN_SECTION_CHARS = 150  # a section shorter than this holds one or two sentences
NO_MATERIAL = "资料中未找到与本节相关的内容，请补充或修改本节标题后重写。"
# A report label opening a line of an extractive draft from several reports (安民乡：…): see draft._compose.
_LABEL = re.compile(r"^[^。！？；：:\[\]\n]{1,24}[：:]")


class SectionsError(AssistantError, ValueError):
    """An outline that cannot be drafted (no heading, too many, an index out of range)."""


@dataclass(frozen=True)
class SectionDraft:
    """One section: its bare heading (no 一、) and its draft, cited 1…k on its own."""

    heading: str
    answer: Answer

    def to_json(self, n: int) -> dict[str, Any]:
        return {"n": n, "heading": numbered(n, self.heading), "text": self.heading, "draft": self.answer.to_json()}


@dataclass
class SectionedDraft:
    """A draft by sections (docs/contracts.md, JSON shapes: `draft --sections --json`)."""

    topic: str
    style: str
    length: int  # characters asked for each section
    sections: list[SectionDraft]
    filters: Filters = field(default_factory=Filters)
    latency_ms: int = 0

    def assembled(self) -> Answer:
        """The whole draft as one Answer (see `assemble`)."""
        answer = assemble(self.topic, self.sections)
        return replace(answer, latency_ms=self.latency_ms)

    def parts(self) -> list[str]:
        """Each section's text as the assembled draft has it (its markers renumbered; "" when it abstained)."""
        return assembled_parts(self.topic, self.sections)[1]

    def to_json(self) -> dict[str, Any]:
        whole = self.assembled()
        return {
            "topic": self.topic,
            "style": self.style,
            "section_length": self.length,
            "sections": [s.to_json(n) for n, s in enumerate(self.sections, start=1)],
            "draft": whole.to_json(),
        }


def section_topic(topic: str, heading: str) -> str:
    """What a section is drafted (and retrieved) on: the topic and its heading."""
    return f"{topic.strip()} {bare(heading)}"


def section_length(length: int, sections: int) -> int:
    """Each section's share of a draft of `length` characters (at least MIN_SECTION_CHARS)."""
    return max(MIN_SECTION_CHARS, length // max(1, sections))


def renumbered(text: str, citations: Sequence[Citation], numbers: dict[str, int], out: list[Citation]) -> str:
    """`text` with its markers (numbering `citations`, 1…k) changed to the draft's numbers: `numbers`
    maps a passage (chunk id) to its number; a passage met for the first time gets the next one and
    its citation, renumbered, goes to `out`."""
    local = {c.n: c for c in citations}

    def swap(m: Any) -> str:
        c = local.get(int(m.group(1)))
        if c is None:
            return str(m.group(0))
        key = c.chunk_id or f"{c.doc}\x00{c.section}\x00{c.text}"
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            out.append(replace(c, n=numbers[key]))
        return f"[{numbers[key]}]"

    return MARKER.sub(swap, text)


def assemble(topic: str, sections: Sequence[SectionDraft]) -> Answer:
    """The sections as one draft (see `assembled_parts`)."""
    return assembled_parts(topic, sections)[0]


def assembled_parts(topic: str, sections: Sequence[SectionDraft]) -> tuple[Answer, list[str]]:
    """The sections as one draft, and each section's text in it. The draft: 一、heading lines, each
    followed by its section's text with its citations renumbered across the draft (`renumbered`); a
    section with nothing drafted keeps its heading and gets a note (its text is ""). Passages are
    those retrieved for the sections, once each; the draft abstains only when every section did."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    lines: list[str] = []
    bodies: list[str] = []
    unsupported: list[str] = []
    notes: list[str] = []
    passages: dict[str, Passage] = {}
    for n, s in enumerate(sections, start=1):
        lines.append(numbered(n, s.heading))
        if s.answer.abstained:
            notes.append(f"{numbered(n, s.heading)}：{NO_MATERIAL}")
            bodies.append("")
        else:
            bodies.append(renumbered(s.answer.answer, s.answer.citations, numbers, citations))
            lines.append(bodies[-1])
            unsupported += [x for x in s.answer.unsupported_numbers if x not in unsupported]
        notes += [f"{numbered(n, s.heading)}：{note}" for note in s.answer.notes]
        for p in s.answer.passages:
            passages.setdefault(p.chunk_id, p)
    modes = list(dict.fromkeys(s.answer.mode for s in sections))
    whole = Answer(
        question=topic,
        answer="\n".join(lines),
        abstained=all(s.answer.abstained for s in sections),
        citations=citations,
        unsupported_numbers=unsupported,
        mode=modes[0] if len(modes) == 1 else "+".join(modes),
        latency_ms=sum(s.answer.latency_ms for s in sections),
        passages=[replace(p, rank=i) for i, p in enumerate(passages.values(), start=1)],
        notes=notes,
    )
    return whole, bodies


def sentence_key(sentence: str) -> str:
    """A drafted sentence as compared across sections: without its report label, markers and spaces."""
    return unmarked(_LABEL.sub("", sentence.strip(), count=1))


def sentences_of(sections: Sequence[SectionDraft]) -> set[str]:
    """The keys (`sentence_key`) of every sentence the sections' drafts hold."""
    return {
        sentence_key(x)
        for s in sections
        if not s.answer.abstained
        for x in split_answer_sentences(s.answer.answer)
        if sentence_key(x)
    }


def without_repeats(answer: Answer, seen: Collection[str], length: int | None = None) -> Answer:
    """The draft without its sentences another section already holds (`seen`, keys of
    `sentence_key`) and, given `length`, without the sentences after it reaches that many characters;
    a line left with its report label alone goes, and the citations are renumbered 1…k over what is
    left. Abstains (NO_MATERIAL) when nothing is left."""
    if answer.abstained or (not seen and length is None):
        return answer
    lines, used = [], 0
    for line in answer.answer.split("\n"):
        label = _LABEL.match(line.strip())
        kept = []
        for x in split_answer_sentences(line):
            key = sentence_key(x)
            if key and key not in seen and (length is None or used < length):
                kept.append(x)
                used += len(key)
        text = "".join(kept).strip()
        if not text:
            continue
        if label and not text.startswith(label.group(0)):
            text = label.group(0) + text
        lines.append(text)
    if not lines:
        return replace(answer, answer=NO_MATERIAL, abstained=True, citations=[], unsupported_numbers=[])
    citations: list[Citation] = []
    text = renumbered("\n".join(lines), answer.citations, {}, citations)
    numbers = [x for x in answer.unsupported_numbers if x in text]
    return replace(answer, answer=text, citations=citations, unsupported_numbers=numbers)


def drafted_chars(answer: Answer) -> int:
    """The characters of a draft's sentences (markers and spaces left out); 0 when it abstained."""
    return 0 if answer.abstained else len(unmarked(answer.answer))


def check_headings(headings: Sequence[str]) -> list[str]:
    """The headings, bare and non-empty; SectionsError when none is left or there are too many."""
    kept = [bare(h) for h in headings if bare(h)]
    if not kept:
        raise SectionsError("提纲为空：请至少写一个标题。")
    if len(kept) > MAX_SECTIONS * 2:
        raise SectionsError(f"提纲最多 {MAX_SECTIONS * 2} 个标题。")
    return kept


class SectionDrafter:
    """Drafts an outline section by section with a draft path (see the module docstring)."""

    def __init__(self, drafter: DraftPath) -> None:
        self.drafter = drafter

    def draft_section(
        self, topic: str, heading: str, length: int, style: str, filters: Filters, avoid: Collection[str] = ()
    ) -> SectionDraft:
        """One section drafted on topic + heading, without the sentences of `avoid` (`sentence_key`s of
        the other sections: a sentence is drafted into one section only)."""
        query = section_topic(topic, heading)
        answer = self.drafter.draft(query, length=length, filters=filters, style=style)
        kept = without_repeats(answer, avoid)
        if drafted_chars(kept) < min(length, drafted_chars(answer)):
            # Sentences went as repeats: draft longer to reach the length with others, then cut.
            wider = self.drafter.draft(query, length=length + drafted_chars(answer), filters=filters, style=style)
            again = without_repeats(wider, avoid, length)
            kept = again if drafted_chars(again) > drafted_chars(kept) else kept
        return SectionDraft(bare(heading), kept)

    def draft(
        self,
        topic: str,
        headings: Sequence[str],
        style: str = "总结",
        length: int = 1200,
        filters: Filters | None = None,
    ) -> SectionedDraft:
        """The outline drafted in order; `length` is the whole draft's (shared among the sections)."""
        started = time.perf_counter()
        kept = check_headings(headings)
        each = section_length(length, len(kept))
        filters = filters or Filters()
        sections: list[SectionDraft] = []
        for h in kept:
            sections.append(self.draft_section(topic, h, each, style, filters, sentences_of(sections)))
        return SectionedDraft(topic, style, each, sections, filters, int((time.perf_counter() - started) * 1000))

    def redraft(
        self, draft: SectionedDraft, index: int, heading: str | None = None, fresh: bool = False
    ) -> SectionedDraft:
        """The draft with section `index` (0-based) drafted again, under `heading` when given (renamed),
        without the other sections' sentences; `fresh`: without its own earlier sentences too (another
        version from the same material; the earlier ones again when nothing else is found). Every other
        section is kept as it was."""
        if not 0 <= index < len(draft.sections):
            raise SectionsError(f"没有第 {index + 1} 节。")
        started = time.perf_counter()
        old = draft.sections[index]
        title = bare(heading or "") or old.heading
        others = sentences_of([s for i, s in enumerate(draft.sections) if i != index])
        args = (draft.topic, title, draft.length, draft.style, draft.filters)
        new = self.draft_section(*args, others | sentences_of([old])) if fresh else None
        if new is None or new.answer.abstained:
            new = self.draft_section(*args, others)
        sections = [*draft.sections[:index], new, *draft.sections[index + 1 :]]
        return replace(draft, sections=sections, latency_ms=int((time.perf_counter() - started) * 1000))
