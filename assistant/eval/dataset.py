"""Read Q&A sets (JSONL, docs/contracts.md: Q&A set format), with line-numbered errors for bad lines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.types import Filters

KINDS = ("fact", "list", "compare", "unanswerable", "draft")
FILTER_KEYS = ("township", "year", "kind", "part")  # an item's optional `filters`: what the asker had set
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
    filters: dict[str, Any] = field(default_factory=dict)

    def search_filters(self) -> Filters | None:
        """The item's `filters` as the answer path takes them; None when it has none."""
        return Filters(**self.filters) if self.filters else None

    @property
    def tags(self) -> tuple[str, ...]:
        """The item's `tags` (kept in `extra`, checked to be a list of strings when read)."""
        return tuple(self.extra.get("tags") or ())


MAX_LISTED = 10  # bad lines named in the one error message; the rest are counted


class _Bad(Exception):
    """One line's problem (collected: all bad lines are named in one DatasetError)."""


def _strings(raw: dict[str, Any], key: str, *, required: bool = False) -> tuple[str, ...]:
    """A list of non-empty strings, as a tuple: a lone string is refused, not split into characters."""
    value = raw.get(key)
    if value is None:
        value = []
    example = '["1200万元"]' if key == "expected" else '["names_township"]'
    if isinstance(value, str):
        raise _Bad(f"{key} 应为字符串列表，如 {example}，不是一个字符串 {value!r}")
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        raise _Bad(f"{key} 应为非空字符串的列表，如 {example}")
    if required and not value:
        raise _Bad(f"kind={raw['kind']} 的 {key} 不能为空：列出正确回答应包含的字符串")
    return tuple(value)


def _evidence(raw: dict[str, Any]) -> tuple[Evidence, ...]:
    value = raw.get("evidence")
    if value is None:
        return ()
    shape = 'evidence 应为 [{"doc": "文档ID", "quote": "原文片段"}] 列表'
    if not isinstance(value, list):
        raise _Bad(shape)
    for e in value:
        if not isinstance(e, dict) or not all(isinstance(e.get(k), str) and e[k].strip() for k in ("doc", "quote")):
            raise _Bad(shape)
    return tuple(Evidence(e["doc"], e["quote"]) for e in value)


def _filters(raw: dict[str, Any]) -> dict[str, Any]:
    value = raw.get("filters")
    if value is None:
        return {}
    shape = f'filters 应为对象，键取 {"/".join(FILTER_KEYS)}，如 {{"township": "安民乡", "year": 2023}}'
    if not isinstance(value, dict) or not set(value) <= set(FILTER_KEYS):
        raise _Bad(shape)
    for key, v in value.items():
        ok = isinstance(v, int) and not isinstance(v, bool) if key == "year" else isinstance(v, str) and v.strip()
        if not ok:
            raise _Bad(f"{shape}（{key} 的值 {v!r} 不对：year 为整数，其余为非空字符串）")
    return dict(value)


def parse_item(raw: Any) -> QAItem:
    """One Q&A line (already decoded from JSON) as an item; a DatasetError says what is wrong."""
    try:
        return _item(raw)
    except _Bad as exc:
        raise DatasetError(str(exc)) from exc


def _item(raw: Any) -> QAItem:
    if not isinstance(raw, dict):
        raise _Bad("不是 JSON 对象")
    missing = [key for key in ("id", "kind", "question") if raw.get(key) in (None, "")]
    if missing:
        raise _Bad(f"缺少字段：{', '.join(missing)}")
    if not isinstance(raw["id"], (str, int)) or isinstance(raw["id"], bool):
        raise _Bad(f"id 应为字符串，不是 {raw['id']!r}")
    if raw["kind"] not in KINDS:
        raise _Bad(f"kind={raw['kind']!r} 不在 {KINDS} 中")
    if not isinstance(raw["question"], str) or not raw["question"].strip():
        raise _Bad("question 应为非空字符串")
    answerable, hint = raw.get("answerable"), "（资料中没有答案的问题用 kind: unanswerable）"
    if answerable is not None and not isinstance(answerable, bool):
        raise _Bad(f"answerable 应为 true 或 false，不是 {answerable!r}{hint}")
    if answerable is not None and answerable == (raw["kind"] == "unanswerable"):
        raise _Bad(f"answerable={json.dumps(answerable)} 与 kind={raw['kind']} 不符{hint}")
    expected = _strings(raw, "expected", required=raw["kind"] in ANSWERED_KINDS)
    evidence = _evidence(raw)
    _strings(raw, "tags")
    filters = _filters(raw)
    known = {"id", "kind", "question", "expected", "evidence", "filters"}
    return QAItem(
        id=str(raw["id"]),
        kind=str(raw["kind"]),
        question=raw["question"],
        expected=expected,
        evidence=evidence,
        extra={k: v for k, v in raw.items() if k not in known},
        filters=filters,
    )


def read_qa(path: Path) -> list[QAItem]:
    """load_qa for a command: a missing or unreadable file is a DatasetError too, naming the file."""
    try:
        return load_qa(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"无法读取问答集 {path}：{exc}") from exc
    except DatasetError as exc:
        raise DatasetError(f"问答集 {path}：{exc}") from exc


def load_qa(path: Path) -> list[QAItem]:
    """All items of a JSONL Q&A file; blank lines are ignored. Every line is checked first and all
    bad lines (not JSON, a missing or mistyped field, a duplicate id) are named in one DatasetError;
    a set without items is one too."""
    items: list[QAItem] = []
    bad: list[str] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8-sig") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                try:
                    raw = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise _Bad(f"不是合法 JSON：{exc.msg}") from exc
                item = _item(raw)
                if item.id in seen:
                    raise _Bad(f"id {item.id!r} 重复（第 {seen[item.id]} 行已有）")
            except _Bad as exc:
                problem = str(exc)
                bad.append(f"第 {line_no} 行{' ' if problem[:1].isascii() else ''}{problem}")
                continue
            seen[item.id] = line_no
            items.append(item)
    if bad:
        more = f"；另有 {len(bad) - MAX_LISTED} 行有误" if len(bad) > MAX_LISTED else ""
        raise DatasetError(f"共 {len(bad)} 行不符合问答集格式，未运行：{'；'.join(bad[:MAX_LISTED])}{more}")
    if not items:
        raise DatasetError("问答集中没有条目（空文件或只有空行），未运行；格式见 docs/contracts.md（Q&A set format）")
    return items
