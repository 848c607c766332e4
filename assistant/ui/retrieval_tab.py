"""检索测试: the hybrid ranking of a query with fused, vector and BM25 scores and ranks."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.ui import render
from assistant.ui.answers import Answers
from assistant.ui.inputs import FilterChoice
from assistant.ui.widgets import filters_row

# Shown in Chinese, sent as the retriever's mode names (retrieval.RETRIEVAL_MODES).
MODES = [("混合（向量+BM25）", "hybrid"), ("向量", "dense"), ("BM25 关键词", "lexical")]


def ranked(answers: Answers, q: str, mode: str, k: float, choice: FilterChoice) -> list[list[object]]:
    """The table rows; a bad query shows as a Gradio error toast."""
    try:
        passages = answers.retrieval_test(q, mode, int(k), choice)
    except AssistantError as exc:  # bad input, a store or server that fails
        raise gr.Error(str(exc)) from exc
    return render.retrieval_rows(passages)


def retrieval_tab(answers: Answers, options: dict[str, list[str]]) -> None:
    with gr.Tab("检索测试", id="retrieval"):
        with gr.Row():
            query = gr.Textbox(label="检索内容", scale=4, elem_id="rt-query")
            mode = gr.Radio(MODES, value="hybrid", label="模式", scale=2)
            k = gr.Slider(1, 30, value=10, step=1, label="条数", scale=1)
        filters = filters_row(options)
        button = gr.Button("检索", variant="primary", elem_id="rt-btn")
        table = gr.Dataframe(headers=render.RETRIEVAL_HEADERS, interactive=False, wrap=True, elem_id="rt-table")

    def on_retrieval(q: str, m: str, n: float, town: str, year: str, kind: str, part: str) -> Any:
        return ranked(answers, q, m, n, FilterChoice(town, year, kind, part))

    button.click(on_retrieval, [query, mode, k, *filters], [table], api_visibility="private")
