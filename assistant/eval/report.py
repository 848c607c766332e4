"""Run a Q&A set and write it to disk: metrics.json, results.jsonl, report.md (worst items first), SVG charts."""

from __future__ import annotations

import html
import itertools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.eval.dataset import QAItem
from assistant.eval.metrics import draft_style
from assistant.eval.runner import ItemResult, run, summarise

if TYPE_CHECKING:
    from assistant.generation.paths import AnswerPath, DraftPath

TARGETS = {
    "retrieval.recall@5": (">=", 0.95),
    "retrieval.mrr": (">=", 0.90),
    "answer.accuracy": (">=", 0.85),
    "answer.abstain_accuracy": (">=", 0.9),
    "answer.false_abstain_rate": ("<=", 0.05),
    "citations.evidence_recall": (">=", 0.9),
    "citations.valid_rate": (">=", 1.0),
    "faithfulness.unsupported_number_rate": ("<=", 0.0),
    "faithfulness.unflagged_unsupported_numbers": ("<=", 0),
    "latency.ask_p50_ms": ("<=", 200),
}


COPIED_SHARE_MAX = 0.5  # a model's draft with more of its characters copied is not in its own words


def meets(key: str, value: float) -> bool | None:
    if key not in TARGETS:
        return None
    op, bound = TARGETS[key]
    return value >= bound if op == ">=" else value <= bound


def problems(r: ItemResult) -> list[str]:
    """Why an item is bad, most serious first ([] for a good item)."""
    out = []
    if r.kind == "unanswerable" and not r.abstained:
        out.append("should have abstained")
    if r.correct is False and r.abstained:
        out.append("false abstention")
    elif r.correct is False:
        out.append("wrong answer (missing: " + "、".join(r.missing_expected) + ")")
    if r.recall_at_5 is not None and r.recall_at_5 < 1.0:
        out.append(f"missed evidence (recall@5 {r.recall_at_5:.2f})")
    if r.evidence_total and r.evidence_cited < r.evidence_total and r.kind != "unanswerable":
        out.append(f"evidence not cited ({r.evidence_cited}/{r.evidence_total})")
    if r.unflagged_numbers:
        out.append("unsupported numbers shown unflagged: " + ", ".join(r.unflagged_numbers))
    if r.unsupported_numbers:
        out.append("unsupported numbers: " + ", ".join(r.unsupported_numbers))
    if r.valid_markers < r.markers:
        out.append("invalid citation markers")
    if r.uncited_sentences:
        out.append(f"uncited draft sentences: {r.uncited_sentences}")
    if r.copied_share is not None and r.copied_share > COPIED_SHARE_MAX and r.mode == "llm":
        out.append(f"draft mostly copied ({r.copied_share:.0%} in 20+ character runs)")
    return out


def _bar_chart(title: str, rows: Sequence[tuple[str, float]], max_value: float = 1.0) -> str:
    width, bar_h, left = 520, 22, 150
    height = 40 + bar_h * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        f'font-size="12"><text x="8" y="18" font-weight="bold">{html.escape(title)}</text>'
    ]
    for i, (label, value) in enumerate(rows):
        y = 30 + i * bar_h
        w = 0 if max_value <= 0 else (width - left - 60) * min(value, max_value) / max_value
        parts.append(f'<text x="8" y="{y + 14}">{html.escape(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 8}" fill="#4a7bd0"/>')
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 14}">{value:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _by_kind(results: Sequence[ItemResult]) -> list[tuple[str, float]]:
    rows = []
    for kind in ("fact", "list", "compare"):
        items = [r for r in results if r.kind == kind]
        if items:
            rows.append((f"{kind} accuracy", sum(1 for r in items if r.correct) / len(items)))
    unans = [r for r in results if r.kind == "unanswerable"]
    if unans:
        rows.append(("unanswerable abstained", sum(1 for r in unans if r.abstained) / len(unans)))
    ev = [r for r in results if r.recall_at_5 is not None]
    if ev:
        rows.append(("recall@5 (all)", sum(r.recall_at_5 or 0.0 for r in ev) / len(ev)))
    return rows


def _latency_rows(results: Sequence[ItemResult]) -> list[tuple[str, float]]:
    edges = [0, 50, 100, 200, 500, 1000, 10**9]
    labels = ["<50 ms", "50–100", "100–200", "200–500", "500–1000", "≥1000"]
    counts = [sum(1 for r in results if lo <= r.latency_ms < hi) for lo, hi in itertools.pairwise(edges)]
    return list(zip(labels, [float(c) for c in counts], strict=True))


SLICE_COLUMNS = (
    ("items", "items"),
    ("retrieval.recall@5", "recall@5"),
    ("retrieval.mrr", "MRR"),
    ("answer.accuracy", "accuracy"),
    ("answer.false_abstain_rate", "false abstain"),
    ("answer.abstain_accuracy", "abstain acc."),
    ("citations.evidence_recall", "evidence recall"),
    ("citations.valid_rate", "valid citations"),
    ("faithfulness.unsupported_number_rate", "unsupported numbers"),
    ("faithfulness.unflagged_unsupported_numbers", "unflagged"),
)


def slice_lines(slices: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """The `slices` of metrics.json as one Markdown table: a row per kind, then per tag; — where a
    metric applies to no item of the slice."""
    lines = [
        "## Slices",
        "",
        "| slice | " + " | ".join(label for _, label in SLICE_COLUMNS) + " |",
        "|---" * (len(SLICE_COLUMNS) + 1) + "|",
    ]
    for group in ("kind", "tag"):
        for name, figures in slices.get(group, {}).items():
            cells = ["—" if figures.get(key) is None else str(figures[key]) for key, _ in SLICE_COLUMNS]
            label = name.replace("|", "\\|")
            lines.append(f"| {group} `{label}` | " + " | ".join(cells) + " |")
    return [*lines, ""]


def write_report(out: Path, metrics: dict[str, Any], results: Sequence[ItemResult], source: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    with (out / "results.jsonl").open("w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
    (out / "by_kind.svg").write_text(_bar_chart("Accuracy by kind", _by_kind(results)), encoding="utf-8")
    lat = _latency_rows(results)
    (out / "latency.svg").write_text(
        _bar_chart("Latency per item (count)", lat, max(v for _, v in lat) or 1.0), encoding="utf-8"
    )
    lines = [f"# Evaluation report: `{source}`", "", "| metric | value | target |", "|---|---|---|"]
    for key, value in metrics.items():
        if isinstance(value, dict):
            continue  # the slices: their own table below
        target = TARGETS.get(key)
        ok = meets(key, value) if isinstance(value, (int, float)) else None
        mark = "" if ok is None else (" ✅" if ok else " ❌")
        lines.append(f"| {key} | {value}{mark} | {'' if not target else f'{target[0]} {target[1]}'} |")
    lines += ["", "![accuracy by kind](by_kind.svg) ![latency](latency.svg)", ""]
    lines += [*slice_lines(metrics.get("slices", {})), "## Worst items first", ""]
    ranked = sorted(results, key=lambda r: (-len(problems(r)), r.id))
    bad = [r for r in ranked if problems(r)]
    if not bad:
        lines.append("No item has a problem.")
    for r in bad:
        lines += [
            f"### {r.id} ({r.kind}): {r.question}",
            "",
            "- problems: " + "; ".join(problems(r)),
            f"- expected: {'、'.join(r.expected) or '—'}",
            "- answer: " + r.answer.replace("\n", " / "),
            "- top passages: "
            + "; ".join(f"#{p['rank']} {p['doc'][:3]} {p['section'][-24:]}" for p in r.top_passages[:3]),
            "",
        ]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")


def evaluate(
    items: Sequence[QAItem],
    answerer: AnswerPath,
    drafter: DraftPath,
    out: Path,
    *,
    mode: str,
    source: str,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Answer every item (drafts through `drafter`), score it and write the run to `out`; returns the
    metrics, the retrieval `mode` first (`assistant eval`)."""
    results = run(
        items,
        lambda question, filters: answerer.stream(question, filters),
        lambda topic, filters: drafter.stream(topic, filters=filters, style=draft_style(topic)),
        progress=progress,
    )
    metrics = {"mode": mode, **summarise(results)}
    write_report(out, metrics, results, source)
    return metrics
