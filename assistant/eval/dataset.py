"""Read Q&A sets (JSONL, docs/contracts.md: Q&A set format), with line-numbered errors for bad lines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

KINDS = ("fact", "list", "compare", "unanswerable", "draft")
ANSWERED_KINDS = ("fact", "list", "compare")


class DatasetError(AssistantError, ValueError):
    """A Q&A file that cannot be read or does not follow the format; the message names the line."""

    exit_code = 2


@dataclass(frozen=True)
class Evidence:
    doc: str
    quote: str


@dataclass(frozen=True)
class QAItem:
    id: str
    kind: str
    question: str
    expected: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tags(self) -> tuple[str, ...]:
        """The item's `tags` (kept in `extra`, checked to be a list of strings when read)."""
        return tuple(self.extra.get("tags") or ())


def _item(raw: Any, line_no: int) -> QAItem:
    if not isinstance(raw, dict):
        raise DatasetError(f"第 {line_no} 行不是 JSON 对象")
    missing = [key for key in ("id", "kind", "question") if not raw.get(key)]
    if missing:
        raise DatasetError(f"第 {line_no} 行缺少字段：{', '.join(missing)}")
    if raw["kind"] not in KINDS:
        raise DatasetError(f"第 {line_no} 行 kind={raw['kind']!r} 不在 {KINDS} 中")
    try:
        evidence = tuple(Evidence(str(e["doc"]), str(e["quote"])) for e in raw.get("evidence") or [])
    except (KeyError, TypeError) as exc:
        raise DatasetError(f"第 {line_no} 行 evidence 应为 [{{doc, quote}}] 列表") from exc
    tags = raw.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) and t for t in tags)):
        raise DatasetError(f"第 {line_no} 行 tags 应为非空字符串的列表")
    known = {"id", "kind", "question", "expected", "evidence"}
    return QAItem(
        id=str(raw["id"]),
        kind=str(raw["kind"]),
        question=str(raw["question"]),
        expected=tuple(str(x) for x in raw.get("expected") or []),
        evidence=evidence,
        extra={k: v for k, v in raw.items() if k not in known},
    )


def read_qa(path: Path) -> list[QAItem]:
    """load_qa for a command: a missing or unreadable file is a DatasetError too, naming the file."""
    try:
        return load_qa(path)
    except (OSError, DatasetError) as exc:
        raise DatasetError(f"无法读取问答集 {path}：{exc}") from exc


def load_qa(path: Path) -> list[QAItem]:
    """All items of a JSONL Q&A file; blank lines are ignored, duplicate ids are an error."""
    items: list[QAItem] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"第 {line_no} 行不是合法 JSON：{exc.msg}") from exc
            item = _item(raw, line_no)
            if item.id in seen:
                raise DatasetError(f"第 {line_no} 行 id {item.id!r} 重复")
            seen.add(item.id)
            items.append(item)
    return items
