"""Pieces more than one tab uses: the filter row and the error panel."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from assistant.ui.reader import WriterOptions

KINDS = ["全部", "总结", "计划", "述职"]
PARTS = ["全部", "总结", "计划", "存在问题"]


def filters_row(options: dict[str, list[str]]) -> tuple[Any, Any, Any, Any]:
    """Township, year, report type and part dropdowns ('全部' = any); FilterChoice takes their values."""
    with gr.Row():
        township = gr.Dropdown(["全部", *options["township"]], value="全部", label="地区", allow_custom_value=True)
        year = gr.Dropdown(["全部", *options["year"]], value="全部", label="年份", allow_custom_value=True)
        kind = gr.Dropdown(KINDS, value="全部", label="报告类型")
        part = gr.Dropdown(PARTS, value="全部", label="部分")
    return township, year, kind, part


def writer_radio(options: WriterOptions, elem_id: str) -> Any:
    """The 作答方式 switch: the model or 原文摘录 (its value: llm | extractive)."""
    return gr.Radio(
        options.choices,
        value=options.value,
        label="作答方式",
        info=options.info,
        interactive=len(options.choices) > 1,
        elem_id=elem_id,
    )


def error_html(message: str) -> str:
    return f'<div class="not-found">{html.escape(message)}</div>'
