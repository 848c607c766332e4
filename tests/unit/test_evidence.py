"""What a small model is shown (the extractive evidence) and the markers attached to what it writes,
on real sentences of the sample reports."""

from __future__ import annotations

from assistant.generation.citations import verify
from assistant.generation.evidence import attach_markers, backing_source, evidence_of
from assistant.types import Answer, Citation
from tests.unit.llm_fakes import passage

FISCAL = (
    "通过不断营造“四最”营商环境，制定优惠政策，引进物流企业2家，建筑企业8家，劳务公司2家，"
    "汽车企业1家，2023年完成财税1200万元。"
)
GRAIN = "2023年完成粮食种植面积3.76万亩，产量1.65万吨。"
RED = "深入挖掘红色资源，推出6条红色旅游精品线路。"


def extract(text: str, passages: list) -> Answer:
    checked = verify(text, passages)
    return Answer("q", checked.text, False, checked.citations, [], "extractive", passages=passages)


def test_the_evidence_is_each_cited_passage_with_the_sentences_quoted_from_it() -> None:
    x = passage(1, f"稳定农业产业。{GRAIN}{FISCAL}")
    anmin = passage(2, f"拓展红色旅游。{RED}", doc="002_y", township="安民乡")
    other = passage(3, "投入11万元对X乡农贸市场维修。")
    evidence = evidence_of(extract(f"X乡：{FISCAL}[1]{GRAIN}[1]\n安民乡：{RED}[2]", [x, anmin, other]))
    assert [e.passage.chunk_id for e in evidence] == ["c1", "c2"], "uncited passages are not shown"
    assert evidence[0].sentences == (f"X乡：{FISCAL}", GRAIN)
    assert evidence[1].sentences == (f"安民乡：{RED}",)


def test_brackets_inside_a_quoted_sentence_are_the_reports_own_text() -> None:
    odd = passage(1, "见附表[3]所列项目。")
    cite = Citation(1, odd.doc_id, odd.section, odd.text, odd.text, odd.chunk_id)
    answer = Answer("q", "见附表[3]所列项目。[1]", False, [cite], [], "extractive", passages=[odd])
    (evidence,) = evidence_of(answer)
    assert evidence.sentences == ("见附表[3]所列项目。",)


def test_shared_numbers_decide_the_backing_source_before_wording() -> None:
    sources = [GRAIN, FISCAL]
    assert backing_source("X乡去年财税收入达到1200万元。", sources) == 2
    assert backing_source("粮食种了3.76万亩。", sources) == 1
    assert backing_source("全乡各项工作稳步推进。", sources) is None  # nothing backs it: no marker invented


def test_markers_are_attached_where_missing_and_kept_where_written() -> None:
    sources = [GRAIN, FISCAL]
    text = "X乡2023年完成财税1200万元。粮食种植面积3.76万亩[1]。各项工作稳步推进。"
    assert attach_markers(text, sources) == "X乡2023年完成财税1200万元。[2]粮食种植面积3.76万亩[1]。各项工作稳步推进。"
    assert attach_markers("推出6条红色旅游精品线路。[1] [1]", [RED]) == "推出6条红色旅游精品线路。[1]"
