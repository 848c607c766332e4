"""Ingest progress on stderr: the bar on a terminal; plain lines, one every few seconds, when stderr
is a pipe or a file (a service log, `2>log`, a script reading `--json` from stdout), so a long file
is never silent. Each line names the stage, the file and how far it is:

    导入进度（35 秒）：写入 big：16,383/50,813 条（32%）
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.cli_output import CHANGE_WORDS, err, progress_bar
from assistant.ingest.pipeline import DocumentWritten, IngestStage

LINE_EVERY_S = 5.0  # a plain line this often while an ingest runs (none for a shorter one)

_WORDS = {
    "parse": "解析",
    "ocr": "文字识别",
    "chunk": "切块",
    "embed": "向量化",
    "write": "写入",
    "index": "更新关键词索引",
}


def stage_text(stage: str, label: str, done: int, total: int) -> str:
    """解析 a.txt（第 2/5 个文件） · 文字识别 scan.pdf：第 3/50 页 · 向量化 a：1,200/4,800 条（25%） · 更新关键词索引"""
    word = _WORDS.get(stage, stage)
    if stage == "parse":
        return f"{word} {label}（第 {done + 1}/{total} 个文件）"
    if stage == "ocr":
        if done < total:
            return f"{word} {label}：第 {done + 1}/{total} 页"
        return f"{word} {label}：{total} 页已完成"
    if stage == "chunk":
        return f"{word} {label}（第 {done + 1}/{total} 篇）"
    if stage in ("embed", "write"):
        share = f"（{done * 100 // total}%）" if total else ""
        return f"{word} {label}：{done:,}/{total:,} 条{share}"
    return word


class ProgressLines:
    """Writes the latest stage as one line every `every_s` seconds, from a thread of its own, until
    stopped: a step that takes long (one big file's parse or write) still shows it is running."""

    def __init__(
        self, write: Callable[[str], None], every_s: float = LINE_EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.write, self.every_s, self.clock = write, every_s, clock
        self._state: tuple[str, str, int, int] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = clock()
        self._thread = threading.Thread(target=self._run, name="ingest-progress", daemon=True)

    def stage(self, stage: str, label: str, done: int, total: int) -> None:
        with self._lock:
            self._state = (stage, label, done, total)

    def line(self) -> str | None:
        with self._lock:
            state = self._state
        if state is None:
            return None
        return f"导入进度（{self.clock() - self._started:.0f} 秒）：{stage_text(*state)}"

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            line = self.line()
            if line:
                self.write(line)

    def __enter__(self) -> ProgressLines:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class IngestCallbacks:
    stage: IngestStage
    written: DocumentWritten


@contextlib.contextmanager
def ingest_progress() -> Iterator[IngestCallbacks]:
    """The callbacks `Services.ingest` reports to: a bar on a terminal, else ProgressLines; and one
    line per document once it is wholly in the store (what a later crash cannot undo)."""
    if err.is_terminal:
        with progress_bar("导入") as bar:
            task = bar.task_ids[0]

            def on_stage(stage: str, label: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None, description=stage_text(stage, label, done, total))

            def on_written(doc: str, change: str) -> None:
                bar.console.print(f"{CHANGE_WORDS[change]} {doc}", highlight=False, markup=False)

            yield IngestCallbacks(on_stage, on_written)
        return

    def plain(text: str) -> None:
        err.print(text, highlight=False, markup=False, soft_wrap=True)

    with ProgressLines(plain) as lines:
        yield IngestCallbacks(lines.stage, lambda doc, change: plain(f"{CHANGE_WORDS[change]} {doc}"))
