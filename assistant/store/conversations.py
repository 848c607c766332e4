"""Saved conversations, per user, in one SQLite file of the store folder (conversations.sqlite).

Every call names the user and only ever reads or changes that user's rows: an id of another user's
conversation is answered as if it did not exist. The file is in WAL mode with a schema version
(table `meta`); each call opens its own connection, so the app's worker threads never share one.

Tables: `conversations` (id, user, title, created, updated; times are Unix seconds) and `messages`
(conversation, seq, role, content as the chat shows it, text: the plain text, citations: JSON list of
{n, doc, chunk, quote, title, section} for an assistant message, NULL otherwise).
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

FILE_NAME = "conversations.sqlite"
SCHEMA_VERSION = 1
TITLE_CHARS = 40
Citation = dict[str, str]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, user TEXT NOT NULL, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_user ON conversations (user, updated);
CREATE TABLE IF NOT EXISTS messages (
    conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, text TEXT NOT NULL, citations TEXT,
    PRIMARY KEY (conversation, seq)
);
"""


class ConversationError(AssistantError):
    """The conversation file cannot be used (newer schema, not a database); the message is Chinese."""


@dataclass(frozen=True)
class StoredMessage:
    role: str  # user | assistant
    content: str  # as the chat shows it (the app's escaped HTML)
    text: str = ""  # plain text: what an export and the follow-up history read
    citations: list[Citation] | None = None  # an assistant message's citations

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "content": self.content, "text": self.text, "citations": self.citations}


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    title: str
    created: float
    updated: float


@dataclass(frozen=True)
class Conversation(ConversationInfo):
    messages: list[StoredMessage] = field(default_factory=list)


def default_title(question: str) -> str:
    """A conversation's title from its first question: whitespace collapsed, at most TITLE_CHARS."""
    text = re.sub(r"\s+", " ", question or "").strip()
    return (text[: TITLE_CHARS - 1] + "…") if len(text) > TITLE_CHARS else (text or "新对话")


class ConversationStore:
    """create, append, list, load, rename, delete: each for one user."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise ConversationError(f"对话记录 {path} 来自更新的版本（结构 {row[0]}），请升级本程序")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=10.0)
            db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise ConversationError(f"无法打开对话记录 {self.path}：{exc}") from exc
        try:
            db.execute("PRAGMA foreign_keys=ON")
            with db:  # one transaction: committed, or rolled back on an error
                yield db
        except sqlite3.Error as exc:  # a full disk, a file another program locks too long …
            raise ConversationError(f"对话记录读写失败（{self.path.name}）：{exc}") from exc
        finally:
            db.close()

    def _owned(self, db: sqlite3.Connection, user: str, conversation_id: str) -> bool:
        row = db.execute("SELECT 1 FROM conversations WHERE id = ? AND user = ?", (conversation_id, user)).fetchone()
        return row is not None

    def create(self, user: str, title: str = "") -> str:
        """A new, empty conversation of `user`; its id."""
        conversation_id = uuid.uuid4().hex
        now = self.clock()
        with self._db() as db:
            db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?)",
                (conversation_id, user, default_title(title), now, now),
            )
        return conversation_id

    def append(self, user: str, conversation_id: str, messages: Sequence[StoredMessage]) -> bool:
        """Add messages at the end of the user's conversation; False when it has none of that id."""
        with self._db() as db:
            if not self._owned(db, user, conversation_id):
                return False
            (last,) = db.execute(
                "SELECT COALESCE(MAX(seq), -1) FROM messages WHERE conversation = ?", (conversation_id,)
            ).fetchone()
            db.executemany(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        conversation_id,
                        last + 1 + i,
                        m.role,
                        m.content,
                        m.text,
                        None if m.citations is None else json.dumps(m.citations, ensure_ascii=False),
                    )
                    for i, m in enumerate(messages)
                ],
            )
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (self.clock(), conversation_id))
        return True

    def list(self, user: str) -> list[ConversationInfo]:
        """The user's conversations, the most recently updated first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT id, title, created, updated FROM conversations WHERE user = ?"
                " ORDER BY updated DESC, rowid DESC",
                (user,),
            ).fetchall()
        return [ConversationInfo(*row) for row in rows]

    def load(self, user: str, conversation_id: str | None) -> Conversation | None:
        """The user's conversation with its messages in order; None when the user has none of that id."""
        if not conversation_id:
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT id, title, created, updated FROM conversations WHERE id = ? AND user = ?",
                (str(conversation_id), user),
            ).fetchone()
            if row is None:
                return None
            rows = db.execute(
                "SELECT role, content, text, citations FROM messages WHERE conversation = ? ORDER BY seq",
                (row[0],),
            ).fetchall()
        messages = [StoredMessage(r, c, t, None if j is None else json.loads(j)) for r, c, t, j in rows]
        return Conversation(row[0], row[1], row[2], row[3], messages)

    def rename(self, user: str, conversation_id: str, title: str) -> bool:
        """A new title (trimmed as default_title); False when the user has no such conversation."""
        with self._db() as db:
            changed = db.execute(
                "UPDATE conversations SET title = ? WHERE id = ? AND user = ?",
                (default_title(title), str(conversation_id), user),
            ).rowcount
        return changed > 0

    def delete(self, user: str, conversation_id: str) -> bool:
        """Delete the user's conversation and its messages; False when there is none of that id."""
        with self._db() as db:
            removed = db.execute(
                "DELETE FROM conversations WHERE id = ? AND user = ?", (str(conversation_id), user)
            ).rowcount
        return removed > 0
