"""👍/👎 under each chat answer (the Chatbot's like buttons) and under the draft (two buttons), then a
small form: 原因 (five reasons), 正确答案, 依据段落 (the answer's retrieved passages, or one found with
the search box). A 👍 is recorded at once; a 👎 when the form is sent. Stored in feedback.sqlite with
the user of the request (ui/users.py)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.feedback.store import REASONS, Feedback, FeedbackStore
from assistant.types import Answer, Passage
from assistant.ui.answers import Answers
from assistant.ui.chat_tab import plain
from assistant.ui.inputs import FilterChoice
from assistant.ui.users import user_of
from assistant.ui.widgets import error_html

Target = dict[str, Any]  # what the feedback is about: kind, question, answer, citations, mode, model, filters, passages
_WRITER_TAG = re.compile(r'<div class="writer-tag">作答：(.*?)</div>', re.S)
NO_PASSAGE = "（不选）"
RATING_LABELS = {"up": "👍 赞", "down": "👎 踩"}
PASSAGES = 8  # retrieved passages offered as 依据段落


def passage_json(p: Passage) -> dict[str, str]:
    return {"doc": p.doc_id, "text": p.text, "chunk": p.chunk_id}


def draft_target(answer: Answer, model: str, topic: str) -> Target:
    """What a 👍/👎 on this draft records (the draft tab keeps it in a State)."""
    return {
        "kind": "draft",
        "question": topic,
        "answer": answer.answer,
        "citations": [c.to_json() for c in answer.citations],
        "mode": answer.mode,
        "model": model,
        "filters": {},
        "passages": [passage_json(p) for p in answer.passages[:PASSAGES]],
    }


def _content(message: Any) -> str:
    content = message.get("content") if isinstance(message, dict) else message
    if isinstance(content, list):
        content = "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content if p)
    return str(content or "")


def passage_choices(passages: Sequence[dict[str, str]]) -> list[tuple[str, str]]:
    """The 依据段落 dropdown: (label, index into the target's passages)."""
    choices = [(NO_PASSAGE, "")]
    for i, p in enumerate(passages):
        text = " ".join(p["text"].split())
        choices.append((f"[{i + 1}] {p['doc']}：{text[:60]}{'…' if len(text) > 60 else ''}", str(i)))
    return choices


class FeedbackPanel:
    """The form's logic, without Gradio: build a target from a chat message, record a rating."""

    def __init__(self, store: FeedbackStore, answers: Answers) -> None:
        self.store = store
        self.answers = answers

    def chat_target(
        self, history: list[Any], index: int, cited: list[list[dict[str, str]]], choice: FilterChoice
    ) -> Target:
        """The chat answer at `index` (the question is the user message before it); its passages are the
        retrieval for that question with the chat's filters, the cited ones first."""
        message = history[index]
        content = _content(message)
        question = next(
            (plain(_content(m)) for m in reversed(history[:index]) if isinstance(m, dict) and m.get("role") == "user"),
            "",
        )
        nth = sum(1 for m in history[:index] if isinstance(m, dict) and m.get("role") == "assistant")
        cites = cited[nth] if nth < len(cited) else []
        tag = _WRITER_TAG.search(content)
        model = html.unescape(tag.group(1)) if tag else ""
        passages: list[dict[str, str]] = []
        if question:
            try:
                found = self.answers.retrieval_test(question, k=PASSAGES, choice=choice)
            except AssistantError:
                found = []
            cited_chunks = [c.get("chunk") for c in cites]
            found.sort(key=lambda p: (p.chunk_id not in cited_chunks, p.rank))
            passages = [passage_json(p) for p in found]
        chosen = choice.to_filters()
        filters = {
            k: getattr(chosen, k) for k in ("township", "year", "kind", "part") if getattr(chosen, k) is not None
        }
        return {
            "kind": "answer",
            "question": question,
            "answer": plain(content),
            "citations": cites,
            "mode": "extractive" if model == self.answers.writer_label("extractive") else ("llm" if model else ""),
            "model": model,
            "filters": filters,
            "passages": passages,
        }

    def search(self, target: Target | None, query: str) -> Target:
        """The target with the passages found for `query` added after its own (the dropdown's choices)."""
        target = dict(target or {})
        found = self.answers.retrieval_test(query, k=5)
        known = {p.get("chunk") for p in target.get("passages", [])}
        target["passages"] = [*target.get("passages", []), *(passage_json(p) for p in found if p.chunk_id not in known)]
        return target

    def record(
        self, target: Target, rating: str, reason: str = "", correction: str = "", pick: str = "", user: str = ""
    ) -> int:
        passages = target.get("passages") or []
        chosen = passages[int(pick)] if pick not in (None, "") and int(pick) < len(passages) else None
        return self.store.add(
            Feedback(
                kind=target.get("kind", "answer"),
                question=target.get("question", ""),
                answer=target.get("answer", ""),
                citations=list(target.get("citations") or []),
                mode=target.get("mode", ""),
                model=target.get("model", ""),
                filters=dict(target.get("filters") or {}),
                rating=rating,
                reason=reason or "",
                correction=correction or "",
                evidence_doc=chosen["doc"] if chosen else "",
                evidence_quote=chosen["text"] if chosen else "",
                user=user,
            )
        )


@dataclass
class Form:
    group: Any
    target: Any
    reason: Any
    correction: Any
    passage: Any
    query: Any
    search: Any
    send: Any
    status: Any


def feedback_form(prefix: str) -> Form:
    """The 👎 form (hidden until a 👎) and the status line; elem_ids start with `prefix`."""
    target = gr.State(None)
    with gr.Group(visible=False, elem_id=f"{prefix}-form") as group:
        gr.Markdown("**哪里不对？** 选原因；知道正确答案就填上，并选出写着它的段落：这条会加入回归集。")
        reason = gr.Radio(list(REASONS), label="原因", elem_id=f"{prefix}-reason")
        correction = gr.Textbox(
            label="正确答案（可选）", placeholder="例如：1200万元", lines=2, elem_id=f"{prefix}-correction"
        )
        passage = gr.Dropdown([(NO_PASSAGE, "")], value="", label="依据段落（可选）", elem_id=f"{prefix}-passage")
        with gr.Row():
            query = gr.Textbox(show_label=False, placeholder="检索其他段落", scale=4, elem_id=f"{prefix}-query")
            search = gr.Button("检索段落", scale=1, elem_id=f"{prefix}-search")
        send = gr.Button("提交反馈", variant="primary", elem_id=f"{prefix}-send")
    status = gr.HTML(elem_id=f"{prefix}-status")
    return Form(group, target, reason, correction, passage, query, search, send, status)


def _saved(n: int, rating: str) -> str:
    return f"<p>已记录反馈 #{n}（{RATING_LABELS[rating]}），谢谢。</p>"


def _opened(panel: FeedbackPanel, target: Target, rating: str, request: Any) -> tuple[Any, ...]:
    """(form group, target, reason, correction, passage, status) after a 👍 (recorded) or 👎 (form shown)."""
    if rating == "up":
        try:
            n = panel.record(target, "up", user=user_of(request))
        except AssistantError as exc:
            return gr.Group(visible=False), None, gr.skip(), gr.skip(), gr.skip(), error_html(str(exc))
        return gr.Group(visible=False), None, gr.skip(), gr.skip(), gr.skip(), _saved(n, "up")
    choices = passage_choices(target["passages"])
    return gr.Group(visible=True), target, None, "", gr.Dropdown(choices=choices, value=""), ""


def wire_form(panel: FeedbackPanel, form: Form) -> None:
    """The form's search and send buttons."""

    def on_search(target: Target | None, query: str) -> tuple[Any, ...]:
        try:
            target = panel.search(target, query)
        except AssistantError as exc:
            return gr.skip(), gr.skip(), error_html(str(exc))
        choices = passage_choices(target["passages"])
        first = choices[len(choices) - 1][1] if len(choices) > 1 else ""
        new = [c for c in choices[1:] if int(c[1]) >= len(target["passages"]) - 5]
        return target, gr.Dropdown(choices=choices, value=new[0][1] if new else first), ""

    def on_send(target: Target | None, reason: str, correction: str, pick: str, request: gr.Request) -> tuple[Any, ...]:
        if not target:
            return gr.skip(), error_html("请先点 👎 选择要反馈的回答。")
        try:
            n = panel.record(target, "down", reason, correction, pick, user_of(request))
        except AssistantError as exc:
            return gr.skip(), error_html(str(exc))
        return gr.Group(visible=False), _saved(n, "down")

    form.search.click(
        on_search, [form.target, form.query], [form.target, form.passage, form.status], api_visibility="private"
    )
    form.send.click(
        on_send,
        [form.target, form.reason, form.correction, form.passage],
        [form.group, form.status],
        api_visibility="private",
    )


def chat_feedback(panel: FeedbackPanel, chatbot: Any, cited: Any, filters: Sequence[Any]) -> None:
    """The chat answers' 👍/👎 (Chatbot.like) and the form, placed where it is called."""
    form = feedback_form("chat-fb")
    outputs = [form.group, form.target, form.reason, form.correction, form.passage, form.status]

    def like(
        history: list[Any],
        cites: list[list[dict[str, str]]],
        town: str,
        year: str,
        kind: str,
        part: str,
        data: gr.LikeData,
        request: gr.Request,
    ) -> tuple[Any, ...]:
        if not isinstance(data.liked, bool):  # only 赞 (True) and 踩 (False) are offered
            return tuple(gr.skip() for _ in outputs)
        index = data.index if isinstance(data.index, int) else data.index[0]
        target = panel.chat_target(history, index, cites or [], FilterChoice(town, year, kind, part))
        return _opened(panel, target, "up" if data.liked else "down", request)

    chatbot.like(like, [chatbot, cited, *filters], outputs, api_visibility="private")
    wire_form(panel, form)


def draft_feedback(panel: FeedbackPanel, last_draft: Any) -> None:
    """👍/👎 buttons for the draft in `last_draft` (a State holding draft_target or None), and the form."""
    with gr.Row():
        up = gr.Button("👍 有帮助", size="sm", elem_id="draft-up", scale=0, min_width=100)
        down = gr.Button("👎 有问题", size="sm", elem_id="draft-down", scale=0, min_width=100)
    form = feedback_form("draft-fb")
    outputs = [form.group, form.target, form.reason, form.correction, form.passage, form.status]

    def rated(rating: str) -> Any:
        def on_rate(target: Target | None, request: gr.Request) -> tuple[Any, ...]:
            if not target:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), error_html("请先起草，再评价。")
            return _opened(panel, target, rating, request)

        return on_rate

    up.click(rated("up"), [last_draft], outputs, api_visibility="private")
    down.click(rated("down"), [last_draft], outputs, api_visibility="private")
    wire_form(panel, form)
