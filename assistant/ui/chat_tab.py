"""问答: the chat with its answer panel, sources panel, filters, stop button and examples."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.types import Answer
from assistant.ui import render
from assistant.ui.answers import Answers
from assistant.ui.inputs import FilterChoice
from assistant.ui.reader import WriterOptions
from assistant.ui.widgets import error_html, filters_row, writer_radio

EXAMPLES = [
    "安民乡推出了几条红色旅游精品线路？",
    "X乡2023年完成了多少财税收入？",
    "各乡2023年调解矛盾纠纷分别有多少起？",
]
Message = dict[str, Any]
_WRITER_LINE = "\n（作答：{}）"
_WRITER_TAIL = re.compile(r"\n（作答：[^\n]*）\Z")


def said(role: str, text: str, writer: str | None = None) -> Message:
    """A chat message, with what wrote it on a line of its own when given. The Chatbot renders content as
    (sanitised) HTML even without markdown, and keeps <img>: everything is escaped so document or model
    text can only ever show as text."""
    tail = _WRITER_LINE.format(writer) if writer else ""
    return {"role": role, "content": html.escape(text + tail)}


def model_history(messages: Sequence[Message]) -> list[dict[str, str]]:
    """The chat as the answer path reads it (follow-ups): plain text, without the 作答 line. The page sends
    messages back with their content as text parts and escaped as `said` made it."""
    out = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, list):
            content = "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content if p)
        text = _WRITER_TAIL.sub("", html.unescape(str(content or "")))
        out.append({"role": str(m.get("role", "user")), "content": text})
    return out


def respond(
    answers: Answers, q: str, history: list[Message], choice: FilterChoice, writer: str | None = None
) -> Iterator[tuple[Any, ...]]:
    """(chat, answer panel, sources panel, question box) as the answer streams in, then the verified answer.
    `writer`: the page's 作答方式 switch (llm | extractive)."""
    history = list(history or [])
    q = (q or "").strip()
    if not q:
        yield history, error_html("请输入问题。"), gr.skip(), gr.skip()
        return
    history += [said("user", q), said("assistant", "正在检索……")]
    yield history, "", gr.skip(), ""
    partial = ""
    try:
        for piece in answers.ask_stream(q, choice, model_history(history[:-2]), writer):
            if isinstance(piece, Answer):
                label = answers.writer_label(piece.mode)
                history[-1] = said("assistant", piece.answer, label)
                yield history, render.answer_html(piece, label), render.sources_html(piece), ""
            else:
                partial += piece
                history[-1] = said("assistant", partial + " ▌")
                yield history, "", gr.skip(), ""
    except AssistantError as exc:  # bad input, a store or server that fails
        history[-1] = said("assistant", str(exc))
        yield history, error_html(str(exc)), gr.skip(), ""
    except Exception as exc:  # keep the chat alive; say what failed
        message = f"出错了：{type(exc).__name__}: {exc}"
        history[-1] = said("assistant", message)
        yield history, error_html(message), gr.skip(), ""


def chat_tab(answers: Answers, options: dict[str, list[str]], writers: WriterOptions) -> None:
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
            filters = filters_row(options)
            writer = writer_radio(writers, "chat-writer")
            gr.Examples(EXAMPLES, inputs=question)
        with gr.Column(scale=2):
            sources = gr.HTML(elem_id="sources")

    def on_ask(
        q: str, history: list[Message], town: str, year: str, kind: str, part: str, who: str
    ) -> Iterator[tuple[Any, ...]]:
        yield from respond(answers, q, history, FilterChoice(town, year, kind, part), who)

    inputs, outputs = [question, chatbot, *filters, writer], [chatbot, answer_box, sources, question]
    sent = send.click(on_ask, inputs, outputs, api_visibility="private")
    submitted = question.submit(on_ask, inputs, outputs, api_visibility="private")
    stop.click(None, None, None, cancels=[sent, submitted])
