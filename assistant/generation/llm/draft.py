"""LLM drafting: plan a short outline, retrieve per point, write 公文-style paragraphs citing [n], verify.

Falls back to the extractive Drafter (with a Chinese note) when the model fails or cites nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Iterator
from dataclasses import replace
from typing import Protocol

from langchain_core.language_models import BaseChatModel

from assistant.generation.corpus import Corpus
from assistant.generation.draft import Drafter
from assistant.generation.llm.answer import (
    FALLBACK_NOTE,
    Generated,
    as_client,
    drain,
    finish_generated,
    run_model,
    streamed,
    strip_think,
    system_text,
)
from assistant.generation.llm.client import ChatClient, LLMError
from assistant.generation.llm.prompts import PromptLibrary, render_outline, render_passages
from assistant.generation.question import Question, analyse
from assistant.generation.sanitize import strip_active_markup
from assistant.retrieval import Filters, Searcher, prefer
from assistant.types import Answer, Passage

STYLES = ("总结", "计划")
MAX_POINTS = 4
SEED_PASSAGES = 6  # passages the outline is planned from
PER_POINT = 4  # passages retrieved per outline point
MAX_PASSAGES = 12  # passages shown to the writing prompt
_POINT = re.compile(r"^\s*(?:[-*•]|\d+[.、．)）]|[（(]?[一二三四五六七八九十]+[、.)）])\s*")


def parse_outline(text: str, max_points: int = MAX_POINTS) -> list[str]:
    """The points of an outline reply ('1. 要点' lines), numbering and markup removed."""
    points = []
    for line in strip_active_markup(strip_think(text))[0].splitlines():
        point = _POINT.sub("", line).strip().strip("*#：:").strip()
        if point and len(point) <= 40 and point not in points:
            points.append(point)
    return points[:max_points]


class ExtractiveDrafts(Protocol):
    """What the LLM drafting path asks of the extractive one (draft.Drafter is one): the filters a topic
    narrows to, and its draft when the model fails."""

    def scoped_filters(self, q: Question, filters: Filters) -> Filters: ...

    def draft(self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结") -> Answer: ...


class LLMDrafter:
    """Drafts with a chat model; the extractive Drafter is the fallback."""

    def __init__(
        self,
        retriever: Searcher,
        corpus: Corpus,
        chat_model: BaseChatModel | ChatClient,
        fallback: ExtractiveDrafts | None = None,
        *,
        prompts: PromptLibrary | None = None,
    ) -> None:
        self.retriever, self.corpus = retriever, corpus
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

    def _steps(
        self, topic: str, length: int, filters: Filters | None, style: str, streaming: bool
    ) -> Generator[str, None, Answer]:
        if style not in STYLES:
            raise ValueError(f"未知文体 {style!r}，可选：{'、'.join(STYLES)}")
        started = time.perf_counter()
        q = analyse(topic, self.corpus.townships)
        scoped = self.fallback.scoped_filters(q, filters or Filters())
        referenced = self.corpus.referenced_docs(q)

        def fallback(extra: list[str]) -> Answer:
            answer = self.fallback.draft(topic, length=length, filters=filters)
            answer.notes = [*extra, *answer.notes]
            return answer

        seed = prefer(self.retriever.search(topic, k=SEED_PASSAGES, filters=scoped), referenced, q.years)
        if not seed:
            return _timed(fallback([]), started)
        try:
            points = self._outline(topic, style, seed)
            passages = self._retrieve(topic, points, scoped, seed)
            messages = self.prompts.render(
                "draft",
                topic=topic,
                style=style,
                length=length,
                outline=render_outline(points),
                passages=render_passages(passages),
            )
            text = yield from run_model(self.chat, messages, streaming)
        except LLMError as exc:
            return _timed(fallback([exc.message_zh, FALLBACK_NOTE]), started)
        notes = [f"提纲：{'；'.join(points)}"]
        answer = finish_generated(topic, Generated(text, passages, notes, system_text(messages)), passages, fallback)
        return _timed(answer, started)

    def _outline(self, topic: str, style: str, seed: list[Passage]) -> list[str]:
        messages = self.prompts.render(
            "outline", topic=topic, style=style, passages=render_passages(seed), max_points=MAX_POINTS
        )
        return parse_outline(self.chat.complete(messages)) or [topic]

    def _retrieve(self, topic: str, points: list[str], filters: Filters, seed: list[Passage]) -> list[Passage]:
        """The seed passages' best two, then each point's passages interleaved; no repeats."""
        runs = [seed[:2]] + [self.retriever.search(f"{topic} {p}", k=PER_POINT, filters=filters) for p in points]
        merged: dict[str, Passage] = {}
        for rank in range(max(len(r) for r in runs)):
            for run in runs:
                if rank < len(run):
                    merged.setdefault(run[rank].chunk_id, run[rank])
        picked = list(merged.values())[:MAX_PASSAGES]
        return [replace(p, rank=i) for i, p in enumerate(picked, start=1)]


def _timed(answer: Answer, started: float) -> Answer:
    answer.latency_ms = int((time.perf_counter() - started) * 1000)
    return answer
