"""One writer per embedded store: an exclusive file lock in the store directory.

Chroma's embedded store is not safe for two writing processes. `assistant ingest` / `remove` hold
the lock while they write; `assistant serve` holds it for as long as it runs (it may write at any
time). A second writer is refused at once with a message naming the holder, or waits up to a
timeout when asked to. Readers (search, ask) do not take it. The OS drops the lock when the holder
exits, even on SIGKILL, so a crash never leaves the store locked.

Chroma server mode (ASSISTANT_CHROMA_URL): the server serialises writes to the Chroma data, so
several writer processes are allowed. The lock then guards only what the store directory itself
holds for this machine (the write journal of documents being written, settled by the next writer
after a crash, and the upload folder), so writers sharing a store directory queue for it (up to
SERVER_MODE_WAIT_S by default) instead of being refused, and `serve` takes it only while it writes.
Processes with different store directories (other machines) write concurrently.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

from assistant.config import Settings
from assistant.errors import AssistantError

LOCK_NAME = "write.lock"
SERVER_MODE_WAIT_S = 600.0


class StoreBusyError(AssistantError, RuntimeError):
    """Another process is writing to the store; the message (Chinese) names it."""

    exit_code = 2


class StoreLock:
    def __init__(self, store_dir: Path, wait_s: float = 0.0) -> None:
        self.path = store_dir / LOCK_NAME
        self.wait_s = wait_s
        self._fh: IO[str] | None = None

    def acquire(self) -> StoreLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the lock's lifetime
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder(fh)
                    fh.close()
                    waited = f"（已等待 {self.wait_s:.0f} 秒）" if self.wait_s else ""
                    raise StoreBusyError(
                        f"向量库 {self.path.parent} 正被另一个进程写入{waited}：{holder}。"
                        "同一时间只能有一个进程写入；请等它结束后再试，或用 --wait 秒数 等待。"
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid={os.getpid()} cmd={' '.join(sys.argv[:3])}\n")
        fh.flush()
        self._fh = fh
        return self

    @staticmethod
    def _holder(fh: IO[str]) -> str:
        try:
            fh.seek(0)
            return fh.read().strip() or "未知进程"
        except OSError:
            return "未知进程"

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> StoreLock:
        return self if self._fh is not None else self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def writer_lock(settings: Settings, wait_s: float | None = None) -> StoreLock:
    """The store directory's write lock (not yet acquired) with the mode's default wait: none for the
    embedded store (a second writer is refused at once), SERVER_MODE_WAIT_S in Chroma server mode."""
    if wait_s is None:
        wait_s = SERVER_MODE_WAIT_S if settings.chroma_url else 0.0
    return StoreLock(settings.store_dir, wait_s=wait_s)


OPEN_LOCK_NAME = "open.lock"
_open_guard = threading.RLock()
_open_depth = 0
_open_fh: IO[str] | None = None


@contextlib.contextmanager
def opening(settings: Settings) -> Iterator[None]:
    """Held while the embedded store is opened (Chroma's schema migrations, the collection's creation).

    Two processes opening a brand-new store at once both ran Chroma's sqlite migrations, and one
    failed with `table collections already exists` (or `database is locked`); opening under this
    exclusive file lock makes the second wait (milliseconds) and then find the store made. Re-entrant
    within a process; nothing in Chroma server mode (the server creates its own schema)."""
    global _open_depth, _open_fh
    if settings.chroma_url:
        yield
        return
    with _open_guard:
        if _open_depth == 0:
            try:
                settings.store_dir.mkdir(parents=True, exist_ok=True)
                fh = open(settings.store_dir / OPEN_LOCK_NAME, "a+", encoding="utf-8")  # noqa: SIM115
            except OSError:  # a full disk or a read-only folder: open unguarded, Chroma says what is wrong
                fh = None
            if fh is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            _open_fh = fh
        _open_depth += 1
        try:
            yield
        finally:
            _open_depth -= 1
            if _open_depth == 0 and _open_fh is not None:
                fcntl.flock(_open_fh.fileno(), fcntl.LOCK_UN)
                _open_fh.close()
                _open_fh = None
