"""The embedded store's health: a broken `chroma.sqlite3`, a full disk, and moving a broken store aside.

On open (`check_on_open`, called by client.open_client) the database file's header is read — O(1),
whatever the store's size: a file shorter than the page count its header records is truncated —
and only a suspicious header costs a `PRAGMA quick_check` (a full scan: measured under load 21 ms
on the seeds' 4.7 MB file, 1.3 s at 67 MB, 8.2 s at 296 MB, against 0.1–1 ms for the header;
`assistant doctor` and `ingest --rebuild` run it always). Damage the header cannot show surfaces later
as sqlite's "database disk image is malformed"; `store_failure` turns that, like a full disk, into
one Chinese line (the CLI's `main`, Services' writes).

A broken store is never deleted: `move_aside` renames the `chroma` folder to `chroma.broken-<time>`
beside it, and the caller builds a new one (`ingest --rebuild`, `doctor --repair`).
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
import time
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.store.client import StoreError, chroma_dir

SQLITE_FILE = "chroma.sqlite3"
_MAGIC = b"SQLite format 3\x00"
# Chroma's compaction error on a full disk says nothing about space; below this much free space in
# the store's file system, it is taken for a full disk.
LOW_SPACE_BYTES = 64 * 1024 * 1024
_CORRUPT_WORDS = ("database disk image is malformed", "file is not a database", "malformed database schema")
_FULL_WORDS = ("database or disk is full", "no space left on device", "disk full", "disk is full")
_COMPACTION_WORDS = ("error in compaction", "failed to apply logs")


class StoreCorruptError(StoreError):
    """The embedded store's database file is damaged; the message names it and the fix."""

    exit_code = 2


class DiskFullError(AssistantError, OSError):
    """A write failed because the store's disk is full; what was stored before stays readable."""

    exit_code = 1


def sqlite_path(settings: Settings) -> Path:
    return chroma_dir(settings) / SQLITE_FILE


def header_problem(path: Path) -> str | None:
    """What the file's 100-byte header says is wrong (not a database, truncated); None: looks whole."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        return f"无法读取：{exc}"
    if size == 0:
        return None  # sqlite writes the header with the first table: an empty file is a new database
    if len(head) < 100 or not head.startswith(_MAGIC):
        return "不是 SQLite 数据库文件"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    counter, valid_for = int.from_bytes(head[24:28], "big"), int.from_bytes(head[92:96], "big")
    if counter == valid_for and pages * page_size > size:
        return f"文件被截断：应有 {pages * page_size} 字节，实有 {size} 字节"
    return None


def quick_check(path: Path, timeout_s: float = 5.0) -> str | None:
    """sqlite's `PRAGMA quick_check` on the file, read-only; None: ok, else what it found."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout_s)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = [str(r[0]) for r in con.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return None  # a writer holds it: not a sign of damage
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()
    return None if rows == ["ok"] else "；".join(rows[:3])


def sqlite_problem(settings: Settings, *, thorough: bool = False) -> str | None:
    """What is wrong with the embedded store's database file (None: fine, or not created yet, or
    Chroma server mode). `thorough`: always run quick_check, not only on a suspicious header."""
    path = sqlite_path(settings)
    if settings.chroma_url or not path.is_file():
        return None
    problem = header_problem(path)
    if problem is None and not thorough:
        return None
    return quick_check(path) if problem is None else problem


def corrupt_error(settings: Settings, detail: str) -> StoreCorruptError:
    return StoreCorruptError(
        f"向量库文件 {sqlite_path(settings)} 已损坏（{detail}）。请运行 assistant doctor --repair"
        "（把损坏的库移到一旁，按已记录的原文件和上传文件重建），或 assistant ingest --rebuild 报告文件夹。"
    )


def check_on_open(settings: Settings) -> None:
    """Refuse a store whose database file is visibly broken (see the module docstring)."""
    problem = sqlite_problem(settings)
    if problem is not None:
        raise corrupt_error(settings, problem)


def move_aside(settings: Settings) -> Path | None:
    """Rename the embedded store's `chroma` folder to `chroma.broken-<time>` (never deleted); the new
    path, or None when there was none."""
    source = chroma_dir(settings)
    if not source.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = source.with_name(f"chroma.broken-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = source.with_name(f"chroma.broken-{stamp}-{n}")
    source.rename(target)
    _forget_client(source)
    return target


def _forget_client(path: Path) -> None:
    """Drop Chroma's in-process client of `path` (it caches one per path), so the next open starts anew."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:  # pragma: no cover - older chromadb
        return
    systems = getattr(SharedSystemClient, "_identifier_to_system", {})
    for key in [k for k in systems if str(path) in str(k)]:
        systems.pop(key, None)


_COPIES: dict[str, Path] = {}  # store's chroma folder -> this process's read-only copy of it


def copy_in_use(path: Path) -> Path | None:
    return _COPIES.get(str(path))


def read_only_copy(settings: Settings, path: Path) -> Path:
    """A copy of the store's `chroma` folder in the system temp folder, for a reader on a full disk
    (removed when the process exits); DiskFullError when there is no room for it there either."""
    import atexit
    import sys
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="assistant-readonly-"))
    atexit.register(shutil.rmtree, base, True)
    try:
        shutil.copytree(path, base / "chroma")
    except OSError as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise disk_full_error(settings) from exc
    _COPIES[str(path)] = base / "chroma"
    free = free_bytes(settings) or 0
    print(
        f"注意：向量库 {settings.store_dir} 所在磁盘已满（只剩 {free / 1024 / 1024:.1f} MB），"
        "本次按已有内容只读作答；请清理磁盘空间后再导入。",
        file=sys.stderr,
    )
    return base / "chroma"


def free_bytes(settings: Settings) -> int | None:
    """Free space of the file system holding the store directory (its nearest existing parent)."""
    path = settings.store_dir.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_corrupt(exc: BaseException) -> bool:
    return any(word in str(e).lower() for e in _chain(exc) for word in _CORRUPT_WORDS)


def is_disk_full(exc: BaseException, settings: Settings) -> bool:
    """ENOSPC, sqlite's "database or disk is full", or Chroma's compaction error with little space left."""
    for e in _chain(exc):
        text = str(e).lower()
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if any(word in text for word in _FULL_WORDS):
            return True
        if any(word in text for word in _COMPACTION_WORDS):
            free = free_bytes(settings)
            return free is not None and free < LOW_SPACE_BYTES
    return False


def disk_full_error(settings: Settings) -> DiskFullError:
    free = free_bytes(settings)
    left = "未知" if free is None else f"{free / 1024 / 1024:.1f} MB"
    return DiskFullError(
        f"磁盘已满：向量库 {settings.store_dir} 所在磁盘只剩 {left} 可用，本次写入未完成（已导入的内容仍可检索）。"
        "请清理磁盘空间或把 ASSISTANT_STORE_DIR 移到更大的磁盘，然后重新运行 assistant ingest。"
    )


def store_failure(exc: BaseException, settings: Settings) -> AssistantError | None:
    """The user's error for a known store failure (a full disk, a damaged database); None: another."""
    if isinstance(exc, AssistantError):
        return None
    if is_disk_full(exc, settings):
        return disk_full_error(settings)
    if is_corrupt(exc) and not settings.chroma_url:
        return corrupt_error(settings, "database disk image is malformed")
    return None
