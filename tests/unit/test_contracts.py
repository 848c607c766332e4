"""docs/contracts.md and the code agree: the JSON keys users and scripts read, and the metric names.

Each shape is pinned here by its exact key set, and every key must be named in docs/contracts.md, so a
key added, renamed or dropped in the code fails until the contract (and this pin) say so too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.cli_output import passage_json
from assistant.eval.runner import ItemResult, summarise
from assistant.ingest.pipeline import IngestReport
from assistant.types import Answer, Citation, DocRecord, Passage

CONTRACTS = (Path(__file__).resolve().parents[2] / "docs" / "contracts.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of one `## title` section of the contracts."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", CONTRACTS, re.S | re.M)
    assert match, f"docs/contracts.md has no section {title!r}"
    return match.group(1)


def passage() -> Passage:
    return Passage("c1", "d1", "一、总结", "原文。", 0.5, 1, {"doc": "d1"}, 0.9, 1, 3.2, 2)


def answer() -> Answer:
    citation = Citation(1, "d1", "一、总结", "原文。", "原文。", "c1", "标题", "X乡")
    return Answer("问？", "原文。[1]", False, [citation], [], "extractive", 12, [passage()], ["注"])


SHAPES = {
    "ingest": (
        IngestReport().to_json(),
        {
            "files",
            "chunks",
            "added",
            "updated",
            "removed",
            "unchanged",
            "errors",
            "skipped",
            "duplicates",
            "recovered",
            "notes",
        }
        | {"chunks_embedded", "chunks_deleted", "chars", "seconds"},
    ),
    "search passage": (
        passage_json(passage()),
        {"rank", "doc", "section", "text", "score", "dense_score", "dense_rank", "lexical_score", "lexical_rank"},
    ),
    "ask/draft": (
        answer().to_json(),
        {"question", "answer", "abstained", "citations", "unsupported_numbers", "mode", "latency_ms", "notes"}
        | {"passages"},
    ),
    "citation": (answer().to_json()["citations"][0], {"n", "doc", "section", "quote", "text", "title", "township"}),
    "answer passage": (answer().to_json()["passages"][0], {"rank", "doc", "section", "text", "score"}),
    "docs": (
        DocRecord("d1", "标题", "X乡", (2023, 2024), "总结", "/a.txt", "ab", 3).to_json(),
        {
            "doc_id",
            "title",
            "township",
            "years",
            "kind",
            "source",
            "sha256",
            "chunks",
            "place_level",
            "date",
            "meeting",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_json_shapes_match_the_contract(name: str) -> None:
    produced, pinned = SHAPES[name]
    assert set(produced) == pinned
    shapes = section("JSON shapes")
    assert [key for key in pinned if f'"{key}"' not in shapes] == [], "every key is named in docs/contracts.md"


def test_docs_json_keeps_years_as_the_comma_string() -> None:
    record = DocRecord("d1", "标题", "X乡", (2023, 2024), "总结", "/a.txt", "ab", 3)
    assert record.to_json()["years"] == "2023,2024"


def _item_result(kind: str = "fact", tags: tuple[str, ...] = ()) -> ItemResult:
    return ItemResult(
        "q1", kind, "问？", "答", False, "extractive", ["答"], [], True, 1.0, 1.0, 1, 1, 1, 1, 0, [], 5, tags=list(tags)
    )


def test_every_metric_is_defined_in_the_contract() -> None:
    produced = set(summarise([_item_result()])) | {"mode"}  # `mode` is added by the run
    table = section("Metrics")
    first_cells = re.findall(r"^\| ([^|]+) \|", table, re.M)
    named = {key for cell in first_cells for key in re.findall(r"`([^`]+)`", cell)}
    per_kind = {key for key in produced if key.startswith("items.") and key != "items.llm"}
    assert produced - per_kind - named == set(), "a metric the code writes is missing from docs/contracts.md"


SLICE_KEYS = {
    "items",
    "items.fact",
    "items.list",
    "items.compare",
    "items.unanswerable",
    "items.draft",
    "retrieval.recall@5",
    "retrieval.mrr",
    "answer.accuracy",
    "answer.abstain_accuracy",
    "answer.false_abstain_rate",
    "citations.evidence_recall",
    "citations.valid_rate",
    "faithfulness.unsupported_number_rate",
    "faithfulness.unflagged_unsupported_numbers",
}


def test_slices_have_the_pinned_shape_named_in_the_contract() -> None:
    results = [_item_result("fact", ("level:province", "number")), _item_result("list", ("number",))]
    slices = summarise(results)["slices"]
    assert set(slices) == {"kind", "tag"}
    assert list(slices["kind"]) == ["fact", "list"]
    assert list(slices["tag"]) == ["level:province", "number"]
    for group in slices.values():
        for figures in group.values():
            assert set(figures) == SLICE_KEYS
    table = section("Metrics")
    assert [key for key in sorted(SLICE_KEYS) if f'"{key}"' not in table] == [], "every slice key is in the contract"
