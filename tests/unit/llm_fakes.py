"""Fakes for unit tests of the LLM paths only (the integration tests use a real HTTP server):
a scripted chat model, a retriever over hand-built passages, and stand-ins for the extractive paths.
Each satisfies the Protocol the LLM paths type it with (retrieval.Searcher, llm.answer.ReportSearcher,
corpus.Vocabulary, llm.answer.ExtractiveAnswers, llm.draft.ExtractiveDrafts)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from assistant.generation.citations import verify
from assistant.generation.corpus import Corpus
from assistant.retrieval import Filters
from assistant.text import sentence_spans
from assistant.types import Answer, ChunkMeta, DocRecord, Passage, part_kind
from tests.conftest import HashingEmbedder


class ScriptedChat(BaseChatModel):
    """Replies in order (the last repeats); an exception in the script is raised instead, and a
    (text, exception) pair streams the text and then raises (a connection lost mid-answer).

    Records the messages of every call; streams a reply two characters at a time.
    """

    replies: list[Any]
    _calls: list[list[BaseMessage]] = PrivateAttr(default_factory=list)

    @property
    def calls(self) -> list[list[BaseMessage]]:
        return self._calls

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next(self, messages: list[BaseMessage]) -> tuple[str, BaseException | None]:
        self._calls.append(messages)
        reply = self.replies[min(len(self._calls) - 1, len(self.replies) - 1)]
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, tuple):
            return reply
        return (reply(messages) if callable(reply) else str(reply)), None

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text, failure = self._next(messages)
        if failure is not None:
            raise failure
        message = AIMessage(content=text, response_metadata={"finish_reason": "stop"})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        text, failure = self._next(messages)
        for i in range(0, len(text), 2):
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[i : i + 2]))
        if failure is not None:
            raise failure


def passage(
    n: int,
    text: str,
    doc: str = "001_x",
    township: str = "X乡",
    section: str = "一、2023年工作总结",
    part: str = "2023年工作总结",
) -> Passage:
    meta: ChunkMeta = {
        "title": f"{township}2023年工作总结及2024年工作计划",
        "township": township,
        "years": "2023,2024",
        "part": part,
        "part_kind": part_kind(part),
    }
    return Passage(f"c{n}", doc, section, text, 1.0 / n, n, meta)


class NoReports:
    """A store with no documents (the tests give the LLM answerer its report year)."""

    def documents(self) -> dict[str, DocRecord]:
        return {}


class ListRetriever:
    """search() over a fixed list of passages; records the queries."""

    dense_weight = 1.0

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = list(passages)
        self.queries: list[str] = []
        self.embedder = HashingEmbedder()
        self.store = NoReports()

    def search(self, query: str, k: int = 5, filters: Filters | None = None, vector: Any = None) -> list[Passage]:
        self.queries.append(query)
        return self.passages[:k]


class NoLexical:
    def idf(self, token: str) -> float:
        return 1.0

    def doc_tokens(self, doc: str) -> set[str]:
        return set()

    def docs_with(self, token: str) -> set[str]:
        return set()


def corpus(townships: dict[str, str] | None = None) -> Corpus:
    return Corpus(lexical=NoLexical(), doc_townships=townships or {"001_x": "X乡", "002_y": "安民乡"})


class StubAnswerer:
    """The extractive Answerer's retrieve/answer_passages, over a ListRetriever."""

    def __init__(self, retriever: ListRetriever) -> None:
        self.retriever = retriever
        self.asked: list[str] = []

    def resolve(self, q: Any, filters: Filters) -> Any:
        return q

    def ledger_answer(self, q: Any, filters: Filters, partial: bool = False) -> Answer | None:
        return None  # no ledger: every question goes to retrieval

    def retrieve(self, q: Any, filters: Filters) -> tuple[list[Passage], Answer | None]:
        return self.retriever.search(q.text, k=20, filters=filters), None

    def answer_passages(self, q: Any, passages: list[Passage]) -> Answer:
        """An extractive answer quoting every passage's text, each cited: the evidence the model is shown."""
        self.asked.append(q.text)
        quoted = [
            f"{p.text[s:e].strip()}[{n}]"
            for n, p in enumerate(passages, start=1)
            for s, e in sentence_spans(p.text, 0, len(p.text))
            if p.text[s:e].strip()
        ]
        checked = verify("".join(quoted), passages)
        return Answer(q.text, checked.text, False, checked.citations, [], "extractive", passages=passages)


class StubDrafter:
    """The extractive Drafter's draft over a ListRetriever: every sentence of the passages the filters
    admit (their part, as Filters.matches decides), quoted and cited, or an abstention when none is
    admitted. Records each call's (topic, length, filters, style)."""

    def __init__(self, retriever: ListRetriever) -> None:
        self.retriever = retriever
        self.calls: list[tuple[str, int, Filters | None, str]] = []

    @property
    def drafted(self) -> list[str]:
        return [topic for topic, *_ in self.calls]

    def draft(self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结") -> Answer:
        self.calls.append((topic, length, filters, style))
        admitted = [p for p in self.retriever.search(topic, k=20) if filters is None or filters.matches(p.metadata)]
        if not admitted:
            return Answer(topic, "资料中未找到与该主题相关的内容，无法起草。", True, [], [], "extractive", passages=[])
        quoted = [
            f"{p.text[s:e].strip()}[{n}]"
            for n, p in enumerate(admitted, start=1)
            for s, e in sentence_spans(p.text, 0, len(p.text))
            if p.text[s:e].strip()
        ]
        checked = verify("".join(quoted), admitted)
        return Answer(topic, checked.text, False, checked.citations, [], "extractive", passages=admitted)
