"""Wiring: build the store, lexical index, embedder and retriever from Settings, once per process."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.embeddings import Embedder, embedder_name, make_embedder
from assistant.generation.answer import Answerer
from assistant.generation.corpus import Corpus
from assistant.generation.draft import Drafter
from assistant.generation.llm.client import ChatClient, make_chat_client
from assistant.retrieval import DENSE_WEIGHT, LEXICAL_WEIGHT, Retriever
from assistant.store.collection import ReportStore
from assistant.store.lexical import LexicalIndex, refreshed, sync_lexical
from assistant.store.lock import StoreBusyError, StoreLock

if TYPE_CHECKING:  # the LLM paths import langchain (seconds); loaded only when a model is configured
    from assistant.generation.llm.answer import LLMAnswerer
    from assistant.generation.llm.draft import LLMDrafter

RETRIEVAL_MODES = ("hybrid", "dense", "lexical")
# Chroma server mode: a long-running process compares chunk-id fingerprints at least this often even
# when the store's entry count did not change (an edit that keeps the count, made by another process).
FULL_CHECK_S = 10.0


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
    _sync_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _entries: int = field(default=-1, repr=False)  # the store's entry count at the last full check
    _checked_at: float = field(default=0.0, repr=False)

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
        with self._sync_lock:
            return sync_lexical(self.store, self.lexical)

    def refresh(self) -> bool:
        """Pick up what other processes wrote through the Chroma server (for the long-running app).

        Called before each request. Costs one request (the store's entry count) when nothing
        changed; when the count changed, or FULL_CHECK_S passed since the last full check, the
        chunk-id fingerprint is compared with the lexical index's, and on a difference a new index
        (this machine's copy on disk if another process already rebuilt it, else rebuilt here)
        replaces the old one, which threads still searching keep using. A collection another
        process dropped and created again (`ingest --rebuild`) is reopened. True when the index or
        the store was replaced: whatever was built from them (answerers, Corpus) must be rebuilt.
        The embedded store has one writer at a time, the app itself, so there it does nothing.
        """
        if not self.settings.chroma_url:
            return False
        from chromadb.errors import NotFoundError

        with self._sync_lock:
            reopened = False
            try:
                entries = self.store.entry_count()
            except NotFoundError:
                self.store = ReportStore.open(self.settings, self.store.embedder_name)
                entries, reopened = self.store.entry_count(), True
            now = time.monotonic()
            if not reopened and entries == self._entries and now - self._checked_at < FULL_CHECK_S:
                return False
            fresh = refreshed(self.store, self.lexical)
            self._entries, self._checked_at = entries, now
            if fresh is not None:
                self.lexical = fresh
            return reopened or fresh is not None

    def corpus(self) -> Corpus:
        """Townships, kinds and vocabulary of the ingested reports (for scoping questions)."""
        self.sync_lexical()
        # From the lexical index's per-chunk metadata (synced above), not a scan of the store:
        # at 100k chunks that scan took seconds per answerer.
        documents = self.lexical.documents()
        townships = {doc: str(meta.get("township", "")) for doc, meta in documents.items()}
        kinds = {doc: str(meta.get("kind", "")) for doc, meta in documents.items()}
        return Corpus(lexical=self.lexical, doc_townships=townships, doc_kinds=kinds)

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
        if chat is None:
            return extractive
        from assistant.generation.llm.answer import LLMAnswerer

        return LLMAnswerer(retriever, corpus, chat, extractive)

    def drafter(self, mode: str = "hybrid") -> Drafter | LLMDrafter:
        retriever, corpus = self.retriever(mode), self.corpus()
        extractive = Drafter(retriever, corpus)
        chat = self.chat()
        if chat is None:
            return extractive
        from assistant.generation.llm.draft import LLMDrafter

        return LLMDrafter(retriever, corpus, chat, extractive)

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
