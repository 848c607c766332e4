"""RGB (Chen et al., 2024) zh_refine as an external retrieval benchmark: the pure logic.

The benchmark file is JSON lines `{"id", "query", "answer", "positive", "negative"}`. `answer` is
a list whose items are either a string or a list of alternative strings. Following RGB's own
scorer, a text holds the answer when it holds *every* item, where an item given as a list is held
when *any* of its alternatives is (`["东盟", "中国", …]`: all names; `[["4次", "四次"]]`: either).
Text comparison: NFKC, case-folded, all whitespace removed (the product's metrics, docs/contracts.md,
plus case folding, as RGB lower-cases: `SE 3` matches `se3`).

Each pooled passage is stored as a short document: a constant title line, then the passage. The
product takes a first line of up to 100 characters as the title and gives a document that is only
a title no chunks, which would drop every RGB passage of up to 100 characters (a quarter of them:
they are all one line); the title line keeps every passage searchable and adds the same words to
all of them. U+FFFD (left by a bad conversion upstream in a few dozen passages) is removed, since
the product's loader refuses a file holding it as damaged.

No RGB text belongs in the project: the script reads the file from outside it and keeps only
figures.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.eval.metrics import norm, percentile
from assistant.generation.citations import MARKER

PASSAGE_TITLE = "参考资料"
REPLACEMENT_CHAR = "\ufffd"
TOP_KS = (1, 5, 20)

AnswerGroups = tuple[tuple[str, ...], ...]  # every group must match; any alternative of a group will do


@dataclass(frozen=True)
class RGBItem:
    id: str
    query: str
    answer: AnswerGroups
    passages: tuple[str, ...]  # positive then negative, as given


def answer_groups(raw: Any) -> AnswerGroups:
    """RGB's `answer` field as groups of alternatives: "a" → ("a",), ["a", "b"] → ("a", "b")."""
    items = raw if isinstance(raw, list) else [raw]
    groups = []
    for item in items:
        alternatives = tuple(str(x) for x in item) if isinstance(item, list) else (str(item),)
        alternatives = tuple(a for a in alternatives if match_key(a))
        if alternatives:
            groups.append(alternatives)
    return tuple(groups)


def match_key(text: str) -> str:
    """The form texts and answers are compared in: NFKC, case-folded, no whitespace."""
    return norm(text).casefold()


def contains_answer(text: str, answer: AnswerGroups) -> bool:
    """Every group of the answer has an alternative inside the text (False for an empty answer)."""
    key = match_key(text)
    return bool(answer) and all(any(match_key(alt) in key for alt in group) for group in answer)


def answer_text_holds(answer_text: str, answer: AnswerGroups) -> bool:
    """An extractive answer holds the answer; `[n]` citation markers are removed first (a marker's
    digits must not match a numeric answer)."""
    return contains_answer(MARKER.sub("", answer_text), answer)


def first_hit(texts: Sequence[str], answer: AnswerGroups) -> int | None:
    """1-based rank of the first text that holds the answer, None when none does."""
    return next((rank for rank, text in enumerate(texts, start=1) if contains_answer(text, answer)), None)


def parse_items(lines: Iterable[str]) -> list[RGBItem]:
    """Items from the JSON lines of an RGB file (blank lines skipped)."""
    items = []
    for line in lines:
        if not line.strip():
            continue
        raw = json.loads(line)
        passages = [str(p) for p in (*raw.get("positive", []), *raw.get("negative", []))]
        items.append(RGBItem(str(raw["id"]), str(raw["query"]), answer_groups(raw["answer"]), tuple(passages)))
    return items


def load_items(path: Path, limit: int | None = None) -> list[RGBItem]:
    """The first `limit` (all when None) items of an RGB JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        items = parse_items(fh)
    return items if limit is None else items[:limit]


def pool_passages(items: Sequence[RGBItem]) -> list[str]:
    """Every passage of the given items once (exact text after trimming; empty ones dropped), in
    order of first appearance."""
    seen: dict[str, None] = {}
    for item in items:
        for passage in item.passages:
            text = passage.strip()
            if text:
                seen.setdefault(text, None)
    return list(seen)


def passage_doc_id(text: str) -> str:
    """A passage's document id: a hash of its text, so any pool of the same passages shares ids."""
    return "rgb-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def passage_document(text: str) -> str:
    """The file text a passage is stored as (see the module docstring: title line, U+FFFD removed)."""
    return f"{PASSAGE_TITLE}\n{text.replace(REPLACEMENT_CHAR, '')}\n"


@dataclass(frozen=True)
class ItemOutcome:
    """One question under one retrieval mode."""

    id: str
    hit_rank: int | None  # first retrieved chunk (of the top 20) holding the answer
    correct: bool  # the extractive answer holds the answer (and did not abstain)
    abstained: bool
    answerable: bool  # some stored chunk holds the answer
    ask_ms: int


def summarise(outcomes: Sequence[ItemOutcome]) -> dict[str, Any]:
    """Headline figures of one mode: answer in top 1/5/20, MRR@20, accuracy, abstain rate."""
    n = len(outcomes)
    if not n:
        return {"items": 0}
    figures: dict[str, Any] = {"items": n}
    for k in TOP_KS:
        figures[f"top{k}"] = round(sum(o.hit_rank is not None and o.hit_rank <= k for o in outcomes) / n, 4)
    figures["mrr@20"] = round(sum(1 / o.hit_rank for o in outcomes if o.hit_rank) / n, 4)
    figures["answer_accuracy"] = round(sum(o.correct for o in outcomes) / n, 4)
    figures["abstain_rate"] = round(sum(o.abstained for o in outcomes) / n, 4)
    in_top5 = [o for o in outcomes if o.hit_rank is not None and o.hit_rank <= 5]
    figures["accuracy_when_in_top5"] = round(sum(o.correct for o in in_top5) / len(in_top5), 4) if in_top5 else 0.0
    figures["ask_p50_ms"] = int(percentile([o.ask_ms for o in outcomes], 50))
    figures["misses_top5"] = miss_categories(outcomes)
    return figures


def miss_categories(outcomes: Sequence[ItemOutcome]) -> dict[str, int]:
    """Why the answer was not in the top 5: no chunk holds it, it ranked 6–20, or below 20."""
    counts = {"no_chunk_holds_answer": 0, "rank_6_to_20": 0, "below_20": 0}
    for o in outcomes:
        if o.hit_rank is not None and o.hit_rank <= 5:
            continue
        if not o.answerable:
            counts["no_chunk_holds_answer"] += 1
        elif o.hit_rank is not None:
            counts["rank_6_to_20"] += 1
        else:
            counts["below_20"] += 1
    return counts


def top5_overlap(by_mode: Mapping[str, Sequence[ItemOutcome]], a: str, b: str) -> dict[str, int]:
    """How many questions only `a`, only `b`, both or neither have the answer in the top 5."""

    def hits(mode: str) -> set[str]:
        return {o.id for o in by_mode[mode] if o.hit_rank is not None and o.hit_rank <= 5}

    ids = {o.id for o in by_mode[a]}
    ha, hb = hits(a), hits(b)
    return {f"{a}_only": len(ha - hb), f"{b}_only": len(hb - ha), "both": len(ha & hb), "neither": len(ids - ha - hb)}


def markdown_table(modes: dict[str, dict[str, Any]]) -> str:
    """The headline table: one row per mode."""
    rows = [
        "| mode | answer in top 1 | answer in top 5 | answer in top 20 | MRR@20 | answer accuracy | abstain rate |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, f in modes.items():
        rows.append(
            f"| {mode} | {f['top1']:.3f} | {f['top5']:.3f} | {f['top20']:.3f} | {f['mrr@20']:.3f} "
            f"| {f['answer_accuracy']:.3f} | {f['abstain_rate']:.3f} |"
        )
    return "\n".join(rows)
