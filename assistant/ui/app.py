"""The Gradio app: 问答 · 起草 · 知识库 · 检索测试, plus the named API endpoints `ask` and `draft`."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.ingest.pipeline import IngestReport
from assistant.types import Answer
from assistant.ui import render
from assistant.ui.handlers import AppService, FilterChoice, UserError

KINDS = ["全部", "总结", "计划", "述职"]
PARTS = ["全部", "总结", "计划", "存在问题"]
EXAMPLES = [
    "安民乡推出了几条红色旅游精品线路？",
    "X乡2023年完成了多少财税收入？",
    "各乡2023年调解矛盾纠纷分别有多少起？",
]


def _report_html(report: IngestReport) -> str:
    e = html.escape
    lines = [
        f"<p>文件 {report.files} 个：新增 {report.added}，更新 {report.updated}，未变 {report.unchanged}，"
        f"移除 {report.removed}；知识库共 {report.chunks} 段。</p>"
    ]
    if report.errors:
        items = "".join(f"<li><b>{e(Path(x['path']).name)}</b>：{e(x['error'])}</li>" for x in report.errors)
        lines.append(f'<div class="not-found">以下文件未导入：<ul>{items}</ul></div>')
    return "".join(lines)


def _error_html(message: str) -> str:
    return f'<div class="not-found">{html.escape(message)}</div>'


def build_app(app: AppService, settings: Settings) -> gr.Blocks:
    """The whole UI, built from the services (no global state)."""
    options = app.filter_options()

    def filters_row() -> tuple[Any, Any, Any, Any]:
        with gr.Row():
            township = gr.Dropdown(["全部", *options["township"]], value="全部", label="乡镇", allow_custom_value=True)
            year = gr.Dropdown(["全部", *options["year"]], value="全部", label="年份", allow_custom_value=True)
            kind = gr.Dropdown(KINDS, value="全部", label="报告类型")
            part = gr.Dropdown(PARTS, value="全部", label="部分")
        return township, year, kind, part

    with gr.Blocks(title="乡镇工作报告助手") as demo:
        gr.Markdown("## 乡镇工作报告助手\n回答只依据知识库中的报告，每句都注明出处；资料中没有的，会直接说明。")
        with gr.Tab("问答", id="chat"), gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="对话", height=380, buttons=["copy", "copy_all"], render_markdown=False)
                answer_box = gr.HTML(elem_id="answer-box")
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="输入问题，例如：安民乡推出了几条红色旅游精品线路？",
                        show_label=False,
                        scale=5,
                        elem_id="question",
                    )
                    send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
                    stop = gr.Button("停止", scale=1, elem_id="stop")
                f_town, f_year, f_kind, f_part = filters_row()
                gr.Examples(EXAMPLES, inputs=question)
            with gr.Column(scale=2):
                sources = gr.HTML(elem_id="sources")

        with gr.Tab("起草", id="draft"):
            with gr.Row():
                topic = gr.Textbox(
                    label="起草主题", placeholder="例如：安民乡2023年红色旅游工作总结", scale=4, elem_id="topic"
                )
                style = gr.Radio(["总结", "计划"], value="总结", label="文体", scale=1)
                length = gr.Slider(100, 2000, value=400, step=50, label="大致字数", scale=2)
            draft_btn = gr.Button("起草", variant="primary", elem_id="draft-btn")
            with gr.Row():
                with gr.Column(scale=3):
                    draft_box = gr.HTML(elem_id="draft-box")
                    with gr.Row():
                        docx_file = gr.File(label="下载 Word（.docx）", elem_id="docx-file")
                        md_file = gr.File(label="下载 Markdown", elem_id="md-file")
                with gr.Column(scale=2):
                    draft_sources = gr.HTML(elem_id="draft-sources")

        with gr.Tab("知识库", id="kb"):
            uploads = gr.File(
                label=f"上传报告（.txt .md .docx .pdf，单个不超过 {settings.max_upload_mb} MB）",
                file_count="multiple",
                file_types=[".txt", ".md", ".docx", ".pdf"],
                elem_id="uploads",
            )
            with gr.Row():
                upload_btn = gr.Button("导入", variant="primary", elem_id="upload-btn")
                reindex_btn = gr.Button("重建索引", elem_id="reindex-btn")
            kb_status = gr.HTML(elem_id="kb-status")
            doc_table = gr.Dataframe(
                headers=["文档", "标题", "乡镇", "年份", "类型", "段落数"],
                value=app.documents(),
                interactive=False,
                elem_id="doc-table",
            )
            with gr.Row():
                doc_pick = gr.Dropdown(
                    [str(r[0]) for r in app.documents()], label="选择文档", elem_id="doc-pick", allow_custom_value=True
                )
                view_btn = gr.Button("查看结构", elem_id="view-btn")
                delete_btn = gr.Button("删除文档", variant="stop", elem_id="delete-btn")
            doc_tree = gr.HTML(elem_id="doc-tree")

        with gr.Tab("检索测试", id="retrieval"):
            with gr.Row():
                rt_query = gr.Textbox(label="检索内容", scale=4, elem_id="rt-query")
                rt_mode = gr.Radio(["hybrid", "dense", "lexical"], value="hybrid", label="模式", scale=2)
                rt_k = gr.Slider(1, 30, value=10, step=1, label="条数", scale=1)
            rt_town, rt_year, rt_kind, rt_part = filters_row()
            rt_btn = gr.Button("检索", variant="primary", elem_id="rt-btn")
            rt_table = gr.Dataframe(headers=render.RETRIEVAL_HEADERS, interactive=False, wrap=True, elem_id="rt-table")

        # ---- handlers -------------------------------------------------------------------------
        def said(role: str, text: str) -> dict[str, str]:
            # The Chatbot renders content as (sanitised) HTML even without markdown, and keeps <img>:
            # escape everything so document or model text can only ever show as text.
            return {"role": role, "content": html.escape(text)}

        def on_ask(
            q: str, history: list[dict[str, str]], town: str, year: str, kind: str, part: str
        ) -> Iterator[tuple[Any, ...]]:
            history = list(history or [])
            q = (q or "").strip()
            if not q:
                yield history, _error_html("请输入问题。"), gr.skip(), gr.skip()
                return
            history.append(said("user", q))
            history.append(said("assistant", "正在检索……"))
            yield history, "", gr.skip(), ""
            partial = ""
            try:
                for piece in app.ask_stream(q, FilterChoice(town, year, kind, part), history[:-2]):
                    if isinstance(piece, Answer):
                        history[-1] = said("assistant", piece.answer)
                        yield history, render.answer_html(piece), render.sources_html(piece), ""
                    else:
                        partial += piece
                        history[-1] = said("assistant", partial + " ▌")
                        yield history, "", gr.skip(), ""
            except UserError as exc:
                history[-1] = said("assistant", str(exc))
                yield history, _error_html(str(exc)), gr.skip(), ""
            except Exception as exc:  # keep the chat alive; say what failed
                message = f"出错了：{type(exc).__name__}: {exc}"
                history[-1] = said("assistant", message)
                yield history, _error_html(message), gr.skip(), ""

        ask_inputs = [question, chatbot, f_town, f_year, f_kind, f_part]
        ask_outputs = [chatbot, answer_box, sources, question]
        ev1 = send.click(on_ask, ask_inputs, ask_outputs, api_visibility="private")
        ev2 = question.submit(on_ask, ask_inputs, ask_outputs, api_visibility="private")
        stop.click(None, None, None, cancels=[ev1, ev2])

        def on_draft(t: str, s: str, n: float) -> tuple[Any, ...]:
            try:
                answer, docx_path, md_path = app.draft(t, s, int(n))
            except UserError as exc:
                return _error_html(str(exc)), "", None, None
            return (
                render.answer_html(answer),
                render.sources_html(answer),
                str(docx_path) if docx_path else None,
                str(md_path) if md_path else None,
            )

        draft_btn.click(
            on_draft, [topic, style, length], [draft_box, draft_sources, docx_file, md_file], api_visibility="private"
        )

        def refreshed(status: str) -> tuple[Any, ...]:
            docs = app.documents()
            return status, docs, gr.Dropdown(choices=[str(r[0]) for r in docs])

        def on_upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
            try:
                report = app.upload([Path(f) for f in files or []], progress=lambda x, d: progress(x, desc=d))
            except UserError as exc:
                return refreshed(_error_html(str(exc)))
            return refreshed(_report_html(report))

        def on_reindex(progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
            return refreshed(_report_html(app.reindex(progress=lambda x, d: progress(x, desc=d))))

        def on_delete(doc_id: str) -> tuple[Any, ...]:
            try:
                n = app.delete(doc_id)
            except UserError as exc:
                return refreshed(_error_html(str(exc)))
            return refreshed(f"<p>已删除 {html.escape(doc_id)}（{n} 段）。</p>")

        def on_view(doc_id: str) -> str:
            try:
                title, chunks = app.doc_view(doc_id)
            except UserError as exc:
                return _error_html(str(exc))
            return render.tree_html(title, chunks)

        kb_outputs = [kb_status, doc_table, doc_pick]
        upload_btn.click(on_upload, [uploads], kb_outputs, api_visibility="private")
        reindex_btn.click(on_reindex, None, kb_outputs, api_visibility="private")
        delete_btn.click(on_delete, [doc_pick], kb_outputs, api_visibility="private")
        view_btn.click(on_view, [doc_pick], [doc_tree], api_visibility="private")

        def on_retrieval(q: str, mode: str, k: float, town: str, year: str, kind: str, part: str) -> Any:
            try:
                passages = app.retrieval_test(q, mode, int(k), FilterChoice(town, year, kind, part))
            except UserError as exc:
                raise gr.Error(str(exc)) from exc
            return render.retrieval_rows(passages)

        rt_btn.click(
            on_retrieval,
            [rt_query, rt_mode, rt_k, rt_town, rt_year, rt_kind, rt_part],
            [rt_table],
            api_visibility="private",
        )

        # ---- API: the same JSON as `assistant ask --json` / `assistant draft --json` -----------
        def ask_api(question: str) -> dict[str, Any]:
            try:
                return app.ask(question).to_json()
            except UserError as exc:
                raise gr.Error(str(exc)) from exc

        def draft_api(topic: str) -> dict[str, Any]:
            try:
                return app.draft(topic)[0].to_json()
            except UserError as exc:
                raise gr.Error(str(exc)) from exc

        gr.api(ask_api, api_name="ask")
        gr.api(draft_api, api_name="draft")
    return demo
