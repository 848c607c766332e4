"""The hand-written Q&A sets rest on the reports: every evidence quote is an exact substring of the cleaned
text of its doc (`parse_file(path).text`), and the blind comparison set keeps its own shape rules."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from assistant.eval.dataset import load_qa
from assistant.ingest.document import parse_file
from tests.conftest import CORPORA, SEEDS

QA_DIR = SEEDS / "qa"
QA_SETS = sorted(p.name for p in QA_DIR.glob("*.jsonl"))
COMPARE_SET = QA_DIR / "compare_heldout.jsonl"
HAILAR = "海拉尔区"


def _items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _doc_path(doc: str) -> Path | None:
    seed = SEEDS / f"{doc}.txt"
    if seed.is_file():
        return seed
    return next(iter(sorted(CORPORA.glob(f"*/{doc}.txt"))), None) if CORPORA.is_dir() else None


@cache
def _text(path: Path) -> str:
    return parse_file(path).text


def _source(doc: str) -> str:
    path = _doc_path(doc)
    if path is None:
        if not CORPORA.is_dir():
            pytest.skip(f"corpora not available for {doc}")
        pytest.fail(f"no report file for doc {doc}")
    return _text(path)


def test_the_qa_sets_are_found_and_load_in_the_eval_format() -> None:
    assert {"dev.jsonl", "heldout.jsonl", "compare_heldout.jsonl"} <= set(QA_SETS)
    for name in QA_SETS:
        assert len(load_qa(QA_DIR / name)) == len(_items(QA_DIR / name)), name


@pytest.mark.parametrize("name", QA_SETS)
def test_every_evidence_quote_is_an_exact_substring_of_its_doc(name: str) -> None:
    missing = [
        (item["id"], ev["doc"], ev["quote"])
        for item in _items(QA_DIR / name)
        for ev in item["evidence"]
        if ev["quote"] not in _source(ev["doc"])
    ]
    assert not missing, missing


def _names_of(doc: str) -> set[str]:
    """The place and year names a 哪个/哪一年…最高 answer may give for a doc it cites, without quoting them."""
    year, _, rest = doc.partition("_")
    if HAILAR in doc:  # the report of year N reviews N-1 and sets targets for N
        return {f"{int(year) - 1}年", f"{year}年"}
    place = rest.split("_")[0] if rest else ""
    short = re.sub(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|省|市)$", "", place)
    return {place, short} - {""}


def test_the_compare_set_has_its_shape_and_mix() -> None:
    items = _items(COMPARE_SET)
    assert [it["id"] for it in items] == [f"h-cmp-{i:02d}" for i in range(1, len(items) + 1)]
    assert len(items) >= 30
    assert {it["kind"] for it in items} == {"compare", "unanswerable"}
    compares = [it for it in items if it["kind"] == "compare"]
    by_corpus = {"seeds": 0, "hailar": 0, "province": 0}
    for it in compares:
        docs = {ev["doc"] for ev in it["evidence"]}
        key = (
            "hailar"
            if all(HAILAR in d for d in docs)
            else "province"
            if all(d.startswith("2026_") for d in docs)
            else "seeds"
        )
        if key == "seeds":
            assert all((SEEDS / f"{d}.txt").is_file() for d in docs), it["id"]
        by_corpus[key] += 1
    assert by_corpus["seeds"] >= 8 and by_corpus["hailar"] >= 10 and by_corpus["province"] >= 10, by_corpus
    assert sum(it["kind"] == "unanswerable" for it in items) >= 3
    assert any("traditional" in it["tags"] for it in items)


@pytest.mark.parametrize("item", _items(COMPARE_SET), ids=lambda it: it["id"])
def test_each_compare_item_rests_on_one_quote_per_place_or_year(item: dict[str, Any]) -> None:
    evidence = item["evidence"]
    if item["kind"] == "unanswerable":
        assert item["expected"] == [] and evidence == [] and item.get("note"), item["id"]
        return
    docs = [ev["doc"] for ev in evidence]
    assert len(docs) == len(set(docs)) >= 2, "one quote per doc, at least two docs"
    quotes = [ev["quote"] for ev in evidence]
    assert all("。" not in q for q in quotes)
    names = set().union(*(_names_of(d) for d in docs))
    for expected in item["expected"]:
        assert any(expected in q for q in quotes) or expected in names, (item["id"], expected)
    # every cited doc contributes at least one expected figure or is the one whose figure is an XX placeholder
    for ev in evidence:
        contributes = any(x in ev["quote"] for x in item["expected"])
        assert contributes or "XX" in ev["quote"], (item["id"], ev["doc"])
    if "xx_placeholder" in item["tags"]:
        assert item.get("note", "").startswith("source has XX placeholder") and any("XX" in q for q in quotes)
