"""Evaluation: unsupported numbers that reach the user unflagged, and the per-kind / per-tag slices."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.eval.dataset import DatasetError, Evidence, QAItem, load_qa
from assistant.eval.report import problems, write_report
from assistant.eval.runner import app_marks, evaluate_item, flagged, summarise
from assistant.generation.citations import split_answer_sentences, verify
from assistant.types import Answer, Citation, Passage
from assistant.ui.render import answer_html

CAISHUI = "引进物流企业2家，建筑企业8家，2023年完成财税1200万元，乡财力得到进一步的夯实。"
LUXIAN = "推出6条红色旅游精品线路，接待游客3.2万人次。"
P_CAISHUI = Passage("001-a", "001", "一、2023年工作总结", CAISHUI, 0.03, 1, {})
P_LUXIAN = Passage("002-a", "002", "一、2023年工作总结", LUXIAN, 0.02, 2, {})
EV_CAISHUI = Evidence("001", "2023年完成财税1200万元")
EV_LUXIAN = Evidence("002", "推出6条红色旅游精品线路")
FACT = QAItem("q1", "fact", "X乡2023年完成了多少财税收入？", ("1200万元",), (EV_CAISHUI,), {"tags": ["number"]})


def checked_answer(text: str, passages: list[Passage], mode: str = "llm", abstained: bool = False) -> Answer:
    """An answer as the answer paths build it: the real citation check over `text`."""
    v = verify(text, passages)
    return Answer("q", v.text, abstained, v.citations, v.unsupported_numbers, mode, 5, passages)


def unchecked_answer(text: str, passages: list[Passage], listed: list[str]) -> Answer:
    """An answer that cites like the check would but lists only `listed` as unsupported."""
    v = verify(text, passages)
    return Answer("q", v.text, False, v.citations, listed, "llm", 5, passages)


# ---------------------------------------------------------------- unflagged unsupported numbers


def test_a_supported_answer_has_nothing_unflagged() -> None:
    r = evaluate_item(FACT, checked_answer("2023年完成财税1200万元。[1]", [P_CAISHUI], mode="extractive"))
    assert r.unsupported_numbers == []
    assert r.unflagged_numbers == []


def test_an_unsupported_number_the_answer_does_not_list_is_unflagged() -> None:
    r = evaluate_item(FACT, unchecked_answer("2023年完成财税1350万元。[1]", [P_CAISHUI], listed=[]))
    assert r.unsupported_numbers == ["1350万"]
    assert r.unflagged_numbers == ["1350万"]
    assert summarise([r])["faithfulness.unflagged_unsupported_numbers"] == 1


def test_a_listed_and_marked_number_is_flagged() -> None:
    answer = checked_answer("2023年完成财税1350万元。[1]", [P_CAISHUI])
    assert answer.unsupported_numbers == ["1350万"]
    assert 'class="unsupported"' in answer_html(answer)
    r = evaluate_item(FACT, answer)
    assert r.unsupported_numbers == ["1350万"]
    assert r.unflagged_numbers == []
    assert summarise([r])["faithfulness.unflagged_unsupported_numbers"] == 0


def test_listing_one_number_does_not_flag_another() -> None:
    text = "2023年完成财税1350万元。[1]推出7条红色旅游精品线路。[2]"
    r = evaluate_item(FACT, unchecked_answer(text, [P_CAISHUI, P_LUXIAN], listed=["1350万"]))
    assert r.unsupported_numbers == ["1350万", "7"]
    assert r.unflagged_numbers == ["7"]


def test_a_listed_number_the_app_does_not_mark_is_unflagged() -> None:
    # The app marks a sentence by the listed numbers as written; a listed number the sentence does
    # not contain leaves it unmarked.
    answer = unchecked_answer("2023年完成财税1,350万元。[1]", [P_CAISHUI], listed=["1350"])
    assert 'class="unsupported"' not in answer_html(answer)
    r = evaluate_item(FACT, answer)
    assert r.unsupported_numbers == ["1,350万"]
    assert r.unflagged_numbers == ["1,350万"]


@pytest.mark.parametrize("written", ["1,350万元", "１３５０万元", "１，３５０万元"])
def test_a_number_with_commas_or_full_width_digits_is_listed_as_written_and_marked(written: str) -> None:
    # It was listed as 1350, which the sentence as written does not contain: never marked ⚠.
    answer = checked_answer(f"2023年完成财税{written}。[1]", [P_CAISHUI])
    assert answer.unsupported_numbers == [written.removesuffix("元")]
    assert 'class="unsupported"' in answer_html(answer)
    r = evaluate_item(FACT, answer)
    assert r.unsupported_numbers == answer.unsupported_numbers and r.unflagged_numbers == []


def test_numbers_in_an_abstention_without_citations_are_unflagged() -> None:
    # The app shows an abstention without citations as a plain not-found box: nothing is marked.
    answer = checked_answer("资料中未找到，安民乡2023年的GDP约为24.77亿元。", [P_LUXIAN], abstained=True)
    assert answer.citations == [] and "24.77亿" in answer.unsupported_numbers
    r = evaluate_item(QAItem("u1", "unanswerable", "安民乡2023年的GDP是多少？"), answer)
    assert set(r.unflagged_numbers) == {"2023", "24.77亿"}


THREE = "2023年完成财税1350万元。[1]推出7条红色旅游精品线路。[2]接待游客3.2万人次。[2]"
RENDER_CASES = {
    "two of three sentences": unchecked_answer(THREE, [P_CAISHUI, P_LUXIAN], listed=["1350万", "7"]),
    "thousands comma": checked_answer(
        "2023年完成财税1,350万元。[1]推出6条红色旅游精品线路。[2]", [P_CAISHUI, P_LUXIAN]
    ),
    "full-width digits": checked_answer("2023年完成财税１３５０万元。[1]", [P_CAISHUI]),
    "abstention without citations": checked_answer("资料中未找到，GDP约为24.77亿元。", [P_LUXIAN], abstained=True),
    "abstention with citations": replace(checked_answer("总投资约35万元。[1]", [P_CAISHUI]), abstained=True),
}


@pytest.mark.parametrize("case", sorted(RENDER_CASES))
def test_app_marks_agrees_with_the_apps_renderer(case: str) -> None:
    """The eval's rule for a marked sentence is the app's: rendering each sentence alone and the
    whole answer (the chat and draft tabs' answer_html) mark the same sentences."""
    answer = RENDER_CASES[case]
    assert answer.unsupported_numbers, "every case has something to mark"
    sentences = [s for s in split_answer_sentences(answer.answer) if s.strip()]
    rendered = ['class="unsupported"' in answer_html(replace(answer, answer=s)) for s in sentences]
    assert [app_marks(answer, s) for s in sentences] == rendered
    assert answer_html(answer).count('class="unsupported"') == sum(rendered)


def test_flagged_needs_the_number_listed_and_its_sentence_marked() -> None:
    answer = RENDER_CASES["two of three sentences"]
    second = split_answer_sentences(answer.answer)[1]
    assert flagged(answer, second, "7")
    assert not flagged(answer, second, "6"), "a number the answer does not list is never flagged"
    assert not flagged(answer, split_answer_sentences(answer.answer)[2], "1350万"), "listed, but not in that sentence"


# ---------------------------------------------------------------- slices


def _ans(text: str, citations: list[Citation], passages: list[Passage], abstained: bool = False) -> Answer:
    return Answer("q", text, abstained, citations, [], "extractive", 10, passages)


def _cite(n: int, p: Passage) -> Citation:
    return Citation(n=n, doc=p.doc_id, section=p.section, quote=p.text, text=p.text, chunk_id=p.chunk_id)


def _run() -> dict[str, Any]:
    good = _ans("2023年完成财税1200万元。[1]", [_cite(1, P_CAISHUI)], [P_CAISHUI])
    missed = _ans("资料中未找到。", [], [P_CAISHUI], abstained=True)
    list_item = QAItem("q2", "list", "安民乡推出了几条线路？", ("6条",), (EV_LUXIAN,), {"tags": ["number", "alias"]})
    unans = QAItem("u1", "unanswerable", "红星镇？", extra={"tags": ["alias"]})
    untagged = QAItem("q3", "fact", "问？", ("1200万元",), (EV_CAISHUI,))
    results = [
        evaluate_item(FACT, good),
        evaluate_item(list_item, missed),
        evaluate_item(unans, _ans("资料中未找到。", [], [], abstained=True)),
        evaluate_item(untagged, unchecked_answer("2023年完成财税1350万元。[1]", [P_CAISHUI], listed=[])),
    ]
    return summarise(results)


def test_tag_slices_hold_every_item_with_the_tag() -> None:
    s = _run()
    tags = s["slices"]["tag"]
    assert list(tags) == ["alias", "number"]
    number = tags["number"]
    assert (number["items"], number["items.fact"], number["items.list"], number["items.unanswerable"]) == (2, 1, 1, 0)
    assert number["retrieval.recall@5"] == 0.5  # the list item's passage is from another report
    assert number["answer.accuracy"] == 0.5
    assert number["answer.false_abstain_rate"] == 0.5
    assert number["citations.evidence_recall"] == 0.5
    assert number["answer.abstain_accuracy"] is None, "no unanswerable item carries the tag"
    alias = tags["alias"]
    assert (alias["items"], alias["answer.abstain_accuracy"], alias["answer.accuracy"]) == (2, 1.0, 0.0)
    assert alias["faithfulness.unsupported_number_rate"] is None, "no answer of the slice holds a number"
    assert alias["faithfulness.unflagged_unsupported_numbers"] == 0


def test_kind_slices_and_the_unflagged_count_per_slice() -> None:
    s = _run()
    kinds = s["slices"]["kind"]
    assert list(kinds) == ["fact", "list", "unanswerable"], "kinds that occur, in the dataset's order"
    fact = kinds["fact"]
    assert fact["items"] == 2
    assert fact["answer.accuracy"] == 0.5
    assert fact["faithfulness.unflagged_unsupported_numbers"] == 1  # the untagged item's 1350万
    assert fact["faithfulness.unsupported_number_rate"] == 0.25
    assert kinds["unanswerable"]["retrieval.recall@5"] is None
    assert s["faithfulness.unflagged_unsupported_numbers"] == 1
    assert all(f["faithfulness.unflagged_unsupported_numbers"] == 0 for f in s["slices"]["tag"].values())


def test_top_level_metrics_keep_their_overall_defaults() -> None:
    s = _run()
    assert s["answer.accuracy"] == 0.3333
    assert s["answer.abstain_accuracy"] == 1.0
    assert s["items"] == 4
    empty = summarise([])
    assert empty["slices"] == {"kind": {}, "tag": {}}
    assert empty["citations.valid_rate"] == 1.0 and empty["answer.accuracy"] == 0.0


# ---------------------------------------------------------------- tags in the Q&A file, report


def test_tags_are_read_and_checked(tmp_path: Path) -> None:
    good = {"id": "a", "kind": "fact", "question": "问？", "expected": ["1"], "tags": ["level:province", "alias"]}
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n", encoding="utf-8")
    assert load_qa(path)[0].tags == ("level:province", "alias")
    bad = {**good, "id": "b", "tags": "alias"}
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (good, bad)) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="第 2 行 tags"):
        load_qa(path)


def test_report_shows_slices_and_unflagged_numbers(tmp_path: Path) -> None:
    results = [
        evaluate_item(FACT, unchecked_answer("2023年完成财税1350万元。[1]", [P_CAISHUI], listed=[])),
        evaluate_item(QAItem("u1", "unanswerable", "红星镇？"), _ans("资料中未找到。", [], [], abstained=True)),
    ]
    metrics = {"mode": "hybrid", **summarise(results)}
    write_report(tmp_path, metrics, results, "qa.jsonl")
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| slices |" not in report, "the nested slices are not a row of the headline table"
    assert "| faithfulness.unflagged_unsupported_numbers | 1 ❌ | <= 0 |" in report
    assert "## Slices" in report
    row = next(line for line in report.splitlines() if line.startswith("| tag `number` |"))
    assert row.split(" | ")[1:5] == ["1", "1.0", "1.0", "0.0"]  # items, recall@5, MRR, accuracy
    assert "| kind `unanswerable` | 1 | — |" in report
    assert "unsupported numbers shown unflagged: 1350万" in problems(results[0])
    line = json.loads((tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert (line["tags"], line["unflagged_numbers"]) == (["number"], ["1350万"])
    saved = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert saved["slices"]["tag"]["number"]["faithfulness.unflagged_unsupported_numbers"] == 1
