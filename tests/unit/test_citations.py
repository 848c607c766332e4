"""Citation checks: numbers, answer sentences, exact quotes, marker renumbering, unsupported numbers, XX figures."""

from __future__ import annotations

import pytest

from assistant.generation.citations import (
    best_quote,
    numbers_in,
    placeholder_figures,
    split_answer_sentences,
    verify,
)
from assistant.types import Passage

# Real sentences from seeds/001 (X乡) and seeds/000 (XX县XX乡).
CAISHUI = (
    "拓展财税来源，夯实财政基础。“栽下梧桐树引得凤凰来”，通过不断营造“四最”营商环境，制定优惠政策，"
    "引进物流企业2家，建筑企业8家，劳务公司2家，汽车企业1家，2023年完成财税1200万元，乡财力得到进一步的夯实。"
)
XIANGMU = (
    "一是项目建设迸发新动能。2023年，实施的项目共26个，总投资XX万元，已完工项目20个，在建项目5个，拟建项目1个。"
    "重点围绕莲花山滑雪场，投资XX万元实施体验性项目，建设天空之境及玻璃栈道640平方米；"
)
CHAYE = "全年干茶生产量达5000吨。河南信阳卢氏茶叶集团来乡设立分厂，年产茶3000吨。"


def _passage(cid: str, doc: str, text: str) -> Passage:
    return Passage(cid, doc, f"{doc} section", text, 0.03, 1, {"title": f"{doc} title", "township": "X乡"})


P_CAISHUI = _passage("001-a", "001", CAISHUI)
P_XIANGMU = _passage("000-a", "000", XIANGMU)
P_CHAYE = _passage("000-b", "000", CHAYE)


# ---------------------------------------------------------------- numbers_in


# numbers_in lists the figures as written (with their 万/亿 and %); assistant.numbers parses their
# values (tests/unit/test_numbers.py).


def test_numbers_in_plain_text() -> None:
    assert numbers_in("种植小麦959亩，油菜474.5亩") == ["959", "474.5"]


def test_numbers_in_full_width_digits() -> None:
    assert numbers_in("２０２３年完成财税１２００万元") == ["２０２３", "１２００万"]


def test_numbers_in_keeps_thousands_commas_as_written() -> None:
    assert numbers_in("完成投资1,200万元") == ["1,200万"]
    assert numbers_in("共计1,234,567元") == ["1,234,567"]
    assert numbers_in("完成投资１，２００万元") == ["１，２００万"]


def test_numbers_in_excludes_markers() -> None:
    assert numbers_in("1,200万元[2]") == ["1,200万"]
    assert numbers_in("乡财力得到夯实。[1][12]") == []


def test_numbers_in_does_not_merge_listed_numbers() -> None:
    # A Chinese comma between two small numbers separates them; it is no thousands separator.
    assert numbers_in("分别为5，8个") == ["5", "8"]


# ---------------------------------------------------------------- split_answer_sentences


def test_markers_stay_with_their_sentence() -> None:
    assert split_answer_sentences("2023年完成财税1200万元。[1]下一句[2]") == [
        "2023年完成财税1200万元。[1]",
        "下一句[2]",
    ]


def test_closing_quote_and_several_markers_stay_with_the_sentence() -> None:
    parts = split_answer_sentences("推出“安民三笋”。”[1][2]选树“最美XX人”13人；[3]完")
    assert parts == ["推出“安民三笋”。”[1][2]", "选树“最美XX人”13人；[3]", "完"]


def test_split_answer_sentences_one_line_per_report() -> None:
    answer = "X乡：2023年完成财税1200万元。[1]\nXX乡：实施的项目共26个。[2]"
    pieces = split_answer_sentences(answer)
    assert "".join(pieces) == answer, "joining the pieces gives the answer back, line breaks included"
    parts = [s.strip() for s in pieces if s.strip()]
    assert parts == ["X乡：2023年完成财税1200万元。[1]", "XX乡：实施的项目共26个。[2]"]


# ---------------------------------------------------------------- best_quote


def test_best_quote_is_the_matching_sentence_and_an_exact_substring() -> None:
    quote = best_quote("2023年完成财税1200万元", CAISHUI)
    assert quote in CAISHUI
    assert "2023年完成财税1200万元" in quote
    assert not quote.startswith("拓展财税来源")


def test_best_quote_picks_among_sentences() -> None:
    assert best_quote("卢氏茶叶集团的分厂年产茶多少", CHAYE) == "河南信阳卢氏茶叶集团来乡设立分厂，年产茶3000吨。"
    assert best_quote("干茶生产量", CHAYE) == "全年干茶生产量达5000吨。"


def test_best_quote_ignores_markers_in_the_answer_sentence() -> None:
    quote = best_quote("已完工项目20个[1]", XIANGMU)
    assert quote in XIANGMU
    assert "已完工项目20个" in quote


# ---------------------------------------------------------------- verify


def test_verify_keeps_a_supported_answer() -> None:
    v = verify("2023年完成财税1200万元。[1]", [P_CAISHUI])
    assert v.text == "2023年完成财税1200万元。[1]"
    assert v.unsupported_numbers == []
    assert v.flagged_sentences == []
    assert v.removed_markers == []
    (c,) = v.citations
    assert (c.n, c.doc, c.chunk_id, c.text) == (1, "001", "001-a", CAISHUI)
    assert c.quote in CAISHUI and "1200万元" in c.quote


def test_verify_keeps_the_layout_of_a_valid_answer() -> None:
    # compose() puts one report per line and the XX note on its own line; checking must not merge them.
    answer = (
        "X乡：2023年完成财税1200万元。[1]\nXX乡：实施的项目共26个。[2]\n"
        "（注：原文中写作“XX”的数字为原文未披露具体数字。）"
    )
    v = verify(answer, [P_CAISHUI, P_XIANGMU])
    assert v.unsupported_numbers == []
    assert v.text == answer


def test_verify_removes_out_of_range_marker() -> None:
    v = verify("乡财力得到进一步的夯实。[1][9]", [P_CAISHUI, P_XIANGMU])
    assert "[9]" not in v.text
    assert v.text == "乡财力得到进一步的夯实。[1]"
    assert v.removed_markers == [9]
    assert [c.n for c in v.citations] == [1]


def test_verify_removes_marker_zero() -> None:
    v = verify("乡财力得到进一步的夯实。[0]", [P_CAISHUI])
    assert v.removed_markers == [0]
    assert v.citations == []
    assert "[0]" not in v.text


def test_verify_renumbers_markers_in_order_of_first_use() -> None:
    answer = "实施的项目共26个。[2]2023年完成财税1200万元。[1]已完工项目20个。[2]"
    v = verify(answer, [P_CAISHUI, P_XIANGMU])
    assert v.text == "实施的项目共26个。[1]2023年完成财税1200万元。[2]已完工项目20个。[1]"
    assert [(c.n, c.doc, c.chunk_id) for c in v.citations] == [(1, "000", "000-a"), (2, "001", "001-a")]
    assert v.citations[0].text == XIANGMU
    assert v.citations[1].text == CAISHUI
    assert "26个" in v.citations[0].quote  # quoted for the first sentence citing it
    assert v.unsupported_numbers == []


def test_verify_reports_a_number_absent_from_the_cited_passage() -> None:
    v = verify("2023年完成财税1350万元[1]", [P_CAISHUI])
    assert v.unsupported_numbers == ["1350万"]
    assert v.flagged_sentences == ["2023年完成财税1350万元[1]"]


def test_number_backed_only_by_another_sentences_passage_is_unsupported() -> None:
    answer = "2023年完成财税1200万元。[1]全年干茶生产量达1200吨。[2]"
    v = verify(answer, [P_CAISHUI, P_CHAYE])
    assert v.unsupported_numbers == ["1200"]
    assert v.flagged_sentences == ["全年干茶生产量达1200吨。[2]"]


def test_sentence_without_marker_cannot_back_its_number() -> None:
    v = verify("2023年完成财税1200万元。", [P_CAISHUI])
    assert v.unsupported_numbers == ["2023", "1200万"]
    assert v.flagged_sentences == ["2023年完成财税1200万元。"]
    assert v.citations == []


def test_number_backed_by_either_of_two_cited_passages() -> None:
    v = verify("财税1200万元，干茶5000吨。[1][2]", [P_CAISHUI, P_CHAYE])
    assert v.unsupported_numbers == []


def test_unsupported_numbers_listed_once() -> None:
    v = verify("完成财税1350万元。[1]另有1350万元。[1]", [P_CAISHUI])
    assert v.unsupported_numbers == ["1350万"]
    assert len(v.flagged_sentences) == 2


def test_removed_marker_does_not_back_numbers() -> None:
    v = verify("2023年完成财税1200万元。[3]", [P_CAISHUI])
    assert v.removed_markers == [3]
    assert v.unsupported_numbers == ["2023", "1200万"]


# ---------------------------------------------------------------- placeholder_figures


@pytest.mark.parametrize(
    "text",
    ["总投资XX万元", "全年召开党委理论中心组集中学习XX次", "全年吸纳积极分子xx人", "发放就业奖补ＸＸ人"],
)
def test_placeholder_figures_found(text: str) -> None:
    assert len(placeholder_figures(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "XX乡10个村集体经济收入",
        "打造“XX山礼”区域公用品牌",
        "选树“最美XX人”13人",
        "谱写“XXXX”高质量发展新篇章",
        "实现了1200万元",
    ],
)
def test_placeholder_names_are_not_figures(text: str) -> None:
    assert placeholder_figures(text) == []


def test_placeholder_after_a_closed_quote_is_a_figure() -> None:
    assert placeholder_figures("选树“最美XX人”XX人，累计发放XX万元") == ["XX", "XX"]
