"""Pieces more than one tab uses: the filter row and the error panel."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

KINDS = ["全部", "总结", "计划", "述职"]
PARTS = ["全部", "总结", "计划", "存在问题"]


def filters_row(options: dict[str, list[str]]) -> tuple[Any, Any, Any, Any]:
    """Township, year, report type and part dropdowns ('全部' = any); FilterChoice takes their values."""
    with gr.Row():
        township = gr.Dropdown(["全部", *options["township"]], value="全部", label="乡镇", allow_custom_value=True)
        year = gr.Dropdown(["全部", *options["year"]], value="全部", label="年份", allow_custom_value=True)
        kind = gr.Dropdown(KINDS, value="全部", label="报告类型")
        part = gr.Dropdown(PARTS, value="全部", label="部分")
    return township, year, kind, part


def error_html(message: str) -> str:
    return f'<div class="not-found">{html.escape(message)}</div>'
