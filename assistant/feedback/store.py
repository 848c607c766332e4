"""The feedback store: one SQLite file (`feedback.sqlite` in the store directory, WAL), schema versioned
with `PRAGMA user_version`. `check` validates an item before it is written (Chinese errors)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

FILE_NAME = "feedback.sqlite"
SCHEMA_VERSION = 1
KINDS = ("answer", "draft")
RATINGS = ("up", "down")
REASONS = ("引用不对", "数字有误", "答非所问", "应能回答", "其他")
MAX_TEXT = 20_000  # characters of an answer, passage or correction kept
MAX_CORRECTION = 2_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    kind TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    mode TEXT NOT NULL,
    model TEXT NOT NULL,
    rating TEXT NOT NULL,
    reason TEXT NOT NULL,
    correction TEXT NOT NULL,
    evidence_doc TEXT NOT NULL,
    evidence_quote TEXT NOT NULL,
    filters TEXT NOT NULL
)
"""


class FeedbackError(AssistantError, ValueError):
    """Feedback that cannot be stored as given (the message says what to fix)."""

    exit_code = 2


@dataclass
class Feedback:
    """One 👍/👎 (docs/contracts.md: Feedback). `evidence_*`: the passage the user chose as holding the
    right answer (empty when none); `model`: what wrote the answer, as the app says it."""

    question: str
    rating: str
    kind: str = "answer"
    answer: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    mode: str = ""
    model: str = ""
    reason: str = ""
    correction: str = ""
    evidence_doc: str = ""
    evidence_quote: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    user: str = "anonymous"
    time: str = ""
    id: int = 0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        evidence = {"doc": data.pop("evidence_doc"), "quote": data.pop("evidence_quote")}
        return {**data, "evidence": evidence if evidence["doc"] else None}


def _text(value: Any, name: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FeedbackError(f"{name} 应为文字，不是 {type(value).__name__}")
    value = value.strip()
    if len(value) > limit:
        raise FeedbackError(f"{name} 太长（超过 {limit} 字）")
    return value


def check(item: Feedback) -> Feedback:
    """The item with its texts stripped, or a FeedbackError naming what is wrong."""
    if item.kind not in KINDS:
        raise FeedbackError(f"kind 应为 answer（回答）或 draft（草稿），不是 {item.kind!r}")
    if item.rating not in RATINGS:
        raise FeedbackError(f"rating 应为 up（👍）或 down（👎），不是 {item.rating!r}")
    question = _text(item.question, "问题" if item.kind == "answer" else "起草主题")
    if not question:
        raise FeedbackError("反馈缺少问题（或起草主题）")
    reason = _text(item.reason, "原因")
    if reason and reason not in REASONS:
        raise FeedbackError(f"原因应为以下之一：{'、'.join(REASONS)}；不是 {reason!r}")
    if item.rating == "down" and not reason:
        raise FeedbackError(f"点踩（👎）时请选择原因：{'、'.join(REASONS)}")
    doc, quote = _text(item.evidence_doc, "依据段落的文档"), _text(item.evidence_quote, "依据段落")
    if bool(doc) != bool(quote):
        raise FeedbackError("依据段落应同时给出文档（doc）和原文（quote）")
    if not isinstance(item.citations, list) or not all(isinstance(c, dict) for c in item.citations):
        raise FeedbackError("citations 应为引用对象的列表（同 ask --json 的 citations）")
    if not isinstance(item.filters, dict):
        raise FeedbackError('filters 应为对象，如 {"township": "安民乡"}')
    return Feedback(
        question=question,
        rating=item.rating,
        kind=item.kind,
        answer=_text(item.answer, "回答"),
        citations=item.citations,
        mode=_text(item.mode, "mode", 40),
        model=_text(item.model, "model", 200),
        reason=reason,
        correction=_text(item.correction, "正确答案", MAX_CORRECTION),
        evidence_doc=doc,
        evidence_quote=quote,
        filters={k: v for k, v in item.filters.items() if v not in (None, "")},
        user=_text(item.user, "用户", 200) or "anonymous",
    )


class FeedbackStore:
    """Feedback items in `path` (created on first write; reading a missing file gives no items)."""

    def __init__(self, path: Path, clock: Any = time.time) -> None:
        self.path = path
        self.clock = clock

    @classmethod
    def in_store(cls, store_dir: Path) -> FeedbackStore:
        return cls(store_dir / FILE_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, timeout=10)
        except sqlite3.Error as exc:
            raise FeedbackError(f"无法打开反馈库 {self.path}：{exc}") from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise FeedbackError(f"反馈库 {self.path} 的版本（{version}）比本程序新，请升级后再用")
            if version < SCHEMA_VERSION:
                conn.execute(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            with conn:
                yield conn
        except sqlite3.DatabaseError as exc:
            raise FeedbackError(f"反馈库 {self.path} 无法读写：{exc}") from exc
        finally:
            conn.close()

    def add(self, item: Feedback) -> int:
        """Store a checked copy of `item`; returns its id."""
        item = check(item)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.clock()))
        row = (
            stamp,
            item.user,
            item.kind,
            item.question,
            item.answer,
            json.dumps(item.citations, ensure_ascii=False),
            item.mode,
            item.model,
            item.rating,
            item.reason,
            item.correction,
            item.evidence_doc,
            item.evidence_quote,
            json.dumps(item.filters, ensure_ascii=False),
        )
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (time, user, kind, question, answer, citations, mode, model, rating,"
                " reason, correction, evidence_doc, evidence_quote, filters)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid or 0)

    def items(self) -> list[Feedback]:
        """Every item, oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, time, user, kind, question, answer, citations, mode, model, rating, reason,"
                " correction, evidence_doc, evidence_quote, filters FROM feedback ORDER BY id"
            ).fetchall()
        return [
            Feedback(
                id=r[0],
                time=r[1],
                user=r[2],
                kind=r[3],
                question=r[4],
                answer=r[5],
                citations=json.loads(r[6]),
                mode=r[7],
                model=r[8],
                rating=r[9],
                reason=r[10],
                correction=r[11],
                evidence_doc=r[12],
                evidence_quote=r[13],
                filters=json.loads(r[14]),
            )
            for r in rows
        ]
