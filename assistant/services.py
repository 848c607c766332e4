"""The composition root: the store, lexical index, embedder, chat model and answer paths, built from
Settings once per process, and the writes (ingest, remove) that keep them in line.

Who writes answers and drafts (`writer`: auto | llm | extractive, Settings.writer or per request):
the configured endpoint or GGUF, else the model installed in the models folder (the 1.5B first),
else quotes; an extractive writer never loads a model, a model is loaded once per process.

Every entry point (the CLI, the app, the evaluation, the benchmark) goes through Services, so the
settings are unpacked into the ingest pipeline in one place and the lexical index follows every
write without the caller remembering to sync it.

Interrupted writes (a writer killed half way through a document, docs/contracts.md) are settled
here and nowhere else, by one rule: whoever holds the store's write lock settles them before
writing (`ingest`, `remove`, and `open` when given the held lock); a process opening the store
without the lock settles them only if it can take the lock for a moment. If it cannot, the holder
is a writer and settles them itself before it writes.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.embeddings import Embedder, embedder_name, make_embedder
from assistant.errors import AssistantError
from assistant.generation.answer import Answerer
from assistant.generation.compare import LedgerAnswers, LedgerSource
from assistant.generation.corpus import Corpus
from assistant.generation.draft import Drafter
from assistant.generation.llm.client import ChatClient, make_chat_model
from assistant.ingest.pipeline import DocumentWritten, IngestProgress, IngestReport, IngestStage, ingest_paths
from assistant.ledger.store import Ledger
from assistant.ledger.store import sync as ledger_sync
from assistant.retrieval import DENSE_WEIGHT, LEXICAL_WEIGHT, Retriever, check_mode
from assistant.store import Store, health
from assistant.store.collection import ReportStore
from assistant.store.lexical import LexicalIndex, refreshed, sync_lexical
from assistant.store.lock import StoreBusyError, StoreLock
from assistant.writers import (
    EXTRACTIVE_LABEL,
    NO_MODEL,
    ModelChoice,
    SerialChatClient,
    WriterError,
    check_writer,
    llama_installed,
    model_choice,
)

if TYPE_CHECKING:
    from assistant.generation.paths import AnswerPath, DraftPath

# Chroma server mode: a long-running process compares chunk-id fingerprints at least this often even
# when the store's entry count did not change (an edit that keeps the count, made by another process).
FULL_CHECK_S = 10.0

Clock = Callable[[], float]


def lexical_dir(settings: Settings) -> LexicalIndex:
    """The lexical index lives in the store directory (also in Chroma server mode: it is a local cache)."""
    return LexicalIndex(settings.store_dir / "lexical")


class Services:
    """The shared components; the embedder loads on first use (listing documents needs no model).

    `clock` times the periodic full check of `refresh` (tests pass a fake one).
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        lexical: LexicalIndex,
        *,
        embedder: Embedder | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.settings, self.lexical = settings, lexical
        self.store: Store = store
        self.clock = clock
        self._embedder = embedder
        self._chat: ChatClient | None = None
        self._chat_lock = threading.Lock()
        self._model: tuple[ModelChoice | None] | None = None  # (the choice,) once looked for
        self._sync_lock = threading.RLock()
        self._entries = -1  # the store's entry count at the last full check (refresh)
        self._checked_at = 0.0
        self._settled: list[tuple[str, str]] = []  # settled here and not yet reported by `ingest`
        self.set_aside: Path | None = None  # where `open(rebuild=True)` moved a broken store

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        lock: StoreLock | None = None,
        rebuild: bool = False,
        embedder: Embedder | None = None,
    ) -> Services:
        """Open the store (refusing a mismatched embedder before any model loads) and the lexical index,
        and settle interrupted writes (see the module docstring).

        `lock`: the store's write lock, when the caller holds it (ingest, remove, serve). `rebuild`
        (needs it) empties the store first, as after changing the embedding model. `embedder`: one
        already loaded (the benchmark loads the model once for several stores). A rebuild of a store
        whose database file is broken moves it aside instead (store/health.py; `set_aside` names where).
        """
        set_aside = None
        if rebuild:
            if lock is None:
                raise ValueError("rebuild needs the store's write lock")
            if health.sqlite_problem(settings, thorough=True) is not None:  # a broken database: set aside, never opened
                set_aside = health.move_aside(settings)
            else:
                ReportStore.drop(settings)
        if embedder is None and not ReportStore.exists(settings, reader=lock is None):
            # A new store records its embedder's name: load the model first, so one that cannot load
            # (EmbedderLoadError) leaves the store as it was instead of pinning it to that name.
            embedder = make_embedder(settings.embedding_model, settings.embed_batch_size)
        name = embedder.name if embedder is not None else embedder_name(settings.embedding_model)
        store = ReportStore.open(settings, name, reader=lock is None)
        services = cls(settings, store, lexical_dir(settings), embedder=embedder)
        services.set_aside = set_aside
        services.settle(holding_lock=lock is not None)
        return services

    @functools.cached_property
    def ledger(self) -> Ledger:
        """The figures of every report (assistant/ledger), opened on first use."""
        return Ledger.in_store(self.settings.store_dir)

    def synced_ledger(self) -> Ledger:  # in line with the store (one count when nothing changed)
        ledger_sync(self.store, self.ledger)
        return self.ledger

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embedding_model, self.settings.embed_batch_size)
        return self._embedder

    # -- writes (the caller holds the store's write lock) -------------------------------------------
    def settle(self, *, holding_lock: bool = False) -> list[tuple[str, str]]:
        """Settle the writes a killed writer left half done; returns (doc id, "completed" | "rolled_back").

        With `holding_lock` (the caller holds the write lock) they are settled at once; without it
        only if the lock is free for a moment, else the holder, a writer, settles them itself.
        """
        journal = self.store.journal
        if journal is None:
            return []
        if holding_lock:
            outcomes = self.store.recover()
        else:
            if not journal.pending():  # read-only: safe without the lock, and saves taking it
                return []
            try:
                lock = StoreLock(self.settings.store_dir).acquire()
            except StoreBusyError:
                return []
            try:
                outcomes = self.store.recover()
            finally:
                lock.release()
        self._settled += outcomes
        return outcomes

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        progress: IngestProgress | None = None,
        written: DocumentWritten | None = None,
        stage: IngestStage | None = None,
    ) -> IngestReport:
        """Bring the store in line with the files and folders (ingest.pipeline.ingest_paths, with the
        settings' chunk size, file size limit and parse time limit), then the lexical index.

        Interrupted writes are settled first; `recovered` lists those settled since the store was opened.
        """
        with self._disk_full():
            self.settle(holding_lock=True)
            try:
                report = ingest_paths(
                    paths,
                    self.store,
                    self.embedder,
                    max_chars=self.settings.chunk_max_chars,
                    max_bytes=self.settings.max_file_mb * 1024 * 1024,
                    parse_timeout_s=self.settings.parse_timeout_s,
                    ocr_page_timeout_s=self.settings.ocr_page_timeout_s,
                    progress=progress,
                    written=written,
                    stage=stage,
                    ledger=self.ledger,
                )
            except Exception:  # stopped half way (cancelled, a bug): what was written is searchable too
                with contextlib.suppress(Exception):
                    self.sync_lexical()
                raise
            report.recovered = [{"doc": doc, "outcome": outcome} for doc, outcome in self._settled]
            self._settled = []
            self.sync_lexical()
            ledger_sync(self.store, self.ledger)  # documents written before the ledger existed
        from assistant.doctor import SOURCES_FILE

        if (
            report.added
            or report.updated
            or report.removed
            or report.recovered
            or not (self.settings.store_dir / SOURCES_FILE).is_file()
        ):
            self.record_sources()
        return report

    def record_sources(self) -> None:
        """Write each document's source path beside the store (what `doctor --repair` rebuilds from)."""
        from assistant.doctor import record_sources

        with contextlib.suppress(OSError):  # a full disk: the store itself is written; the record follows
            record_sources(self.settings, {doc: rec.source for doc, rec in self.store.documents().items()})

    def remove(self, doc_ids: Sequence[str]) -> dict[str, int]:
        """Delete documents, then bring the lexical index in line; doc id -> chunks deleted (0: not stored)."""
        with self._disk_full():
            self.settle(holding_lock=True)
            removed = {doc_id: self.store.delete_document(doc_id) for doc_id in doc_ids}
            for doc_id in doc_ids:
                self.ledger.delete(doc_id)
            self.sync_lexical()
        self.record_sources()
        return removed

    @contextlib.contextmanager
    def _disk_full(self) -> Iterator[None]:
        """A write that failed for want of disk space ends in DiskFullError (how much is free, what to do);
        the write journal settles the half-written document at the next write."""
        try:
            yield
        except Exception as exc:
            if isinstance(exc, AssistantError) or not health.is_disk_full(exc, self.settings):
                raise
            raise health.disk_full_error(self.settings) from exc

    # -- reading ------------------------------------------------------------------------------------
    def sync_lexical(self) -> bool:
        """Bring the lexical index in line with the store (one full chunk-id fetch); True when it was rebuilt."""
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
            now = self.clock()
            if not reopened and entries == self._entries and now - self._checked_at < FULL_CHECK_S:
                return False
            fresh = refreshed(self.store, self.lexical)
            self._entries, self._checked_at = entries, now
            if fresh is not None:
                self.lexical = fresh
            return reopened or fresh is not None

    def model(self) -> ModelChoice | None:
        """The model `llm` uses (configured, else installed; found once, not loaded); None: there is none."""
        if self._model is None:
            self._model = (model_choice(self.settings),)
        return self._model[0]

    def writer(self, writer: str | None = None) -> str:
        """Who writes, `llm` or `extractive`, for a requested writer (default: the settings'). `auto` is
        `llm` when a model is configured, or installed and llama.cpp is there to run it; `llm` is `llm`
        (chat() says what is missing). A GGUF configured by path is meant to run: no check for it."""
        writer = check_writer(writer or self.settings.writer)
        if writer != "auto":
            return writer
        choice = self.model()
        found = choice is not None and choice.local and self.settings.llm_gguf is None
        return "llm" if choice is not None and (not found or llama_installed()) else "extractive"

    def chat(self, writer: str | None = None) -> ChatClient | None:
        """The chat model the writer uses (loaded once per process), or None: answers are extractive.
        `extractive` never loads a model.

        Raises WriterError for `llm` with no model, LLMError('unavailable') when a GGUF model is to be
        used but llama.cpp is not installed.
        """
        if self.writer(writer) == "extractive":
            return None
        with self._chat_lock:  # the app's workers may ask at once: load the model once
            if self._chat is None:
                choice = self.model()
                if choice is None:
                    raise WriterError(NO_MODEL)
                model = make_chat_model(choice.settings)
                assert model is not None, "a ModelChoice always configures a model"
                client_type = SerialChatClient if choice.local else ChatClient
                self._chat = client_type.from_settings(model, choice.settings)
        return self._chat

    def writer_label(self, mode: str) -> str:
        """How the app names what wrote an answer of this `mode` (Answer.mode): the model, or 原文摘录."""
        choice = self.model()
        return choice.label if mode == "llm" and choice is not None else EXTRACTIVE_LABEL

    def retriever(self, mode: str = "hybrid") -> Retriever:
        """A retriever: `hybrid` (default), or `dense` / `lexical` alone for comparisons."""
        check_mode(mode)
        self.sync_lexical()
        return self._retriever(mode)

    def corpus(self) -> Corpus:
        """Townships, kinds and vocabulary of the ingested reports (for scoping questions)."""
        self.sync_lexical()
        return self._corpus()

    def answerer(self, mode: str = "hybrid", writer: str | None = None) -> AnswerPath:
        """The LLM answer path when the writer resolves to a model (extractive as its fallback), else
        extractive; `writer`: auto | llm | extractive (default: the settings')."""
        return _answer_path(*self._parts(mode, writer), self.synced_ledger)

    def drafter(self, mode: str = "hybrid", writer: str | None = None) -> DraftPath:
        """The LLM draft path when the writer resolves to a model (extractive as its fallback), else extractive."""
        return _draft_path(*self._parts(mode, writer))

    def answer_paths(self, mode: str = "hybrid", writer: str | None = None) -> tuple[AnswerPath, DraftPath]:
        """Both paths over one retriever and corpus, built after one lexical sync (the evaluation)."""
        parts = self._parts(mode, writer)
        return _answer_path(*parts, self.synced_ledger), _draft_path(*parts)

    def _parts(self, mode: str, writer: str | None) -> tuple[Retriever, Corpus, ChatClient | None]:
        """What an answer path is built from; the lexical index is synced once for all of them."""
        check_mode(mode)
        chat = self.chat(writer)  # a bad writer, or `llm` without a model, is refused before store work
        self.sync_lexical()
        return self._retriever(mode), self._corpus(), chat

    def _retriever(self, mode: str) -> Retriever:
        return Retriever(
            self.store,
            self.lexical,
            self.embedder,
            dense_weight=0.0 if mode == "lexical" else DENSE_WEIGHT,
            lexical_weight=0.0 if mode == "dense" else LEXICAL_WEIGHT,
        )

    def _corpus(self) -> Corpus:
        # From the lexical index's per-chunk metadata (synced by the caller), not a scan of the store:
        # at 100k chunks that scan took seconds per answerer.
        documents = self.lexical.documents()
        townships = {doc: str(meta.get("township", "")) for doc, meta in documents.items()}
        kinds = {doc: str(meta.get("kind", "")) for doc, meta in documents.items()}
        return Corpus(lexical=self.lexical, doc_townships=townships, doc_kinds=kinds, records=self.store.documents)


def _answer_path(retriever: Retriever, corpus: Corpus, chat: ChatClient | None, sync: LedgerSource) -> AnswerPath:
    extractive = Answerer(retriever, corpus, ledger=LedgerAnswers(sync, retriever.store.passages, corpus))
    if chat is None:
        return extractive
    from assistant.generation.llm.answer import LLMAnswerer  # imports langchain: only with a model

    return LLMAnswerer(retriever, corpus, chat, extractive)


def _draft_path(retriever: Retriever, corpus: Corpus, chat: ChatClient | None) -> DraftPath:
    extractive = Drafter(retriever, corpus)
    if chat is None:
        return extractive
    from assistant.generation.llm.draft import LLMDrafter

    return LLMDrafter(retriever, corpus, chat, extractive)
