"""What a small local model is shown, and the citations given back to what it writes.

Measured on this machine with Qwen2.5-Coder-1.5B (Q4_K_M, 2 threads): shown the retrieved passages
whole (about 1,000 tokens) it answered 资料中未找到 to 82% of the seed questions the passages
answer, in 27 s (p50); shown only the sentences the extractive path picked (90–150 tokens), it
answered the first eight held-out questions correctly, first token after 1.4–3.2 s, 3.6–18 s in all,
but wrote the `[n]` markers in only half of them. So the model is shown the extractive evidence,
and markers are attached after generation: each answer sentence without one gets the marker of the
evidence it rests on (shared numbers first, then shared wording).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.generation.citations import MARKER, bigrams, figures_in, split_answer_sentences
from assistant.numbers import backed
from assistant.types import Answer, Passage

_TRAILING_MARKERS = re.compile(r"(?:\[\d{1,3}\])+$")
_REPEATED_MARKER = re.compile(r"(\[\d{1,3}\])(?:\s*\1)+")
MIN_OVERLAP = 0.2  # share of an answer sentence's bigrams a source must hold to back it (without numbers)


@dataclass(frozen=True)
class Evidence:
    """One cited passage of the extractive answer and the sentences it was quoted for."""

    passage: Passage
    sentences: tuple[str, ...]


def evidence_of(extract: Answer) -> list[Evidence]:
    """The passages the extractive answer cites, in its citation order, each with its quoted sentences."""
    by_chunk = {p.chunk_id: p for p in extract.passages}
    order = [c for c in extract.citations if c.chunk_id in by_chunk]
    quoted: dict[int, list[str]] = {c.n: [] for c in order}
    for sentence in split_answer_sentences(extract.answer):
        # The markers the answer added trail the sentence; brackets inside it are the report's own text.
        trailing = _TRAILING_MARKERS.search(sentence.rstrip())
        if trailing is None:
            continue
        text = sentence.rstrip()[: trailing.start()].strip()
        for n in dict.fromkeys(int(m) for m in MARKER.findall(trailing.group(0))):
            if n in quoted and text:
                quoted[n].append(text)
    return [Evidence(by_chunk[c.chunk_id], tuple(quoted[c.n] or [c.quote])) for c in order]


def backing_source(sentence: str, sources: Sequence[str]) -> int | None:
    """The 1-based index of the source that best backs the sentence: most of its numbers, then most of
    its character bigrams; None when no source shares a number or MIN_OVERLAP of its wording."""
    numbers = figures_in(sentence)
    grams = bigrams(sentence)
    best, best_key = None, (0, 0.0)
    for n, source in enumerate(sources, start=1):
        stated = figures_in(source, loose=True)
        shared_numbers = sum(1 for f in numbers if backed(f, stated))
        overlap = len(grams & bigrams(source)) / len(grams) if grams else 0.0
        key = (shared_numbers, overlap)
        if (shared_numbers or overlap >= MIN_OVERLAP) and key > best_key:
            best, best_key = n, key
    return best


def attach_markers(answer: str, sources: Sequence[str]) -> str:
    """The answer with a `[n]` after each sentence that carries none, n being its backing source
    (`backing_source`); sentences that already cite, or that no source backs, are left as written.
    A marker repeated in a row (`[1] [1]`, as small models write) is kept once."""
    answer = _REPEATED_MARKER.sub(r"\1", answer)
    out = []
    for sentence in split_answer_sentences(answer):
        n = None if MARKER.search(sentence) or not sentence.strip() else backing_source(sentence, sources)
        if n is None:
            out.append(sentence)
            continue
        body = sentence.rstrip()
        out.append(f"{body}[{n}]{sentence[len(body) :]}")
    return "".join(out)
