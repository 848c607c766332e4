"""Figures with their values (assistant.numbers) in real sentences of the seeds and the corpora, and
the number check of answers (citations.verify) comparing them by value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.generation.citations import numbers_in, unbacked, verify
from assistant.numbers import Figure, backs, figures
from assistant.types import Passage

# seeds/001 (X乡), seeds/000, seeds/002 (安民乡) and the corpora (prov2026_gwr, hailar_district_gwr).
CAISHUI = "引进物流企业2家，建筑企业8家，劳务公司2家，汽车企业1家，2023年完成财税1200万元，乡财力得到进一步的夯实。"
LIANGSHI = "2023年完成粮食种植面积3.76万亩，产量1.65万吨"
TOUZI = "安民乡革命老区乡村振兴共富项目成功列入2023年全县重大前期项目库,系唯一由乡镇上报项目,项目估算投资1.31亿元"
JIANGJIE = "目前已开发“红色基因”现场教学点9处,培养红色讲解员20余名、完成红色课件编撰制作7件"
SHANGHAI = "全市生产总值达到5.67万亿元、增长5.4%，好于预期"


def values(text: str, *, loose: bool = False) -> list[tuple[str, Decimal]]:
    return [(f.text, f.value) for f in figures(text, loose=loose)]


def d(x: str) -> Decimal:
    return Decimal(x)


# ---------------------------------------------------------------- Arabic figures, as before plus their scale


def test_arabic_figures_of_real_sentences_with_their_multipliers() -> None:
    assert values(LIANGSHI) == [("2023", d("2023")), ("3.76万", d("37600")), ("1.65万", d("16500"))]
    assert values(TOUZI) == [("2023", d("2023")), ("1.31亿", d("131000000"))]
    assert values(JIANGJIE) == [("9", d("9")), ("20", d("20")), ("7", d("7"))]  # 20余名: 20
    assert values(SHANGHAI) == [("5.67万亿", d("5.67e12")), ("5.4%", d("5.4"))]
    assert values("在全市考核中位列第2位") == [("2", d("2"))]  # Arabic numbers are all checked, as always


@pytest.mark.parametrize(
    ("text", "written", "value"),
    [
        ("完成财税１２００万元", "１２００万", "12000000"),  # full-width digits
        ("完成投资1,200万元", "1,200万", "12000000"),  # thousands separator
        ("完成投资１，２００万元", "１，２００万", "12000000"),
        ("完成财税12,000,000元", "12,000,000", "12000000"),
        ("争取资金3千万元", "3千万", "30000000"),
        ("为村民营收5万余元", "5万", "50000"),
        ("完成投资1200余万元", "1200余万", "12000000"),
        ("增长5.4％", "5.4％", "5.4"),
    ],
)
def test_arabic_forms(text: str, written: str, value: str) -> None:
    assert values(text) == [(written, d(value))]


def test_kilo_units_are_no_multiplier() -> None:
    assert values("亩产达到500千克") == [("500", d("500"))]
    assert values("装机容量20千瓦") == [("20", d("20"))]


def test_list_commas_and_markers() -> None:
    assert numbers_in("分别为5，8个") == ["5", "8"]
    assert numbers_in("1,200万元[2]") == ["1,200万"]


# ---------------------------------------------------------------- Chinese numerals that are amounts


@pytest.mark.parametrize(
    ("text", "written", "value"),
    [
        ("2023年完成财税一千二百万元", "一千二百万", "12000000"),
        ("完成财税九千九百九十九万元", "九千九百九十九万", "99990000"),
        ("完成粮食种植面积三万亩", "三万", "30000"),
        ("带动就业两万人", "两万", "20000"),
        ("全年干茶生产量达五千吨", "五千", "5000"),
        ("年产茶三点五吨", "三点五", "3.5"),
        ("增长百分之五点四", "百分之五点四", "5.4"),
        ("占比百分之五", "百分之五", "5"),
        ("覆盖全乡十五个村", "十五", "15"),
        ("培养红色讲解员二十余名", "二十", "20"),
        ("新增一千零五十万元", "一千零五十万", "10500000"),
        ("完成投资三亿五千万元", "三亿五千万", "350000000"),
        ("武汉跨入地区生产总值两万亿级城市行列", "两万亿", "2000000000000"),
        ("新增两万五千亩", "两万五千", "25000"),
        ("收入增长两个百分点", "两", "2"),
        ("增加二〇二四年投入", "二〇二四", "2024"),  # a year written digit by digit
        ("计划投资一千二百余万元", "一千二百余万", "12000000"),
    ],
)
def test_chinese_amounts(text: str, written: str, value: str) -> None:
    assert [(w, v) for w, v in values(text) if w != "2023"] == [(written, d(value))]


@pytest.mark.parametrize(
    "text",
    [
        "一是项目建设迸发新动能",  # list numbering
        "二是加快“三角地商贸核心圈”的统一规划和升级改造",
        "（一）坚持党建引领",
        "区级检查5次获得第一名",  # the 5 is a figure, 第一 is not
        "二、关于《上海市国民经济和社会发展第十五个五年规划纲要（草案）》的说明",
        "加快城乡供水一体化建设等，补齐集镇发展短板",
        "实现了“十四五”的全新局面",
        "“十四五”规划实现良好开局",
        "2023年，是“三农”建设迈出重要步伐的一年",
        "深度融入国家“一带一路”和自治区向北开放战略",
        "为实现上述目标，应重点做到“四个确保”：",
        "做到“两个维护”",
        "通过“一把手”讲党课、和合夜话、和合讲堂等形式",
        "系唯一由乡镇上报项目",
        "按照统一规划、分期实施的原则",
        "万一出现险情",
        "千万不能麻痹大意",
        "学习运用“千万工程”经验",
        "通基层党员教育培训“最后一公里”",
        "打通服务群众最后一公里",
        "统筹推进五个乡镇",  # one-character counts are not checked
        "中央八项规定精神",
        "按照省委十一届十次、十一次全会部署要求",
        "三分之一的村",
        "投资数十万元",
        "带动社会投资超千亿元",
        "举办“万名党员进党校”培训",
        "社会消费品零售总额",
        "一点一滴抓落实",
        "三月五日召开",
        "加快推动一二三次产业协调融合",
        "山海协作二十周年",
    ],
)
def test_words_lists_and_slogans_are_no_amounts(text: str) -> None:
    assert [f.text for f in figures(text) if not f.text.isascii()] == []


def test_a_source_is_read_loosely() -> None:
    # A source's one-character counts and a lone 一 back an answer's 4个 / 1公里; an answer's are not checked.
    assert values("做到“四个确保”", loose=True) == [("四", d("4"))]
    assert values("最后一公里", loose=True) == [("一", d("1"))]
    assert values("统一规划", loose=True) == [] and values("千万不能", loose=True) == []


def test_ranges_share_the_multiplier() -> None:
    assert values("每户补助3-5万元") == [("3", d("30000")), ("5万", d("50000"))]
    assert values("每户补助三至五万元") == [("三", d("30000")), ("五万", d("50000"))]
    assert values("2023-2025年") == [("2023", d("2023")), ("2025", d("2025"))]


# ---------------------------------------------------------------- comparing by value


def fig(text: str) -> Figure:
    (f,) = figures(text)
    return f


@pytest.mark.parametrize(
    ("source", "answer"),
    [
        ("1200万元", "一千二百万元"),
        ("1200万元", "0.12亿元"),
        ("1200万元", "12,000,000元"),
        ("1200万元", "１２００万元"),
        ("1.31亿元", "13100万元"),
        ("3.76万亩", "37600亩"),
        ("增长5.4%", "增长百分之五点四"),
        ("增长5.4%", "增长5.4个百分点"),
        ("二十余名", "20名"),
        ("分别为1200", "1200万元"),  # a source without a multiplier backs the numeral with one
    ],
)
def test_the_same_figure_in_another_form_is_backed(source: str, answer: str) -> None:
    assert backs(fig(source), fig(answer))


@pytest.mark.parametrize(
    ("source", "answer"),
    [
        ("1200万元", "1200亿元"),  # 万 → 亿
        ("1.31亿元", "1.31万元"),  # 亿 → 万
        ("1200万元", "1200元"),  # 万 dropped
        ("1200万元", "九千九百九十九万元"),
        ("1200万元", "一千三百万元"),
        ("1.31亿元", "1.3亿元"),  # rounded: not the figure the source states, as before
    ],
)
def test_another_value_or_a_unit_slip_is_not_backed(source: str, answer: str) -> None:
    assert not backs(fig(source), fig(answer))


def test_unbacked_lists_the_answers_figures_as_written() -> None:
    answer = "2023年完成财税一千二百万元，合0.12亿元，另有九千九百九十九万元和1200亿元。"
    assert unbacked(answer, [CAISHUI]) == ["九千九百九十九万", "1200亿"]


# ---------------------------------------------------------------- the number check of answers


def _passage(text: str) -> Passage:
    return Passage("001-a", "001", "一、2023年工作总结", text, 0.03, 1, {"title": "X乡工作报告", "township": "X乡"})


P_CAISHUI = _passage(CAISHUI)


@pytest.mark.parametrize(
    ("answer", "unsupported"),
    [
        ("X乡2023年完成财税九千九百九十九万元。[1]", ["九千九百九十九万"]),
        ("X乡2023年完成财税一千二百万元。[1]", []),
        ("X乡2023年完成财税0.12亿元。[1]", []),
        ("X乡2023年完成财税1200亿元。[1]", ["1200亿"]),
        ("X乡2023年完成财税１２００万元。[1]", []),
        ("X乡2023年完成财税1,200万元，引进物流企业两家。[1]", []),
    ],
)
def test_verify_compares_numbers_by_value(answer: str, unsupported: list[str]) -> None:
    v = verify(answer, [P_CAISHUI])
    assert v.unsupported_numbers == unsupported
    assert v.flagged_sentences == ([answer] if unsupported else [])
    assert v.citations[0].quote in CAISHUI and "1200万元" in v.citations[0].quote, "the quote keeps the source's form"


def test_a_chinese_amount_without_citation_is_unsupported() -> None:
    v = verify("全乡完成财税一千二百万元。", [P_CAISHUI])
    assert v.unsupported_numbers == ["一千二百万"]


def test_chinese_numerals_in_slogans_are_not_flagged() -> None:
    v = verify(
        "X乡坚持“四个确保”，推进城乡供水一体化，一是抓项目，二是抓财税，2023年完成财税1200万元。[1]", [P_CAISHUI]
    )
    assert v.unsupported_numbers == []


# The seed X乡 passage as the store holds it (its headings first): the quote of an answer that writes
# the figure another way is still the sentence stating it, in the source's form.
X_PASSAGE = (
    "一、2023年工作总结\n（一）坚持稳中求进基调，开创高质量发展新局面\n稳定农业产业，保持稳中有进。"
    "2023年完成粮食种植面积3.76万亩，产量1.65万吨；蔬菜种植面积0.8万亩，产量2.6万吨；水果期末面积0.41万亩，"
    "产量0.38万吨；生猪出栏0.74万头；活家禽出栏11.62万只，同比均实现增长。\n拓展财税来源，夯实财政基础。"
    "“栽下梧桐树引得凤凰来”，通过不断营造“四最”营商环境，制定优惠政策，引进物流企业2家，建筑企业8家，"
    "劳务公司2家，汽车企业1家，2023年完成财税1200万元，乡财力得到进一步的夯实。"
)


@pytest.mark.parametrize("figure", ["一千二百万元", "0.12亿元", "12,000,000元", "1200万元"])
def test_the_quote_is_the_sentence_stating_the_figure_in_any_form(figure: str) -> None:
    v = verify(f"X乡2023年完成财税{figure}[1]。", [_passage(X_PASSAGE)])
    assert v.unsupported_numbers == []
    assert "2023年完成财税1200万元" in v.citations[0].quote and v.citations[0].quote in X_PASSAGE
