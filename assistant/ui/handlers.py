"""What the app does, without Gradio: ask, draft, upload, list, delete, re-index, inspect, retrieval test.

The Gradio layer (app.py) only adapts these to components, so they are tested without a server.
Writes (ingest, delete, re-index) are serialised by one lock; answers read a cached answerer that a
write invalidates. In Chroma server mode other processes write too: each request first checks the
store for their changes (Services.refresh), and writes also take the store directory's lock.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.generation.export import draft_docx, draft_markdown
from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.pipeline import IngestReport, ingest_paths
from assistant.retrieval import Filters
from assistant.services import Services
from assistant.store.collection import DocRecord
from assistant.store.lock import StoreBusyError, StoreLock
from assistant.types import Answer, Passage

ProgressFn = Callable[[float, str], None]
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


class UserError(ValueError):
    """Bad input from the user; the message (Chinese) is shown as is."""


def safe_filename(name: str) -> str:
    """A file name that cannot leave its folder: last path part only, no separators, controls or
    leading dots; Chinese characters kept. '../../etc/passwd.txt' → 'passwd.txt'."""
    base = re.split(r"[/\\]", name)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip().lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:80] or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


@dataclass(frozen=True)
class FilterChoice:
    """The filter controls' values as the UI gives them ('' or None means any)."""

    township: str | None = None
    year: str | int | None = None
    kind: str | None = None
    part: str | None = None

    def to_filters(self) -> Filters:
        year = int(self.year) if self.year not in (None, "", "全部") else None
        pick = lambda v: None if v in (None, "", "全部") else v  # noqa: E731
        return Filters(township=pick(self.township), year=year, kind=pick(self.kind), part=pick(self.part))


class AppService:
    def __init__(
        self,
        services: Services,
        upload_dir: Path,
        export_dir: Path,
        store_lock: Callable[[], StoreLock] | None = None,
    ) -> None:
        """`store_lock` acquires the store directory's write lock for one write (Chroma server mode);
        None when the app holds that lock for as long as it runs (embedded store)."""
        self.services = services
        self.upload_dir = upload_dir
        self.export_dir = export_dir
        upload_dir.mkdir(parents=True, exist_ok=True)
        export_dir.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.RLock()
        self._store_lock = store_lock
        self._cache: dict[str, tuple[Any, Any]] = {}
        self._docs: tuple[int, dict[str, DocRecord]] | None = None

    # -- reading ---------------------------------------------------------------------------------
    def _cached(self, name: str, build: Callable[[], Any]) -> Any:
        """What `build` made, reused while the store and lexical index it was built on are current."""
        basis = (self.services.store, self.services.lexical)
        hit = self._cache.get(name)
        if hit is None or hit[0] != basis:
            hit = (basis, build())
            self._cache[name] = hit
        return hit[1]

    def _answerer(self) -> Any:
        self._fresh()
        return self._cached("answerer", self.services.answerer)

    def _drafter(self) -> Any:
        self._fresh()
        return self._cached("drafter", self.services.drafter)

    def _fresh(self) -> None:
        """Changes other processes made through the Chroma server reach the next request."""
        if self.services.refresh():
            self._invalidate()

    def _invalidate(self) -> None:
        self._cache.clear()
        self._docs = None

    def ask(self, question: str, choice: FilterChoice | None = None) -> Answer:
        question = (question or "").strip()
        if not question:
            raise UserError("请输入问题。")
        if len(question) > 500:
            raise UserError("问题太长（超过 500 字），请精简后再问。")
        answer: Answer = self._answerer().ask(question, (choice or FilterChoice()).to_filters())
        return answer

    def ask_stream(
        self, question: str, choice: FilterChoice | None = None, history: list[dict[str, str]] | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas while an LLM writes (if it can stream), then the verified Answer."""
        answerer = self._answerer()
        stream = getattr(answerer, "stream", None)
        if stream is None:
            yield self.ask(question, choice)
            return
        question = (question or "").strip()
        if not question:
            raise UserError("请输入问题。")
        yield from stream(question, (choice or FilterChoice()).to_filters(), history=history or [])

    def draft(
        self, topic: str, style: str = "总结", length: int = 400, choice: FilterChoice | None = None
    ) -> tuple[Answer, Path | None, Path | None]:
        """The draft and, unless it abstained, its .docx and .md exports."""
        topic = (topic or "").strip()
        if not topic:
            raise UserError("请输入起草主题。")
        drafter = self._drafter()
        filters = (choice or FilterChoice()).to_filters()
        answer: Answer = drafter.draft(topic, length=int(length), filters=filters, style=style)
        if answer.abstained:
            return answer, None, None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        title = f"{topic}（{style}）"
        base = self.export_dir / f"草稿-{safe_filename(topic)[:40]}-{stamp}"
        md = base.with_suffix(".md")
        md.write_text(draft_markdown(answer, title), encoding="utf-8")
        return answer, draft_docx(answer, title, base.with_suffix(".docx")), md

    def retrieval_test(
        self, query: str, mode: str = "hybrid", k: int = 10, choice: FilterChoice | None = None
    ) -> list[Passage]:
        query = (query or "").strip()
        if not query:
            raise UserError("请输入检索内容。")
        self._fresh()
        return self.services.retriever(mode).search(query, k=int(k), filters=(choice or FilterChoice()).to_filters())

    def _records(self) -> dict[str, DocRecord]:
        """The store's documents: a scan of every chunk's metadata (seconds at 100k chunks), so kept
        until the app writes or the store's entry count changes (another process wrote)."""
        count = self.services.store.entry_count()
        if self._docs is None or self._docs[0] != count:
            self._docs = (count, self.services.store.documents())
        return self._docs[1]

    def documents(self) -> list[list[object]]:
        return [
            [r.doc_id, r.title, r.township or "—", r.years or "—", r.kind, r.chunks] for r in self._records().values()
        ]

    def filter_options(self) -> dict[str, list[str]]:
        docs = self._records().values()
        years = sorted({y for r in docs for y in r.years.split(",") if y})
        return {"township": sorted({r.township for r in docs if r.township}), "year": years}

    def doc_view(self, doc_id: str) -> tuple[str, list[dict[str, object]]]:
        """(title, chunk metadata with text) of one document, for its section tree."""
        records = self._records()
        if doc_id not in records:
            raise UserError(f"未找到文档 {doc_id}。")
        chunks = self.services.store.chunks([cid for cid in self.services.store.unit_ids(doc_id)])
        metas = [{**meta, "text": text} for _, text, meta in chunks if meta.get("unit") == "chunk"]
        return records[doc_id].title, metas

    # -- writing ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One write at a time in the app, and (server mode) with the other writers of this store directory."""
        with self._write_lock:
            try:
                held = self._store_lock() if self._store_lock else None
            except StoreBusyError as exc:
                raise UserError(str(exc)) from exc
            try:
                yield
            finally:
                if held is not None:
                    held.release()

    def upload(self, paths: list[Path], progress: ProgressFn | None = None) -> IngestReport:
        """Copy uploaded files into the app's upload folder under safe names, then ingest them."""
        if not paths:
            raise UserError("请先选择要上传的文件。")
        limit = self.services.settings.max_upload_mb * 1024 * 1024
        staged, errors = [], []
        for path in paths:
            name = safe_filename(Path(path).name)
            if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                errors.append({"path": name, "error": f"不支持的文件类型，支持：{'、'.join(SUPPORTED_SUFFIXES)}"})
                continue
            if Path(path).stat().st_size > limit:
                errors.append({"path": name, "error": f"文件超过 {self.services.settings.max_upload_mb} MB 上限"})
                continue
            target = (self.upload_dir / name).resolve()
            if target.parent != self.upload_dir.resolve():  # defence in depth; safe_filename already ensures it
                errors.append({"path": name, "error": "文件名不合法"})
                continue
            shutil.copyfile(path, target)
            staged.append(target)
        report = self._ingest(staged, progress) if staged else IngestReport(files=0)
        report.errors = errors + report.errors
        report.files += len(errors)
        return report

    def _ingest(self, paths: list[Path], progress: ProgressFn | None) -> IngestReport:
        settings = self.services.settings

        def on_embed(done: int, total: int, label: str) -> None:
            if progress and total:
                progress(done / total, f"向量化 {label}（{done}/{total}）")

        with self._writing():
            try:
                report = ingest_paths(
                    paths,
                    self.services.store,
                    self.services.embedder,
                    max_chars=settings.chunk_max_chars,
                    max_bytes=settings.max_file_mb * 1024 * 1024,
                    parse_timeout_s=settings.parse_timeout_s,
                    progress=on_embed,
                )
                if progress:
                    progress(1.0, "更新关键词索引")
                self.services.sync_lexical()
            finally:
                self._invalidate()
        return report

    def delete(self, doc_id: str) -> int:
        if not doc_id:
            raise UserError("请选择要删除的文档。")
        with self._writing():
            try:
                removed = self.services.store.delete_document(doc_id)
                self.services.sync_lexical()
            finally:
                self._invalidate()
        if removed == 0:
            raise UserError(f"未找到文档 {doc_id}。")
        return removed

    def reindex(self, progress: ProgressFn | None = None) -> IngestReport:
        """Re-ingest every document whose source file still exists, and rebuild the keyword index."""
        sources = [Path(r.source) for r in self._records().values() if r.source]
        existing = [p for p in sources if p.exists()]
        report = self._ingest(existing, progress)
        with self._write_lock:
            self.services.lexical.rebuild(self.services.store.chunks())
        return report
