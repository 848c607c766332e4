"""`assistant bench --ingest PATH...`: ingest throughput on any reports, against the embedder's own.

Timings in this process, one after the other, with one embedder (the configured one, its batch
size and threads):

  raw     the embedder alone on exactly the texts ingest embeds for these files: each report
          parsed and chunked as ingest does, its distinct sentences and headings
          (ingest.vectors.EmbeddingPlan), one `embed_documents` call per report as ingest makes.
          Timed before and again after the ingest; the raw figure is their mean, so that a load
          that rises or falls during the run (a shared machine) weighs on both sides alike.
  ingest  `Services.open` on a fresh temporary store (so a cold vector cache) and
          `Services.ingest(paths)`: parse (in the parse worker, as `assistant ingest` does), chunk,
          embed, write to Chroma with the journal, sync the BM25 index. Cleaned characters of the
          ingested reports per second.

Keys of the JSON object:
  embedder, batch_size, omp_threads, omp_wait_policy        what ran (threads: "" = all cores)
  files, documents, errors, duplicates                      what the paths held and what landed
  raw_texts, raw_chars, raw_s, embed_raw_chars_per_s        the raw timing (characters embedded; raw_s
                                                            the mean of raw_before_s and raw_after_s)
  raw_before_s, raw_after_s                                 the two raw timings
  ingest_chars, ingest_s, ingest_chars_per_s                the ingest timing (cleaned characters)
  ingest_embed_s, ingest_other_s                            of ingest_s: inside embed_documents, the rest
  raw_cpu_s, ingest_cpu_s                                   CPU time of this process (all threads; not
                                                            the parse worker's) during each timing
                                                            (raw: the mean of its two)
  ingest_ratio                                              ingest_chars_per_s / embed_raw_chars_per_s
  ledger_s, ledger_share                                    of ingest_s: building and writing the figure
                                                            ledger (assistant/ledger; in the writer thread,
                                                            beside the embedding), and its share of ingest_s
  chunks, entries                                           the store afterwards (entries: + sentences)
  cpu_count, load_avg_1m_start, load_avg_1m_end             the machine while it ran
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.embeddings import Embedder, ProgressFn, make_embedder
from assistant.errors import AssistantError
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.ingest.loaders import LoadError
from assistant.ingest.pipeline import expand_paths
from assistant.ingest.vectors import EmbeddingPlan
from assistant.services import Services

Note = Callable[[str], None]


class IngestBenchError(AssistantError):
    """The ingest benchmark has nothing to ingest."""

    exit_code = 2


class TimedEmbedder:
    """An embedder that adds up the wall time spent in `embed_documents` (the rest passes through)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.dim: int = inner.dim
        self.seconds = 0.0

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self.inner.embed_documents(texts, progress=progress)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def embedded_texts(paths: Sequence[Path], max_chars: int) -> list[list[str]]:
    """Per report (in ingest's file order), the texts ingest embeds for it in a fresh store."""
    files, _ = expand_paths(paths)
    out: list[list[str]] = []
    ids: set[str] = set()
    digests: set[str] = set()
    for path in files:
        try:
            doc = parse_file(path.resolve(), timeout_s=0)
        except LoadError:  # ingest reports it and goes on; nothing of it is embedded
            continue
        if doc.meta.doc_id in ids or doc.meta.sha256 in digests:  # refused or skipped as a duplicate
            continue
        ids.add(doc.meta.doc_id)
        digests.add(doc.meta.sha256)
        out.append(EmbeddingPlan.for_chunks(chunk_document(doc, max_chars=max_chars)).texts)
    return out


def cpu_s() -> float:
    """User + system CPU time of this process so far, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raw_embedding(
    embedder: Embedder, per_report: Sequence[Sequence[str]], *, warm_up: bool = True
) -> tuple[int, int, float]:
    """(texts, characters, seconds) of embedding each report's texts in one call (after a warm-up)."""
    texts = [t for report in per_report for t in report]
    if not texts:
        raise IngestBenchError("给定路径中没有可导入的报告文件")
    if warm_up:
        embedder.embed_documents(texts[:4])  # the model's first call pays its page faults
    started = time.perf_counter()
    for report in per_report:
        embedder.embed_documents(report)
    return len(texts), sum(len(t) for t in texts), time.perf_counter() - started


def ingest_bench(
    settings: Settings, paths: Sequence[Path], *, embedder: Embedder | None = None, note: Note = lambda _: None
) -> dict[str, Any]:
    """Every figure of the module docstring for `paths`; `embedder` defaults to the configured one."""
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise IngestBenchError(f"路径不存在：{'、'.join(missing)}")
    load_start = os.getloadavg()[0]
    embedder = embedder or make_embedder(settings.embedding_model, settings.embed_batch_size)
    note("解析与切块（不计时）")
    per_report = embedded_texts(paths, settings.chunk_max_chars)
    note("嵌入模型原始吞吐（导入前）")
    cpu_started = cpu_s()
    raw_texts, raw_chars, raw_before = raw_embedding(embedder, per_report)
    raw_cpu = cpu_s() - cpu_started
    timed = TimedEmbedder(embedder)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        local = replace(settings, store_dir=Path(tmp), chroma_url=None)
        note("完整导入（新建临时向量库）")
        cpu_started, started = cpu_s(), time.perf_counter()
        services = Services.open(local, embedder=timed)
        report = services.ingest(paths)
        ingest_s, ingest_cpu = time.perf_counter() - started, cpu_s() - cpu_started
        entries = services.store.entry_count()
        ledger_s = services.ledger.seconds
    note("嵌入模型原始吞吐（导入后）")
    cpu_started = cpu_s()
    raw_after = raw_embedding(embedder, per_report, warm_up=False)[2]
    raw_cpu = (raw_cpu + cpu_s() - cpu_started) / 2
    raw_s = (raw_before + raw_after) / 2
    raw_rate = raw_chars / raw_s
    ingest_rate = report.chars / ingest_s
    return {
        "embedder": embedder.name,
        "batch_size": settings.embed_batch_size,
        "omp_threads": os.environ.get("OMP_NUM_THREADS", ""),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
        "files": report.files,
        "documents": report.added + report.updated,
        "errors": len(report.errors),
        "duplicates": len(report.duplicates),
        "raw_texts": raw_texts,
        "raw_chars": raw_chars,
        "raw_s": round(raw_s, 2),
        "raw_before_s": round(raw_before, 2),
        "raw_after_s": round(raw_after, 2),
        "embed_raw_chars_per_s": round(raw_rate, 1),
        "ingest_chars": report.chars,
        "ingest_s": round(ingest_s, 2),
        "ingest_chars_per_s": round(ingest_rate, 1),
        "ingest_embed_s": round(timed.seconds, 2),
        "ingest_other_s": round(ingest_s - timed.seconds, 2),
        "ingest_ratio": round(ingest_rate / raw_rate, 3),
        "ledger_s": round(ledger_s, 2),
        "ledger_share": round(ledger_s / ingest_s, 4),
        "raw_cpu_s": round(raw_cpu, 1),
        "ingest_cpu_s": round(ingest_cpu, 1),
        "chunks": report.chunks,
        "entries": entries,
        "cpu_count": os.cpu_count(),
        "load_avg_1m_start": round(load_start, 2),
        "load_avg_1m_end": round(os.getloadavg()[0], 2),
    }
