"""The extractive Answerer with a fake retriever and a real (tmp) lexical index: answers, abstentions, JSON shape."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.generation import answer as answer_mod
from assistant.generation import extractive
from assistant.generation.answer import ABSTAIN_COVERAGE, NOT_FOUND, Answerer
from assistant.generation.citations import UNDISCLOSED
from assistant.generation.corpus import Corpus
from assistant.generation.draft import Drafter
from assistant.generation.paths import AnswerPath, DraftPath
from assistant.generation.question import analyse
from assistant.retrieval import Filters
from assistant.store.lexical import LexicalIndex
from assistant.types import Answer, Passage
from tests.conftest import HashingEmbedder

# Real passages from seeds/001 (X乡), seeds/002 (安民乡) and seeds/004 (述职, XX乡).
CAISHUI = (
    "拓展财税来源，夯实财政基础。“栽下梧桐树引得凤凰来”，通过不断营造“四最”营商环境，制定优惠政策，"
    "引进物流企业2家，建筑企业8家，劳务公司2家，汽车企业1家，2023年完成财税1200万元，乡财力得到进一步的夯实。"
)
PINPAI = (
    "二是深挖特色品牌价值。推出“安民三笋”“安民红礼”等特色品牌,通过乡强村公司对全乡特色农产品如笋鲞、香榧、蜂蜜等"
    "进行统一收购、包装、出售,10月以来为村民营收5万余元。成功创建丽水市“十大红色康养小镇”,"
    "并与省华数集团、萧山区民政局签订战略合作协议。"
)
LILUN = (
    "二是持续深化理论武装。把深入学习贯彻党的XX大精神与学习贯彻习近平总书记考察云南重要讲话精神结合起来，"
    "严格落实“第一议题”制度，全年召开党委理论中心组集中学习XX次，周一集中学习会XX次，做到学思用贯通、知信行统一，"
    "着力推动各项重点任务落地见效。"
)


def _meta(doc: str, title: str, township: str, years: tuple[int, ...], kind: str, part: str) -> dict[str, Any]:
    return {
        "doc": doc,
        "title": title,
        "township": township,
        "years": ",".join(str(y) for y in years),
        "year_min": min(years),
        "year_max": max(years),
        "kind": kind,
        "section": "一、2023年工作总结",
        "part": part,
        "part_kind": "总结",
    }


CHUNKS = [
    (
        "001-a",
        CAISHUI,
        _meta("001", "X乡2023年工作总结及2024年工作计划", "X乡", (2023, 2024), "总结", "2023年工作总结"),
    ),
    (
        "002-a",
        PINPAI,
        _meta("002", "安民乡2023年工作总结和2024年工作思路要点", "安民乡", (2023, 2024), "总结", "2023年工作总结"),
    ),
    ("004-a", LILUN, _meta("004", "2023年乡镇领导班子工作情况总结（述职）", "XX乡", (2023,), "述职", "2023年工作总结")),
]
TEXTS = {cid: text for cid, text, _ in CHUNKS}


class FakeRetriever:
    """Returns the hand-built passages that pass the filters, in a fixed order; records every call."""

    dense_weight = 1.0

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.embedder = HashingEmbedder()
        self.calls: list[tuple[str, int, Filters | None]] = []

    def search(self, query: str, k: int = 5, filters: Filters | None = None, vector: Any = None) -> list[Passage]:
        self.calls.append((query, k, filters))
        f = filters or Filters()
        hits = [p for p in self.passages if f.matches(p.metadata)][:k]
        return [replace(p, rank=i, score=round(1 / (60 + i), 6)) for i, p in enumerate(hits, start=1)]


@pytest.fixture
def lexical(tmp_path: Path) -> LexicalIndex:
    index = LexicalIndex(tmp_path / "lex")
    index.rebuild(CHUNKS)
    return index


@pytest.fixture
def passages() -> list[Passage]:
    return [Passage(cid, str(m["doc"]), str(m["section"]), text, 0.0, 0, dict(m)) for cid, text, m in CHUNKS]


@pytest.fixture
def retriever(passages: list[Passage]) -> FakeRetriever:
    return FakeRetriever(passages)


@pytest.fixture
def answerer(retriever: FakeRetriever, lexical: LexicalIndex) -> Answerer:
    corpus = Corpus(
        lexical, {"001": "X乡", "002": "安民乡", "004": "XX乡"}, {"001": "总结", "002": "总结", "004": "述职"}
    )
    return Answerer(retriever, corpus)


def _best_coverage(question: str, answerer: Answerer, passages: list[Passage]) -> float:
    q = analyse(question, answerer.townships)
    lex = answerer.lexical
    return extractive.score_sentences(q, passages, lex.idf, lex.doc_tokens)[0].coverage


# ---------------------------------------------------------------- answers


def test_fact_question_is_answered_with_an_exact_quote(answerer: Answerer) -> None:
    a = answerer.ask("X乡2023年完成了多少财税收入？")
    assert not a.abstained
    assert "1200万元" in a.answer
    assert "[1]" in a.answer
    assert a.unsupported_numbers == []
    assert a.mode == "extractive"
    (c,) = a.citations
    assert c.n == 1
    assert c.doc == "001"
    assert c.text == CAISHUI
    assert c.quote and c.quote in CAISHUI
    assert "1200万元" in c.quote


def test_answer_is_scoped_to_the_named_township(answerer: Answerer, retriever: FakeRetriever) -> None:
    a = answerer.ask("安民乡推出了哪些特色品牌？")
    assert not a.abstained
    assert "安民三笋" in a.answer
    assert {c.doc for c in a.citations} == {"002"}
    assert all(c.quote in TEXTS["002-a"] for c in a.citations)
    _, _, filters = retriever.calls[-1]
    assert filters is not None and filters.township in ("安民乡", ("安民乡",))


# ---------------------------------------------------------------- abstentions


def test_unknown_township_abstains_without_citations(answerer: Answerer) -> None:
    a = answerer.ask("红星镇2023年完成了多少财税收入？")
    assert a.abstained
    assert NOT_FOUND in a.answer
    assert "红星镇" in a.answer
    assert a.citations == []
    assert a.unsupported_numbers == []
    assert "1200" not in a.answer  # X乡's figure must not be passed off as 红星镇's


def test_low_coverage_abstains(answerer: Answerer, passages: list[Passage]) -> None:
    question = "乡里的无人机植保服务覆盖了多少亩农田？"
    assert _best_coverage(question, answerer, passages) < ABSTAIN_COVERAGE
    a = answerer.ask(question)
    assert a.abstained
    assert NOT_FOUND in a.answer
    assert a.citations == []
    assert a.passages  # the closest passages are still shown


def test_abstain_threshold_is_applied_to_the_best_sentence(answerer: Answerer, passages: list[Passage]) -> None:
    question = "X乡2023年完成了多少财税收入？"
    x_passages = [p for p in passages if p.doc_id == "001"]
    best = _best_coverage(question, answerer, x_passages)
    strict = Answerer(answerer.retriever, answerer.corpus, abstain_coverage=best + 0.01)
    above = strict.ask(question)
    assert above.abstained and NOT_FOUND in above.answer and above.citations == []
    lenient = Answerer(answerer.retriever, answerer.corpus, abstain_coverage=best - 0.01)
    below = lenient.ask(question)
    assert not below.abstained and below.citations


def test_xx_figure_abstains_but_cites_the_passage(answerer: Answerer) -> None:
    a = answerer.ask("述职报告里，党委理论中心组全年集中学习了几次？")
    assert a.abstained
    assert UNDISCLOSED in a.answer
    assert "原文未披露具体数字" in a.answer
    assert a.citations
    c = a.citations[0]
    assert c.doc == "004"
    assert c.quote in LILUN
    assert "集中学习XX次" in c.quote
    assert f"[{c.n}]" in a.answer
    assert a.unsupported_numbers == []


def test_year_not_covered_abstains_without_digits(answerer: Answerer) -> None:
    covered = answerer.ask("X乡2023年完成了多少财税收入？")
    assert not covered.abstained  # the same question for a covered year is answerable
    a = answerer.ask("X乡2022年完成了多少财税收入？")
    assert a.abstained
    assert NOT_FOUND in a.answer
    assert not re.search(r"\d", a.answer), a.answer
    assert not re.search(r"[０-９]", a.answer)
    assert a.citations == []
    assert a.unsupported_numbers == []


def test_nothing_in_scope_abstains(lexical: LexicalIndex) -> None:
    # The township is a known report township, but the store returns nothing for it.
    empty = Answerer(FakeRetriever([]), Corpus(lexical, {"001": "X乡"}))
    a = empty.ask("X乡2023年完成了多少财税收入？")
    assert a.abstained
    assert NOT_FOUND in a.answer
    assert a.citations == []


# ---------------------------------------------------------------- JSON


def test_answer_json_shape(answerer: Answerer) -> None:
    for question in ("X乡2023年完成了多少财税收入？", "红星镇2023年完成了多少财税收入？"):
        data = answerer.ask(question).to_json()
        assert {
            "question",
            "answer",
            "abstained",
            "citations",
            "unsupported_numbers",
            "mode",
            "latency_ms",
        } <= set(data)
        assert data["question"] == question
        assert data["mode"] == "extractive"
        assert isinstance(data["abstained"], bool)
        assert isinstance(data["latency_ms"], int) and data["latency_ms"] >= 0
        assert isinstance(data["unsupported_numbers"], list)
        for c in data["citations"]:
            assert {"n", "doc", "section", "quote", "text"} <= set(c)
            assert c["quote"] in c["text"]
        json.dumps(data, ensure_ascii=False)  # serialisable as is
    answered = answerer.ask("X乡2023年完成了多少财税收入？").to_json()
    assert answered["abstained"] is False
    assert [c["n"] for c in answered["citations"]] == [1]
    assert answered["citations"][0]["doc"] == "001"
    assert answered["citations"][0]["section"] == "一、2023年工作总结"


def test_a_comparison_over_a_large_store_reads_only_the_most_relevant_reports(
    passages: list[Passage], tmp_path: Path
) -> None:
    """One search per report over thousands of reports took minutes per question at 100k chunks."""
    many = [
        replace(p, chunk_id=f"{i:03d}-{p.chunk_id}", doc_id=f"d{i:03d}", metadata={**p.metadata, "doc": f"d{i:03d}"})
        for i in range(20)
        for p in passages[:1]
    ]
    index = LexicalIndex(tmp_path / "many")
    index.rebuild([(p.chunk_id, p.text, p.metadata) for p in many])
    retriever = FakeRetriever(many)
    corpus = Corpus(index, {p.doc_id: "" for p in many}, {p.doc_id: "总结" for p in many})
    Answerer(retriever, corpus).ask("各乡镇的财税收入分别是多少？")
    per_report = [f.doc for _, _, f in retriever.calls if f is not None and f.doc]
    assert len(per_report) == answer_mod.MAX_COMPARE_REPORTS
    assert len(set(per_report)) == len(per_report), "each report read once"


# ---------------------------------------------------------------- the answer-path Protocols


def test_the_extractive_paths_stream_their_answer_alone_and_ignore_history(answerer: Answerer) -> None:
    question = "X乡2023年完成了多少财税收入？"
    path: AnswerPath = answerer
    history = [{"role": "user", "content": "安民乡推出了哪些特色品牌？"}]
    (streamed,) = list(path.stream(question, history=history))
    assert isinstance(streamed, Answer) and streamed.answer == path.ask(question).answer
    assert path.ask(question, history=history).answer == streamed.answer

    drafter: DraftPath = Drafter(answerer.retriever, answerer.corpus)
    (draft,) = list(drafter.stream("X乡财税收入", length=200))
    assert isinstance(draft, Answer) and draft.answer == drafter.draft("X乡财税收入", length=200).answer
    assert not draft.abstained and "1200万元" in draft.answer
