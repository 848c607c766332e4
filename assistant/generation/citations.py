"""Citation checks shared by every answer path: valid markers, exact quotes, numbers backed by sources.

Model output is cleaned before these checks run (assistant.generation.sanitize)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.script import fold
from assistant.text import CLOSERS, SENTENCE_ENDS, sentence_spans
from assistant.types import Citation, Passage

MARKER = re.compile(r"\[(\d{1,3})\]")
# A comma is a thousands separator only before exactly three digits (1,200). A full-width comma
# next to ASCII digits separates list items (分别为5，8个); only between full-width digits
# (１，２００) is it a thousands separator. List commas become 、 before NFKC could make them ','.
_LIST_COMMA = re.compile(r"(?<![０-９])，|，(?![０-９])")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?")
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


def numbers_in(text: str) -> list[str]:
    """Arabic numbers in text (NFKC, thousands commas dropped), markers excluded: '1,200万元[2]' → ['1200']."""
    plain = MARKER.sub("", unicodedata.normalize("NFKC", _LIST_COMMA.sub("、", text)))
    return [m.replace(",", "") for m in _NUMBER.findall(plain)]


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


def best_quote(sentence: str, passage_text: str) -> str:
    """The sentence of the passage that best matches `sentence` (bigram overlap); an exact substring."""
    target = bigrams(sentence)
    best, best_score = "", -1.0
    for s, e in sentence_spans(passage_text, 0, len(passage_text)):
        candidate = passage_text[s:e].strip()
        if not candidate:
            continue
        grams = bigrams(candidate)
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
    it. A number in a sentence that appears in none of the passages that sentence cites is unsupported;
    `backing` gives the text a cited passage backs numbers with (default: its text; `with_headings`
    adds the title and section path).
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
        backed = {num for p in cited for num in numbers_in(backing(p) if backing else p.text)}
        missing = [num for num in numbers_in(new_sentence) if num not in backed]
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
