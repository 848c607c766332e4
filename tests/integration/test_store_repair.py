"""A damaged chroma.sqlite3 through the real CLI: readers get one line naming the file and the fix
(exit 2), `ingest --rebuild` moves the broken store aside and builds anew, and `assistant doctor`
checks the store and with --repair rebuilds it from the recorded sources and the staged uploads.
Before, every command ended in `InternalError: … database disk image is malformed` (rc 1)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from assistant.store.lock import StoreLock
from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.integration

WIDE = {"COLUMNS": "400"}  # rich wraps at 80 columns without a terminal: one message, one line
UPLOAD = "大河乡2024年工作总结\n一、2024年工作总结\n今年大河乡完成道路硬化12公里，新建便民桥3座。\n"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seeds ingested once through the CLI; each test works on a copy of the store."""
    base = tmp_path_factory.mktemp("repair")
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus, ignore=shutil.ignore_patterns("qa"))
    store = base / "store"
    out = run_cli(["ingest", str(corpus)], store)
    assert out.returncode == 0, out.stderr
    return {"corpus": corpus, "store": store}


def copy_store(ingested: dict[str, Path], tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(ingested["store"], store)
    return store


def truncate(store: Path) -> Path:
    db = store / "chroma" / "chroma.sqlite3"
    os.truncate(db, db.stat().st_size // 2)
    return db


def overwrite_pages(store: Path) -> Path:
    """Damage the file's inside and leave its header whole: only sqlite's reads notice."""
    db = store / "chroma" / "chroma.sqlite3"
    size = db.stat().st_size
    with db.open("r+b") as fh:
        for offset in range(4096 * 2, size, 4096 * 3):
            fh.seek(offset)
            fh.write(b"\xff" * 4096)
    return db


def one_line(out: subprocess.CompletedProcess[str]) -> str:
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, out.stderr[-3000:]
    assert "Traceback" not in out.stderr and "InternalError" not in out.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def doc_ids(store: Path) -> list[str]:
    out = run_cli(["docs", "--json"], store)
    assert out.returncode == 0, out.stderr
    return [d["doc_id"] for d in json.loads(out.stdout)["documents"]]


@pytest.mark.parametrize("damage", [truncate, overwrite_pages])
@pytest.mark.parametrize(
    "args", [["docs"], ["search", "财税"], ["ask", "2023年完成财税多少万元"], ["serve"]], ids=lambda a: a[0]
)
def test_a_damaged_database_is_named_with_its_fix(
    ingested: dict[str, Path], tmp_path: Path, args: list[str], damage: Any
) -> None:
    store = copy_store(ingested, tmp_path)
    db = damage(store)
    out = run_cli(args, store, ASSISTANT_PORT=str(free_port()), **WIDE)
    assert out.returncode == 2, out.stderr[-3000:]
    line = one_line(out)
    assert str(db) in line and "已损坏" in line
    assert "doctor --repair" in line and "ingest --rebuild" in line


def test_rebuild_moves_the_broken_store_aside_and_builds_anew(ingested: dict[str, Path], tmp_path: Path) -> None:
    store = copy_store(ingested, tmp_path)
    db = truncate(store)
    broken_size = db.stat().st_size
    out = run_cli(["ingest", "--rebuild", str(ingested["corpus"]), "--json"], store)
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout)["added"] == 5
    aside = list(store.glob("chroma.broken-*"))
    assert len(aside) == 1 and "已移到" in out.stderr
    assert (aside[0] / "chroma.sqlite3").stat().st_size == broken_size  # kept as it was, never deleted
    assert len(doc_ids(store)) == 5
    search = run_cli(["search", "2023年完成财税", "--json"], store)
    assert search.returncode == 0 and json.loads(search.stdout)["passages"], search.stderr


def test_doctor_checks_a_healthy_store(ingested: dict[str, Path], tmp_path: Path) -> None:
    store = copy_store(ingested, tmp_path)
    out = run_cli(["doctor", "--json"], store)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found["healthy"] is True and found["repair"] is None and found["store"] == str(store)
    names = [c["name"] for c in found["checks"]]
    assert names == ["sqlite", "collection", "embedder", "lexical", "hnsw", "lock", "journal"]
    assert all(c["ok"] for c in found["checks"])


def test_doctor_finds_the_broken_file_and_changes_nothing(ingested: dict[str, Path], tmp_path: Path) -> None:
    store = copy_store(ingested, tmp_path)
    db = truncate(store)
    size = db.stat().st_size
    out = run_cli(["doctor", "--json"], store)
    assert out.returncode == 1, out.stderr
    found = json.loads(out.stdout)
    assert found["healthy"] is False
    sqlite = next(c for c in found["checks"] if c["name"] == "sqlite")
    assert sqlite["ok"] is False and str(db) in sqlite["detail"] and "截断" in sqlite["detail"]
    assert db.stat().st_size == size and not list(store.glob("chroma.broken-*"))
    text = run_cli(["doctor"], store, **WIDE)
    assert text.returncode == 1 and "doctor --repair" in text.stderr


def test_doctor_repair_rebuilds_from_recorded_sources_and_uploads(ingested: dict[str, Path], tmp_path: Path) -> None:
    store = copy_store(ingested, tmp_path)
    (store / "uploads").mkdir()
    (store / "uploads" / "dahe_2024.txt").write_text(UPLOAD, encoding="utf-8")
    truncate(store)
    gone = sorted(ingested["corpus"].glob("*.txt"))[0]
    hidden = tmp_path / gone.name
    shutil.move(gone, hidden)  # one recorded source file no longer exists
    try:
        out = run_cli(["doctor", "--repair", "--json"], store)
    finally:
        shutil.move(hidden, gone)
    assert out.returncode == 1, out.stderr[-3000:]  # repaired, but a source is missing
    found = json.loads(out.stdout)
    fix = found["repair"]
    assert fix["missing"] == [str(gone)]
    assert Path(fix["set_aside"]).is_dir() and (Path(fix["set_aside"]) / "chroma.sqlite3").is_file()
    assert str(store / "uploads" / "dahe_2024.txt") in fix["reingested"]
    assert len(fix["reingested"]) == 5 and fix["errors"] == []
    assert found["healthy"] is True  # the checks after the repair
    ids = doc_ids(store)
    assert "dahe_2024" in ids and gone.stem not in ids and len(ids) == 5
    again = run_cli(["doctor", "--json"], store)
    assert again.returncode == 0 and json.loads(again.stdout)["healthy"] is True


def test_doctor_repair_of_a_healthy_store_keeps_it(ingested: dict[str, Path], tmp_path: Path) -> None:
    store = copy_store(ingested, tmp_path)
    shutil.rmtree(store / "lexical")
    out = run_cli(["doctor", "--repair", "--json"], store)
    assert out.returncode == 0, out.stderr
    fix = json.loads(out.stdout)["repair"]
    assert fix["set_aside"] is None and fix["reingested"] == [] and fix["lexical_rebuilt"] is True
    assert not list(store.glob("chroma.broken-*")) and len(doc_ids(store)) == 5


def test_doctor_repair_is_refused_while_another_process_writes(ingested: dict[str, Path], tmp_path: Path) -> None:
    store = copy_store(ingested, tmp_path)
    truncate(store)
    with StoreLock(store):
        out = run_cli(["doctor", "--repair"], store, **WIDE)
    assert out.returncode == 2
    assert "正被另一个进程写入" in one_line(out)
    assert not list(store.glob("chroma.broken-*"))
