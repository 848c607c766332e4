"""The answer paths the app reads through, kept current with the store.

Building an answerer syncs the lexical index and gathers the corpus, so the app builds one and
reuses it until the store or lexical index it was built on changes: a write of the app's own
(`invalidate`) or, in Chroma server mode, another process's (Services.refresh, checked before
each request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from assistant.generation.paths import AnswerPath, DraftPath
from assistant.retrieval import Retriever
from assistant.services import Services

T = TypeVar("T")


class Paths(Protocol):
    """What the app's readers (answers.Answers, drafts.Drafts) ask for; Reader is the real one."""

    def answerer(self) -> AnswerPath: ...

    def drafter(self) -> DraftPath: ...

    def retriever(self, mode: str = "hybrid") -> Retriever: ...


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
        basis = lambda: (services.store, services.lexical)  # noqa: E731
        self._answerer: Cached[AnswerPath] = Cached(services.answerer, basis)
        self._drafter: Cached[DraftPath] = Cached(services.drafter, basis)

    def answerer(self) -> AnswerPath:
        self.refresh()
        return self._answerer.get()

    def drafter(self) -> DraftPath:
        self.refresh()
        return self._drafter.get()

    def retriever(self, mode: str = "hybrid") -> Retriever:
        self.refresh()
        return self.services.retriever(mode)

    def refresh(self) -> None:
        """Changes other processes made through the Chroma server reach the next request."""
        if self.services.refresh():
            self.invalidate()

    def invalidate(self) -> None:
        self._answerer.clear()
        self._drafter.clear()
        if self._on_stale is not None:
            self._on_stale()
