"""我的对话: the saved conversations beside the chat (问答 tab): 新对话, reopen, 重命名, 删除 (confirmed),
导出 (.docx / .md with the citations). On page load the conversation this browser had open is reopened
for its user (a refresh, or a server restart, shows it again); a browser that had none starts a new one.

The browser remembers only {user: conversation id} (gr.BrowserState, localStorage); what it names is
loaded for the request's user alone, so an id of someone else's conversation opens nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.ui import render
from assistant.ui.chat_tab import ChatParts
from assistant.ui.conversations import ConversationLog
from assistant.ui.users import user_of
from assistant.ui.widgets import error_html

# Not a secret: the stored value is only an id the server checks against the request's user.
_BROWSER_KEY = "assistant-conversation"
_BROWSER_SECRET = "assistant-conversation-v1"
Remembered = dict[str, str]


@dataclass
class HistoryParts:
    listing: Any
    new: Any
    title: Any
    rename: Any
    delete: Any
    confirm_row: Any
    confirm: Any
    cancel: Any
    export: Any
    docx: Any
    md: Any
    status: Any


def history_side() -> HistoryParts:
    """The column's components (built inside the chat tab, wired by history_events)."""
    gr.Markdown("#### 我的对话")
    new = gr.Button("新对话", elem_id="conv-new", size="sm")
    listing = gr.Radio([], value=None, label="已保存的对话（点击打开）", elem_id="conv-list")
    title = gr.Textbox(label="当前对话标题", placeholder="输入新标题后点重命名", elem_id="conv-title")
    with gr.Row():
        rename = gr.Button("重命名", elem_id="conv-rename", size="sm")
        delete = gr.Button("删除", elem_id="conv-delete", size="sm", variant="stop")
    with gr.Row(visible=False) as confirm_row:
        confirm = gr.Button("确认删除", elem_id="conv-confirm", size="sm", variant="stop")
        cancel = gr.Button("取消", elem_id="conv-cancel", size="sm")
    export = gr.Button("导出（Word / Markdown）", elem_id="conv-export", size="sm")
    docx = gr.File(label="Word（.docx）", elem_id="conv-docx", visible=False, height=80)
    md = gr.File(label="Markdown", elem_id="conv-md", visible=False, height=80)
    status = gr.HTML(elem_id="conv-status")
    return HistoryParts(listing, new, title, rename, delete, confirm_row, confirm, cancel, export, docx, md, status)


def _forget(remembered: Remembered | None, user: str) -> Remembered:
    return {k: v for k, v in (remembered or {}).items() if k != user}


def history_events(demo: gr.Blocks, chat: ChatParts, log: ConversationLog) -> None:
    """Wire the side column to the chat, the page load and the store."""
    side: HistoryParts = chat.side
    remembered = gr.BrowserState({}, storage_key=_BROWSER_KEY, secret=_BROWSER_SECRET)

    def listing(user: str, current: str | None) -> Any:
        return gr.Radio(choices=log.choices(user), value=current)

    def opened(user: str, conversation_id: str | None, memory: Remembered | None) -> tuple[Any, ...]:
        """`shown` and the status for the reopened conversation (the last export's files hidden), or for a
        new one when the user has none of that id."""
        hidden = gr.File(value=None, visible=False)
        try:
            restored = log.reopen(user, conversation_id)
        except AssistantError as exc:  # the file cannot be read: say so, leave the page as it is
            return (*[gr.skip()] * 9, error_html(str(exc)))
        if restored is None:
            return listing(user, None), [], [], None, "", "", _forget(memory, user), hidden, hidden, ""
        chat_messages, cited = restored
        memory = {**(memory or {}), user: str(conversation_id)}
        title = log.title(user, conversation_id)
        files = (hidden, hidden)
        last = max((i for i, c in enumerate(cited) if c), default=None)  # the last answer with sources
        sources = "" if last is None else render.saved_sources_html(cited[last], last)
        return listing(user, conversation_id), chat_messages, cited, conversation_id, title, sources, memory, *files, ""

    shown = [side.listing, chat.chatbot, chat.cited, chat.conversation, side.title, chat.sources, remembered]
    shown += [side.docx, side.md]

    def on_load(memory: Remembered | None, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        shown_now = opened(user, (memory or {}).get(user), memory)
        if shown_now[3] is None:  # nothing to reopen: leave the chat alone (a question may already be on its way)
            return (shown_now[0], *[gr.skip()] * 5, *shown_now[6:])
        return shown_now

    def on_pick(conversation_id: str | None, memory: Remembered | None, request: gr.Request) -> tuple[Any, ...]:
        return opened(user_of(request), conversation_id, memory)

    def on_new(memory: Remembered | None, request: gr.Request) -> tuple[Any, ...]:
        return opened(user_of(request), None, memory)

    def on_saved(conversation_id: str | None, memory: Remembered | None, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        if not conversation_id:
            return gr.skip(), gr.skip(), gr.skip()
        memory = {**(memory or {}), user: conversation_id}
        return listing(user, conversation_id), log.title(user, conversation_id), memory

    def on_rename(conversation_id: str | None, title: str, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        try:
            log.rename(user, conversation_id, title)
        except AssistantError as exc:
            return gr.skip(), error_html(str(exc))
        return listing(user, conversation_id), ""

    def on_delete(conversation_id: str | None, memory: Remembered | None, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        try:
            log.delete(user, conversation_id)
        except AssistantError as exc:
            return (*[gr.skip()] * len(shown), gr.Row(visible=False), error_html(str(exc)))
        return (*opened(user, None, memory)[:-1], gr.Row(visible=False), "")

    def on_export(conversation_id: str | None, request: gr.Request) -> tuple[Any, ...]:
        try:
            docx_path, md_path = log.export(user_of(request), conversation_id)
        except AssistantError as exc:
            return gr.File(value=None, visible=False), gr.File(value=None, visible=False), error_html(str(exc))
        return gr.File(value=str(docx_path), visible=True), gr.File(value=str(md_path), visible=True), ""

    private: dict[str, Any] = {"api_visibility": "private"}
    demo.load(on_load, [remembered], [*shown, side.status], **private)
    side.listing.input(on_pick, [side.listing, remembered], [*shown, side.status], **private)
    side.new.click(on_new, [remembered], [*shown, side.status], **private)
    chat.chatbot.clear(on_new, [remembered], [*shown, side.status], **private)
    for asked in chat.asked:
        asked.then(on_saved, [chat.conversation, remembered], [side.listing, side.title, remembered], **private)
    side.rename.click(on_rename, [chat.conversation, side.title], [side.listing, side.status], **private)
    side.delete.click(lambda: gr.Row(visible=True), None, [side.confirm_row], **private)
    side.cancel.click(lambda: gr.Row(visible=False), None, [side.confirm_row], **private)
    side.confirm.click(on_delete, [chat.conversation, remembered], [*shown, side.confirm_row, side.status], **private)
    side.export.click(on_export, [chat.conversation], [side.docx, side.md, side.status], **private)
