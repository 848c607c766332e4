"""One writer per embedded store: a second writing process is refused at once (or waits when asked),
readers are not blocked, and a killed holder leaves no stale lock."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.store.lock import StoreBusyError, StoreLock
from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.integration

HOLDER = (
    "import sys, time; from pathlib import Path; from assistant.store.lock import StoreLock;"
    "lock = StoreLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(float(sys.argv[2]))"
)


def hold(store: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the write lock for `seconds`."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(store), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def store(seeded: dict[str, Any], tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "store"
    shutil.copytree(seeded["store"], path)
    yield path


def test_a_second_writer_is_refused_at_once_naming_the_holder(store: Path, tmp_path: Path) -> None:
    holder = hold(store, 60)
    try:
        corpus = tmp_path / "c"
        corpus.mkdir()
        shutil.copy(SEEDS / "002_501c0fb6689f0a4e.txt", corpus / "new.txt")
        started = time.monotonic()
        out = run_cli(["ingest", str(corpus), "--json"], store)
        assert out.returncode == 2
        assert "正被另一个进程写入" in out.stderr and f"pid={holder.pid}" in out.stderr
        assert time.monotonic() - started < 30, "refused at once, not after a hang"
        docs = json.loads(run_cli(["docs", "--json"], store).stdout)["documents"]
        assert "new" not in {d["doc_id"] for d in docs}, "nothing was written"
    finally:
        holder.kill()
        holder.wait()


def test_readers_are_not_blocked_by_a_writer(store: Path) -> None:
    holder = hold(store, 60)
    try:
        out = run_cli(["search", "耕地流出图斑整治", "--json"], store)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["passages"][0]["doc"] == "004_b0ba3482a421c3a8"
    finally:
        holder.kill()
        holder.wait()


def test_wait_option_writes_once_the_holder_finishes(store: Path) -> None:
    holder = hold(store, 3)
    out = run_cli(["remove", "003_e9fbab667eb49eb4"], store, **{})
    assert out.returncode == 2, "without --wait the busy store is refused"
    holder.wait()
    waited = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "ingest",
            str(SEEDS / "000_5083355e1d56cec0.txt"),
            "--wait",
            "30",
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "ASSISTANT_STORE_DIR": str(store)},
        timeout=300,
    )
    assert waited.returncode == 0, waited.stderr


def test_a_killed_holder_leaves_no_stale_lock(store: Path) -> None:
    holder = hold(store, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (store / "write.lock").exists()
    out = run_cli(["remove", "003_e9fbab667eb49eb4"], store)
    assert out.returncode == 0, out.stderr
    assert "003_e9fbab667eb49eb4" not in {
        d["doc_id"] for d in json.loads(run_cli(["docs", "--json"], store).stdout)["documents"]
    }


def test_serve_refuses_a_store_another_process_writes_to(store: Path) -> None:
    holder = hold(store, 60)
    try:
        out = run_cli(["serve", "--port", "0"], store)
        assert out.returncode == 2 and "正被另一个进程写入" in out.stderr
    finally:
        holder.kill()
        holder.wait()


def test_lock_in_process_refuses_then_waits(tmp_path: Path) -> None:
    holder = hold(tmp_path, 2)
    with pytest.raises(StoreBusyError, match="正被另一个进程写入"):
        StoreLock(tmp_path).acquire()
    with StoreLock(tmp_path, wait_s=20) as lock:
        assert lock._fh is not None
    holder.wait()
