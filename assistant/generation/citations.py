"""Citation checks shared by every answer path: valid markers, exact quotes, numbers backed by sources.

Model output is cleaned before these checks run (assistant.generation.sanitize)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from assistant.numbers import Figure, backed, figures
from assistant.script import fold
from assistant.text import CLOSERS, SENTENCE_ENDS, sentence_spans
from assistant.types import Citation, Passage

MARKER = re.compile(r"\[(\d{1,3})\]")
_TERMINATORS = SENTENCE_ENDS + "\n"  # an answer line ends its sentence too (sentence_spans splits there)
# An anonymised figure: XX万元, XX次, xx人 … (XX乡 / XX山礼 are anonymised names, not figures).
PLACEHOLDER_FIGURE = re.compile(
    r"[XxＸｘ]{2,}(?=\s*(?:余|多)?(?:万|亿|千|百|个|次|人|户|名|期|条|篇|场|元|亩|吨|%|％|件|起|项|家|位|只|头|公里|米|平方|天|所|座|处|村|支|批|套|辆|份|册|本|倍|年))"
)
UNDISCLOSED = "原文未披露具体数字"


def placeholder_figures(text: str) -> list[str]:
    """XX figures in text (XX万元, XX次), leaving out XX inside quotes, which names things (“最美XX人”)."""
    out = []
    for m in PLACEHOLDER_FIGURE.finditer(text):
        before = text[: m.start()]
        if before.count("“") > before.count("”") or before.count('"') % 2 == 1:
            continue
        out.append(m.group(0))
    return out


def figures_in(text: str, *, loose: bool = False) -> list[Figure]:
    """The figures of text, [n] markers left out (assistant.numbers; `loose`: read as a source)."""
    return figures(MARKER.sub(lambda m: " " * len(m.group(0)), text), loose=loose)


def numbers_in(text: str) -> list[str]:
    """The figures of text as written, markers excluded: '１，２００万元[2]' → ['１，２００万']."""
    return [f.text for f in figures_in(text)]


def unbacked(sentence: str, sources: Iterable[str]) -> list[str]:
    """The figures of an answer sentence (as written) that no figure of the sources states, by value
    (assistant.numbers.backs: 一千二百万 = 1200万 = 0.12亿; 1200亿 is not 1200万)."""
    backing = [f for source in sources for f in figures_in(source, loose=True)]
    return [f.text for f in figures_in(sentence) if not backed(f, backing)]


def split_answer_sentences(answer: str) -> list[str]:
    """Split an answer into sentences, keeping each sentence's trailing markers ('…万元。[1]') with it."""
    out, start, i = [], 0, 0
    while i < len(answer):
        if answer[i] in _TERMINATORS:
            i += 1
            while i < len(answer) and (answer[i] in CLOSERS or MARKER.match(answer, i)):
                m = MARKER.match(answer, i)
                i = m.end() if m else i + 1
            out.append(answer[start:i])
            start = i
        else:
            i += 1
    if start < len(answer):
        out.append(answer[start:])
    # Whitespace-only pieces (the line breaks between a comparison's lines) are kept so that
    # joining the pieces gives the answer back unchanged.
    return out


def unmarked(text: str) -> str:
    """Text as compared with sources and prompts: NFKC, without [n] markers and whitespace."""
    return re.sub(r"\s+", "", MARKER.sub("", unicodedata.normalize("NFKC", text)))


def bigrams(text: str) -> set[str]:
    """Character bigrams of the text without markers and spaces (NFKC, Simplified characters): what
    quote matching compares."""
    plain = fold(unmarked(text))  # a Simplified answer sentence matches a Traditional source
    return {plain[i : i + 2] for i in range(len(plain) - 1)}


def by_value(text: str) -> str:
    """The text with each figure in one form: its value in 万 or 亿 from 10,000 on (一千二百万, 0.12亿
    and 12,000,000 all as 1200万), with its % kept, so that matching wordings does not depend on how a
    figure is written."""
    plain, out, at = MARKER.sub(lambda m: " " * len(m.group(0)), text), [], 0
    for f in figures(plain):
        power, mark = next(((p, m) for p, m in ((8, "亿"), (4, "万")) if abs(f.value) >= 10**p), (0, ""))
        percent = "%" if f.text.endswith(("%", "％")) or f.text.startswith("百分之") else ""
        out += [plain[at : f.start], format(f.value.scaleb(-power).normalize(), "f"), mark, percent]
        at = f.end
    return "".join([*out, plain[at:]])


def best_quote(sentence: str, passage_text: str) -> str:
    """The sentence of the passage that best matches `sentence` (bigram overlap, figures compared by
    value: an answer's 一千二百万元 finds the source's 1200万元); an exact substring of the passage."""
    target = bigrams(by_value(sentence))
    best, best_score = "", -1.0
    for s, e in sentence_spans(passage_text, 0, len(passage_text)):
        candidate = passage_text[s:e].strip()
        if not candidate:
            continue
        grams = bigrams(by_value(candidate))
        score = len(target & grams) / (len(grams) ** 0.5 or 1.0)
        if score > best_score:
            best, best_score = candidate, score
    return best


@dataclass
class Verified:
    """An answer after verification: renumbered markers, citations, and what failed the checks."""

    text: str
    citations: list[Citation]
    unsupported_numbers: list[str] = field(default_factory=list)
    flagged_sentences: list[str] = field(default_factory=list)
    removed_markers: list[int] = field(default_factory=list)


def with_headings(passage: Passage) -> str:
    """A passage's report title, section path and text: what an LLM is shown (years often sit in the
    headings only: 一、2023年工作总结 > …)."""
    return "\n".join((str(passage.metadata.get("title", "")), passage.section, passage.text))


def verify(answer: str, passages: Sequence[Passage], backing: Callable[[Passage], str] | None = None) -> Verified:
    """Check an answer whose `[n]` markers refer to `passages` (1-based).

    Markers pointing at no passage are removed; the rest are renumbered 1, 2, … in order of first
    use. Each citation quotes the passage sentence that best matches the first answer sentence citing
    it. A figure in a sentence that none of the passages that sentence cites states (compared by
    value: `unbacked`) is unsupported, listed as the answer wrote it; `backing` gives the text a cited
    passage backs numbers with (default: its text; `with_headings` adds the title and section path).
    """
    mapping: dict[int, int] = {}
    citations: list[Citation] = []
    removed: list[int] = []
    unsupported: list[str] = []
    flagged: list[str] = []
    out_sentences = []
    for sentence in split_answer_sentences(answer):
        cited: list[Passage] = []

        def renumber(m: re.Match[str], sentence: str = sentence, cited: list[Passage] = cited) -> str:
            n = int(m.group(1))
            if not 1 <= n <= len(passages):
                removed.append(n)
                return ""
            passage = passages[n - 1]
            if n not in mapping:
                mapping[n] = len(mapping) + 1
                citations.append(_citation(mapping[n], passage, sentence))
            cited.append(passage)
            return f"[{mapping[n]}]"

        new_sentence = MARKER.sub(renumber, sentence)
        missing = unbacked(new_sentence, [backing(p) if backing else p.text for p in cited])
        if missing:
            unsupported += [num for num in missing if num not in unsupported]
            flagged.append(new_sentence)
        out_sentences.append(new_sentence)
    return Verified("".join(out_sentences), citations, unsupported, flagged, removed)


def _citation(n: int, passage: Passage, sentence: str) -> Citation:
    return Citation(
        n=n,
        doc=passage.doc_id,
        section=passage.section,
        quote=best_quote(sentence, passage.text),
        text=passage.text,
        chunk_id=passage.chunk_id,
        title=str(passage.metadata.get("title", "")),
        township=str(passage.metadata.get("township", "")),
    )
