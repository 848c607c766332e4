"""The extractive answer's lead-in: the report it quotes, named from the passage's metadata (place, part
or title), its figures stated by the passage's title or headings, only for answers from one report."""

from __future__ import annotations

from assistant.generation.extractive import Candidate, lead_in, with_lead
from assistant.generation.question import Question
from assistant.types import Passage


def passage(doc: str, section: str, text: str, **meta: object) -> Passage:
    return Passage(f"{doc}-1", doc, section, text, 0.1, 1, {"doc": doc, "section": section, **meta})  # type: ignore[typeddict-item]


SEED = passage(
    "002_501c0fb6689f0a4e",
    "一、2023年工作总结 > 一是深挖红色资源优势",
    "一是深挖红色资源优势。推出6条红色旅游精品线路。",
    title="安民乡2023年工作总结和2024年工作思路要点",
    township="安民乡",
    part="2023年工作总结",
    kind="总结",
)
PROVINCE = passage(
    "2026_吉林省_政府工作报告",
    "一、2025年和“十四五”工作回顾",
    "全省地区生产总值增长5.3%。",
    title="政府工作报告——2026年1月在吉林省第十四届人民代表大会第五次会议上",
    township="吉林省",
    part="",
    kind="其他",
)


def question(compare: bool = False) -> Question:
    return Question("q", ("线路",), (), (), True, compare, False)


def test_the_lead_in_names_place_and_the_part_with_its_year() -> None:
    assert lead_in(SEED) == "据安民乡2023年工作总结："


def test_without_a_dated_part_the_title_names_the_report_and_the_place_is_added() -> None:
    assert lead_in(PROVINCE) == "据吉林省政府工作报告："


def test_a_year_no_title_or_heading_states_is_never_put_in_the_lead_in() -> None:
    unbacked = passage("x", "一是抓党建", "抓党建。", title="工作总结", township="红星镇", part="2022年工作总结")
    assert lead_in(unbacked) == "据红星镇：", "2022 is only in the metadata: the digit-free label instead"


def test_only_answers_from_one_report_get_a_lead_in() -> None:
    one = [Candidate(0, "推出6条红色旅游精品线路。", 1.0, 1.0)]
    assert with_lead(question(), one, [SEED], "推出…[1]") == "据安民乡2023年工作总结：推出…[1]"
    two = [Candidate(0, "a", 1.0, 1.0), Candidate(1, "b", 0.9, 0.9)]
    assert with_lead(question(), two, [SEED, PROVINCE], "x") == "x"
    assert with_lead(question(compare=True), one, [SEED], "x") == "x"
