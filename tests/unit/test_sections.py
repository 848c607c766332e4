"""Drafting by sections (generation/sections.py): each heading drafted from its own retrieval, cited;
citations renumbered across the draft on assembly; one section redrafted leaves the others as they
were; no sentence drafted into two sections; the exports carry the 一、 headings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from assistant.eval.metrics import uncited_sentences
from assistant.generation.citations import split_answer_sentences
from assistant.generation.draft import Drafter
from assistant.generation.export import draft_markdown
from assistant.generation.gongwen import gongwen_docx
from assistant.generation.sections import (
    NO_MATERIAL,
    SectionDraft,
    SectionDrafter,
    SectionsError,
    assemble,
    section_length,
    section_topic,
    sentence_key,
    without_repeats,
)
from assistant.retrieval import Filters
from assistant.types import Answer, Citation
from tests.unit.seed_search import SeedSearch, seed_search

TOPIC = "安民乡2023年红色旅游工作总结"
HEADINGS = ["深挖红色资源优势", "持续整治生态环境", "积极做好项目谋划"]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> SeedSearch:
    return seed_search(tmp_path_factory.mktemp("sections-seeds"))


@pytest.fixture
def drafter(seeds: SeedSearch) -> SectionDrafter:
    return SectionDrafter(Drafter(seeds, seeds.corpus))


def _cite(n: int, chunk: str, quote: str = "") -> Citation:
    return Citation(n=n, doc=chunk[:1], section="", quote=quote or chunk, text=chunk, chunk_id=chunk)


def _answer(text: str, *chunks: str) -> Answer:
    return Answer("t", text, False, [_cite(i, c) for i, c in enumerate(chunks, start=1)], [], "extractive")


class _Always:
    """A draft path that drafts the same answer whatever it is asked."""

    def __init__(self, answer: Answer, by_topic: dict[str, Answer] | None = None) -> None:
        self.answer, self.by_topic = answer, by_topic or {}
        self.calls: list[tuple[str, int]] = []

    def draft(self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结") -> Answer:
        self.calls.append((topic, length))
        return self.by_topic.get(topic, self.answer)

    def stream(
        self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结"
    ) -> Iterator[str | Answer]:
        yield self.answer


def test_assembly_renumbers_citations_across_the_draft() -> None:
    sections = [
        SectionDraft("甲", _answer("甲一。[1]甲二。[2]", "a", "b")),
        SectionDraft("乙", _answer("乙一。[1]乙二。[2]乙三。[1]", "b", "c")),
    ]
    whole = assemble("主题", sections)
    assert whole.answer == "一、甲\n甲一。[1]甲二。[2]\n二、乙\n乙一。[2]乙二。[3]乙三。[2]"
    assert [(c.n, c.chunk_id) for c in whole.citations] == [(1, "a"), (2, "b"), (3, "c")]
    assert not whole.abstained


def test_a_section_with_nothing_keeps_its_heading_and_gets_a_note() -> None:
    nothing = Answer("t", "资料中未找到", True, [], [], "extractive")
    whole = assemble("主题", [SectionDraft("甲", nothing), SectionDraft("乙", _answer("乙一。[1]", "a"))])
    assert whole.answer == "一、甲\n二、乙\n乙一。[1]"
    assert whole.notes == [f"一、甲：{NO_MATERIAL}"] and not whole.abstained
    assert assemble("主题", [SectionDraft("甲", nothing)]).abstained


def test_repeated_sentences_are_dropped_with_their_labels_and_markers() -> None:
    answer = _answer("安民乡：甲一。[1]甲二。[2]\nX乡：乙一。[3]", "a", "b", "c")
    kept = without_repeats(answer, {"甲一。", "乙一。"})
    assert kept.answer == "安民乡：甲二。[1]"
    assert [(c.n, c.chunk_id) for c in kept.citations] == [(1, "b")]
    gone = without_repeats(answer, {"甲一。", "甲二。", "乙一。"})
    assert gone.abstained and gone.answer == NO_MATERIAL and not gone.citations


def test_each_section_is_drafted_from_its_own_retrieval_and_cited(seeds: SeedSearch, drafter: SectionDrafter) -> None:
    seeds.calls.clear()
    drafted = drafter.draft(TOPIC, ["一、" + HEADINGS[0], *HEADINGS[1:]], length=900)
    assert [s.heading for s in drafted.sections] == HEADINGS
    assert drafted.length == section_length(900, 3) == 300
    for h in HEADINGS:
        assert any(q.startswith(section_topic(TOPIC, h)) for q in seeds.calls), (h, seeds.calls)
    for s in drafted.sections:
        assert not s.answer.abstained and s.answer.citations
        assert uncited_sentences(s.answer.answer) == 0
        assert not s.answer.unsupported_numbers
    # Each section holds what its heading names (the seed's sentences under it).
    assert "红色" in drafted.sections[0].answer.answer
    assert "整治" in drafted.sections[1].answer.answer or "垃圾" in drafted.sections[1].answer.answer
    keys = [k for s in drafted.sections for x in split_answer_sentences(s.answer.answer) if (k := sentence_key(x))]
    assert len(keys) == len(set(keys)), "a sentence is drafted into one section only"
    whole = drafted.assembled()
    assert [line for line in whole.answer.split("\n") if re.match("^[一二三]、", line)] == [
        "一、深挖红色资源优势",
        "二、持续整治生态环境",
        "三、积极做好项目谋划",
    ]
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", whole.answer)]
    assert list(dict.fromkeys(numbers)) == list(range(1, len(whole.citations) + 1))
    assert [c.n for c in whole.citations] == list(range(1, len(whole.citations) + 1))


def test_redrafting_one_section_leaves_the_others_byte_identical(drafter: SectionDrafter) -> None:
    drafted = drafter.draft(TOPIC, HEADINGS, length=900)
    before_whole, before_parts = drafted.assembled(), drafted.parts()
    again = drafter.redraft(drafted, 1, "稳步推进功能串联")
    assert again.sections[1].heading == "稳步推进功能串联"
    assert again.sections[1].answer.answer != drafted.sections[1].answer.answer
    for i in (0, 2):
        assert again.sections[i].heading == drafted.sections[i].heading
        assert again.sections[i].answer.answer == drafted.sections[i].answer.answer
        assert again.sections[i].answer.citations == drafted.sections[i].answer.citations
    parts = again.parts()
    assert parts[0] == before_parts[0], "a section before the redrafted one keeps its numbers too"
    # A later section keeps its sentences and sources; only its numbers follow the draft's order.
    unmark = lambda t: re.sub(r"\[\d+\]", "", t)  # noqa: E731
    assert unmark(parts[2]) == unmark(before_parts[2])
    quotes = lambda whole, text: [whole.citations[int(n) - 1].quote for n in re.findall(r"\[(\d+)\]", text)]  # noqa: E731
    assert quotes(again.assembled(), parts[2]) == quotes(before_whole, before_parts[2])
    assert "二、稳步推进功能串联" in again.assembled().answer


def test_a_fresh_redraft_avoids_its_own_sentences_or_keeps_them(drafter: SectionDrafter) -> None:
    drafted = drafter.draft(TOPIC, HEADINGS, length=450)
    fresh = drafter.redraft(drafted, 0, fresh=True)
    old, new = drafted.sections[0].answer.answer, fresh.sections[0].answer.answer
    assert new != old and not fresh.sections[0].answer.abstained
    old_keys = {sentence_key(x) for x in split_answer_sentences(old)}
    assert not any(sentence_key(x) in old_keys for x in split_answer_sentences(new) if x.strip())
    # With nothing else on its heading the section keeps its text rather than dropping it.
    same = SectionDrafter(_Always(_answer("甲一。[1]", "a")))
    narrow = same.draft(TOPIC, ["甲"], length=150)
    again = same.redraft(narrow, 0, fresh=True)
    assert again.sections[0].answer.answer == narrow.sections[0].answer.answer == "甲一。[1]"


def test_a_path_is_asked_again_only_when_repeats_were_dropped() -> None:
    path = _Always(_answer("甲一。[1]甲二。[2]", "a", "b"))
    SectionDrafter(path).draft("主题", ["甲", "乙"], length=300)
    # 乙 repeats both of 甲's sentences: asked once more, for more text (and still nothing new).
    assert [n for _, n in path.calls] == [150, 150, 150 + len("甲一。甲二。")]
    other = _Always(_answer("乙一。[1]", "c"), {"主题 甲": _answer("甲一。[1]", "a")})
    drafter = SectionDrafter(other)
    drafter.draft("主题", ["甲", "乙"], length=300)
    assert [t for t, _ in other.calls] == ["主题 甲", "主题 乙"]


def test_bad_outlines_are_refused(drafter: SectionDrafter) -> None:
    with pytest.raises(SectionsError, match="提纲为空"):
        drafter.draft(TOPIC, ["", " 一、 "])
    drafted = drafter.draft(TOPIC, HEADINGS[:1], length=150)
    with pytest.raises(SectionsError):
        drafter.redraft(drafted, 3)


def test_filters_reach_every_section(seeds: SeedSearch, drafter: SectionDrafter) -> None:
    drafted = drafter.draft("2023年工作总结", ["财税收入"], filters=Filters(township="X乡"), length=150)
    assert all(c.township == "X乡" for s in drafted.sections for c in s.answer.citations)


def test_exports_carry_the_section_headings(drafter: SectionDrafter, tmp_path: Path) -> None:
    whole = drafter.draft(TOPIC, HEADINGS, length=600).assembled()
    md = draft_markdown(whole, TOPIC)
    assert [line for line in md.split("\n") if line.startswith("## ")][:3] == [
        "## 一、深挖红色资源优势",
        "## 二、持续整治生态环境",
        "## 三、积极做好项目谋划",
    ]
    document = docx.Document(str(gongwen_docx(whole, TOPIC, tmp_path / "x.docx")))
    heads = [p for p in document.paragraphs if re.match("^[一二三]、", p.text)]
    assert [p.text for p in heads] == ["一、深挖红色资源优势", "二、持续整治生态环境", "三、积极做好项目谋划"]
    assert all(r.font.name == "黑体" for p in heads for r in p.runs if r.text)


def test_sectioned_json_shape(drafter: SectionDrafter) -> None:
    data = drafter.draft(TOPIC, HEADINGS[:2], length=300).to_json()
    assert set(data) == {"topic", "style", "section_length", "sections", "draft"}
    assert [s["heading"] for s in data["sections"]] == ["一、深挖红色资源优势", "二、持续整治生态环境"]
    assert set(data["sections"][0]) == {"n", "heading", "text", "draft"}
    assert data["draft"]["answer"].startswith("一、深挖红色资源优势\n")
