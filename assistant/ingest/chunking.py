"""Cut a parsed report into chunks that follow its sections and end at Chinese sentence ends."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from assistant.ingest.structure import ITEM_LEVEL, TABLE_LEVEL
from assistant.text import sentence_spans
from assistant.types import Chunk, ParsedDocument

_SOFT_BREAKS = "，、,：:"
# Sentences shorter than this get no vector of their own (they still live in their chunk).
MIN_SENTENCE_CHARS = 8
# A lead-in shorter than this (e.g. 为实现上述目标，应重点做到“四个确保”：) joins the passage after it.
MIN_CHUNK_CHARS = 60


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    path: tuple[str, ...]
    part: str


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at commas where possible, else hard, into pieces <= max_chars."""
    pieces = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = max(window.rfind(ch) for ch in _SOFT_BREAKS)
        stop = start + cut + 1 if cut >= max_chars // 3 else start + max_chars
        pieces.append((start, stop))
        start = stop
    pieces.append((start, end))
    return pieces


def pack_sentences(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Group the sentences of text[start:end] into near-equal pieces of at most max_chars."""
    total = end - start
    if total <= max_chars:
        return [(start, end)]
    units: list[tuple[int, int]] = []
    for s, e in sentence_spans(text, start, end):
        units.extend(_split_long(text, s, e, max_chars) if e - s > max_chars else [(s, e)])
    target = total / math.ceil(total / max_chars)
    pieces: list[tuple[int, int]] = []
    cur_start, cur_end = units[0]
    for s, e in units[1:]:
        if e - cur_start > max_chars or cur_end - cur_start >= target:
            pieces.append((cur_start, cur_end))
            cur_start = s
        cur_end = e
    pieces.append((cur_start, cur_end))
    return pieces


def _blocks(doc: ParsedDocument) -> list[_Block]:
    """Every piece of text with the section it belongs to, in document order.

    Heading lines (levels 1–5, and a table's caption) are blocks too, so a section's first chunk starts with its heading
    and headings can be found and quoted; item labels (一是…) already lie inside their item's body.
    """
    blocks = []
    for path, node in doc.root.walk():
        spans = list(node.body_spans)
        if (0 < node.level < ITEM_LEVEL or node.level == TABLE_LEVEL) and not any(
            s < node.heading_span[1] for s, _ in spans
        ):
            spans.append(node.heading_span)
        blocks += [_Block(s, e, path, node.part) for s, e in spans if doc.text[s:e].strip()]
    return sorted(blocks, key=lambda b: b.start)


def _groups(doc: ParsedDocument) -> list[_Block]:
    """Merge adjacent blocks of one section; fold short lead-ins into the sub-section that follows."""
    groups: list[_Block] = []
    for block in _blocks(doc):
        prev = groups[-1] if groups else None
        adjacent = prev is not None and not doc.text[prev.end : block.start].strip()
        if prev and adjacent and prev.path == block.path:
            groups[-1] = _Block(prev.start, block.end, prev.path, prev.part)
        elif (
            prev and adjacent and prev.end - prev.start < MIN_CHUNK_CHARS and block.path[: len(prev.path)] == prev.path
        ):
            groups[-1] = _Block(prev.start, block.end, block.path, block.part)
        else:
            groups.append(block)
    return groups


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def chunk_document(doc: ParsedDocument, max_chars: int = 360) -> list[Chunk]:
    """All chunks of a report in document order, each an exact slice of the cleaned text."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for group in _groups(doc):
        for s, e in pack_sentences(doc.text, group.start, group.end, max_chars):
            s, e = _trim(doc.text, s, e)
            if s == e:
                continue
            body = doc.text[s:e]
            digest = hashlib.sha1(f"{' > '.join(group.path)}\x1f{body}".encode()).hexdigest()[:16]
            seen[digest] = seen.get(digest, 0) + 1
            suffix = "" if seen[digest] == 1 else f"-{seen[digest]}"
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.meta.doc_id}-{digest}{suffix}",
                    doc_id=doc.meta.doc_id,
                    text=body,
                    section_path=group.path,
                    start=s,
                    end=e,
                    part=group.part,
                    meta=doc.meta,
                )
            )
    return chunks


def sentence_units(chunk: Chunk) -> list[tuple[str, str]]:
    """(unit id, sentence) for each sentence of a multi-sentence chunk, for sentence-level vectors.

    A query naming an exact term (耕地流出图斑整治) matches one sentence far better than the
    few hundred characters around it; the store maps sentence hits back to their chunk.
    """
    spans = [
        (s, e)
        for s, e in sentence_spans(chunk.text, 0, len(chunk.text))
        if len(chunk.text[s:e].strip()) >= MIN_SENTENCE_CHARS
    ]
    if len(spans) < 2:
        return []
    return [(f"{chunk.chunk_id}~{i}", chunk.text[s:e].strip()) for i, (s, e) in enumerate(spans)]
