"""A full disk, on a real tmpfs holding the store (mounted and unmounted here; needs root, as the
suite runs): the ingest that fills it ends in one Chinese line saying the disk is full and how much
is free (it used to end in Chroma's `InternalError … database or disk is full` / `Error in
compaction` traceback), the lock and the journal are left consistent, readers keep answering from
what is there while the disk is full (they used to crash: Chroma writes to its database on start),
and once space is freed a re-ingest recovers."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.store.lock import StoreLock
from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.integration

WIDE = {"COLUMNS": "400"}
HEADROOM_KB = 1536  # free space left on the tmpfs once the seeds' store is copied in


def big_report(path: Path, items: int = 300) -> Path:
    """A report of distinct numbered lines: ~2.5 MB of store entries, more than the headroom."""
    rnd = random.Random(7)
    topics = ["道路硬化", "饮水安全", "危房改造", "产业发展", "人居环境", "基层党建", "综治维稳", "教育医疗"]
    lines = ["大河乡2024年工作总结", ""]
    for n in range(items):
        if n % 12 == 0:
            lines += ["", f"{n // 12 + 1}、{topics[n // 12 % len(topics)]}工作"]
        lines.append(
            f"第{n}项：大河乡第{n}村完成{topics[n % len(topics)]}任务{rnd.randint(10, 999)}处，"
            f"投入资金{rnd.randint(10, 9999)}万元，惠及群众{rnd.randint(100, 9999)}人，编号{n:05d}。"
        )
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def du_kb(path: Path) -> int:
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file()) // 1024


def fill(disk: Path) -> Path:
    """Write a filler file until the disk has no space left."""
    filler = disk / "filler"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    return filler


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("diskfull") / "store"
    out = run_cli(["ingest", str(SEEDS)], store)
    assert out.returncode == 0, out.stderr
    return store


@pytest.fixture
def small_disk(tmp_path: Path, seeded_store: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.fail("mounting a tmpfs needs root (the suite and CI run as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    size_kb = du_kb(seeded_store) + HEADROOM_KB
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_is_said_readers_answer_and_a_reingest_recovers(
    small_disk: Path, seeded_store: Path, tmp_path: Path
) -> None:
    store = small_disk / "store"
    shutil.copytree(seeded_store, store)
    report = big_report(tmp_path / "dahe_2024.txt")

    out = run_cli(["ingest", str(report)], store, **WIDE)
    assert out.returncode == 1, out.stderr[-3000:]
    # progress lines (one every 5 s without a terminal) may come first; the error is one line, last
    lines = [
        ln for ln in out.stderr.splitlines() if ln.strip() and "已写入" not in ln and not ln.startswith("导入进度（")
    ]
    assert len(lines) == 1, out.stderr[-3000:]
    assert "磁盘已满" in lines[0] and "MB 可用" in lines[0] and str(store) in lines[0]
    assert "Traceback" not in out.stderr and "InternalError" not in out.stderr

    StoreLock(store).acquire().release()  # the lock was freed
    for entry in (store / "journal").glob("*.json"):  # the journal holds whole entries only
        assert json.loads(entry.read_text(encoding="utf-8"))["doc_id"] == "dahe_2024"
    assert not list(store.glob("lexical.tmp-*"))  # no half-written index left filling the disk

    filler = fill(small_disk)
    assert shutil.disk_usage(small_disk).free < 64 * 1024
    docs = run_cli(["docs", "--json"], store)
    assert docs.returncode == 0, docs.stderr[-3000:]
    assert len(json.loads(docs.stdout)["documents"]) == 5 and "磁盘已满" in docs.stderr
    search = run_cli(["search", "2023年完成财税", "--json"], store)
    assert search.returncode == 0 and json.loads(search.stdout)["passages"], search.stderr[-3000:]
    ask = run_cli(["ask", "2023年完成财税多少万元", "--json"], store)
    assert ask.returncode == 0, ask.stderr[-3000:]
    assert json.loads(ask.stdout)["citations"]
    full_write = run_cli(["ingest", str(report)], store, **WIDE)
    assert full_write.returncode == 1 and "磁盘已满" in full_write.stderr

    filler.unlink()
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = run_cli(["ingest", str(report), "--json"], store)
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["added"] == 1
    assert not list((store / "journal").glob("*.json"))
    docs = run_cli(["docs", "--json"], store)
    assert len(json.loads(docs.stdout)["documents"]) == 6
