"""Saved conversations as the 问答 tab uses them, without Gradio: save each answered turn, the list to
reopen, rename, delete, and the .md/.docx export. Every call takes the user (ui/users.user_of); the
store (store/conversations.py) never gives one user another's conversation."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.generation.chat_export import conversation_docx, conversation_markdown
from assistant.store.conversations import Citation, ConversationStore, StoredMessage, default_title
from assistant.ui.chat_tab import Message, model_history
from assistant.ui.inputs import UserError, safe_filename

NOT_FOUND = "找不到这个对话（可能已被删除），请在列表中重新选择。"


def _stored(message: Message, citations: list[Citation] | None) -> StoredMessage:
    (flat,) = model_history([message])  # the content as one string, and its plain text
    content = message.get("content")
    if isinstance(content, list):
        content = "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content if p)
    role = "assistant" if flat["role"] == "assistant" else "user"
    return StoredMessage(role, str(content or ""), flat["content"], citations if role == "assistant" else None)


class ConversationLog:
    """One user's saved conversations, as the chat shows them; exports go to `export_dir`."""

    def __init__(self, store: ConversationStore, export_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.export_dir = export_dir
        self.clock = clock

    def record(self, user: str, conversation_id: str | None, turn: Sequence[Message], citations: list[Citation]) -> str:
        """Save a question and its answer (the chat's last two messages) at the end of the user's
        conversation, or of a new one titled by the question when there is none; the conversation's id."""
        question, answer = turn
        messages = [_stored(question, None), _stored(answer, citations)]
        if conversation_id and self.store.append(user, conversation_id, messages):
            return conversation_id
        new_id = self.store.create(user, default_title(messages[0].text))
        self.store.append(user, new_id, messages)
        return new_id

    def choices(self, user: str) -> list[tuple[str, str]]:
        """(label, id) of the user's conversations, the latest first; the label: title · when."""
        return [
            (f"{c.title} · {time.strftime('%m-%d %H:%M', time.localtime(c.updated))}", c.id)
            for c in self.store.list(user)
        ]

    def reopen(self, user: str, conversation_id: str | None) -> tuple[list[Message], list[list[Citation]]] | None:
        """The chat's messages and, per assistant message, its citations (what `[n]` opens); None when
        the user has no such conversation."""
        conversation = self.store.load(user, conversation_id)
        if conversation is None:
            return None
        chat: list[Message] = [{"role": m.role, "content": m.content} for m in conversation.messages]
        cited = [list(m.citations or []) for m in conversation.messages if m.role == "assistant"]
        return chat, cited

    def title(self, user: str, conversation_id: str | None) -> str:
        conversation = self.store.load(user, conversation_id)
        return conversation.title if conversation else ""

    def rename(self, user: str, conversation_id: str | None, title: str) -> None:
        if not (title or "").strip():
            raise UserError("请输入新的对话标题。")
        if not conversation_id or not self.store.rename(user, conversation_id, title):
            raise UserError(NOT_FOUND)

    def delete(self, user: str, conversation_id: str | None) -> None:
        if not conversation_id or not self.store.delete(user, conversation_id):
            raise UserError(NOT_FOUND)

    def export(self, user: str, conversation_id: str | None) -> tuple[Path, Path]:
        """The conversation with its citations as .docx and .md files; UserError when there is none."""
        conversation = self.store.load(user, conversation_id)
        if conversation is None or not conversation.messages:
            raise UserError("请先选择一个已保存的对话。")
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.clock()))
        base = self.export_dir / f"对话-{safe_filename(conversation.title)[:40]}-{stamp}"
        base.parent.mkdir(parents=True, exist_ok=True)
        md = base.with_suffix(".md")
        md.write_text(conversation_markdown(conversation), encoding="utf-8")
        return conversation_docx(conversation, base.with_suffix(".docx")), md
