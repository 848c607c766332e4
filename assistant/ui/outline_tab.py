"""起草 tab, outline first: 先生成提纲 → an editable outline (one heading a line; 上移/下移/删除/重命名 on
the picked heading) → 按提纲起草 → each section with its own 重写本节 → the assembled draft's .docx/.md.

The draft by sections lives in a gr.State (per browser session); the page has MAX_UI_SECTIONS slots.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.generation.outline import numbered
from assistant.generation.sections import NO_MATERIAL, SectionedDraft
from assistant.ui import render
from assistant.ui.outlines import (
    MAX_UI_SECTIONS,
    Outlines,
    deleted,
    headings_of,
    moved,
    outline_text,
    renamed,
)
from assistant.ui.widgets import error_html

SAME_SECTION = "本节没有找到其他可用的原文句子，内容未变；可修改本节标题后再重写。"


def pick_radio(headings: list[str], picked: str | int | None = None) -> Any:
    """The 选中标题 choices (一、… labels, index values), keeping the picked index when it still exists."""
    choices = [(numbered(n, h), str(n - 1)) for n, h in enumerate(headings, start=1)]
    value = str(picked) if picked not in (None, "") and 0 <= int(picked) < len(headings) else None
    return gr.Radio(choices=choices, value=value)


def notes_html(notes: list[str]) -> str:
    return "".join(f'<div class="src-meta">注：{html.escape(n)}</div>' for n in notes)


def section_views(outlines: Outlines, draft: SectionedDraft | None, plain: bool) -> list[Any]:
    """Status, sources, .docx, .md, then (group, heading, body) for each slot."""
    if draft is None:
        return ["", "", None, None, *[x for _ in range(MAX_UI_SECTIONS) for x in (gr.Group(visible=False), "", "")]]
    whole, bodies = draft.assembled(), draft.parts()
    files = outlines.export(draft, plain)
    status = render.writer_tag(outlines.writer_label(whole.mode)) + notes_html(whole.notes)
    docx_path, md_path = (str(f) for f in files) if files else (None, None)
    out: list[Any] = [status, render.sources_html(whole), docx_path, md_path]
    for i in range(MAX_UI_SECTIONS):
        if i >= len(draft.sections):
            out += [gr.Group(visible=False), "", ""]
            continue
        s = draft.sections[i]
        body = (
            error_html(NO_MATERIAL)
            if s.answer.abstained
            else render.answer_html(replace(whole, answer=bodies[i], notes=[], abstained=False))
        )
        out += [gr.Group(visible=True), numbered(i + 1, s.heading), body]
    return out


def outline_panel(outlines: Outlines, topic: Any, style: Any, length: Any, writer: Any, word_format: Any) -> None:
    """The outline-first controls, under the 起草 tab's topic, style, length, writer and Word format."""
    state = gr.State(None)
    with gr.Accordion("按提纲起草：先生成提纲，调整后逐节起草", open=True, elem_id="outline-panel"):
        with gr.Row():
            count = gr.Slider(3, 7, value=5, step=1, label="提纲标题数", scale=2)
            outline_btn = gr.Button("先生成提纲", elem_id="outline-btn", scale=1)
        outline_box = gr.Textbox(
            label="提纲（一行一个标题，可直接修改）", lines=5, elem_id="outline-box", interactive=True
        )
        outline_note = gr.HTML(elem_id="outline-note")
        pick = gr.Radio(choices=[], label="选中标题", elem_id="outline-pick")
        with gr.Row():
            up = gr.Button("↑ 上移", elem_id="outline-up", size="sm")
            down = gr.Button("↓ 下移", elem_id="outline-down", size="sm")
            delete = gr.Button("删除", elem_id="outline-delete", size="sm")
            new_name = gr.Textbox(label="新标题", elem_id="outline-new-name", scale=3)
            rename = gr.Button("重命名", elem_id="outline-rename", size="sm")
        sections_btn = gr.Button("按提纲起草", variant="primary", elem_id="sections-btn")
        status = gr.HTML(elem_id="sections-status")
        slots = []
        for i in range(MAX_UI_SECTIONS):
            with gr.Group(visible=False, elem_id=f"section-{i}") as group:
                heading = gr.Textbox(label=f"第{i + 1}节标题（可改后重写）", elem_id=f"section-heading-{i}")
                body = gr.HTML(elem_id=f"section-body-{i}")
                redo = gr.Button("重写本节", elem_id=f"section-redo-{i}", size="sm")
            slots.append((group, heading, body, redo))
        with gr.Row():
            docx_file = gr.File(label="下载 Word（.docx，全文）", elem_id="sections-docx")
            md_file = gr.File(label="下载 Markdown（全文）", elem_id="sections-md")
        sources = gr.HTML(elem_id="sections-sources")

    def on_outline(t: str, s: str, n: float, who: str) -> tuple[Any, ...]:
        try:
            proposed = outlines.propose(t, s, count=int(n), writer=who)
        except AssistantError as exc:
            return gr.Textbox(), error_html(str(exc)), pick_radio([])
        return outline_text(proposed.texts), notes_html(proposed.notes), pick_radio(proposed.texts)

    def on_edit(text: str, picked: str | None) -> Any:
        return pick_radio(headings_of(text), picked)

    def edit(action: Any) -> Any:
        def run(text: str, picked: str | None, name: str = "") -> tuple[Any, ...]:
            try:
                headings, at = action(headings_of(text), picked, name)
            except AssistantError as exc:
                return gr.Textbox(), pick_radio(headings_of(text), picked), error_html(str(exc))
            return outline_text(headings), pick_radio(headings, at), ""

        return run

    views = [status, sources, docx_file, md_file, *[x for g, h, b, _ in slots for x in (g, h, b)]]

    def on_sections(t: str, s: str, n: float, text: str, who: str, fmt: str) -> list[Any]:
        try:
            drafted = outlines.draft(t, headings_of(text), s, int(n), who)
        except AssistantError as exc:
            return [None, error_html(str(exc)), *section_views(outlines, None, False)[1:]]
        return [drafted, *section_views(outlines, drafted, fmt == "普通格式")]

    def on_redo(i: int) -> Any:
        def run(drafted: SectionedDraft | None, title: str, who: str, fmt: str) -> list[Any]:
            if drafted is None or i >= len(drafted.sections):
                return [drafted, error_html("请先按提纲起草。"), *[gr.skip() for _ in views[1:]]]
            try:
                old, drafted = drafted, outlines.redraft(drafted, i, title, who)
            except AssistantError as exc:
                return [drafted, error_html(str(exc)), *[gr.skip() for _ in views[1:]]]
            out = section_views(outlines, drafted, fmt == "普通格式")
            new_s, old_s = drafted.sections[i], old.sections[i]
            if (new_s.heading, new_s.answer.answer) == (old_s.heading, old_s.answer.answer):
                out[0] += notes_html([SAME_SECTION])
            return [drafted, *out]

        return run

    private: dict[str, Any] = {"api_visibility": "private"}
    outline_btn.click(on_outline, [topic, style, count, writer], [outline_box, outline_note, pick], **private)
    outline_box.input(on_edit, [outline_box, pick], [pick], **private)
    up.click(edit(lambda h, p, _n: moved(h, p, -1)), [outline_box, pick], [outline_box, pick, outline_note], **private)
    down.click(edit(lambda h, p, _n: moved(h, p, 1)), [outline_box, pick], [outline_box, pick, outline_note], **private)
    delete.click(
        edit(lambda h, p, _n: (deleted(h, p), None)), [outline_box, pick], [outline_box, pick, outline_note], **private
    )
    rename.click(
        edit(lambda h, p, n: (renamed(h, p, n), p)),
        [outline_box, pick, new_name],
        [outline_box, pick, outline_note],
        **private,
    )
    sections_btn.click(
        on_sections, [topic, style, length, outline_box, writer, word_format], [state, *views], **private
    )
    for i, (_, heading, _, redo) in enumerate(slots):
        redo.click(on_redo(i), [state, heading, writer, word_format], [state, *views], **private)
