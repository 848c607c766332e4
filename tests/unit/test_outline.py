"""Outline proposal (generation/outline.py): headings from the seed reports' own section paths,
bare, deduplicated and ordered by weight; the style's part; the template when retrieval gives too few."""

from __future__ import annotations

import pytest

from assistant.generation.outline import (
    MAX_SECTIONS,
    MIN_SECTIONS,
    Heading,
    OutlineProposer,
    bare,
    is_part_heading,
    numbered,
    parse_headings,
    rank_headings,
    similar,
    template_headings,
)
from assistant.types import Passage
from tests.unit.seed_reports import seed_text
from tests.unit.seed_search import SeedSearch, seed_search


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> SeedSearch:
    return seed_search(tmp_path_factory.mktemp("outline-seeds"))


def _passage(cid: str, section: str, rank: int, doc: str = "d") -> Passage:
    return Passage(cid, doc, section, "正文。", 0.0, rank, {"doc": doc, "section": section})  # type: ignore[typeddict-item]


@pytest.mark.parametrize(
    ("heading", "want"),
    [
        ("（二）抓重点破难题，打开乡村振兴新局面。", "抓重点破难题，打开乡村振兴新局面"),
        ("(二)紧盯乡村建设不放松,推动项目稳定落地", "紧盯乡村建设不放松，推动项目稳定落地"),
        ("三是为和美乡村建设蓄势赋能", "为和美乡村建设蓄势赋能"),
        ("2.在振兴实体上见实效", "在振兴实体上见实效"),
        ("第一部分：2023年工作总结", "2023年工作总结"),
        ("一、（一）深挖红色资源优势：", "深挖红色资源优势"),
        ("2023年工作总结", "2023年工作总结"),  # a year is not a list number
    ],
)
def test_bare_takes_off_markers_and_closing_punctuation(heading: str, want: str) -> None:
    assert bare(heading) == want


def test_numbered_gives_first_level_headings() -> None:
    assert numbered(1, "（三）甲") == "一、甲"
    assert numbered(10, "乙") == "十、乙"


@pytest.mark.parametrize(
    "text", ["2023年工作总结", "存在问题", "存在的问题", "下一步工作打算", "履职情况", "2024年工作思路要点"]
)
def test_part_headings_are_not_subjects(text: str) -> None:
    assert is_part_heading(text)


@pytest.mark.parametrize("text", ["深挖红色资源优势", "抓重点破难题，打开乡村振兴新局面", "基层基础更加夯实"])
def test_subject_headings_are_kept(text: str) -> None:
    assert not is_part_heading(text)


def test_typed_headings_are_parsed_from_lines_or_bars() -> None:
    assert parse_headings("一、甲项工作|二、乙项工作\n\n（三）甲项工作\n  丙项工作  ") == [
        "甲项工作",
        "乙项工作",
        "丙项工作",
    ]
    assert parse_headings(" \n | ") == []


def test_similar_headings_are_one() -> None:
    assert similar("深挖红色资源优势", "深挖红色资源优势，打造红色品牌")
    assert similar("推进和美乡村建设", "和美乡村建设推进")
    assert not similar("深挖红色资源优势", "持续整治生态环境")


def test_rank_headings_merges_repeats_and_orders_by_weight() -> None:
    passages = [
        _passage("a", "一、2023年工作总结 > （一）持续整治生态环境", 1),
        _passage("b", "一、2023年工作总结 > （二）深挖红色资源优势 > 一是打造红色教学体系", 2),
        _passage("c", "一、2023年工作总结 > （二）深挖红色资源优势 > 一是打造红色教学体系。", 3),
        _passage("d", "一、2023年工作总结", 4),  # a part heading alone: no subject
        _passage("e", "二、存在问题 > 基层干部力量不足", 5),  # under a part heading: its deepest subject
    ]
    ranked = rank_headings((), passages)
    assert [h.text for h in ranked] == ["打造红色教学体系", "持续整治生态环境", "基层干部力量不足"]
    assert ranked[0].score == pytest.approx(1 / 2**0.5 + 1 / 3**0.5)
    assert ranked[0].section.endswith("一是打造红色教学体系") and ranked[0].source == "retrieval"
    # A heading naming the topic's terms outweighs a better-ranked one.
    assert rank_headings(("生态", "环境"), passages)[0].text == "持续整治生态环境"


def test_outline_from_the_seeds_uses_the_reports_headings(seeds: SeedSearch) -> None:
    outline = OutlineProposer(seeds, seeds.corpus).propose("安民乡2023年红色旅游工作总结")
    texts = outline.texts
    assert MIN_SECTIONS <= len(texts) <= MAX_SECTIONS
    assert all(h.source == "retrieval" for h in outline.headings) and not outline.notes
    # The township the topic names scopes retrieval: every heading is one of 安民乡's (seed 002).
    assert all(h.doc.startswith("002") for h in outline.headings)
    text = seed_text("002").replace(",", "，")
    assert all(t in text for t in texts), texts
    assert any("红色" in t for t in texts[:2]), texts
    assert not any(is_part_heading(t) for t in texts)
    assert not any(similar(a, b) for i, a in enumerate(texts) for b in texts[i + 1 :])
    scores = [h.score for h in outline.headings]
    assert scores == sorted(scores, reverse=True)


def test_a_plan_outline_comes_from_the_plan_parts(seeds: SeedSearch) -> None:
    outline = OutlineProposer(seeds, seeds.corpus).propose("2024年乡村振兴工作计划", "计划", sections=4)
    assert len(outline.headings) == 4
    kinds = {p.section: p.metadata.get("part_kind") for p in seeds.passages.values()}
    assert all(
        kinds.get(h.section) == "计划" or any(s.startswith(h.section) and k == "计划" for s, k in kinds.items())
        for h in outline.headings
    )
    summary = OutlineProposer(seeds, seeds.corpus).propose("2023年乡村振兴工作总结", "总结", sections=4)
    assert not set(summary.texts) & set(outline.texts)


def test_sections_are_kept_between_three_and_seven(seeds: SeedSearch) -> None:
    proposer = OutlineProposer(seeds, seeds.corpus)
    assert len(proposer.propose("2023年工作总结", sections=1).headings) == MIN_SECTIONS
    assert len(proposer.propose("2023年工作总结", sections=20).headings) == MAX_SECTIONS


class _Nothing:
    def search(self, query: str, k: int = 5, filters: object = None, vector: object = None) -> list[Passage]:
        return []


def test_too_few_headings_are_filled_from_the_style_template(seeds: SeedSearch) -> None:
    outline = OutlineProposer(_Nothing(), seeds.corpus).propose("某项工作总结", "总结")
    assert [h.text for h in outline.headings] == template_headings("总结")[:MIN_SECTIONS]
    assert all(h.source == "template" for h in outline.headings) and outline.notes
    plan = template_headings("计划")
    assert len(plan) >= MIN_SECTIONS and plan != template_headings("总结")


def test_outline_json_shape(seeds: SeedSearch) -> None:
    data = OutlineProposer(seeds, seeds.corpus).propose("安民乡2023年红色旅游工作总结").to_json()
    assert set(data) == {"topic", "style", "headings", "latency_ms", "notes"}
    first = data["headings"][0]
    assert set(first) == {"n", "heading", "text", "source", "doc", "section", "score"}
    assert first["n"] == 1 and first["heading"] == "一、" + first["text"]
    assert Heading("甲").to_json(2)["heading"] == "二、甲"
