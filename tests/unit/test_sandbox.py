"""The parse worker process: same results as in-process parsing, a time limit that holds from any
thread, restart after a timeout or a crash, and no worker left behind by a caller that dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.ingest.loaders import LoadError
from assistant.ingest.sandbox import WORKER_MEMORY_BYTES, ParseWorker
from tests.builders import slow_pdf

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "004_b0ba3482a421c3a8.txt"


@pytest.fixture
def worker() -> Iterator[ParseWorker]:
    w = ParseWorker()
    yield w
    w.close()


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("slow") / "slow.pdf"
    path.write_bytes(slow_pdf())
    return path


def _alive(pid: int) -> bool:
    """The process exists and has not exited (a zombie, exited but not yet reaped, counts as gone)."""
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def test_worker_result_equals_in_process_parse(worker: ParseWorker) -> None:
    here = parse_file(SEED)
    there = worker.parse(SEED, max_bytes=50 * 1024 * 1024, timeout_s=30)
    assert there.meta == here.meta
    assert there.text == here.text
    assert [c.text for c in chunk_document(there)] == [c.text for c in chunk_document(here)]
    assert worker.starts == 1
    worker.parse(SEED, timeout_s=30)
    assert worker.starts == 1  # one worker serves the whole run


def test_errors_come_back_as_the_same_load_error(worker: ParseWorker, tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(LoadError, match=r"^文件为空（0 字节）$"):
        worker.parse(empty, timeout_s=30)
    with pytest.raises(LoadError, match="文件过大"):
        worker.parse(SEED, max_bytes=1000, timeout_s=30)
    assert worker.starts == 1  # an error is an answer, not a crash


def test_timeout_kills_the_worker_and_the_next_file_gets_a_new_one(worker: ParseWorker, slow: Path) -> None:
    worker.parse(SEED, timeout_s=30)
    first = worker.pid
    assert first is not None
    started = time.perf_counter()
    with pytest.raises(LoadError, match=r"^解析超时（超过 0\.5 秒），已跳过$"):
        worker.parse(slow, timeout_s=0.5)
    assert time.perf_counter() - started < 3  # the file itself needs several seconds
    assert not _alive(first)
    assert worker.parse(SEED, timeout_s=30).meta.kind == "述职"
    assert worker.pid not in (None, first)
    assert worker.starts == 2


def test_time_limit_holds_in_a_worker_thread(worker: ParseWorker, slow: Path) -> None:
    """The app ingests from a thread: no signal-based timeout could work there."""
    outcome: list[str] = []

    def run() -> None:
        try:
            worker.parse(slow, timeout_s=0.5)
            outcome.append("parsed")
        except LoadError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=10)
    assert outcome == ["解析超时（超过 0.5 秒），已跳过"]


def test_a_worker_that_dies_mid_parse_is_reported_and_replaced(worker: ParseWorker, slow: Path) -> None:
    worker.parse(SEED, timeout_s=30)
    pid = worker.pid
    assert pid is not None
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGKILL))
    killer.start()
    with pytest.raises(LoadError, match=r"^解析进程意外退出（被信号 9 终止），已跳过"):
        worker.parse(slow, timeout_s=30)
    killer.join()
    assert worker.parse(SEED, timeout_s=30).meta.kind == "述职"
    assert worker.starts == 2


def test_a_worker_killed_between_files_is_restarted_silently(worker: ParseWorker) -> None:
    worker.parse(SEED, timeout_s=30)
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert worker.parse(SEED, timeout_s=30).meta.kind == "述职"
    assert worker.pid != pid


def test_worker_address_space_is_capped(worker: ParseWorker) -> None:
    worker.parse(SEED, timeout_s=30)
    limits = Path(f"/proc/{worker.pid}/limits").read_text()
    (line,) = [ln for ln in limits.splitlines() if ln.startswith("Max address space")]
    assert line.split()[3] == str(WORKER_MEMORY_BYTES)


def test_close_stops_the_worker(worker: ParseWorker) -> None:
    worker.parse(SEED, timeout_s=30)
    pid = worker.pid
    assert pid is not None
    worker.close()
    assert not _alive(pid)
    assert worker.pid is None


def test_worker_exits_when_its_caller_dies_without_closing(tmp_path: Path) -> None:
    script = (
        "import os, sys; from pathlib import Path; from assistant.ingest.sandbox import ParseWorker; "
        f"w = ParseWorker(); w.parse(Path({str(SEED)!r}), timeout_s=30); print(w.pid, flush=True); os._exit(0)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout)
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
