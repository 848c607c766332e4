"""起草: topic, style and length in; a cited draft with its sources and .docx/.md downloads out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.ui import render
from assistant.ui.drafts import Drafts
from assistant.ui.feedback_panel import draft_target
from assistant.ui.outline_tab import outline_panel
from assistant.ui.outlines import Outlines
from assistant.ui.reader import WriterOptions
from assistant.ui.widgets import error_html, writer_radio


def drafted(
    drafts: Drafts, topic: str, style: str, length: float, writer: str | None = None, plain: bool = False
) -> tuple[Any, ...]:
    """(draft panel, sources panel, .docx path, .md path, what a 👍/👎 on it records); the downloads stay
    empty when it abstained. `writer`: the page's 作答方式 switch (llm | extractive); `plain`: a plain .docx
    instead of 公文 format."""
    try:
        answer, docx_path, md_path = drafts.draft(topic, style, int(length), writer=writer, plain=plain)
    except AssistantError as exc:  # bad input, a store or server that fails
        return error_html(str(exc)), "", None, None, None
    label = drafts.writer_label(answer.mode)
    return (
        render.answer_html(answer, label),
        render.sources_html(answer),
        str(docx_path) if docx_path else None,
        str(md_path) if md_path else None,
        draft_target(answer, label, f"{topic.strip()}（{style}）"),
    )


def draft_tab(
    drafts: Drafts,
    writers: WriterOptions,
    outlines: Outlines | None = None,
    feedback: Callable[[Any], None] | None = None,
) -> None:
    """`outlines`: the outline-first panel (ui/outline_tab.py); `feedback(state)`: builds the 👍/👎 row and
    form under the draft (ui/feedback_panel.py)."""
    last_draft = gr.State(None)
    with gr.Tab("起草", id="draft"):
        with gr.Row():
            topic = gr.Textbox(
                label="起草主题", placeholder="例如：安民乡2023年红色旅游工作总结", scale=4, elem_id="topic"
            )
            style = gr.Radio(["总结", "计划"], value="总结", label="文体", scale=1)
            length = gr.Slider(100, 2000, value=400, step=50, label="大致字数", scale=2)
        writer = writer_radio(writers, "draft-writer")
        word_format = gr.Radio(["公文格式", "普通格式"], value="公文格式", label="Word 格式", elem_id="docx-format")
        draft_btn = gr.Button("起草", variant="primary", elem_id="draft-btn")
        with gr.Row():
            with gr.Column(scale=3):
                draft_box = gr.HTML(elem_id="draft-box")
                if feedback is not None:
                    feedback(last_draft)
                with gr.Row():
                    docx_file = gr.File(label="下载 Word（.docx）", elem_id="docx-file")
                    md_file = gr.File(label="下载 Markdown", elem_id="md-file")
            with gr.Column(scale=2):
                draft_sources = gr.HTML(elem_id="draft-sources")
        if outlines is not None:
            outline_panel(outlines, topic, style, length, writer, word_format)

    def on_draft(t: str, s: str, n: float, who: str, fmt: str) -> tuple[Any, ...]:
        return drafted(drafts, t, s, n, who, plain=fmt == "普通格式")

    outputs = [draft_box, draft_sources, docx_file, md_file, last_draft]
    draft_btn.click(on_draft, [topic, style, length, writer, word_format], outputs, api_visibility="private")
