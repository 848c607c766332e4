"""`assistant bench --ingest`: the real embedder timed alone on exactly what ingest embeds, then a
real ingest into a fresh Chroma store; the figures agree with the store and with each other."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.bench.ingest import ingest_bench
from assistant.config import Settings
from assistant.embeddings import BundledE5Embedder, ProgressFn
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.ingest.vectors import EmbeddingPlan
from assistant.services import Services
from assistant.store.collection import VECTOR_CACHE_FILE, ReportStore
from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.integration

KEYS = {"embedder", "batch_size", "omp_threads", "omp_wait_policy", "files", "documents", "errors"}
KEYS |= {"duplicates", "raw_texts", "raw_chars", "raw_s", "embed_raw_chars_per_s", "ingest_chars", "ingest_s"}
KEYS |= {"raw_before_s", "raw_after_s"}
KEYS |= {"ingest_chars_per_s", "ingest_embed_s", "ingest_other_s", "ingest_ratio", "raw_cpu_s", "ingest_cpu_s"}
KEYS |= {"chunks", "entries", "cpu_count", "load_avg_1m_start", "load_avg_1m_end"}
KEYS |= {"ledger_s", "ledger_share"}


class Recording:
    """The real embedder, with every embed_documents call's texts kept."""

    def __init__(self) -> None:
        self.inner = BundledE5Embedder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.calls: list[list[str]] = []

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.embed_documents(texts, progress=progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seed reports in a folder that also holds its SOURCE.txt and README.md."""
    folder = tmp_path_factory.mktemp("archive")
    for name in ("002_501c0fb6689f0a4e.txt", "003_e9fbab667eb49eb4.txt"):
        shutil.copy(SEEDS / name, folder / name)
    (folder / "SOURCE.txt").write_text("Source repository : https://example.org/reports\n", encoding="utf-8")
    (folder / "README.md").write_text("# 两份示例报告\n", encoding="utf-8")
    return folder


def test_raw_embeds_what_ingest_embeds_and_the_figures_agree(archive: Path, tmp_path: Path) -> None:
    embedder = Recording()
    settings = Settings(store_dir=tmp_path / "unused")
    figures = ingest_bench(settings, [archive], embedder=embedder)
    assert set(figures) == KEYS
    assert 0 < figures["ledger_s"] < figures["ingest_s"] and figures["ledger_share"] < 1  # the ledger was built
    reports = sorted(archive.glob("0*.txt"))
    docs = [parse_file(p.resolve()) for p in reports]
    plans = [EmbeddingPlan.for_chunks(chunk_document(d, max_chars=settings.chunk_max_chars)) for d in docs]
    assert figures["files"] == figures["documents"] == 2 and figures["errors"] == figures["duplicates"] == 0
    # warm-up, one call per report for raw, ingest's calls, raw again: the same texts, in the same order
    expected = [p.texts for p in plans]
    assert embedder.calls[1:3] == expected and embedder.calls[3:5] == expected and embedder.calls[5:] == expected
    assert figures["raw_texts"] == sum(len(t) for t in expected)
    assert figures["raw_chars"] == sum(len(t) for texts in expected for t in texts)
    assert figures["ingest_chars"] == sum(len(d.text) for d in docs)
    assert figures["chunks"] == sum(len(p.chunk_rows) for p in plans)
    assert figures["entries"] == figures["chunks"] + sum(len(p.units) for p in plans)
    assert figures["raw_s"] == pytest.approx((figures["raw_before_s"] + figures["raw_after_s"]) / 2, abs=0.02)
    raw_rate = figures["raw_chars"] / figures["raw_s"]
    ingest_rate = figures["ingest_chars"] / figures["ingest_s"]
    assert figures["embed_raw_chars_per_s"] == pytest.approx(raw_rate, rel=0.01)
    assert figures["ingest_ratio"] == pytest.approx(ingest_rate / raw_rate, rel=0.02)
    assert 0 < figures["ingest_embed_s"] <= figures["ingest_s"]
    assert figures["ingest_other_s"] == pytest.approx(figures["ingest_s"] - figures["ingest_embed_s"], abs=0.02)
    assert figures["omp_wait_policy"] == os.environ.get("OMP_WAIT_POLICY") != ""  # PASSIVE unless set
    assert not (tmp_path / "unused").exists()  # the benchmark's store is a temporary one


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "bench", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_cli_prints_the_figures_as_json(tmp_path: Path) -> None:
    env: dict[str, Any] = {**os.environ, "ASSISTANT_STORE_DIR": str(tmp_path / "store")}
    report = tmp_path / "one" / "002.txt"
    report.parent.mkdir()
    shutil.copy(SEEDS / "002_501c0fb6689f0a4e.txt", report)
    out = _cli("--ingest", str(report), "--json", env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    figures = json.loads(out.stdout)
    assert set(figures) == KEYS and figures["documents"] == 1 and figures["ingest_chars"] > 3000
    assert not (tmp_path / "store").exists()  # the configured store is left alone


def test_cli_refuses_a_missing_path_and_paths_without_ingest(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(tmp_path / "store")}
    missing = _cli("--ingest", str(tmp_path / "nope"), env=env)
    assert missing.returncode == 2 and "路径不存在" in missing.stderr
    assert _cli("--ingest", env=env).returncode == 2
    stray = _cli(str(tmp_path), env=env)
    assert stray.returncode == 2 and "--ingest" in stray.stderr


def _stored_vectors(services: Services) -> dict[str, list[float]]:
    got = services.store._collection.get(include=["embeddings"])  # type: ignore[attr-defined]
    return {uid: list(map(float, v)) for uid, v in zip(got["ids"], got["embeddings"], strict=True)}


def test_reingest_after_a_rebuild_or_a_chunker_change_embeds_only_new_texts(tmp_path: Path) -> None:
    """The vector cache in the store directory, with the real model and a real store (what the
    benchmark must not see: its store is fresh, so its cache is cold)."""
    report = tmp_path / "reports" / "安民乡.txt"
    report.parent.mkdir()
    shutil.copy(SEEDS / "002_501c0fb6689f0a4e.txt", report)
    settings = Settings(store_dir=tmp_path / "store", parse_timeout_s=0)
    embedder = Recording()
    first = Services.open(settings, embedder=embedder)
    first.ingest([report.parent])
    seen = {t for call in embedder.calls for t in call}
    before = _stored_vectors(first)
    assert (tmp_path / "store" / VECTOR_CACHE_FILE).is_file() and seen

    ReportStore.drop(settings)  # what `ingest --rebuild` does first
    embedder.calls.clear()
    again = Services.open(settings, embedder=embedder)
    assert again.ingest([report.parent]).added == 1
    assert embedder.calls == []  # every vector from the cache
    assert _stored_vectors(again) == before

    ReportStore.drop(settings)
    smaller = replace(settings, chunk_max_chars=120)  # a chunker change: other chunks, mostly the same sentences
    texts = EmbeddingPlan.for_chunks(chunk_document(parse_file(report), max_chars=120)).texts
    Services.open(smaller, embedder=embedder).ingest([report.parent])
    embedded = [t for call in embedder.calls for t in call]
    assert embedded == [t for t in texts if t not in seen] and len(embedded) < len(texts) / 2
