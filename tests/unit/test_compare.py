"""Numeric comparisons from the ledger (generation/compare.py, ledger/lookup.py): the router, the
indicator matching and the answer, over rows the real extractor reads from report sentences of the
seeds and ../shared/corpora (a real SQLite ledger; the passages are those sentences' chunks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.generation.compare import LedgerAnswers, indicator_terms, route, superlative, years_asked
from assistant.generation.corpus import Corpus
from assistant.generation.question import analyse
from assistant.ledger.extract import Context, Row, extract
from assistant.ledger.lookup import matches, ranked, recall
from assistant.ledger.store import Ledger
from assistant.numbers import figures
from assistant.types import DocRecord, Passage

# (doc, place, part, years of the part, the passage) — sentences copied from the reports.
PASSAGES = [
    (
        "000",
        "XX乡",
        "2023年工作总结",
        (2023, 2023),
        "开展矛盾纠纷排查432次，成功化解各类矛盾纠纷432起，办理各类信访交办件9件。",
    ),
    (
        "002",
        "安民乡",
        "2023年工作总结",
        (2023, 2023),
        "截至目前,全乡共调解各类矛盾纠纷57件,成功率达100%,化解信访积案1件。",
    ),
    (
        "002",
        "安民乡",
        "2023年工作总结",
        (2023, 2023),
        "全年共新增低保5户10人,注销14户16人。",
    ),
    (
        "001",
        "X乡",
        "2023年工作总结",
        (2023, 2023),
        "全乡2023年新增城乡低保15户22人，认定低保边缘家庭8户14人。",
    ),
    (
        "sd",
        "山东省",
        "2025年工作回顾",
        (2025, 2025),
        "规上工业增加值增长7.6%，高于全国1.7个百分点；服务业增加值增长6.1%。",
    ),
    (
        "xz",
        "西藏自治区",
        "2025年工作回顾",
        (2025, 2025),
        "地区生产总值增长7%，规上工业增加值增长12.4%，一般公共预算收入增长14.7%。",
    ),
    (
        "ah",
        "安徽省",
        "2025年工作回顾",
        (2025, 2025),
        "全省地区生产总值5.3万亿元、增长5.5%，规上工业增加值增长9.4%。",
    ),
    (
        "nx",
        "宁夏回族自治区",
        "2026年重点工作",
        (2026, 2026),
        "规模以上工业增加值增长6%左右，固定资产投资增长5%左右。",
    ),
    (
        "h13",
        "海拉尔区",
        "2012年工作回顾",
        (2012, 2012),
        "城镇居民人均可支配收入达到23267元，同比增长14.9%。",
    ),
    (
        "h14",
        "海拉尔区",
        "2013年工作回顾",
        (2013, 2013),
        "城镇居民人均可支配收入完成25852元，同比增长11.1%。",
    ),
    (
        "h15",
        "海拉尔区",
        "2014年工作回顾",
        (2014, 2014),
        "城镇居民人均可支配收入达到28541元，同比增长10.4%。",
    ),
]
PLACES = sorted({p[1] for p in PASSAGES})


class NoVocabulary:
    def idf(self, token: str) -> float:
        return 1.0

    def doc_tokens(self, doc_id: str) -> set[str]:
        return set()

    def docs_with(self, token: str) -> set[str]:
        return set()


def chunk_id(i: int) -> str:
    return f"c{i}"


def rows_of(i: int) -> list[Row]:
    doc, place, part, span, text = PASSAGES[i]
    kind = "计划" if "重点工作" in part else "总结"
    ctx = Context(doc=doc, place=place, part=part, part_kind=kind, part_years=span, report_year=span[0] + 1)
    return [Row(**{**r.to_json(), "chunk_id": chunk_id(i)}) for r in extract(text, ctx)]


def passage(i: int) -> Passage:
    doc, place, part, _span, text = PASSAGES[i]
    meta: Any = {"doc": doc, "township": place, "title": f"{place}报告", "part": part}
    return Passage(chunk_id=chunk_id(i), doc_id=doc, section=part, text=text, score=0.0, rank=0, metadata=meta)


def answers(tmp_path: Path) -> LedgerAnswers:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    for doc in dict.fromkeys(p[0] for p in PASSAGES):
        ledger.write(doc, doc, [r for i, p in enumerate(PASSAGES) if p[0] == doc for r in rows_of(i)])
    records = {p[0]: DocRecord(p[0], f"{p[1]}报告", p[1], (p[3][0], p[3][0] + 1), "", "", "", 1) for p in PASSAGES}
    corpus = Corpus(lexical=NoVocabulary(), doc_townships={p[0]: p[1] for p in PASSAGES}, records=lambda: records)
    by_id = {chunk_id(i): passage(i) for i in range(len(PASSAGES))}
    return LedgerAnswers(ledger, lambda ids: [by_id[c] for c in ids if c in by_id], corpus)


def test_router_reads_places_years_ranges_and_superlatives() -> None:
    places = ["山东省", "西藏自治区", "安徽省", "海拉尔区", "安民乡", "X乡"]
    plan = route(analyse("山东、西藏、安徽2025年规上工业增加值哪个增长最快？", places), places)
    assert plan is not None and plan.places == ("山东省", "西藏自治区", "安徽省") and plan.years == (2025,)
    assert plan.highest is True and plan.word == "最快"
    plan = route(analyse("海拉尔区2012—2014年城镇居民人均可支配收入分别是多少？", places), places)
    assert plan is not None and plan.places == ("海拉尔区",) and plan.years == (2012, 2013, 2014)
    plan = route(analyse("海拉尔区近三年城镇居民人均可支配收入分别是多少？", places), places)
    assert plan is not None and plan.recent == 3 and plan.years == ()
    plan = route(analyse("各乡2023年新增低保分别是多少户？", places), places)
    assert plan is not None and set(plan.places) == {"安民乡", "X乡"}
    # One place and one year, or no figure asked: not a comparison of figures.
    assert route(analyse("安民乡2023年新增低保多少户？", places), places) is None
    assert route(analyse("山东和安徽的主要做法分别有哪些？", places), places) is None
    assert years_asked("2013、2014、2015这三年", ()) == (2013, 2014, 2015)
    assert years_asked("2014–2018年", ()) == (2014, 2015, 2016, 2017, 2018)
    assert superlative("哪个最低？") == (False, "最低") and superlative("再创新高") == (None, "")


def test_indicator_terms_leave_out_places_years_and_question_words() -> None:
    q = analyse("山东、西藏、安徽三省2025年规上工业增加值分别增长了多少？", ["山东省", "西藏自治区", "安徽省"])
    terms = indicator_terms(q)
    assert "三省" not in terms and "增长" not in terms and "分别" not in terms
    assert recall(terms, "规上工业增加值") == 1.0


def test_matching_prefers_the_indicator_asked_and_its_kind() -> None:
    terms = indicator_terms(analyse("各乡调解、化解矛盾纠纷分别有多少起？", ["XX乡", "安民乡"]))
    assert terms == ["调解|化解矛盾", "纠纷"]  # 调解、化解: either; 起 is the unit asked
    found = matches(rows_of(0), terms, unit="起")
    assert found[0].row.value == "432起"  # 化解…纠纷432起 before 纠纷排查432次
    assert [m.row.value for m in matches(rows_of(1), terms, unit="起")] == ["57件"]  # not 化解信访积案1件
    growth = matches(rows_of(6), ["规上", "工业", "增加值"], kinds=("change", "actual"), changed=True)
    assert growth[0].row.value == "9.4%"
    # A target question is answered by targets only; an achieved one never by a target.
    target = matches(rows_of(7), ["规模", "以上", "工业", "增加值"], kinds=("target",), changed=True)
    assert [(m.row.value, m.row.qualifier) for m in target] == [("6%", "左右")]
    assert matches(rows_of(7), ["规模", "以上", "工业", "增加值"], kinds=("actual", "change")) == []


def test_ranking_compares_one_unit_only() -> None:
    rows = [r for i in (4, 5, 6) for r in rows_of(i) if "工业" in r.indicator]
    assert [r.value for r in ranked(rows, highest=True)] == ["12.4%", "9.4%", "7.6%"]
    mixed = [*rows, *[r for r in rows_of(6) if r.unit == "元"]]
    assert all(r.unit == "%" for r in ranked(mixed, highest=False))


def test_answer_quotes_each_row_and_ranks(tmp_path: Path) -> None:
    book = answers(tmp_path)
    q = analyse("山东、西藏、安徽2025年规上工业增加值分别增长多少？哪个最快？", PLACES)
    answer = book.answer(q)
    assert answer is not None and not answer.abstained and not answer.unsupported_numbers
    for value, quote_part in (("7.6%", "规上工业增加值增长7.6%"), ("12.4%", "规上工业增加值增长12.4%")):
        assert value in answer.answer
        assert any(quote_part in c.quote and quote_part in c.text for c in answer.citations)
    assert "西藏自治区最快" in answer.answer
    assert len(answer.citations) == 3 and {c.chunk_id for c in answer.citations} == {"c4", "c5", "c6"}


def test_a_year_without_a_row_is_said_to_lack_it(tmp_path: Path) -> None:
    book = answers(tmp_path)
    q = analyse("海拉尔区2012—2015年城镇居民人均可支配收入分别是多少？", PLACES)
    assert book.answer(q) is None  # with a gap, retrieval is asked first
    answer = book.answer(q, partial=True)
    assert answer is not None
    lines = answer.answer.splitlines()
    assert lines[0].startswith("2012年：") and "23267元" in lines[0] and lines[0].endswith("[1]")
    assert "28541元" in lines[2] and lines[3].startswith("其余：资料中未找到")
    assert not figures(lines[3]) and not answer.unsupported_numbers  # no figure guessed for the gap
    assert any("2015年" in n and "资料中未找到" in n for n in answer.notes)


def test_no_matching_indicator_goes_to_retrieval(tmp_path: Path) -> None:
    book = answers(tmp_path)
    assert book.answer(analyse("山东、西藏、安徽2025年粮食产量分别是多少？", PLACES)) is None
    assert book.answer(analyse("安民乡2023年新增低保多少户？", PLACES)) is None


def test_the_llm_path_returns_the_ledger_answer_without_asking_the_model(tmp_path: Path) -> None:
    from assistant.generation.llm.answer import LLMAnswerer
    from tests.unit.llm_fakes import ListRetriever, ScriptedChat, StubAnswerer

    book = answers(tmp_path)

    class WithLedger(StubAnswerer):
        def ledger_answer(self, q: Any, filters: Any) -> Any:
            return book.answer(q, filters)

    retriever = ListRetriever([passage(0)])
    chat = ScriptedChat(replies=["不该调用模型"])
    stub = WithLedger(retriever)
    llm = LLMAnswerer(retriever, book.corpus, chat, stub, year=2026)
    answer = llm.ask("山东、西藏、安徽2025年规上工业增加值分别增长多少？")
    assert not chat.calls and stub.asked == []  # neither the model nor retrieval was asked
    assert all(v in answer.answer for v in ("7.6%", "12.4%", "9.4%")) and len(answer.citations) == 3
