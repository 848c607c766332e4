"""Wiring: build the store, lexical index, embedder and retriever from Settings, once per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.config import Settings
from assistant.embeddings import Embedder, embedder_name, make_embedder
from assistant.generation.answer import Answerer
from assistant.generation.corpus import Corpus
from assistant.generation.draft import Drafter
from assistant.generation.llm import ChatClient, make_chat_client
from assistant.generation.llm_answer import LLMAnswerer
from assistant.generation.llm_draft import LLMDrafter
from assistant.lexical import LexicalIndex, sync_lexical
from assistant.retrieval import DENSE_WEIGHT, LEXICAL_WEIGHT, Retriever
from assistant.store import ReportStore
from assistant.store_lock import StoreBusyError, StoreLock

RETRIEVAL_MODES = ("hybrid", "dense", "lexical")


def lexical_dir(settings: Settings) -> LexicalIndex:
    """The lexical index lives in the store directory (also in Chroma server mode: it is a local cache)."""
    return LexicalIndex(settings.store_dir / "lexical")


def settle_interrupted_writes(settings: Settings, store: ReportStore) -> list[tuple[str, str]]:
    """Settle document writes a killed writer left half done, so even a reader sees whole documents.

    Needs the write lock for a moment; when another process holds it, that process is the
    writer and settles them itself (every writer does so before writing).
    """
    if store.journal is None or not store.journal.pending():
        return []
    try:
        lock = StoreLock(settings.store_dir).acquire()
    except StoreBusyError:
        return []
    try:
        return store.recover()
    finally:
        lock.release()


@dataclass
class Services:
    """The shared components; the embedder loads on first use (listing documents needs no model)."""

    settings: Settings
    store: ReportStore
    lexical: LexicalIndex
    _embedder: Embedder | None = field(default=None, repr=False)
    _chat: ChatClient | None = field(default=None, repr=False)

    @classmethod
    def open(cls, settings: Settings) -> Services:
        """Open the store (refusing a mismatched embedder before any model loads) and the lexical index."""
        store = ReportStore.open(settings, embedder_name(settings.embedding_model))
        settle_interrupted_writes(settings, store)
        return cls(settings=settings, store=store, lexical=lexical_dir(settings))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embedding_model, self.settings.embed_batch_size)
        return self._embedder

    def sync_lexical(self) -> bool:
        """Bring the lexical index in line with the store; True when it was rebuilt."""
        return sync_lexical(self.store, self.lexical)

    def corpus(self) -> Corpus:
        """Townships, kinds and vocabulary of the ingested reports (for scoping questions)."""
        self.sync_lexical()
        docs = self.store.documents()
        return Corpus(
            lexical=self.lexical,
            doc_townships={doc: r.township for doc, r in docs.items()},
            doc_kinds={doc: r.kind for doc, r in docs.items()},
        )

    def chat(self) -> ChatClient | None:
        """The configured chat model (loaded once), or None: answers stay extractive.

        Raises LLMError('unavailable') when a GGUF model is configured but llama.cpp is not installed.
        """
        if self._chat is None and self.settings.llm_configured:
            self._chat = make_chat_client(self.settings)
        return self._chat

    def answerer(self, mode: str = "hybrid") -> Answerer | LLMAnswerer:
        """The LLM answer path when a model is configured (extractive as its fallback), else extractive."""
        retriever, corpus = self.retriever(mode), self.corpus()
        extractive = Answerer(retriever, corpus)
        chat = self.chat()
        return extractive if chat is None else LLMAnswerer(retriever, corpus, chat, extractive)

    def drafter(self, mode: str = "hybrid") -> Drafter | LLMDrafter:
        retriever, corpus = self.retriever(mode), self.corpus()
        extractive = Drafter(retriever, corpus)
        chat = self.chat()
        return extractive if chat is None else LLMDrafter(retriever, corpus, chat, extractive)

    def retriever(self, mode: str = "hybrid") -> Retriever:
        """A retriever: `hybrid` (default), or `dense` / `lexical` alone for comparisons."""
        if mode not in RETRIEVAL_MODES:
            raise ValueError(f"未知检索模式 {mode!r}，可选：{'、'.join(RETRIEVAL_MODES)}")
        self.sync_lexical()
        return Retriever(
            self.store,
            self.lexical,
            self.embedder,
            dense_weight=0.0 if mode == "lexical" else DENSE_WEIGHT,
            lexical_weight=0.0 if mode == "dense" else LEXICAL_WEIGHT,
        )
