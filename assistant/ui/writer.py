"""Writes from the app: upload, delete, re-index, one at a time.

In Chroma server mode other processes write too, so each write also takes the store directory's
lock; after every write the app's answer paths and document list are rebuilt (`on_write`).
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from assistant.cli_progress import stage_text
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, unsupported_reason
from assistant.ingest.pipeline import IngestReport
from assistant.services import Services
from assistant.store.lock import StoreBusyError, StoreLock
from assistant.ui.catalog import Catalog
from assistant.ui.inputs import ProgressFn, UserError, safe_filename


def stage_uploads(paths: list[Path], upload_dir: Path, max_mb: int) -> tuple[list[Path], list[dict[str, str]]]:
    """Copy uploaded files into `upload_dir` under safe names: (staged copies, per-file errors)."""
    staged, errors = [], []
    for path in paths:
        name = safe_filename(Path(path).name)
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            errors.append({"path": name, "error": unsupported_reason(Path(name))})
            continue
        if Path(path).stat().st_size > max_mb * 1024 * 1024:
            errors.append({"path": name, "error": f"文件超过 {max_mb} MB 上限"})
            continue
        target = (upload_dir / name).resolve()
        if target.parent != upload_dir.resolve():  # defence in depth; safe_filename already ensures it
            errors.append({"path": name, "error": "文件名不合法"})
            continue
        shutil.copyfile(path, target)
        staged.append(target)
    return staged, errors


class KnowledgeBaseWriter:
    """Upload, delete and re-index through Services.ingest/remove (which keep the lexical index in line)."""

    def __init__(
        self,
        services: Services,
        catalog: Catalog,
        upload_dir: Path,
        store_lock: Callable[[], StoreLock] | None = None,
        on_write: Callable[[], None] | None = None,
        held_lock: StoreLock | None = None,
    ) -> None:
        """`store_lock` acquires the store directory's write lock for one write (Chroma server mode);
        None when the app holds that lock for as long as it runs (embedded store). `held_lock` is the
        lock the app took at start: referenced here, by the page's write handlers, it stays held (embedded
        store) as long as the app runs; dropping the last reference would close it and free the store."""
        self.services = services
        self.catalog = catalog
        self.held_lock = held_lock
        self.upload_dir = upload_dir
        upload_dir.mkdir(parents=True, exist_ok=True)
        self._store_lock = store_lock
        self._on_write = on_write
        self._lock = threading.RLock()
        self._cancel = threading.Event()  # set by 取消导入: the running ingest stops at its next step
        self._running = threading.Event()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One write at a time in the app, and (server mode) with the other writers of this store directory."""
        with self._lock:
            try:
                held = self._store_lock() if self._store_lock else None
            except StoreBusyError as exc:
                raise UserError(str(exc)) from exc
            try:
                yield
            finally:
                if self._on_write is not None:
                    self._on_write()
                if held is not None:
                    held.release()

    def upload(self, paths: list[Path], progress: ProgressFn | None = None) -> IngestReport:
        """Stage the uploaded files under safe names, then ingest them; refused files are reported, not raised."""
        if not paths:
            raise UserError("请先选择要上传的文件。")
        staged, errors = stage_uploads(paths, self.upload_dir, self.services.settings.max_upload_mb)
        report = self._ingest(staged, progress) if staged else IngestReport(files=0)
        report.errors = errors + report.errors
        report.files += len(errors)
        return report

    def delete(self, doc_id: str) -> int:
        """How many chunks the document had; UserError when there is no such document."""
        if not doc_id:
            raise UserError("请选择要删除的文档。")
        with self._writing():
            removed = self.services.remove([doc_id])[doc_id]
        if removed == 0:
            raise UserError(f"未找到文档 {doc_id}。")
        return removed

    def reindex(self, progress: ProgressFn | None = None) -> IngestReport:
        """Re-ingest every document whose source file still exists, and rebuild the keyword index."""
        sources = [Path(r.source) for r in self.catalog.records().values() if r.source]
        report = self._ingest([p for p in sources if p.exists()], progress)
        with self._lock:
            self.services.lexical.rebuild(self.services.store.chunks())
        return report

    def cancel(self) -> bool:
        """Ask the running upload or re-index to stop (a scan's OCR stops within its current page: the
        parse worker is killed); what was already written stays. False when nothing is running."""
        if not self._running.is_set():
            return False
        self._cancel.set()
        return True

    def _ingest(self, paths: list[Path], progress: ProgressFn | None) -> IngestReport:
        def on_embed(done: int, total: int, label: str) -> None:
            if progress and total:
                progress(done / total, f"向量化 {label}（{done}/{total}）")
                if done == total:  # what is left: the last document's write and the lexical sync
                    progress(1.0, "更新关键词索引")

        def on_stage(stage: str, label: str, done: int, total: int) -> None:
            if self._cancel.is_set():
                raise IngestCancelled("已取消导入：取消前已导入的文件保留，其余文件未导入。")
            if progress and stage in ("parse", "ocr", "chunk"):  # embedding: on_embed
                progress(done / total if total else 0.0, stage_text(stage, label, done, total))

        with self._writing():
            self._cancel.clear()
            self._running.set()
            try:
                return self.services.ingest(paths, progress=on_embed, stage=on_stage)
            finally:
                self._running.clear()


class IngestCancelled(UserError):
    """The user pressed 取消导入."""
