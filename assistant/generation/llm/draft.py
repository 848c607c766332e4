"""LLM drafting, evidence first: the extractive draft picks the sentences, the model rewrites them.

The extractive Drafter drafts from the report part the style calls for (a 总结 from the summary
parts, never the plan; a 计划 from the plan parts, with a basis from the summary parts of the year
before), keeping the evidence of the year the topic names. The model is shown those sentences,
compactly (prompts.render_excerpts), and writes one paragraph in one call: an outline call first
made drafts take 37–94 s with Qwen2.5-1.5B on 2 cores. The fixed system prompt comes first, so
llama.cpp reuses its KV cache from draft to draft. The reply is capped by the length asked for and,
for a local model, kept from copying long runs of the excerpts (llama.LlamaCppChat.copy_guard:
asked to rewrite, the 1.5B model copies sentence by sentence). After generation the text is
cleaned, made prose (titles, list numbers and repeated sentences the model adds go), each sentence
without a marker gets the marker of the evidence behind it (generation/evidence.py), a sentence no
evidence backs is dropped (every sentence of a draft is cited), and the shared citation and number
checks run (answer.finish_generated). A failed call, a refusal or no valid citation gives the
extractive draft with a Chinese note. A reply cut at the token cap keeps its whole sentences.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from assistant.generation.citations import MARKER, split_answer_sentences, unmarked
from assistant.generation.corpus import Corpus
from assistant.generation.draft import Drafter
from assistant.generation.evidence import Evidence, attach_markers, evidence_of
from assistant.generation.llm.answer import (
    FALLBACK_NOTE,
    Generated,
    VisibleStream,
    as_client,
    drain,
    finish_generated,
    says_not_found,
    streamed,
    strip_think,
    system_text,
)
from assistant.generation.llm.client import ChatClient, LLMError
from assistant.generation.llm.prompts import PromptLibrary, render_excerpts
from assistant.generation.question import analyse
from assistant.generation.sanitize import clean_model_output
from assistant.retrieval import Filters, Searcher
from assistant.text import SENTENCE_ENDS
from assistant.types import Answer, Passage, part_years

STYLES = ("总结", "计划")
BASIS_SHARE = 3  # a plan's basis (the summary parts): about a third of its length
# The reply's token cap: Qwen2.5-1.5B wrote 1.4–1.8 characters a token in drafts (markers included), so
# 0.8 tokens a character stops a reply at about 1.2–1.4 × the length asked for (it often writes more).
TOKENS_PER_CHAR = 0.8
TOKEN_SLACK = 48
HEADING_CHARS = 30  # a line this short without a sentence end is a heading, not a sentence
# List numbering where a line or sentence starts, or after a colon (主要工作包括：1. …): 1. 2、 (3) - • #.
_LIST_ITEM = re.compile(r"(?:^|(?<=[：:]))\s*(?:#+|[-*•]|\d{1,2}[.、．)）](?!\d)|[（(]\d{1,2}[)）])\s*")
TRUNCATED_NOTE = "模型输出达到长度上限，已保留完整的句子。"
OTHER_PART_NOTE = {
    "总结": "资料的工作总结部分没有相关内容，以下依据报告其他部分起草，请核对是否为已完成的工作。",
    "计划": "资料的工作计划部分没有相关内容，以下依据报告其他部分起草，请核对。",
}


class ExtractiveDrafts(Protocol):
    """What the LLM drafting path asks of the extractive one (draft.Drafter is one): its draft, the
    evidence the model is shown and what the user gets when the model fails."""

    def draft(self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结") -> Answer: ...


def in_years(evidence: Sequence[Evidence], years: Sequence[int]) -> list[Evidence]:
    """The evidence from report parts covering one of `years` (or naming no year); all of it when
    `years` is empty."""
    if not years:
        return list(evidence)
    kept = []
    for e in evidence:
        span = part_years(str(e.passage.metadata.get("part", "")))
        if span is None or any(span[0] <= y <= span[1] for y in years):
            kept.append(e)
    return kept


def as_prose(text: str) -> str:
    """The text as a passage of sentences, as small models format it anyway: heading lines (a title, a
    label on its own line: short, no sentence end, no [n] marker) dropped, list numbering (1. / - ) and
    bold (**) taken off, so that a list number is not a figure the number check flags; and a sentence
    written a second time (a small model's loop) dropped."""
    kept = []
    for line in text.splitlines():
        line = line.replace("**", "").strip()
        ends = any(e in line for e in SENTENCE_ENDS)
        is_heading = len(line) <= HEADING_CHARS and not MARKER.search(line) and not ends
        if line and not is_heading:
            kept.append(line)
    seen: set[str] = set()
    sentences = []
    for sentence in split_answer_sentences("\n".join(kept)):
        sentence = _LIST_ITEM.sub("", sentence)
        plain = unmarked(sentence)
        if plain and plain in seen:
            continue
        seen.add(plain)
        sentences.append(sentence)
    return "".join(sentences).strip()


def without_stray_markers(text: str, sources: int) -> tuple[str, list[int]]:
    """The text without [n] markers pointing at no source (n outside 1..sources); returns (text, those n
    in order, once each)."""
    stray: list[int] = []

    def keep(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if 1 <= n <= sources:
            return m.group(0)
        stray.append(n)
        return ""

    return MARKER.sub(keep, text), list(dict.fromkeys(stray))


def cited_only(text: str) -> tuple[str, int]:
    """The text without its sentences that carry no [n] marker (after markers were attached, those no
    evidence backs); returns (text, sentences dropped)."""
    kept, dropped = [], 0
    for sentence in split_answer_sentences(text):
        if not sentence.strip() or MARKER.search(sentence):
            kept.append(sentence)
        else:
            dropped += 1
    return "".join(kept).strip(), dropped


def whole_sentences(text: str) -> str:
    """Text up to its last sentence end (and the markers after it): a reply cut mid-sentence."""
    pieces = split_answer_sentences(text)
    while pieces and not MARKER.sub("", pieces[-1]).rstrip().endswith(tuple(SENTENCE_ENDS)):
        pieces.pop()
    return "".join(pieces)


def max_tokens_for(length: int) -> int:
    return math.ceil(length * TOKENS_PER_CHAR) + TOKEN_SLACK


def for_draft(chat: ChatClient, max_tokens: int, sources: Sequence[str]) -> ChatClient:
    """The client with its model's reply capped at `max_tokens` and, for a local model, guarded against
    copying long runs of `sources` (llama.LlamaCppChat.copy_guard); a copy of the model sharing its
    weights. The client itself when the model has neither setting."""
    fields = type(chat.model).model_fields
    update = {"max_tokens": max_tokens, "copy_guard": tuple(sources)}
    update = {key: value for key, value in update.items() if key in fields}
    return replace(chat, model=chat.model.model_copy(update=update)) if update else chat


class LLMDrafter:
    """Drafts with a chat model from the extractive draft's evidence; the extractive Drafter is the fallback."""

    def __init__(
        self,
        retriever: Searcher,
        corpus: Corpus,
        chat_model: BaseChatModel | ChatClient,
        fallback: ExtractiveDrafts | None = None,
        *,
        prompts: PromptLibrary | None = None,
    ) -> None:
        self.corpus = corpus
        self.chat = as_client(chat_model)
        self.fallback: ExtractiveDrafts = fallback or Drafter(retriever, corpus)
        self.prompts = prompts or PromptLibrary()

    def draft(self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结") -> Answer:
        """A cited draft of about `length` characters on `topic` in 总结 or 计划 style."""
        return drain(self._steps(topic, length, filters, style, streaming=False))

    def stream(
        self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结"
    ) -> Iterator[str | Answer]:
        """Text deltas of the draft as it is written, then the verified Answer, which replaces them."""
        return streamed(self._steps(topic, length, filters, style, streaming=True))

    def evidence(
        self, topic: str, length: int, filters: Filters | None, style: str
    ) -> tuple[Answer, list[Evidence], list[str]]:
        """The extractive draft from the report part `style` calls for, the evidence the model is shown
        (of the years the topic names; a plan's basis after its own), and notes. The user's part
        filter, when given, is kept as it is."""
        filters = filters or Filters()
        if filters.part:
            extract = self.fallback.draft(topic, length, filters, style)
            return extract, evidence_of(extract), []
        years = analyse(topic, self.corpus.townships).years
        extract = self.fallback.draft(topic, length, replace(filters, part=style), style)
        if extract.abstained:
            other = self.fallback.draft(topic, length, filters, style)
            notes = [] if other.abstained else [OTHER_PART_NOTE[style]]
            return other, evidence_of(other), notes
        evidence = in_years(evidence_of(extract), years) or evidence_of(extract)
        if style == "计划":
            basis = self.fallback.draft(topic, max(50, length // BASIS_SHARE), replace(filters, part="总结"), style)
            if not basis.abstained:
                seen = {e.passage.chunk_id for e in evidence}
                before = [y - 1 for y in years]
                evidence += [e for e in in_years(evidence_of(basis), before) if e.passage.chunk_id not in seen]
                extract = replace(extract, passages=_merged(extract.passages, basis.passages))
        return extract, evidence, []

    def _steps(
        self, topic: str, length: int, filters: Filters | None, style: str, streaming: bool
    ) -> Generator[str, None, Answer]:
        if style not in STYLES:
            raise ValueError(f"未知文体 {style!r}，可选：{'、'.join(STYLES)}")
        started = time.perf_counter()
        extract, evidence, notes = self.evidence(topic, length, filters, style)

        def fallback(extra: list[str]) -> Answer:
            return replace(extract, notes=[*extra, *extract.notes])

        if extract.abstained or not evidence:  # nothing on the topic: the model is not asked to invent
            return _timed(fallback(notes), started)

        shown = [e.passage for e in evidence]
        excerpts = ["".join(e.sentences) for e in evidence]
        messages = self.prompts.render(
            "draft", passages=render_excerpts(shown, excerpts), topic=topic, style=style, length=length
        )
        try:
            text, truncated = yield from self._write(
                messages, streaming, for_draft(self.chat, max_tokens_for(length), excerpts)
            )
        except LLMError as exc:
            return _timed(fallback([*notes, exc.message_zh, FALLBACK_NOTE]), started)
        # Cleaned here, before sentences are dropped, so that the notes say what was removed and why.
        text, cleaned = clean_model_output(text, system_text(messages))
        dropped, stray = 0, list[int]()
        if not says_not_found(text):  # a refusal goes to finish_generated as written: the extract, with its note
            # Markers to no excerpt go first, so that their sentences get the marker of their evidence.
            text, stray = without_stray_markers(as_prose(text), len(excerpts))
            text, dropped = cited_only(attach_markers(text, excerpts))
        notes = [*notes, *cleaned, *([TRUNCATED_NOTE] if truncated else [])]
        if stray:
            notes.append(f"已删除指向未检索段落的引用：{'、'.join(f'[{n}]' for n in stray)}")
        if dropped:
            notes.append(f"已删除模型写出的 {dropped} 句无资料依据的内容。")
        answer = finish_generated(topic, Generated(text, shown, notes), extract.passages, fallback, evidence=excerpts)
        return _timed(answer, started)

    @staticmethod
    def _write(
        messages: Sequence[BaseMessage], streaming: bool, chat: ChatClient
    ) -> Generator[str, None, tuple[str, bool]]:
        """Stream the reply (yielding visible deltas when `streaming`); returns (text, truncated). A reply
        cut at the token cap keeps its whole sentences; other failures raise LLMError."""
        visible = VisibleStream()
        truncated = False
        try:
            for delta in chat.stream(messages):
                shown = visible.feed(delta)
                if shown and streaming:
                    yield shown
        except LLMError as exc:
            if exc.kind != "truncated":
                raise
            truncated = True
        text = strip_think(visible.raw)
        if truncated:
            text = whole_sentences(text)
        if not text.strip():
            raise LLMError("empty", "模型返回了空回答。")
        return text, truncated


def _merged(first: Sequence[Passage], second: Sequence[Passage]) -> list[Passage]:
    """Both lists of retrieved passages, first's first, no repeats, ranked anew."""
    merged = {p.chunk_id: p for p in [*first, *second]}
    return [replace(p, rank=i) for i, p in enumerate(merged.values(), start=1)]


def _timed(answer: Answer, started: float) -> Answer:
    answer.latency_ms = int((time.perf_counter() - started) * 1000)
    return answer
