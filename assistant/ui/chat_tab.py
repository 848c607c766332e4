"""问答: the chat (each answer shown once, in its message, `[n]` clickable), sources panel, filters, stop, examples."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.types import Answer
from assistant.ui import render
from assistant.ui.answers import Answers
from assistant.ui.inputs import FilterChoice
from assistant.ui.reader import WriterOptions
from assistant.ui.users import user_of
from assistant.ui.widgets import error_html, filters_row, writer_radio

if TYPE_CHECKING:
    from assistant.ui.conversations import ConversationLog

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


def answered(answer: Answer, writer: str) -> Message:
    """The verified answer as its chat message, shown once, there: render.answer_html (what wrote it,
    `[n]` as clickable superscripts, ⚠ on sentences with unsupported numbers, the notes)."""
    return {"role": "assistant", "content": render.answer_html(answer, writer)}


def failed(message: str) -> Message:
    return {"role": "assistant", "content": error_html(message)}


_APP_PARTS = re.compile(r'<div class="(?:writer-tag|src-meta)">.*?</div>|<span class="unsupported"[^>]*>⚠ ', re.S)
_TAG = re.compile(r"<[^>]*>")


def plain(content: str) -> str:
    """A message's text as the user and the model read it: the app's markup (tags, the 作答 tag and line,
    notes, ⚠) removed, entities unescaped. Document text in it was escaped, so every tag is the app's."""
    text = _TAG.sub("", _APP_PARTS.sub("", content))
    return _WRITER_TAIL.sub("", html.unescape(text))


def model_history(messages: Sequence[Message]) -> list[dict[str, str]]:
    """The chat as the answer path reads it (follow-ups): plain text, without the 作答 line. The page sends
    messages back with their content as text parts, as `said` / `answered` made it."""
    out = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, list):
            content = "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content if p)
        out.append({"role": str(m.get("role", "user")), "content": plain(str(content or ""))})
    return out


def respond(
    answers: Answers,
    q: str,
    history: list[Message],
    choice: FilterChoice,
    writer: str | None = None,
    cited: list[list[dict[str, str]]] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """(chat, sources panel, question box, citations per answer) as the answer streams in, then the
    verified answer. `writer`: the page's 作答方式 switch (llm | extractive). `cited` holds, for each
    assistant message in order, its citations (n, doc, chunk, quote): what a click on its `[n]` opens."""
    history = list(history or [])
    cited = list(cited or [])
    q = (q or "").strip()
    if not q:
        yield history, gr.skip(), gr.skip(), cited
        return
    history += [said("user", q), said("assistant", "正在检索……")]
    cited.append([])
    yield history, gr.skip(), "", cited
    partial = ""
    try:
        for piece in answers.ask_stream(q, choice, model_history(history[:-2]), writer):
            if isinstance(piece, Answer):
                history[-1] = answered(piece, answers.writer_label(piece.mode))
                cited[-1] = [
                    {"n": str(c.n), "doc": c.doc, "chunk": c.chunk_id, "quote": c.quote}
                    | {"title": c.title, "section": c.section}  # for a saved conversation's export
                    for c in piece.citations
                ]
                yield history, render.sources_html(piece, len(cited) - 1), "", cited
            else:
                partial += piece
                history[-1] = said("assistant", partial + " ▌")
                yield history, gr.skip(), "", cited
    except AssistantError as exc:  # bad input, a store or server that fails
        history[-1] = failed(str(exc))
        yield history, gr.skip(), "", cited
    except Exception as exc:  # keep the chat alive; say what failed
        history[-1] = failed(f"出错了：{type(exc).__name__}: {exc}")
        yield history, gr.skip(), "", cited


@dataclass
class ChatParts:
    """What the document view's wiring needs from the chat tab."""

    chatbot: Any
    cited: Any
    conversation: Any = None  # the saved conversation's id (None: not saved yet)
    sources: Any = None
    side: Any = None  # what `side` built
    asked: list[Any] = field(default_factory=list)  # the ask events (send, Enter)


def chat_tab(
    answers: Answers,
    options: dict[str, list[str]],
    writers: WriterOptions,
    saved: ConversationLog | None = None,
    side: Callable[[], Any] | None = None,
    feedback: Callable[[Any, Any, Sequence[Any]], None] | None = None,
) -> ChatParts:
    """`saved`: each answered turn is saved there for the asking user; `side` builds the column left
    of the chat (the saved conversations' list, ui/history.py); `feedback(chatbot, cited, filters)`:
    builds the answers' 👍/👎 form below the examples (ui/feedback_panel.py)."""
    panel = None
    cited = gr.State([])
    conversation = gr.State(None)
    with gr.Tab("问答", id="chat"), gr.Row():
        if side is not None:
            with gr.Column(scale=1, min_width=220):
                panel = side()
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="对话", height=420, buttons=["copy", "copy_all"], render_markdown=False, elem_id="chatbot"
            )
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
            gr.Examples(EXAMPLES, inputs=question, label="示例问题")
            if feedback is not None:
                feedback(chatbot, cited, filters)
        with gr.Column(scale=2):
            sources = gr.HTML(elem_id="sources")

    def on_ask(
        q: str,
        history: list[Message],
        town: str,
        year: str,
        kind: str,
        part: str,
        who: str,
        cites: list[list[dict[str, str]]],
        conversation_id: str | None,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        out: tuple[Any, ...] = ()
        for out in respond(answers, q, history, FilterChoice(town, year, kind, part), who, cites):
            yield (*out, gr.skip())
        if saved is not None and (q or "").strip() and out:  # the answered turn, as the server made it
            try:
                saved_id = saved.record(user_of(request), conversation_id, out[0][-2:], out[3][-1])
            except AssistantError as exc:  # the answer stays on the page, unsaved
                gr.Warning(str(exc))
                return
            yield (*[gr.skip()] * 4, saved_id)

    inputs = [question, chatbot, *filters, writer, cited, conversation]
    outputs = [chatbot, sources, question, cited, conversation]
    sent = send.click(on_ask, inputs, outputs, api_visibility="private")
    submitted = question.submit(on_ask, inputs, outputs, api_visibility="private")
    stop.click(None, None, None, cancels=[sent, submitted])
    # 清空对话: the citations go with the answers; the next question starts a new saved conversation
    chatbot.clear(lambda: ([], None), None, [cited, conversation], api_visibility="private")
    return ChatParts(chatbot, cited, conversation, sources, panel, [sent, submitted])
