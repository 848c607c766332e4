"""Ingest files into the store: parse, chunk, embed only what changed (texts embedded before come
from the vector cache), store each document while the next one is embedded, drop stale chunks."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.embeddings import Embedder
from assistant.ingest.chunking import chunk_document, sentence_units
from assistant.ingest.document import doc_id_for, parse_file
from assistant.ingest.loaders import LoadError
from assistant.ingest.vectors import EmbeddingPlan, embed_cached
from assistant.ingest.walk import expand_paths
from assistant.store import Store
from assistant.store.lexical import pretokenize
from assistant.types import Chunk, ParsedDocument

# (done, total, label) while embedding; label names the document being embedded.
IngestProgress = Callable[[int, int, str], None]
# (doc id, "added" | "updated" | "removed") once a document's write is wholly in the store.
DocumentWritten = Callable[[str, str], None]
# (stage, label, done, total) as the run goes on, for progress lines: stage is "parse" (label: the
# file's name; files), "ocr" (the file's name; its pages read by OCR),
# "chunk" (doc id; documents), "embed" (doc id; texts of the whole run) or
# "write" (doc id; entries of that document); Services.ingest adds "index" (the lexical sync).
IngestStage = Callable[[str, str, int, int], None]


class LedgerWriter(Protocol):
    """Where each document's figures go as it is written (assistant/ledger/store.py, Ledger)."""

    def write_chunks(self, doc_id: str, sha256: str, chunks: Sequence[Chunk]) -> int: ...

    def delete(self, doc_id: str) -> None: ...


@dataclass
class IngestReport:
    """The result of one ingest run (`ingest --json`, docs/contracts.md); counts are documents unless
    named chunks_*."""

    files: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    # Files of a given folder not read (ingest.walk): {"path", "reason", "kind": unsupported|not_report}.
    skipped: list[dict[str, str]] = field(default_factory=list)
    # What to know about a file that was read, one entry per note: {"path", "note"} (a hidden sheet, a
    # formula saved without its value, scanned pages OCR found no text on).
    notes: list[dict[str, str]] = field(default_factory=list)
    # Files skipped because their text equals another document's: {"path", "same_as", "message"}.
    duplicates: list[dict[str, str]] = field(default_factory=list)
    # Writes a crash interrupted, settled before this run (by Services): {"doc", "outcome": completed|rolled_back}.
    recovered: list[dict[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_deleted: int = 0
    chars: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Plan:
    doc: ParsedDocument
    chunks: list[Chunk]
    new: list[Chunk]
    kept: list[Chunk]
    stale: list[str]
    stale_chunks: int
    existed: bool


def _plan(doc: ParsedDocument, store: Store, max_chars: int) -> _Plan:
    chunks = chunk_document(doc, max_chars=max_chars)
    existing_units = store.unit_ids(doc.meta.doc_id)
    existing = set(existing_units)
    wanted = {c.chunk_id for c in chunks} | {uid for c in chunks for uid, _ in sentence_units(c)}
    return _Plan(
        doc=doc,
        chunks=chunks,
        new=[c for c in chunks if c.chunk_id not in existing],
        kept=[c for c in chunks if c.chunk_id in existing],
        stale=sorted(existing - wanted),
        stale_chunks=sum(1 for uid in existing - wanted if existing_units[uid] == "chunk"),
        existed=bool(existing),
    )


def ingest_paths(
    paths: Iterable[Path],
    store: Store,
    embedder: Embedder,
    *,
    max_chars: int = 360,
    max_bytes: int | None = None,
    parse_timeout_s: float = 60.0,  # per file, in the parse worker (ingest.sandbox); 0: in-process
    ocr_page_timeout_s: float = 120.0,  # per page read by OCR, on top of parse_timeout_s
    progress: IngestProgress | None = None,
    written: DocumentWritten | None = None,
    stage: IngestStage | None = None,
    ledger: LedgerWriter | None = None,
) -> IngestReport:
    """Bring the store in line with the given files and folders; returns what changed.

    A file whose cleaned text is unchanged is skipped. A changed file keeps the vectors of
    chunks whose text is unchanged, embeds only new chunks and deletes the ones that vanished.
    Documents that were ingested from a given folder and whose file is gone are removed.
    A file whose text equals another document's is skipped and reported as a duplicate.

    Each document is written all or nothing (see ReportStore.write_document). The caller holds
    the store's write lock and has settled the writes a crash interrupted, so a rerun after a
    kill resumes where the last run stopped: Services.ingest does both (and syncs the lexical
    index afterwards), the way to ingest outside tests and benchmarks. `ledger`: where each
    document's figures are written with it (and deleted with it).
    """
    started = time.perf_counter()
    paths = list(paths)
    skipped: list[dict[str, str]] = []
    files, errors = expand_paths(paths, skipped)
    report = IngestReport(files=len(files), errors=errors, skipped=skipped)
    known = store.documents()
    accepted = _unique_ids(files, report)
    leaving = _missing_from_folders(paths, known, {doc_id_for(p) for p in accepted})
    parsed = _parse(accepted, report, max_bytes, (parse_timeout_s, ocr_page_timeout_s), stage)
    plans: list[_Plan] = []
    holders = _text_holders(known, leaving, parsed)
    for i, (path, doc) in enumerate(parsed):
        if stage:
            stage("chunk", doc.meta.doc_id, i, len(parsed))
        doc_id = doc.meta.doc_id
        holder = holders[doc.meta.sha256]
        if holder != doc_id:
            report.duplicates.append(_duplicate(path, holder, stored=doc_id in known))
            continue
        record = known.get(doc_id)
        if record is not None and record.sha256 == doc.meta.sha256 and record.source == doc.meta.source:
            report.unchanged += 1
            continue
        plans.append(_plan(doc, store, max_chars))
    _apply(plans, store, embedder, report, progress, written, stage, ledger)
    for doc_id in leaving:
        report.chunks_deleted += store.delete_document(doc_id)
        if ledger is not None:
            ledger.delete(doc_id)
        report.removed += 1
        if written:
            written(doc_id, "removed")
    report.chunks = store.count()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _unique_ids(files: list[Path], report: IngestReport) -> list[Path]:
    """The files whose doc id (file stem) no earlier file has; the others become errors."""
    accepted: list[Path] = []
    seen: dict[str, Path] = {}
    for path in files:
        doc_id = doc_id_for(path)
        if doc_id in seen:
            report.errors.append(
                {"path": str(path), "error": f"文档 ID “{doc_id}” 与 {seen[doc_id]} 重复（文件名去掉扩展名后相同）"}
            )
            continue
        seen[doc_id] = path
        accepted.append(path)
    return accepted


def _parse(
    files: list[Path],
    report: IngestReport,
    max_bytes: int | None,
    limits: tuple[float, float],
    stage: IngestStage | None,
) -> list[tuple[Path, ParsedDocument]]:
    """Each file parsed (in the parse worker, limits: per file, per OCR page); a file that cannot be
    read becomes an error."""
    parsed: list[tuple[Path, ParsedDocument]] = []
    for i, path in enumerate(files):
        if stage:
            stage("parse", path.name, i, len(files))

        def pages(done: int, total: int, name: str = path.name) -> None:
            if stage:
                stage("ocr", name, done, total)

        try:
            doc = parse_file(
                path.resolve(), max_bytes=max_bytes, timeout_s=limits[0], progress=pages, page_timeout_s=limits[1]
            )
        except LoadError as exc:
            report.errors.append({"path": str(path), "error": str(exc)})
            continue
        report.chars += len(doc.text)
        report.notes.extend({"path": str(path), "note": note} for note in doc.notes)
        parsed.append((path, doc))
    return parsed


def _apply(
    plans: list[_Plan],
    store: Store,
    embedder: Embedder,
    report: IngestReport,
    progress: IngestProgress | None,
    written: DocumentWritten | None,
    stage: IngestStage | None = None,
    ledger: LedgerWriter | None = None,
) -> None:
    """Embed document after document here while the writer thread stores the one before."""
    embeddings = [EmbeddingPlan.for_chunks(p.new) for p in plans]
    total = sum(len(e.texts) for e in embeddings)
    cache = getattr(store, "vector_cache", None)  # ReportStore's; test fakes have none
    done = 0
    with _Writer(store, report, written, stage, ledger) as writer:
        for plan, embedding in zip(plans, embeddings, strict=True):
            label = plan.doc.meta.doc_id
            if stage:
                stage("embed", label, done, total)

            def step(n: int, label: str = label) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(done, total, label)
                if stage:
                    stage("embed", label, done, total)

            writer.put(plan, embedding, embed_cached(embedder, embedding.texts, cache, progress=step))


class _Writer:
    """Stores embedded documents in order, in a thread of its own, so that the next document is
    embedded meanwhile (the model's C code runs without the GIL). The store writes, and the BM25
    tokens of their chunks (store.lexical.pretokenize, taken by the lexical sync that follows an
    ingest), would otherwise leave the embedder idle: for the 44 reports of ../shared/corpora and
    seeds/ they took 147 s beside the embedding (Chroma writes 114 s, jieba 18 s; load 5–8), and
    5 s after it once overlapped (README, Performance benchmark).

    One write at a time, in the order given; `written` is called from this thread once a
    document is wholly in the store. At most one embedded document waits while one is written. A
    write that fails stops the run: `put` and the end of the `with` block raise its error, after the
    writes already begun are finished."""

    def __init__(
        self,
        store: Store,
        report: IngestReport,
        written: DocumentWritten | None,
        stage: IngestStage | None = None,
        ledger: LedgerWriter | None = None,
    ) -> None:
        self.store, self.report, self.written, self.stage, self.ledger = store, report, written, stage, ledger
        self._queue: queue.Queue[tuple[_Plan, EmbeddingPlan, np.ndarray] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)

    def __enter__(self) -> _Writer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if exc is None:
            self._raise()

    def put(self, plan: _Plan, embedding: EmbeddingPlan, embedded: np.ndarray) -> None:
        self._raise()
        self._queue.put((plan, embedding, embedded))

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:  # after a failure the rest is drained, not written
                try:
                    self._write(*item)
                except BaseException as exc:  # re-raised in the caller's thread
                    self._error = exc

    def _write(self, plan: _Plan, embedding: EmbeddingPlan, embedded: np.ndarray) -> None:
        label = plan.doc.meta.doc_id
        vectors, sentence_vectors = embedding.vectors(embedded)
        options: dict[str, Any] = {}
        if self.stage:
            entries, stage = len(plan.new) + len(embedding.units), self.stage
            stage("write", label, 0, entries)
            options["progress"] = lambda done: stage("write", label, done, entries)
        self.store.write_document(
            label,
            new=plan.new,
            vectors=vectors,
            sentences=embedding.units,
            sentence_vectors=sentence_vectors,
            kept=plan.kept,
            stale=plan.stale,
            **options,
        )
        if self.ledger is not None:  # the figures of the version just written (all its chunks)
            self.ledger.write_chunks(label, plan.doc.meta.sha256, plan.chunks)
        report = self.report
        report.chunks_embedded += len(plan.new)
        report.chunks_deleted += plan.stale_chunks
        if plan.existed:
            report.updated += 1
        else:
            report.added += 1
        if self.written:
            self.written(label, "updated" if plan.existed else "added")
        pretokenize((c.text, c.store_metadata()) for c in plan.new)


def _missing_from_folders(paths: list[Path], known: dict[str, Any], present: set[str]) -> list[str]:
    """Documents ingested from one of the given folders whose file no longer exists."""
    folders = [p.resolve() for p in paths if p.is_dir()]
    leaving = []
    for doc_id, record in known.items():
        source = Path(record.source) if record.source else None
        if doc_id in present or source is None or source.exists():
            continue
        if any(source.is_relative_to(folder) for folder in folders):
            leaving.append(doc_id)
    return leaving


def _text_holders(
    known: dict[str, Any], leaving: list[str], parsed: list[tuple[Path, ParsedDocument]]
) -> dict[str, str]:
    """Text digest -> the doc id that keeps it: documents staying in the store first, then files
    of this run already stored with that text, then the shortest name (copies usually add to a
    name: “报告（副本）”, “报告 (1)”), ties broken by path."""
    batch = {doc.meta.doc_id for _, doc in parsed}
    holders = {r.sha256: doc for doc, r in known.items() if doc not in leaving and doc not in batch}
    for _, doc in parsed:
        record = known.get(doc.meta.doc_id)
        if record is not None and record.sha256 == doc.meta.sha256:
            holders.setdefault(doc.meta.sha256, doc.meta.doc_id)
    for _, doc in sorted(parsed, key=lambda pair: (len(pair[1].meta.doc_id), str(pair[0]))):
        holders.setdefault(doc.meta.sha256, doc.meta.doc_id)
    return holders


def _duplicate(path: Path, holder: str, *, stored: bool) -> dict[str, str]:
    message = f"内容与文档“{holder}”完全相同（重复文档），已跳过"
    if stored:
        message += "；库中该文件名下的旧版本保持不变"
    return {"path": str(path), "same_as": holder, "message": message}
