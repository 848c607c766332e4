"""知识库: upload (size limit, per-file errors, progress), the document list, delete, re-index, section tree."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.pipeline import IngestReport
from assistant.ui import render
from assistant.ui.catalog import DOC_HEADERS, Catalog
from assistant.ui.inputs import ProgressFn, UserError
from assistant.ui.widgets import error_html
from assistant.ui.writer import KnowledgeBaseWriter


def report_html(report: IngestReport) -> str:
    e = html.escape
    lines = [
        f"<p>文件 {report.files} 个：新增 {report.added}，更新 {report.updated}，未变 {report.unchanged}，"
        f"移除 {report.removed}；知识库共 {report.chunks} 段。</p>"
    ]
    if report.errors:
        items = "".join(f"<li><b>{e(Path(x['path']).name)}</b>：{e(x['error'])}</li>" for x in report.errors)
        lines.append(f'<div class="not-found">以下文件未导入：<ul>{items}</ul></div>')
    return "".join(lines)


class KnowledgeBaseEvents:
    """What the tab's buttons do: each returns (status, document table, document choices)."""

    def __init__(self, catalog: Catalog, writer: KnowledgeBaseWriter) -> None:
        self.catalog = catalog
        self.writer = writer

    def refreshed(self, status: str) -> tuple[Any, ...]:
        docs = self.catalog.documents()
        return status, docs, gr.Dropdown(choices=[str(r[0]) for r in docs])

    def upload(self, files: list[str] | None, progress: ProgressFn) -> tuple[Any, ...]:
        try:
            report = self.writer.upload([Path(f) for f in files or []], progress=progress)
        except UserError as exc:
            return self.refreshed(error_html(str(exc)))
        return self.refreshed(report_html(report))

    def reindex(self, progress: ProgressFn) -> tuple[Any, ...]:
        return self.refreshed(report_html(self.writer.reindex(progress=progress)))

    def delete(self, doc_id: str) -> tuple[Any, ...]:
        try:
            n = self.writer.delete(doc_id)
        except UserError as exc:
            return self.refreshed(error_html(str(exc)))
        return self.refreshed(f"<p>已删除 {html.escape(doc_id)}（{n} 段）。</p>")

    def cancel(self) -> str:
        if self.writer.cancel():
            return "<p>正在取消导入，当前这一步结束后停止……</p>"
        return "<p>没有正在进行的导入。</p>"

    def view(self, doc_id: str) -> str:
        try:
            title, chunks = self.catalog.doc_view(doc_id)
        except UserError as exc:
            return error_html(str(exc))
        return render.tree_html(title, chunks)


def kb_tab(events: KnowledgeBaseEvents, max_upload_mb: int) -> None:
    docs = events.catalog.documents()
    with gr.Tab("知识库", id="kb"):
        uploads = gr.File(
            label=f"上传报告（{' '.join(SUPPORTED_SUFFIXES)}，单个不超过 {max_upload_mb} MB）",
            file_count="multiple",
            file_types=list(SUPPORTED_SUFFIXES),  # the loaders' list: one place says what can be read
            elem_id="uploads",
        )
        with gr.Row():
            upload_btn = gr.Button("导入", variant="primary", elem_id="upload-btn")
            reindex_btn = gr.Button("重建索引", elem_id="reindex-btn")
            cancel_btn = gr.Button("取消导入", elem_id="cancel-btn")
        status = gr.HTML(elem_id="kb-status")
        table = gr.Dataframe(headers=DOC_HEADERS, value=docs, interactive=False, elem_id="doc-table")
        with gr.Row():
            pick = gr.Dropdown([str(r[0]) for r in docs], label="选择文档", elem_id="doc-pick", allow_custom_value=True)
            view_btn = gr.Button("查看结构", elem_id="view-btn")
            delete_btn = gr.Button("删除文档", variant="stop", elem_id="delete-btn")
        tree = gr.HTML(elem_id="doc-tree")

    # gr.Progress() as a default argument is how Gradio injects a progress tracker.
    def on_upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        return events.upload(files, lambda x, d: progress(x, desc=d))

    def on_reindex(progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        return events.reindex(lambda x, d: progress(x, desc=d))

    outputs = [status, table, pick]
    upload_btn.click(on_upload, [uploads], outputs, api_visibility="private")
    reindex_btn.click(on_reindex, None, outputs, api_visibility="private")
    delete_btn.click(events.delete, [pick], outputs, api_visibility="private")
    view_btn.click(events.view, [pick], [tree], api_visibility="private")
    # Not Gradio's `cancels`: that stops waiting but not the ingest thread; this stops the ingest itself.
    cancel_btn.click(events.cancel, None, [status], api_visibility="private", queue=False)
