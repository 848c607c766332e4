"""store/health.py: the O(1) header check, the full-disk and damaged-database classification."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.store import health


def make_db(path: Path, rows: int = 2000) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x TEXT)")
    con.executemany("INSERT INTO t VALUES (?)", [("x" * 200,) for _ in range(rows)])
    con.commit()
    con.close()
    return path


def test_a_whole_file_passes_the_header_and_quick_check(tmp_path: Path) -> None:
    db = make_db(tmp_path / "a.sqlite3")
    assert health.header_problem(db) is None
    assert health.quick_check(db) is None


def test_a_truncated_file_is_seen_from_its_header(tmp_path: Path) -> None:
    db = make_db(tmp_path / "a.sqlite3")
    os.truncate(db, db.stat().st_size // 2)
    problem = health.header_problem(db)
    assert problem is not None and "截断" in problem
    assert health.quick_check(db) is not None


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    db.write_bytes(b"hello" * 100)
    assert health.header_problem(db) == "不是 SQLite 数据库文件"
    assert health.header_problem(tmp_path / "empty") is not None  # unreadable: named
    (tmp_path / "zero").write_bytes(b"")
    assert health.header_problem(tmp_path / "zero") is None  # sqlite's new, empty database


def test_sqlite_problem_of_the_store(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path)
    assert health.sqlite_problem(settings) is None  # no store yet
    (tmp_path / "chroma").mkdir()
    make_db(tmp_path / "chroma" / health.SQLITE_FILE)
    assert health.sqlite_problem(settings, thorough=True) is None
    os.truncate(health.sqlite_path(settings), 4096 * 3)
    with pytest.raises(health.StoreCorruptError, match="doctor --repair"):
        health.check_on_open(settings)


def test_full_disk_and_damage_are_told_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(store_dir=tmp_path)
    assert health.is_disk_full(OSError(errno.ENOSPC, "No space left on device"), settings)
    sqlite_full = RuntimeError("error returned from database: (code: 13) database or disk is full")
    assert health.is_disk_full(sqlite_full, settings)
    compaction = RuntimeError("Error in compaction: Failed to apply logs to the metadata segment")
    assert not health.is_disk_full(compaction, settings)  # plenty of space here: not a full disk
    monkeypatch.setattr(health, "free_bytes", lambda s: 1024)
    assert health.is_disk_full(compaction, settings)
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = OSError(errno.ENOSPC, "full")
    assert isinstance(health.store_failure(wrapped, settings), health.DiskFullError)
    damaged = health.store_failure(RuntimeError("database disk image is malformed"), settings)
    assert isinstance(damaged, health.StoreCorruptError) and damaged.exit_code == 2
    assert health.store_failure(ValueError("other"), settings) is None


def test_move_aside_keeps_the_folder(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path)
    (tmp_path / "chroma").mkdir()
    (tmp_path / "chroma" / "x").write_text("keep", encoding="utf-8")
    first = health.move_aside(settings)
    (tmp_path / "chroma").mkdir()
    second = health.move_aside(settings)
    assert first and second and first != second
    assert (first / "x").read_text(encoding="utf-8") == "keep"
    assert not (tmp_path / "chroma").exists() and health.move_aside(settings) is None
