"""Idempotent ingest, incremental updates, removal and the embedder guard, on real Chroma + bundled e5."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Any

import pytest

from assistant.config import Settings
from assistant.embeddings import BundledE5Embedder
from assistant.ingest.pipeline import ingest_paths
from assistant.store.collection import EmbedderMismatchError, ReportStore
from tests.conftest import SEEDS

pytestmark = pytest.mark.integration

CHANGED_DOC = "001_dfb12432eec8a521"
OLD_SENTENCE = "2023年完成财税1200万元"
NEW_SENTENCE = "2023年完成财税1350万元"


@pytest.fixture(scope="module")
def embedder() -> BundledE5Embedder:
    return BundledE5Embedder()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, embedder: BundledE5Embedder) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("lifecycle")
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus, ignore=shutil.ignore_patterns("qa"))
    settings = Settings(store_dir=base / "store")
    store = ReportStore.open(settings, embedder.name)
    first = ingest_paths([corpus], store, embedder)
    return {"corpus": corpus, "settings": settings, "store": store, "first": first}


def ids_by_doc(store: ReportStore) -> dict[str, set[str]]:
    return {doc: set(store.unit_ids(doc)) for doc in store.documents()}


def test_second_ingest_changes_nothing(env: dict[str, Any], embedder: BundledE5Embedder) -> None:
    store: ReportStore = env["store"]
    before = ids_by_doc(store)
    again = ingest_paths([env["corpus"]], store, embedder)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)
    assert again.chunks_embedded == 0
    assert again.chunks == env["first"].chunks
    assert ids_by_doc(store) == before


def test_modified_file_replaces_only_its_own_chunks(env: dict[str, Any], embedder: BundledE5Embedder) -> None:
    store: ReportStore = env["store"]
    before = ids_by_doc(store)
    path = env["corpus"] / f"{CHANGED_DOC}.txt"
    text = path.read_text(encoding="utf-8")
    assert OLD_SENTENCE in text
    path.write_text(text.replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")

    report = ingest_paths([env["corpus"]], store, embedder)

    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 4)
    assert report.chunks_embedded == 1, "only the edited chunk is re-embedded"
    assert report.chunks_deleted == 1
    after = ids_by_doc(store)
    for doc, ids in before.items():
        if doc != CHANGED_DOC:
            assert after[doc] == ids
    assert len(after[CHANGED_DOC] - before[CHANGED_DOC]) >= 1
    assert len(before[CHANGED_DOC] - after[CHANGED_DOC]) >= 1
    hits = store.query(embedder.embed_query("X乡2023年完成财税多少万元"), k=10)
    texts = [p.text for p in hits if p.doc_id == CHANGED_DOC]
    assert any(NEW_SENTENCE in t for t in texts)
    assert not any(OLD_SENTENCE in p.text for p in hits)


def test_file_gone_from_folder_is_removed(env: dict[str, Any], embedder: BundledE5Embedder) -> None:
    store: ReportStore = env["store"]
    gone = "003_e9fbab667eb49eb4"
    (env["corpus"] / f"{gone}.txt").unlink()
    report = ingest_paths([env["corpus"]], store, embedder)
    assert report.removed == 1
    assert gone not in store.documents()
    assert store.unit_ids(gone) == {}


def test_store_refuses_another_embedder(env: dict[str, Any]) -> None:
    with pytest.raises(EmbedderMismatchError) as info:
        ReportStore.open(env["settings"], "st:BAAI/bge-small-zh-v1.5")
    message = str(info.value)
    assert BundledE5Embedder.name in message and "st:BAAI/bge-small-zh-v1.5" in message
    assert "--rebuild" in message


def test_cli_refuses_another_embedder_before_loading_it(env: dict[str, Any]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "search", "财税", "--json"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "ASSISTANT_STORE_DIR": str(env["settings"].store_dir),
            "ASSISTANT_EMBEDDING_MODEL": "BAAI/bge-small-zh-v1.5",
            "HF_HUB_OFFLINE": "1",
        },
        timeout=120,
    )
    assert out.returncode == 2
    assert "bundled:multilingual-e5-small-q4" in out.stderr and "BAAI/bge-small-zh-v1.5" in out.stderr
    assert out.stdout == ""
