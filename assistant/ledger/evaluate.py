"""`assistant ledger eval FILE`: the ledger measured against a hand-labelled set (seeds/ledger/README.md).

Each labelled paragraph's figures are extracted the way ingest does (parse, chunk, ledger rows of
the chunks) from its source file, and the rows whose value lies in the paragraph are compared with
the labels: a row matches a label with the same (doc, value, year, kind). Reported: precision and
recall of rows, the share of matched rows whose indicator name is acceptable (equal to one of the
label's names, or one holds the other), placeholders (labels marked undisclosed: found undisclosed
and without a number), and plan-vs-actual pairs (a labelled pair is found when a pair of the
archive's rows has its year, target value and actual value; judged right when `met` agrees).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.ingest.walk import expand_paths
from assistant.ledger.extract import Row
from assistant.ledger.plan import plan_vs_actual
from assistant.ledger.store import rows_of_chunks

_ROOT = Path(__file__).resolve().parents[2]


class LabelError(AssistantError, ValueError):
    exit_code = 2


@dataclass
class _Doc:
    text: str
    rows: list[Row]


def corpora_dir(given: Path | None = None) -> Path:
    """Where `corpora/…` sources are: `given`, else ../shared/corpora beside the project (as in CI), else
    two levels up (a worktree of it)."""
    if given is not None:
        return given
    for parent in (_ROOT.parent, _ROOT.parent.parent):
        if (parent / "shared" / "corpora").is_dir():
            return parent / "shared" / "corpora"
    return _ROOT.parent / "shared" / "corpora"


def _resolve(source: str, base: Path, corpora: Path) -> Path:
    if source.startswith("corpora/"):
        path = corpora / source[len("corpora/") :]
        if path.exists():
            return path.resolve()
        raise LabelError(f"找不到标注引用的语料文件 {path}（可用 --corpora 指定语料目录）")
    for root in (base, _ROOT, Path.cwd()):
        path = (root / source).resolve()
        if path.exists():
            return path
    raise LabelError(f"找不到标注引用的文件 {source}")


def _load(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LabelError(f"无法读取标注文件 {path}：{exc}") from exc
    items = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelError(f"标注文件 {path} 第 {i} 行不是 JSON：{exc}") from exc
        if item.get("type") not in ("paragraph", "pair"):
            raise LabelError(f"标注文件 {path} 第 {i} 行的 type 应为 paragraph 或 pair")
        items.append(item)
    return items


def _doc(path: Path, cache: dict[Path, _Doc]) -> _Doc:
    if path not in cache:
        parsed = parse_file(path, timeout_s=0)
        chunks = chunk_document(parsed)
        cache[path] = _Doc(parsed.text, rows_of_chunks((c.chunk_id, c.text, c.store_metadata()) for c in chunks))
    return cache[path]


def _acceptable(predicted: str, wanted: str) -> bool:
    names = [n for n in wanted.split("|") if n]
    return any(predicted == n or (len(predicted) >= 2 and (n in predicted or predicted in n)) for n in names)


def evaluate(path: Path, corpora: Path | None = None) -> dict[str, Any]:
    """The measures of the ledger on the labelled set at `path` (see the module docstring); sources
    named corpora/… are read from `corpora` (corpora_dir)."""
    items = _load(path)
    where = corpora_dir(corpora)
    base = path.resolve().parent
    cache: dict[Path, _Doc] = {}
    gold_n = pred_n = matched = named = undisclosed = undisclosed_ok = 0
    misses: list[dict[str, Any]] = []
    extras: list[dict[str, Any]] = []
    bad_names: list[dict[str, Any]] = []
    for item in (i for i in items if i["type"] == "paragraph"):
        doc = _doc(_resolve(item["source"], base, where), cache)
        at = doc.text.find(item["paragraph"])
        if at < 0:
            raise LabelError(f"标注段落不在 {item['source']} 的正文中：{item['paragraph'][:30]}…")
        span = (at, at + len(item["paragraph"]))
        predicted = [r for r in doc.rows if span[0] <= r.start < span[1]]
        pred_n += len(predicted)
        left = list(predicted)
        for label in item["rows"]:
            gold_n += 1
            key = (label["value"], label["year"], label["kind"])
            hit = next((r for r in left if (r.value, r.year, r.kind) == key), None)
            if label.get("undisclosed"):
                undisclosed += 1
                if hit is not None and hit.undisclosed and hit.number is None:
                    undisclosed_ok += 1
            if hit is None:
                misses.append({"source": item["source"], **label})
                continue
            left.remove(hit)
            matched += 1
            if _acceptable(hit.indicator, label["indicator"]):
                named += 1
            else:
                bad_names.append({"value": hit.value, "got": hit.indicator, "want": label["indicator"]})
        extras += [{"source": item["source"], "value": r.value, "year": r.year, "kind": r.kind} for r in left]
    pairs = [i for i in items if i["type"] == "pair"]
    found = judged = 0
    pair_misses = []
    for pair in pairs:
        folder = _resolve(pair["folder"], base, where)
        files, _ = expand_paths([folder], [])
        rows = [r for f in sorted(files) for r in _doc(f.resolve(), cache).rows]
        got = [
            p
            for p in plan_vs_actual(rows)
            if p["year"] == pair["year"]
            and p["target"]["value"] == pair["target"]
            and p["actual"]["value"] == pair["actual"]
        ]
        if not got:
            pair_misses.append(pair)
            continue
        found += 1
        judged += int(got[0]["met"] == pair["met"])
    return {
        "rows": {
            "labelled": gold_n,
            "predicted": pred_n,
            "matched": matched,
            "precision": _ratio(matched, pred_n),
            "recall": _ratio(matched, gold_n),
        },
        "indicator_acceptable": _ratio(named, matched),
        "placeholders": {"labelled": undisclosed, "undisclosed_without_number": undisclosed_ok},
        "pairs": {
            "labelled": len(pairs),
            "found": found,
            "found_share": _ratio(found, len(pairs)),
            "met_right": judged,
            "met_right_share": _ratio(judged, found),
        },
        "missed_rows": misses,
        "extra_rows": extras,
        "unacceptable_names": bad_names,
        "missed_pairs": pair_misses,
    }


def _ratio(a: int, b: int) -> float:
    return round(a / b, 3) if b else 0.0
