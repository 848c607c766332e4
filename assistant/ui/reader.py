"""The answer paths the app reads through, kept current with the store.

Building an answerer syncs the lexical index and gathers the corpus, so the app builds one and
reuses it until the store or lexical index it was built on changes: a write of the app's own
(`invalidate`) or, in Chroma server mode, another process's (Services.refresh, checked before
each request).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from assistant.generation.paths import AnswerPath, DraftPath
from assistant.retrieval import Retriever
from assistant.services import Services
from assistant.writers import EXTRACTIVE_LABEL, llama_installed

T = TypeVar("T")


class Paths(Protocol):
    """What the app's readers (answers.Answers, drafts.Drafts) ask for; Reader is the real one.
    `writer`: llm | extractive | auto (None: the app's default, Settings.writer)."""

    def answerer(self, writer: str | None = None) -> AnswerPath: ...

    def drafter(self, writer: str | None = None) -> DraftPath: ...

    def retriever(self, mode: str = "hybrid") -> Retriever: ...

    def writer_label(self, mode: str) -> str: ...


@dataclass(frozen=True)
class WriterOptions:
    """The app's 作答方式 switch: (label, writer) choices, the one selected at start, and a line on it."""

    choices: list[tuple[str, str]]
    value: str
    info: str


def writer_options(services: Services) -> WriterOptions:
    """The model (if there is one the app can run) and 原文摘录; selected: what the settings' writer resolves to."""
    extractive = [(EXTRACTIVE_LABEL, "extractive")]
    choice = services.model()
    if choice is None:
        info = "未配置或安装模型，回答由原文句子组成（安装：assistant model install qwen2.5-1.5b）。"
        return WriterOptions(extractive, "extractive", info)
    if services.writer() == "extractive" and choice.local and not llama_installed():
        info = f"已安装{choice.label}，但未安装 llama.cpp 运行库（pip install -e '.[local]'），回答由原文句子组成。"
        return WriterOptions(extractive, "extractive", info)
    info = "原文摘录只引用报告原句，不调用模型；模型作答也逐句核对引用与数字。"
    return WriterOptions([(choice.label, "llm"), *extractive], services.writer(), info)


class Cached(Generic[T]):
    """What `build` made, reused while `basis()` gives the same objects."""

    def __init__(self, build: Callable[[], T], basis: Callable[[], tuple[object, ...]]) -> None:
        self._build = build
        self._basis = basis
        self._hit: tuple[tuple[object, ...], T] | None = None

    def get(self) -> T:
        basis = self._basis()
        if self._hit is None or self._hit[0] != basis:
            self._hit = (basis, self._build())
        return self._hit[1]

    def clear(self) -> None:
        self._hit = None


class Reader:
    """The current answerer, drafter and retrievers; `on_stale` hears when the store changed under them."""

    def __init__(self, services: Services, on_stale: Callable[[], None] | None = None) -> None:
        self.services = services
        self._on_stale = on_stale
        self._basis = lambda: (services.store, services.lexical)
        # One answerer and one drafter per writer (llm, extractive): switching never rebuilds them, and
        # the extractive ones never load the model.
        self._answerers: dict[str, Cached[AnswerPath]] = {}
        self._drafters: dict[str, Cached[DraftPath]] = {}

    def answerer(self, writer: str | None = None) -> AnswerPath:
        self.refresh()
        who = self.services.writer(writer)
        if who not in self._answerers:
            self._answerers[who] = Cached(lambda: self.services.answerer(writer=who), self._basis)
        return self._answerers[who].get()

    def drafter(self, writer: str | None = None) -> DraftPath:
        self.refresh()
        who = self.services.writer(writer)
        if who not in self._drafters:
            self._drafters[who] = Cached(lambda: self.services.drafter(writer=who), self._basis)
        return self._drafters[who].get()

    def writer_label(self, mode: str) -> str:
        return self.services.writer_label(mode)

    def retriever(self, mode: str = "hybrid") -> Retriever:
        self.refresh()
        return self.services.retriever(mode)

    def refresh(self) -> None:
        """Changes other processes made through the Chroma server reach the next request."""
        if self.services.refresh():
            self.invalidate()

    def invalidate(self) -> None:
        for answerer in self._answerers.values():
            answerer.clear()
        for drafter in self._drafters.values():
            drafter.clear()
        if self._on_stale is not None:
            self._on_stale()
