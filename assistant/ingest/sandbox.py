"""Parse files in a separate worker process, so a hostile file cannot hang or exhaust the caller.

pypdf, python-docx and the decoders run in one long-lived child process (a fresh interpreter
started with `python -c`, never a fork: the app has threads). The caller waits at most the time
limit for each file; on a timeout the worker is killed and the next file starts a new one. The
worker caps its own address space and ends a hung parse itself if its parent is gone, so nothing
outlives the run. Works the same from the CLI and from a thread of the app.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from assistant.ingest.loaders import LoadError
from assistant.types import ParsedDocument

DEFAULT_TIMEOUT_S = 60.0
# Each page read by OCR gets this long on top (ASSISTANT_OCR_PAGE_TIMEOUT_S): the worker reports every
# page done, and the caller then waits at most this long for the next one.
DEFAULT_PAGE_TIMEOUT_S = 120.0
# Time for a new worker to start and import the parsers (not counted in a file's time limit).
STARTUP_TIMEOUT_S = 60.0
# The worker's address-space cap: several times what the largest accepted file needs to parse.
WORKER_MEMORY_BYTES = 2 * 1024**3
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g}"


class ParseWorker:
    """One parse worker process, started on first use and restarted after a timeout or a crash."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._owner = os.getpid()
        self.starts = 0

    @property
    def pid(self) -> int | None:
        """The worker's process id while one is running."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def parse(
        self,
        path: Path,
        max_bytes: int | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        *,
        progress: Callable[[int, int], None] | None = None,
        page_timeout_s: float = DEFAULT_PAGE_TIMEOUT_S,
    ) -> ParsedDocument:
        """Load and parse one file in the worker; raises LoadError (also on timeout or a worker crash).

        `progress(done, total)` is called here as the worker reads pages by OCR; an exception it raises
        (a cancelled ingest) stops the worker at once and propagates."""
        with self._lock:
            conn = self._ensure_running()
            try:
                request = (str(path), max_bytes, timeout_s, page_timeout_s)
                status, value = self._ask(conn, request, timeout_s, page_timeout_s, progress)
            except LoadError:
                raise
            except BaseException:  # e.g. KeyboardInterrupt: never leave an answer pending for the next file
                self._stop(kill=True)
                raise
        if status == "ok":
            return value
        raise LoadError(value)

    def _ask(
        self,
        conn: Connection,
        request: tuple[str, int | None, float, float],
        timeout_s: float,
        page_timeout_s: float = DEFAULT_PAGE_TIMEOUT_S,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[str, Any]:
        deadline, pages = time.monotonic() + timeout_s, (0, 0)
        with contextlib.suppress(OSError):  # the worker is gone: recv below reports how it ended
            conn.send(request)
        while True:
            try:
                ready = conn.poll(max(0.0, deadline - time.monotonic()))
            except OSError:
                ready = True
            if not ready:
                self._stop(kill=True)
                done, total = pages
                if total and done < total:
                    raise LoadError(
                        f"文字识别超时（第 {done + 1}/{total} 页超过 {_format_seconds(page_timeout_s)} 秒），已跳过："
                        "可调大 ASSISTANT_OCR_PAGE_TIMEOUT_S"
                    )
                raise LoadError(f"解析超时（超过 {_format_seconds(timeout_s)} 秒），已跳过")
            try:
                answer: tuple[Any, ...] = conn.recv()
            except (EOFError, OSError) as exc:
                reason = self._stop(kill=True)
                raise LoadError(f"解析进程意外退出（{reason}），已跳过：文件可能触发了解析库的缺陷") from exc
            if answer[0] != "progress":
                return answer[0], answer[1]
            pages = (answer[1], answer[2])
            # The next page gets its own time; after the last, the rest of the parse gets the file's limit.
            deadline = time.monotonic() + (page_timeout_s if pages[0] < pages[1] else timeout_s)
            if progress:
                progress(*pages)

    def close(self) -> None:
        """Stop the worker (it exits on its own when its connection closes); kill it if it is busy."""
        if self._lock.acquire(timeout=1):
            try:
                self._stop(kill=False)
            finally:
                self._lock.release()
        elif self._proc is not None:
            self._proc.kill()

    def _ensure_running(self) -> Connection:
        if self._owner != os.getpid():  # a forked copy of the caller must not share the parent's worker
            self._proc, self._conn, self._owner = None, None, os.getpid()
        # An idle connection has nothing to read unless the worker is gone (EOF): then start another.
        if self._conn is not None and self._proc is not None and self._proc.poll() is None and not self._conn.poll(0):
            return self._conn
        self._stop(kill=True)
        ours, theirs = socket.socketpair()
        # sys.path[0] (the current directory for -c) becomes this package's root, so the worker
        # runs this very code even when started from another checkout's directory.
        code = (
            f"import sys; sys.path[0] = {str(_PACKAGE_ROOT)!r}; "
            f"from {__name__} import _serve; _serve({theirs.fileno()})"
        )
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # stdout may carry the CLI's JSON
            )
        except OSError as exc:
            ours.close()
            raise LoadError(f"无法启动解析进程：{exc}") from exc
        finally:
            theirs.close()
        conn = Connection(ours.detach())
        self._proc, self._conn = proc, conn
        self.starts += 1
        try:
            started = conn.poll(STARTUP_TIMEOUT_S) and conn.recv() == "ready"
        except (EOFError, OSError):
            started = False
        if not started:
            reason = self._stop(kill=True)
            raise LoadError(f"无法启动解析进程（{reason}）")
        return conn

    def _stop(self, *, kill: bool) -> str:
        """Stop the worker; returns how it ended, in Chinese."""
        proc, conn = self._proc, self._conn
        self._proc, self._conn = None, None
        if conn is not None:
            conn.close()
        if proc is None:
            return "未运行"
        if kill and proc.poll() is None:
            proc.kill()
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        if code < 0:
            return f"被信号 {-code} 终止"
        return f"退出码 {code}"


_worker = ParseWorker()
atexit.register(_worker.close)


def parse_in_worker(
    path: Path,
    max_bytes: int | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    *,
    progress: Callable[[int, int], None] | None = None,
    page_timeout_s: float = DEFAULT_PAGE_TIMEOUT_S,
) -> ParsedDocument:
    """Parse one file in the shared worker of this process, within timeout_s seconds (plus
    page_timeout_s for each page read by OCR)."""
    return _worker.parse(
        path, max_bytes=max_bytes, timeout_s=timeout_s, progress=progress, page_timeout_s=page_timeout_s
    )


# --- the worker side ----------------------------------------------------------------------------


def _limit_memory() -> None:
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = WORKER_MEMORY_BYTES if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY_BYTES, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not enforceable here: the time limit still applies
        pass


def _parse_one(
    path: str, max_bytes: int | None, timeout_s: float = 0, progress: Callable[[int, int], None] | None = None
) -> tuple[str, Any]:
    from assistant.ingest.document import parse_here

    try:
        return "ok", parse_here(Path(path), max_bytes, progress=progress, time_limit_s=timeout_s or None)
    except LoadError as exc:
        return "error", str(exc)
    except MemoryError:
        return "error", f"解析时占用内存超过上限（{WORKER_MEMORY_BYTES // 1024**3} GB），已跳过"
    except RecursionError:
        return "error", "文件结构嵌套过深，无法解析，已跳过"
    except Exception as exc:  # a parser bug on a hostile file must not end the whole run
        return "error", f"解析失败：{type(exc).__name__}: {exc}"


def _serve(fd: int) -> None:
    conn = Connection(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; we exit with it
    _limit_memory()
    # Import the parsers before saying ready, so a file's time limit never pays for the imports.
    import charset_normalizer  # noqa: F401
    import docx  # noqa: F401
    import pypdf  # noqa: F401

    import assistant.ingest.document  # noqa: F401

    conn.send("ready")
    while True:
        try:
            path, max_bytes, timeout_s, page_timeout_s = conn.recv()
        except (EOFError, OSError):
            return  # the parent closed the connection or exited
        # Backstop: if the parent is gone and cannot kill us, SIGALRM ends a hung parse.
        signal.setitimer(signal.ITIMER_REAL, timeout_s * 2 + 5)

        def progress(done: int, total: int, page_s: float = page_timeout_s, file_s: float = timeout_s) -> None:
            signal.setitimer(signal.ITIMER_REAL, (page_s if done < total else file_s) * 2 + 5)
            conn.send(("progress", done, total))

        result = _parse_one(path, max_bytes, timeout_s, progress)
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            conn.send(result)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return
