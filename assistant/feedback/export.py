"""Corrected feedback as a Q&A set (seeds/qa/README.md), so `assistant eval` runs it as a regression set.

Only items with a correction are exported; a later correction of the same question (and kind) replaces
an earlier one. Per item:

- `kind`: `draft` for feedback on a draft; `unanswerable` when the correction says the reports do not
  hold the answer (资料中没有…, 无法回答…) and the reason is not 应能回答; otherwise `fact`.
- `expected` (fact items), from the correction: the strings in quotes (“…” 「…」 《…》 "…"), then each
  figure with its unit (1200万元, 56%, 20期; a bare year such as 2023年 is skipped). A figure the chosen
  passage states by value, with the same unit or where the correction gives none, is written as the
  passage writes it (a correction's 1200万 → the passage's 1200万元; its 9处 never stands for 9条).
  Without either, the whole correction when it is short (≤ 20 characters, end punctuation dropped),
  split at 、，； when it lists names. A fact correction that yields nothing is not exported (`skipped`).
- `evidence`: [{doc, quote}] from the chosen passage, the quote trimmed to the sentences that hold an
  expected string (else the passage's first sentences, up to 120 characters).
- `tags`: ["feedback"]; `feedback_id`, `reason`: where the item came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.eval.dataset import FILTER_KEYS, QAItem, parse_item
from assistant.eval.metrics import norm
from assistant.feedback.store import Feedback
from assistant.numbers import figures

SHORT = 20  # a correction up to this many characters is itself the expected string
QUOTE_CHARS = 120
_QUOTED = re.compile(r"“([^”]{1,40})”|「([^」]{1,40})」|『([^』]{1,40})』|《([^》]{1,40})》|\"([^\"]{1,40})\"")
_UNIT = re.compile(
    r"[余多]?(?:万元|亿元|元|平方公里|平方米|万平方米|公里|千米|米|万亩|亩|公顷|吨|公斤|千克|斤|千瓦|兆瓦|"
    r"个百分点|倍|%|％|‰|万人次|人次|万人|个|项|次|名|人|户|家|所|座|处|条|件|批|支|位|场|期|篇|份|"
    r"台|辆|套|间|栋|种|类|轮|天|头|只|株|棵|盏|眼|口|岁|片|张|床|道|块|km|m)"
)
_ABSENT = re.compile(
    r"资料中没有|资料里没有|报告中没有|报告里没有|知识库中没有|没有提到|未提及|无法回答|没有相关|查不到"
)
_LIST_SEP = re.compile(r"[、，,；;]")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")
_END_PUNCT = "。！？；，、!?;,. \n"


@dataclass
class Export:
    """The Q&A lines written and the corrected items left out, each with why."""

    items: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _figure_strings(text: str, passage: str) -> list[str]:
    """The figures of `text` with their units, as the passage writes them when it states the same value."""
    source = [(f, _unit(passage[f.end :])) for f in figures(passage)] if passage else []
    strict = {(f.start, f.end) for f in figures(text)}
    out = []
    for f in figures(text, loose=bool(passage)):
        tail = text[f.end :]
        if re.fullmatch(r"(19|20)\d\d", f.text) and tail.startswith("年"):
            continue  # a year, not the figure asked for
        unit = _unit(tail)
        same = next(((s, u) for s, u in source if s.value == f.value and (not unit or u == unit)), None)
        if same is None and (f.start, f.end) not in strict:
            continue  # read loosely (三条) only to match a figure the passage writes (3条)
        written, unit = same if same is not None else (f, unit)
        out.append(written.text + unit)
    return out


def _unit(after: str) -> str:
    unit = _UNIT.match(after)
    return unit.group(0) if unit else ""


def expected_strings(correction: str, passage: str = "") -> list[str]:
    """The short strings a right answer must contain, taken from a correction (see the module doc)."""
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(correction)]
    found = [q.strip() for q in quoted if q.strip()]
    found += _figure_strings(_QUOTED.sub(" ", correction), passage)
    if not found:  # a short answer: itself, or its parts when it lists names (枫坪乡、坪安里)
        whole = correction.strip().strip(_END_PUNCT)
        if 0 < len(whole) <= SHORT:
            found = [part.strip() for part in _LIST_SEP.split(whole) if part.strip()]
    unique: list[str] = []
    for s in found:
        if s and s not in unique:
            unique.append(s)
    return unique


def trimmed_quotes(passage: str, expected: list[str]) -> list[str]:
    """The sentences of the passage that hold an expected string (in passage order); else its first
    sentences up to QUOTE_CHARS characters."""
    sentences = [s for s in _SENTENCE_END.split(passage) if s.strip()]
    holding = [s for s in sentences if any(norm(x) in norm(s) for x in expected)]
    if holding:
        return [s.strip().rstrip("。！？；!?;") or s.strip() for s in holding]
    head = ""
    for s in sentences:
        head += s
        if len(head.strip()) >= QUOTE_CHARS / 2:
            break
    return [head.strip()[:QUOTE_CHARS]] if head.strip() else []


def _kind(item: Feedback) -> str:
    if item.kind == "draft":
        return "draft"
    if item.reason != "应能回答" and not item.evidence_doc and _ABSENT.search(item.correction):
        return "unanswerable"
    return "fact"


def _filters(stored: dict[str, Any]) -> dict[str, Any]:
    """The filters the asker had set, as the Q&A format's `filters` (a year as a number; unknown keys
    and empty values left out), so `assistant eval` asks with them as the app did."""
    out: dict[str, Any] = {}
    for key in FILTER_KEYS:
        value = stored.get(key)
        if key == "year" and str(value or "").strip().isdigit():
            out[key] = int(str(value).strip())
        elif key != "year" and isinstance(value, str) and value.strip() and value != "全部":
            out[key] = value.strip()
    return out


def qa_line(item: Feedback) -> dict[str, Any] | str:
    """The Q&A line of one corrected item, or why it cannot be one."""
    kind = _kind(item)
    expected = expected_strings(item.correction, item.evidence_quote) if kind == "fact" else []
    if kind == "fact" and not expected:
        return "正确答案较长且没有数字或引号中的词，取不出应包含的字符串（请写短答案，或把关键词放进引号）"
    holds = expected or expected_strings(item.correction, item.evidence_quote)  # a draft's quote: what it should say
    quotes = trimmed_quotes(item.evidence_quote, holds) if item.evidence_doc and kind != "unanswerable" else []
    return {
        "id": f"fb{item.id}",
        "kind": kind,
        "question": item.question,
        "expected": expected,
        "evidence": [{"doc": item.evidence_doc, "quote": q} for q in quotes],
        "tags": ["feedback"],
        **({"filters": _filters(item.filters)} if _filters(item.filters) else {}),
        "feedback_id": item.id,
        "reason": item.reason,
    }


def export(items: list[Feedback]) -> Export:
    """The corrected items as Q&A lines, the latest correction of each question (and kind) only."""
    latest: dict[tuple[str, str], Feedback] = {}
    for item in items:
        if item.correction.strip():
            latest.pop((item.kind, norm(item.question)), None)
            latest[(item.kind, norm(item.question))] = item
    out = Export()
    for item in sorted(latest.values(), key=lambda i: i.id):
        line = qa_line(item)
        if isinstance(line, str):
            out.skipped.append((item.id, line))
        else:
            out.items.append(line)
    return out


def as_qa_items(lines: list[dict[str, Any]]) -> list[QAItem]:
    """Exported lines as the eval reads them (for checking them in the app without a file)."""
    return [parse_item(x) for x in lines]
