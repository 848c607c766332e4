"""Evaluation: metric definitions, the Q&A file reader, and per-item / overall scoring on hand-built answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.eval.dataset import DatasetError, Evidence, QAItem, load_qa
from assistant.eval.metrics import MRR_CUTOFF, norm, percentile, quote_in, recall_at_k, reciprocal_rank
from assistant.eval.runner import evaluate_item, summarise
from assistant.types import Answer, Citation, Passage

CAISHUI = "引进物流企业2家，建筑企业8家，劳务公司2家，汽车企业1家，2023年完成财税1200万元，乡财力得到进一步的夯实。"
XIANGMU = "2023年，实施的项目共26个，总投资XX万元，已完工项目20个，在建项目5个，拟建项目1个。"
FILLER = "坚持以习近平新时代中国特色社会主义思想为指导，全面落实各项工作部署。"


# ---------------------------------------------------------------- norm / quote_in


def test_norm_is_nfkc_without_whitespace() -> None:
    assert norm("１２００ 万\n元\u3000（Ｘ乡）\t") == "1200万元(X乡)"
    assert norm("") == ""


def test_quote_in_needs_the_same_doc() -> None:
    q = Evidence("001", "2023年完成财税1200万元")
    assert quote_in(q, "001", CAISHUI)
    assert not quote_in(q, "002", CAISHUI)
    assert quote_in(Evidence("001", "完成财税 １２００万元"), "001", CAISHUI)
    assert not quote_in(Evidence("001", "完成财税1300万元"), "001", CAISHUI)


# ---------------------------------------------------------------- recall_at_k / reciprocal_rank

EV_CAISHUI = Evidence("001", "2023年完成财税1200万元")
EV_QIYE = Evidence("001", "引进物流企业2家")
EV_XIANGMU = Evidence("000", "实施的项目共26个")


def test_recall_counts_quotes_found_in_top_k_passages_of_the_same_doc() -> None:
    ranked = [("000", XIANGMU), ("002", FILLER)]
    assert recall_at_k([EV_CAISHUI, EV_XIANGMU], ranked) == 0.5
    assert recall_at_k([EV_CAISHUI, EV_QIYE, EV_XIANGMU], [*ranked, ("001", CAISHUI)]) == 1.0


def test_recall_ignores_a_quote_found_in_another_docs_passage() -> None:
    # The right words in the wrong report do not count.
    assert recall_at_k([EV_CAISHUI], [("003", CAISHUI)]) == 0.0


def test_recall_only_looks_at_the_top_k() -> None:
    ranked = [("009", FILLER)] * 5 + [("001", CAISHUI)]
    assert recall_at_k([EV_CAISHUI], ranked) == 0.0
    assert recall_at_k([EV_CAISHUI], ranked, k=6) == 1.0


def test_recall_without_evidence_is_zero() -> None:
    assert recall_at_k([], [("001", CAISHUI)]) == 0.0


def test_reciprocal_rank_of_first_passage_with_any_quote() -> None:
    ranked = [("009", FILLER), ("003", CAISHUI), ("001", CAISHUI), ("000", XIANGMU)]
    assert reciprocal_rank([EV_CAISHUI], ranked) == pytest.approx(1 / 3)
    assert reciprocal_rank([EV_XIANGMU, EV_CAISHUI], ranked) == pytest.approx(1 / 3)
    assert reciprocal_rank([EV_XIANGMU], ranked) == pytest.approx(1 / 4)
    assert reciprocal_rank([Evidence("001", "不存在的句子")], ranked) == 0.0


def test_reciprocal_rank_cutoff_is_20() -> None:
    assert MRR_CUTOFF == 20
    at_20 = [("009", FILLER)] * 19 + [("001", CAISHUI)]
    at_21 = [("009", FILLER)] * 20 + [("001", CAISHUI)]
    assert reciprocal_rank([EV_CAISHUI], at_20) == pytest.approx(1 / 20)
    assert reciprocal_rank([EV_CAISHUI], at_21) == 0.0


# ---------------------------------------------------------------- percentile


def test_percentile_basics() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([42], 50) == 42.0
    assert percentile([42], 95) == 42.0
    assert percentile([30, 10, 20], 50) == 20.0  # unsorted input
    assert percentile([1, 2, 3, 4], 50) == 2.0
    assert percentile(list(range(1, 11)), 95) == 10.0
    assert percentile(list(range(1, 11)), 100) == 10.0
    assert percentile(list(range(1, 11)), 0) == 1.0
    assert isinstance(percentile([1, 2], 50), float)


@pytest.mark.parametrize(
    ("n", "pct", "expected"),
    [
        (10, 50, 5),  # ceil(0.50 × 10) = 5th value
        (20, 95, 19),  # ceil(0.95 × 20) = 19th value
        (100, 95, 95),  # ceil(0.95 × 100) = 95th value
        (100, 50, 50),
        (4, 50, 2),
        (3, 50, 2),
        (7, 90, 7),  # ceil(6.3) = 7
        (10, 25, 3),  # ceil(2.5) = 3
    ],
)
def test_percentile_is_nearest_rank(n: int, pct: float, expected: int) -> None:
    # Nearest rank: the ceil(pct/100 × n)-th smallest value.
    assert percentile(list(range(1, n + 1)), pct) == float(expected)


# ---------------------------------------------------------------- load_qa


def _line(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False)


FACT = _line(
    id="q11",
    kind="fact",
    question="X乡去年财税一共收了多少？",
    expected=["1200万元"],
    evidence=[{"doc": "001", "quote": "2023年完成财税1200万元"}],
    tags=["colloquial", "number"],
)
UNANSWERABLE = _line(id="q60", kind="unanswerable", question="红星镇2023年完成了多少财税？", expected=[], evidence=[])


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text(text, encoding=encoding)
    return path


def test_load_qa_reads_a_valid_file(tmp_path: Path) -> None:
    items = load_qa(_write(tmp_path, f"{FACT}\n{UNANSWERABLE}\n"))
    assert [i.id for i in items] == ["q11", "q60"]
    fact = items[0]
    assert fact.kind == "fact"
    assert fact.question == "X乡去年财税一共收了多少？"
    assert fact.expected == ("1200万元",)
    assert fact.evidence == (Evidence("001", "2023年完成财税1200万元"),)
    assert fact.extra == {"tags": ["colloquial", "number"]}
    assert items[1].expected == () and items[1].evidence == ()


def test_load_qa_ignores_blank_lines(tmp_path: Path) -> None:
    items = load_qa(_write(tmp_path, f"\n{FACT}\n   \n\t\n{UNANSWERABLE}\n\n"))
    assert [i.id for i in items] == ["q11", "q60"]


def test_load_qa_tolerates_a_bom(tmp_path: Path) -> None:
    items = load_qa(_write(tmp_path, f"{FACT}\n{UNANSWERABLE}\n", encoding="utf-8-sig"))
    assert (tmp_path / "qa.jsonl").read_bytes().startswith(b"\xef\xbb\xbf")
    assert [i.id for i in items] == ["q11", "q60"]


def test_bad_json_names_its_line(tmp_path: Path) -> None:
    # Line 3 (blank line 2 still counts as a line of the file).
    path = _write(tmp_path, f"{FACT}\n\n{{'id': 'q2', kind: fact}}\n{UNANSWERABLE}\n")
    with pytest.raises(DatasetError, match=r"(?<!\d)3(?!\d)"):
        load_qa(path)


def test_dataset_error_is_a_value_error() -> None:
    assert issubclass(DatasetError, ValueError)


def test_unknown_kind_is_an_error(tmp_path: Path) -> None:
    bad = _line(id="q2", kind="opinion", question="你觉得呢？")
    with pytest.raises(DatasetError, match=r"(?<!\d)2(?!\d)") as info:
        load_qa(_write(tmp_path, f"{FACT}\n{bad}\n"))
    assert "opinion" in str(info.value)


def test_duplicate_id_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"(?<!\d)2(?!\d)") as info:
        load_qa(_write(tmp_path, f"{FACT}\n{FACT}\n"))
    assert "q11" in str(info.value)


@pytest.mark.parametrize(
    "line",
    [
        _line(id="q2", kind="fact"),  # no question
        _line(kind="fact", question="几个？"),  # no id
        _line(id="q2", kind="fact", question="几个？", evidence=[{"doc": "001"}]),  # evidence without quote
        json.dumps(["q2", "fact"]),  # not an object
    ],
)
def test_malformed_items_are_errors(tmp_path: Path, line: str) -> None:
    with pytest.raises(DatasetError, match=r"(?<!\d)2(?!\d)"):
        load_qa(_write(tmp_path, f"{FACT}\n{line}\n"))


# ---------------------------------------------------------------- evaluate_item / summarise


def _p(cid: str, doc: str, text: str, rank: int) -> Passage:
    return Passage(cid, doc, "sec", text, 0.03, rank, {})


def _cite(n: int, p: Passage, quote: str) -> Citation:
    return Citation(n=n, doc=p.doc_id, section=p.section, quote=quote, text=p.text, chunk_id=p.chunk_id)


P_CAISHUI = _p("001-a", "001", CAISHUI, 1)
P_XIANGMU = _p("000-a", "000", XIANGMU, 2)
P_FILLER = _p("002-a", "002", FILLER, 1)


def _answer(
    text: str, citations: list[Citation], passages: list[Passage], abstained: bool = False, ms: int = 0
) -> Answer:
    return Answer(
        question="q",
        answer=text,
        abstained=abstained,
        citations=citations,
        unsupported_numbers=[],
        mode="extractive",
        latency_ms=ms,
        passages=passages,
    )


FACT_ITEM = QAItem("q11", "fact", "X乡去年财税一共收了多少？", ("1200万元",), (EV_CAISHUI,))
GOOD = _answer(
    "2023年完成财税1200万元。[1]",
    [_cite(1, P_CAISHUI, "2023年完成财税1200万元，乡财力得到进一步的夯实。")],
    [P_CAISHUI, P_XIANGMU],
    ms=10,
)


def test_evaluate_item_on_a_good_answer() -> None:
    r = evaluate_item(FACT_ITEM, GOOD)
    assert r.correct is True
    assert r.missing_expected == []
    assert r.recall_at_5 == 1.0
    assert r.reciprocal_rank == 1.0
    assert (r.evidence_total, r.evidence_cited) == (1, 1)
    assert (r.markers, r.valid_markers) == (1, 1)
    assert r.numbers == 2
    assert r.unsupported_numbers == []
    assert r.latency_ms == 10
    json.dumps(r.to_json(), ensure_ascii=False)


def test_evidence_doc_absent_from_every_passage_is_a_miss() -> None:
    item = QAItem("q20", "fact", "问题", ("1200万元",), (Evidence("999_missing", "2023年完成财税1200万元"),))
    r = evaluate_item(item, GOOD)  # the quote's words are retrieved, but from another report
    assert r.recall_at_5 == 0.0
    assert r.reciprocal_rank == 0.0
    assert r.evidence_cited == 0
    assert r.evidence_total == 1


def test_wrong_abstained_and_unanswerable_items() -> None:
    wrong = evaluate_item(FACT_ITEM, _answer("资料中未找到。", [], [P_FILLER]))
    assert wrong.correct is False
    assert wrong.missing_expected == ["1200万元"]
    # An abstention never counts as correct, even if the text happens to contain the expected string.
    abstained = evaluate_item(FACT_ITEM, _answer("未找到，但1200万元。", [], [P_CAISHUI], abstained=True))
    assert abstained.correct is False
    unanswerable = QAItem("q60", "unanswerable", "红星镇2023年完成了多少财税？")
    r = evaluate_item(unanswerable, _answer("资料中未找到红星镇的工作报告。", [], [], abstained=True))
    assert r.correct is None
    assert r.recall_at_5 is None and r.reciprocal_rank is None
    assert r.missing_expected == []


def test_markers_without_a_retrieved_citation_are_invalid() -> None:
    stray = Citation(n=2, doc="003", section="s", quote="q", text="t", chunk_id="not-retrieved")
    a = _answer(
        "2023年完成财税1200万元。[1]实施的项目共26个。[2]",
        [_cite(1, P_CAISHUI, "2023年完成财税1200万元"), stray],
        [P_CAISHUI],
    )
    r = evaluate_item(FACT_ITEM, a)
    assert (r.markers, r.valid_markers) == (2, 1)


def test_numbers_not_in_the_cited_passage_are_counted_unsupported() -> None:
    a = _answer("2023年完成财税1350万元。[1]", [_cite(1, P_CAISHUI, "x")], [P_CAISHUI])
    r = evaluate_item(FACT_ITEM, a)
    assert r.numbers == 2
    assert r.unsupported_numbers == ["1350万"]
    assert r.correct is False


SUMMARY_KEYS = {
    "retrieval.recall@5",
    "retrieval.mrr",
    "answer.accuracy",
    "answer.abstain_accuracy",
    "answer.false_abstain_rate",
    "citations.evidence_recall",
    "citations.valid_rate",
    "faithfulness.unsupported_number_rate",
    "latency.ask_p50_ms",
    "latency.ask_p95_ms",
    "items",
}


def test_summarise_on_a_small_run() -> None:
    missing_doc = QAItem("q20", "fact", "问题", ("1200万元",), (Evidence("999", "2023年完成财税1200万元"),))
    results = [
        evaluate_item(FACT_ITEM, GOOD),
        evaluate_item(
            missing_doc,
            _answer("2023年完成财税1350万元。[1]", [_cite(1, P_CAISHUI, "x")], [P_CAISHUI], ms=30),
        ),
        evaluate_item(
            QAItem("q60", "unanswerable", "红星镇？"), _answer("资料中未找到。", [], [P_FILLER], abstained=True, ms=20)
        ),
        evaluate_item(QAItem("d1", "draft", "起草一份总结"), _answer("草稿正文。", [], [], ms=1000)),
    ]
    s = summarise(results)
    assert set(s) >= SUMMARY_KEYS
    assert s["items"] == 4
    assert s["retrieval.recall@5"] == 0.5
    assert s["retrieval.mrr"] == 0.5
    assert s["answer.accuracy"] == 0.5
    assert s["answer.abstain_accuracy"] == 1.0
    assert s["answer.false_abstain_rate"] == 0.0
    assert s["citations.evidence_recall"] == 0.5
    assert s["citations.valid_rate"] == 1.0
    assert s["faithfulness.unsupported_number_rate"] == pytest.approx(1 / 4, abs=1e-4)
    # Latency over asked questions only (the 1000 ms draft is left out).
    assert s["latency.ask_p50_ms"] == 20.0
    assert s["latency.ask_p95_ms"] == 30.0


def test_summarise_false_abstentions() -> None:
    results = [
        evaluate_item(FACT_ITEM, GOOD),
        evaluate_item(FACT_ITEM, _answer("资料中未找到。", [], [P_CAISHUI], abstained=True)),
        evaluate_item(QAItem("q60", "unanswerable", "红星镇？"), _answer("有答案1200万元。[1]", [], [P_CAISHUI])),
    ]
    s = summarise(results)
    assert s["answer.false_abstain_rate"] == 0.5
    assert s["answer.abstain_accuracy"] == 0.0
    assert s["answer.accuracy"] == 0.5
    assert s["citations.valid_rate"] == 0.5  # the unanswerable answer's [1] cites nothing


def test_summarise_of_nothing_has_every_key() -> None:
    s = summarise([])
    assert set(s) >= SUMMARY_KEYS
    assert s["items"] == 0
