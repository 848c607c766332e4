"""The extractive answer steps: coverage, sentence scoring, selection, XX figures, labels (question
analysis: test_question.py)."""

from __future__ import annotations

import re

import pytest

from assistant.generation import extractive
from assistant.generation.citations import UNDISCLOSED, numbers_in
from assistant.generation.extractive import (
    EXTRA_SENTENCE_RATIO,
    IN_PASSAGE,
    IN_REPORT,
    PARTIAL_CHARS,
    Candidate,
    TermScorer,
    compose,
    report_label,
    score_sentences,
    select,
    undisclosed_figure,
)
from assistant.generation.question import Question, analyse
from assistant.text import tokenize
from assistant.types import ChunkMeta, Passage

# ---------------------------------------------------------------- real seed text

TITLE_000 = "XX县XX乡2023年工作总结暨2024年重点工作安排"
TITLE_001 = "X乡2023年工作总结及2024年工作计划"
TITLE_002 = "安民乡2023年工作总结和2024年工作思路要点"
TITLE_003 = "XX乡2023年工作总结及2024年工作思路"
TITLE_004 = "2023年乡镇领导班子工作情况总结（述职）"

CAISHUI = (
    "拓展财税来源，夯实财政基础。“栽下梧桐树引得凤凰来”，通过不断营造“四最”营商环境，制定优惠政策，"
    "引进物流企业2家，建筑企业8家，劳务公司2家，汽车企业1家，2023年完成财税1200万元，乡财力得到进一步的夯实。"
)
PINPAI = (
    "一是深挖红色资源优势。推出6条红色旅游精品线路,先后入选全国建党百年红色旅游百条精品线路、长三角20条红色旅游精品线路。"
    "二是深挖特色品牌价值。推出“安民三笋”“安民红礼”等特色品牌,通过乡强村公司对全乡特色农产品如笋鲞、香榧、蜂蜜等"
    "进行统一收购、包装、出售,10月以来为村民营收5万余元。"
)
XINFANG = (
    "三是把信访稳定抓在手上。开展全乡信访大起底活动，开展矛盾纠纷排查432次，成功化解各类矛盾纠纷432起，"
    "办理各类信访交办件9件，受理并办结“12345政务服务便民热线”和书记信箱175件。持续落实解决企业发展的大事难事，"
    "确保惠企政策应享尽享，走访重点企业310次，协调解决企业各类纠纷29起。"
)
JITI = (
    "三是集体经济提质增效。拓展村集体经济发展路径，探索成立西茶谷旅游发展平台公司，统筹优势资源，实现“抱团”发展。"
    "截至2023年11月，XX乡10个村集体经济收入达到XX万元，其中XX万元以上3个村，XX万元-XX万元5个村，村均收入XX万元。"
)
ZUIMEI = "全民参与“点”亮亚运，选树“最美XX人”13人；深化“文明驿站”主阵地，设立亚运城市志愿服务驿站2处，亚运青年V站10个；"
LILUN = (
    "二是持续深化理论武装。严格落实“第一议题”制度，全年召开党委理论中心组集中学习XX次，周一集中学习会XX次，"
    "做到学思用贯通、知信行统一。"
)


def _passage(cid: str, doc: str, text: str, title: str, township: str, kind: str = "总结") -> Passage:
    meta = {"doc": doc, "title": title, "township": township, "kind": kind, "years": "2023,2024"}
    return Passage(cid, doc, "一、2023年工作总结", text, 0.03, 1, meta)


P_CAISHUI = _passage("001-a", "001", CAISHUI, TITLE_001, "X乡")
P_PINPAI = _passage("002-a", "002", PINPAI, TITLE_002, "安民乡")
P_XINFANG = _passage("000-a", "000", XINFANG, TITLE_000, "XX乡")
P_JITI = _passage("000-b", "000", JITI, TITLE_000, "XX乡")
P_ZUIMEI = _passage("003-a", "003", ZUIMEI, TITLE_003, "XX乡")
P_LILUN = _passage("004-a", "004", LILUN, TITLE_004, "XX乡", kind="述职")
PASSAGES = [P_CAISHUI, P_PINPAI, P_XINFANG, P_JITI, P_ZUIMEI, P_LILUN]


def _idf(_term: str) -> float:
    return 1.0


def _no_doc_tokens(_doc: str) -> set[str]:
    return set()


# ---------------------------------------------------------------- TermScorer.coverage


def test_coverage_grades_by_where_the_term_is_found() -> None:
    scorer = TermScorer(["财税"], _idf, _no_doc_tokens)
    sentence = "2023年完成财税1200万元"
    in_sentence = scorer.coverage(sentence, {"财税"}, {"财税"}, {"财税"})
    in_passage = scorer.coverage("乡财力得到进一步的夯实", set(), {"财税"}, {"财税"})
    in_report = scorer.coverage("乡财力得到进一步的夯实", set(), set(), {"财税"})
    partial = scorer.coverage("乡财力得到进一步的夯实", set(), set(), set())
    nothing = scorer.coverage("引进物流企业2家", set(), set(), set())
    assert in_sentence == pytest.approx(1.0)
    assert in_passage == pytest.approx(IN_PASSAGE)
    assert in_report == pytest.approx(IN_REPORT)
    assert partial == pytest.approx(PARTIAL_CHARS * 1 / 2)  # 财 of 财税
    assert nothing == 0.0
    assert in_sentence > in_passage > in_report > partial > nothing


def test_coverage_partial_credit_by_share_of_characters() -> None:
    scorer = TermScorer(["总产量"], _idf, _no_doc_tokens)
    assert scorer.coverage("全年干茶生产量达5000吨", set(), set(), set()) == pytest.approx(PARTIAL_CHARS * 2 / 3)


def test_coverage_single_character_term_gets_no_partial_credit() -> None:
    scorer = TermScorer(["茶"], _idf, _no_doc_tokens)
    assert scorer.coverage("全年干茶生产量达5000吨", set(), set(), set()) == 0.0


def test_coverage_is_idf_weighted() -> None:
    weights = {"财税": 3.0, "完成": 1.0}
    scorer = TermScorer(["财税", "完成"], weights.__getitem__, _no_doc_tokens)
    assert scorer.coverage("财税来源", {"财税"}, set(), set()) == pytest.approx(0.75)
    assert scorer.coverage("完成任务", {"完成"}, set(), set()) == pytest.approx(0.25)


def test_coverage_without_terms_is_zero() -> None:
    assert TermScorer([], _idf, _no_doc_tokens).coverage("任何句子", {"任何"}, set(), set()) == 0.0
    assert TermScorer(["财税"], lambda _t: 0.0, _no_doc_tokens).coverage("财税", {"财税"}, set(), set()) == 0.0


# ---------------------------------------------------------------- score_sentences


@pytest.mark.parametrize(
    ("question", "doc", "answer"),
    [
        ("XX乡成功化解了多少起矛盾纠纷？", "000", "成功化解各类矛盾纠纷432起"),
        ("X乡2023年完成了多少财税？", "001", "2023年完成财税1200万元"),
        ("安民乡推出了哪些特色品牌？", "002", "“安民三笋”“安民红礼”"),
        ("选树了多少名最美人？", "003", "选树“最美XX人”13人"),
        ("截至2023年11月，XX县XX乡10个村的集体经济收入一共多少？", "000", "10个村集体经济收入达到XX万元"),
    ],
)
def test_score_sentences_puts_the_answer_first(question: str, doc: str, answer: str) -> None:
    candidates = score_sentences(analyse(question), PASSAGES, _idf, _no_doc_tokens)
    best = candidates[0]
    assert answer in best.text
    assert PASSAGES[best.passage_index].doc_id == doc
    assert best.text in PASSAGES[best.passage_index].text


def test_score_sentences_are_passage_sentences_best_first() -> None:
    candidates = score_sentences(analyse("X乡2023年完成了多少财税？"), PASSAGES, _idf, _no_doc_tokens)
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    for c in candidates:
        assert c.text == c.text.strip()
        assert len(c.text) >= 4
        assert c.text in PASSAGES[c.passage_index].text
        assert 0.0 <= c.coverage <= 1.0
    # Every sentence of every passage is a candidate.
    assert {c.passage_index for c in candidates} == set(range(len(PASSAGES)))


def test_score_sentences_respects_max_passages() -> None:
    candidates = score_sentences(analyse("安民乡推出了哪些特色品牌？"), PASSAGES, _idf, _no_doc_tokens, max_passages=2)
    assert {c.passage_index for c in candidates} == {0, 1}


def test_score_sentences_uses_report_tokens_for_locating_terms() -> None:
    # 莲花山滑雪场 locates report 000 but is not in the passage that holds the answer.
    q = analyse("有莲花山滑雪场的那个乡成功化解了多少起矛盾纠纷？")
    report = set(tokenize("重点围绕莲花山滑雪场，投资XX万元实施体验性项目"))
    plain = score_sentences(q, [P_XINFANG], _idf, _no_doc_tokens)
    located = score_sentences(q, [P_XINFANG], _idf, lambda doc: report if doc == "000" else set())
    assert located[0].text == plain[0].text
    assert "432起" in located[0].text
    assert located[0].coverage > plain[0].coverage
    # Found in the report, a term counts less than found in the sentence.
    assert located[0].coverage < 1.0


def test_earlier_passage_wins_a_tie() -> None:
    twin = Passage("dup", "009", "sec", CAISHUI, 0.03, 2, {"title": TITLE_001})
    candidates = score_sentences(analyse("X乡2023年完成了多少财税？"), [P_CAISHUI, twin], _idf, _no_doc_tokens)
    assert candidates[0].passage_index == 0
    assert candidates[0].text == candidates[1].text
    assert candidates[0].coverage == candidates[1].coverage
    assert candidates[0].score > candidates[1].score


def test_figure_question_prefers_a_sentence_with_a_number() -> None:
    text = "完成财税任务，成效明显。完成财税1200万元。"
    p = Passage("p", "001", "sec", text, 0.03, 1, {"title": ""})
    figure = score_sentences(analyse("完成了多少财税？"), [p], _idf, _no_doc_tokens)
    assert figure[0].text == "完成财税1200万元。"
    assert figure[0].coverage == pytest.approx(figure[1].coverage)


# ---------------------------------------------------------------- select


def _c(index: int, score: float, coverage: float, text: str | None = None) -> Candidate:
    return Candidate(index, text or f"句子{index}-{score}", score, coverage)


def _q(question: str) -> Question:
    return analyse(question)


COMPARE_PASSAGES = [P_XINFANG, P_CAISHUI, P_JITI, P_PINPAI]  # docs 000, 001, 000, 002


def test_select_compare_takes_one_sentence_per_report() -> None:
    q = _q("各乡2023年调解、化解矛盾纠纷分别有多少起？")
    assert q.is_compare
    cands = [_c(0, 1.2, 1.0), _c(2, 1.1, 0.9), _c(1, 0.9, 0.8), _c(3, 0.5, 0.5)]
    chosen = select(q, cands, COMPARE_PASSAGES)
    assert chosen == [cands[0], cands[2]]  # 000's best, 001's best; 002 too weak (< 0.6 × best)
    docs = [COMPARE_PASSAGES[c.passage_index].doc_id for c in chosen]
    assert len(docs) == len(set(docs))


def test_select_compare_honours_the_floor() -> None:
    q = _q("各乡2023年调解、化解矛盾纠纷分别有多少起？")
    cands = [_c(0, 1.2, 1.0), _c(1, 0.9, 0.8), _c(3, 0.8, 0.7)]
    assert select(q, cands, COMPARE_PASSAGES, floor=0.75) == cands[:2]
    assert select(q, cands, COMPARE_PASSAGES, floor=0.0) == cands


def test_select_list_takes_up_to_four() -> None:
    q = _q("安民乡2023年推出了哪些特色品牌？")
    assert q.is_list and not q.is_compare
    cands = [_c(i % 4, 1.0 - i * 0.01, 0.9) for i in range(6)]
    assert select(q, cands, COMPARE_PASSAGES) == cands[:4]


def test_select_plain_takes_best_and_close_runners_up() -> None:
    q = _q("X乡2023年完成了多少财税收入？")
    assert not q.is_list and not q.is_compare
    close = [_c(0, 1.0, 0.9), _c(1, 0.95, 0.9), _c(2, 0.9, 0.9), _c(3, 0.85, 0.9)]
    assert select(q, close, COMPARE_PASSAGES) == close[:3]
    far = [_c(0, 1.0, 0.9), _c(1, EXTRA_SENTENCE_RATIO - 0.01, 0.9)]
    assert select(q, far, COMPARE_PASSAGES) == far[:1]


def test_select_skips_repeated_sentences() -> None:
    q = _q("X乡2023年完成了多少财税收入？")
    cands = [_c(0, 1.0, 0.9, "同一句。"), _c(1, 0.99, 0.9, "同一句。"), _c(2, 0.98, 0.9, "另一句。")]
    assert [c.text for c in select(q, cands, COMPARE_PASSAGES)] == ["同一句。", "另一句。"]


def test_select_nothing_from_nothing() -> None:
    assert select(_q("X乡2023年完成了多少财税收入？"), [], COMPARE_PASSAGES) == []


# ---------------------------------------------------------------- undisclosed_figure


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        (
            "述职报告里，党委理论中心组全年集中学习了几次？",
            "全年召开党委理论中心组集中学习XX次，周一集中学习会XX次",
            True,
        ),
        (
            "截至2023年11月，XX县XX乡10个村的集体经济收入一共多少？",
            "截至2023年11月，XX乡10个村集体经济收入达到XX万元",
            True,
        ),
        ("X乡2023年完成了多少财税收入？", "2023年完成财税1200万元", False),
        ("XX乡选树了多少名“最美XX人”？", "全民参与“点”亮亚运，选树“最美XX人”13人；", False),
        ("介绍一下党委理论中心组集中学习的情况", "全年召开党委理论中心组集中学习XX次，周一集中学习会XX次", False),
    ],
)
def test_undisclosed_figure(question: str, sentence: str, expected: bool) -> None:
    assert undisclosed_figure(analyse(question), sentence) is expected


def test_undisclosed_figure_is_about_the_asked_term() -> None:
    # The sentence has an XX figure, but the asked figure (项目共26个) is real.
    q = analyse("2023年XX乡实施的项目一共多少个？")
    assert not undisclosed_figure(q, "2023年，实施的项目共26个，总投资XX万元，已完工项目20个")


# ---------------------------------------------------------------- report_label


@pytest.mark.parametrize(
    ("title", "township", "kind", "label"),
    [
        (TITLE_001, "X乡", "总结", "X乡"),
        (TITLE_002, "安民乡", "总结", "安民乡"),
        (TITLE_003, "XX乡", "总结", "XX乡"),
        (TITLE_004, "XX乡", "述职", "XX乡（述职报告）"),
        ("2023年工作总结", "石门乡", "总结", "石门乡"),
        ("2026年吉林省政府工作报告", "吉林省", "其他", "吉林省"),
        ("—2017年2月11日在海拉尔区第十四届人民代表大会第六次会议上", "海拉尔区", "其他", "海拉尔区"),
        ("2023年工作总结", "", "总结", "该报告"),
    ],
)
def test_report_label(title: str, township: str, kind: str, label: str) -> None:
    p = Passage("c", "d", "s", "t", 0.0, 1, {"title": title, "township": township, "kind": kind})
    assert report_label(p) == label
    assert not any(ch.isdigit() for ch in report_label(p))


def test_report_label_never_has_digits() -> None:
    for p in PASSAGES:
        assert not re.search(r"\d", report_label(p)), p.metadata
    assert report_label(P_XINFANG).endswith("乡")


# ---------------------------------------------------------------- compose


def test_compose_single_report_marks_the_passage() -> None:
    q = analyse("X乡2023年完成了多少财税？")
    best = Candidate(2, "2023年完成财税1200万元，乡财力得到进一步的夯实。", 1.0, 1.0)
    passages = [P_PINPAI, P_XINFANG, P_CAISHUI]
    assert compose(q, [best], passages) == f"{best.text}[3]"


def test_compose_compare_labels_each_report() -> None:
    q = analyse("各乡2023年调解、化解矛盾纠纷分别有多少起？")
    chosen = [
        Candidate(0, "开展矛盾纠纷排查432次，成功化解各类矛盾纠纷432起。", 1.0, 1.0),
        Candidate(1, "借助“雪亮”工程综治视联网平台，把基层治理、矛盾纠纷等事项办理协同起来。", 0.8, 0.8),
        Candidate(2, "全年工作实现矛盾无上交。", 0.7, 0.7),
    ]
    passages = [P_XINFANG, P_CAISHUI, P_LILUN]
    lines = compose(q, chosen, passages).split("\n")
    assert lines == [
        f"{report_label(P_XINFANG)}：{chosen[0].text}[1]",
        f"X乡：{chosen[1].text}[2]",
        f"XX乡（述职报告）：{chosen[2].text}[3]",
    ]


def test_compose_labels_when_sentences_come_from_two_reports() -> None:
    q = analyse("X乡2023年完成了多少财税？")
    chosen = [Candidate(0, "2023年完成财税1200万元。", 1.0, 1.0), Candidate(1, "推出“安民三笋”等特色品牌。", 0.9, 0.9)]
    text = compose(q, chosen, [P_CAISHUI, P_PINPAI])
    assert "X乡：2023年完成财税1200万元。[1]" in text
    assert "安民乡：推出“安民三笋”等特色品牌。[2]" in text


def test_compose_notes_an_xx_figure() -> None:
    q = analyse("截至2023年11月，XX县XX乡10个村的集体经济收入一共多少？")
    chosen = [Candidate(0, "截至2023年11月，XX乡10个村集体经济收入达到XX万元。", 1.0, 1.0)]
    text = compose(q, chosen, [P_JITI])
    assert UNDISCLOSED in text
    assert "原文未披露具体数字" in text
    assert text.startswith(f"{chosen[0].text}[1]")


def test_compose_without_xx_has_no_note() -> None:
    q = analyse("X乡2023年完成了多少财税？")
    assert UNDISCLOSED not in compose(q, [Candidate(0, "2023年完成财税1200万元。", 1.0, 1.0)], [P_CAISHUI])
    # A quoted name (“最美XX人”) is no undisclosed figure.
    q = analyse("XX乡选树了多少名“最美XX人”？")
    assert UNDISCLOSED not in compose(q, [Candidate(0, "选树“最美XX人”13人；", 1.0, 1.0)], [P_ZUIMEI])


@pytest.mark.parametrize(
    "question",
    [
        "各乡2023年调解、化解矛盾纠纷分别有多少起？",
        "X乡2023年完成了多少财税？",
        "截至2023年11月，XX县XX乡10个村的集体经济收入一共多少？",
    ],
)
def test_composed_text_adds_no_numbers(question: str) -> None:
    q = analyse(question)
    candidates = score_sentences(q, PASSAGES, _idf, _no_doc_tokens)
    chosen = select(q, candidates, PASSAGES)
    text = compose(q, chosen, PASSAGES)
    quoted = {n for c in chosen for n in numbers_in(c.text)}
    assert set(numbers_in(text)) <= quoted
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", text)]
    assert markers == [c.passage_index + 1 for c in chosen]


# ---------------------------------------------------------------- years, roles, headings (any report)


def _gov(part: str, year_min: int, year_max: int, title: str = "2026年吉林省政府工作报告") -> Passage:
    meta: ChunkMeta = {
        "title": title,
        "township": "吉林省",
        "part": part,
        "part_kind": part[-2:] if part else "",
        "year_min": year_min,
        "year_max": year_max,
        "years": "2025,2026",
    }
    return Passage("c", "d", "s", "t", 0.0, 1, meta)


REVIEW_2025 = _gov("2025年工作总结", 2025, 2025)
PLAN_2026 = _gov("2026年工作计划", 2026, 2026)
SPAN_REVIEW = _gov("2021-2025年工作总结", 2021, 2025)


@pytest.mark.parametrize(
    ("question", "sentence", "passage", "fit"),
    [
        # The 2026 report's review is about 2025: its sentences fit a 2025 question.
        ("吉林省2025年地区生产总值增长了多少？", "地区生产总值增长5%，一般公共预算收入增长13.3%。", REVIEW_2025, 1.0),
        ("吉林省2025年地区生产总值增长了多少？", "地区生产总值增长5%左右。", PLAN_2026, extractive.OFF_YEAR),
        # Five-year totals do not answer a one-year question …
        (
            "吉林省2025年地区生产总值增长了多少？",
            "“十四五”时期地区生产总值年均增长5.5%。",
            SPAN_REVIEW,
            extractive.OTHER_YEAR,
        ),
        # … and a sentence naming only another year does not either.
        (
            "海拉尔区2017年地区生产总值完成了多少？",
            "2016年,地区生产总值完成303.6亿元,同比增长7.2%;",
            REVIEW_2025,
            extractive.OTHER_YEAR,
        ),
        # A five-year question wants the five-year sentence.
        ("“十四五”时期吉林地区生产总值年均增长多少？", "“十四五”时期地区生产总值年均增长5.5%。", SPAN_REVIEW, 1.0),
        (
            "“十四五”时期吉林地区生产总值年均增长多少？",
            "“十五五”时期地区生产总值年均增长5%。",
            PLAN_2026,
            extractive.OTHER_YEAR,
        ),
        ("吉林省地区生产总值增长了多少？", "地区生产总值增长5%左右。", PLAN_2026, 1.0),  # no year: no judgement
    ],
)
def test_year_fit(question: str, sentence: str, passage: Passage, fit: float) -> None:
    assert extractive.year_fit(analyse(question, ["吉林省", "海拉尔区"]), sentence, passage) == fit


@pytest.mark.parametrize(
    ("question", "sentence", "passage", "fit"),
    [
        (
            "海拉尔区2017年地区生产总值完成了多少？",
            "经济社会发展主要预期目标是:地区生产总值增长7.5%,达到326.4亿元;",
            PLAN_2026,
            extractive.OTHER_ROLE,
        ),
        ("海拉尔区2017年地区生产总值完成了多少？", "全年地区生产总值完成253.7亿元，同比增长10.1%;", REVIEW_2025, 1.0),
        (
            "海拉尔区2011年定的地区生产总值增长预期目标是多少？",
            "2011年，地区生产总值完成198.5亿元，同比增长22.3%；",
            REVIEW_2025,
            extractive.OTHER_ROLE,
        ),
        ("海拉尔区2013年地区生产总值预期增长多少？", "地区生产总值增长20%，达到282亿元；", PLAN_2026, 1.0),
    ],
)
def test_role_fit(question: str, sentence: str, passage: Passage, fit: float) -> None:
    assert extractive.role_fit(analyse(question, ["海拉尔区"]), sentence, passage) == fit


@pytest.mark.parametrize(
    ("sentence", "as_list", "heading"),
    [
        ("一、2013年工作回顾", False, True),
        ("一、2013年工作回顾", True, True),  # opens a part: never a list item either
        ("第二部分：2024年工作思路", True, True),
        ("“十四五”时期工作回顾", False, True),
        ("2026年吉林省政府工作报告", False, True),  # the title
        ("四、以基层治理“答题”，构筑善治共治效力", False, True),
        ("四、以基层治理“答题”，构筑善治共治效力", True, False),  # a list question may list headings
        ("（一）在打好“三大攻坚战”上聚焦发力，助推全面建成小康社会。", True, False),
        ("一是项目建设迸发新动能。", False, False),  # an item sentence is content
        ("地区生产总值增长5%，一般公共预算收入增长13.3%。", False, False),
    ],
)
def test_is_heading(sentence: str, as_list: bool, heading: bool) -> None:
    question = "吉林省有哪些重点工作？" if as_list else "吉林省地区生产总值增长了多少？"
    assert extractive.is_heading(analyse(question, ["吉林省"]), sentence, REVIEW_2025) == heading


def test_front_matter_and_headings_are_never_answer_sentences() -> None:
    text = (
        "——2016年2月19日在海拉尔区第十四届人民代表大会第五次会议上\n一、“十二五”时期和2015年工作回顾\n"
        "2015年，地区生产总值达到287.9亿元，同比增长8.9%。"
    )
    p = Passage("c", "d", "s", text, 0.0, 1, {"title": "政 府 工 作 报 告", "township": "海拉尔区"})
    q = analyse("海拉尔区2015年地区生产总值是多少？", ["海拉尔区"])
    sentences = [c.text for c in extractive.score_sentences(q, [p], lambda _t: 1.0)]
    assert sentences == ["2015年，地区生产总值达到287.9亿元，同比增长8.9%。"]


def test_abbreviations_are_searched_in_report_words() -> None:
    q = analyse("海拉尔区2012年GDP是多少？", ["海拉尔区"])
    assert "地区生产总值" in q.search_text and q.text.endswith("GDP是多少？")
    assert "生产总值" in q.terms or "地区生产总值" in q.terms
