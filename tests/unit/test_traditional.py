"""Traditional Chinese read as Simplified (assistant.script.fold), shown as written.

The seeds converted to Traditional with OpenCC (s2t, s2tw) must give the metadata, report parts,
sections, chunks and question analysis the Simplified seeds give, while titles, headings and chunk
text stay in Traditional characters.
"""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from assistant.generation.question import analyse
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_text
from assistant.ingest.metadata import classify_part, find_dates, find_kind, find_township, find_years, names_part
from assistant.ingest.structure import parse_sections
from assistant.places import issuing_place
from assistant.script import fold, has_traditional
from assistant.text import query_tokens, tokenize, tokenize_precise
from assistant.types import Filters

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS_DIR.glob("*.txt"))
S2T = opencc.OpenCC("s2t")
S2TW = opencc.OpenCC("s2tw")


# --- fold --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("鄉鎮工作總結", "乡镇工作总结"),
        ("經濟發展", "经济发展"),
        ("石門坎鄉2023年工作計劃", "石门坎乡2023年工作计划"),
        ("一是強化黨建引領；二是推進鄉村振興。", "一是强化党建引领；二是推进乡村振兴。"),
        ("（一）學理論、助提升，政治建設常抓不懈", "（一）学理论、助提升，政治建设常抓不懈"),
        ("全年幹茶生產量達5000噸", "全年干茶生产量达5000吨"),
    ],
)
def test_fold_reads_traditional_as_simplified_and_keeps_the_length(traditional: str, simplified: str) -> None:
    assert has_traditional(traditional)
    assert fold(traditional) == simplified
    assert len(fold(traditional)) == len(traditional)


@pytest.mark.parametrize("text", ["乡镇工作总结", "经济发展，乾隆年间，於是后来", "", "2023年GDP增长5.5%"])
def test_simplified_text_is_returned_as_it_is(text: str) -> None:
    assert not has_traditional(text)
    assert fold(text) is text  # no conversion at all: Simplified reports cost one set test


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.name[:3] for p in SEED_FILES])
@pytest.mark.parametrize("converter", [S2T, S2TW], ids=["s2t", "s2tw"])
def test_every_seed_converted_to_traditional_folds_back(path: Path, converter: opencc.OpenCC) -> None:
    simplified = path.read_text(encoding="utf-8")
    traditional = converter.convert(simplified)
    assert has_traditional(traditional)
    folded = fold(traditional)
    assert len(folded) == len(traditional)
    # Exactly, but for Taiwan's 著 for 着 (紧紧围绕着 → 緊緊圍繞著): 著 is a Simplified character too (显著).
    assert {(s, f) for s, f in zip(simplified, folded, strict=True) if s != f} <= {("着", "著")}


def test_tokens_of_traditional_text_are_those_of_simplified_text() -> None:
    assert tokenize("安民鄉紅色旅遊精品線路") == tokenize("安民乡红色旅游精品线路")
    assert tokenize_precise("經濟發展") == tokenize_precise("经济发展")
    assert query_tokens("鄉村振興有哪些項目") == query_tokens("乡村振兴有哪些项目")


# --- metadata of Traditional sentences ---------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("安民鄉2023年工作總結和2024年工作思路要點", "总结"),
        ("2023年鄉鎮領導班子工作情況總結（述職）", "述职"),
        ("石門坎鄉2024年工作計劃", "计划"),
        ("關於鄉村振興的調研報告", "其他"),
    ],
)
def test_kind_of_a_traditional_title(title: str, kind: str) -> None:
    assert find_kind(title) == kind


@pytest.mark.parametrize(
    ("title", "body", "township"),
    [
        ("安民鄉2023年工作總結", "", "安民乡"),
        ("XX縣XX鄉2023年工作總結暨2024年重點工作安排", "", "XX乡"),
        ("2023年工作總結", "今年以來，石門坎鄉黨委堅持以黨建為引領。", "石门坎乡"),
        ("2023年工作總結", "全鎮上下凝心聚力，龍泉鎮實現地區生產總值增長5%。", "龙泉镇"),
    ],
)
def test_township_of_a_traditional_report(title: str, body: str, township: str) -> None:
    assert find_township(title, body) == township
    assert issuing_place(title, body) == township


def test_years_and_dates_of_a_traditional_report() -> None:
    assert find_years("安民鄉2023年工作總結和2024年工作思路要點", "") == (2023, 2024)
    dates = find_dates("2023年工作總結", "——2023年12月20日在鄉第十八屆人民代表大會第三次會議上", (2023,))
    assert (dates.summary_year, dates.plan_year, dates.date) == (2023, 2024, "2023-12-20")


@pytest.mark.parametrize(
    ("heading", "part"),
    [
        ("一、2023年工作總結", "2023年工作总结"),
        ("二、2024年工作計劃", "2024年工作计划"),
        ("三、存在問題和不足", "存在问题"),
        ("第二部分：2024年工作思路", "2024年工作计划"),
    ],
)
def test_part_of_a_traditional_heading(heading: str, part: str) -> None:
    assert classify_part(heading, find_dates("", "", (2023, 2024))) == part


def test_traditional_headings_and_items_are_parsed_like_simplified_ones() -> None:
    text = (
        "安民鄉2023年工作總結\n"
        "一、2023年工作總結\n"
        "（一）堅持黨建引領，夯實基層基礎。一是強化理論武裝；二是推進鄉村振興。\n"
        "二、2024年工作計劃\n"
        "（一）鞏固脫貧成果。\n"
    )
    root = parse_sections(text)
    simple = parse_sections(fold(text))
    assert [(n.level, fold(n.heading), n.heading_span) for _, n in root.walk()] == [
        (n.level, n.heading, n.heading_span) for _, n in simple.walk()
    ]
    assert [c.heading for c in root.children] == ["一、2023年工作總結", "二、2024年工作計劃"]  # as written
    assert names_part("“十四五”時期工作回顧") and names_part("2026年重點工作")


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.name[:3] for p in SEED_FILES])
def test_a_seed_in_traditional_gives_the_metadata_parts_and_chunks_of_the_seed(path: Path) -> None:
    simplified = path.read_text(encoding="utf-8")
    plain = parse_text(simplified, path.stem)
    trad = parse_text(S2T.convert(simplified), path.stem)
    assert trad.meta.township == plain.meta.township
    assert trad.meta.kind == plain.meta.kind
    assert trad.meta.years == plain.meta.years
    assert trad.meta.place_level == plain.meta.place_level
    assert trad.meta.title == S2T.convert(plain.meta.title)  # shown as written
    assert [(n.part, n.level, n.heading_span) for _, n in trad.root.walk()] == [
        (n.part, n.level, n.heading_span) for _, n in plain.root.walk()
    ]
    trad_chunks, plain_chunks = chunk_document(trad), chunk_document(plain)
    assert [fold(c.text) for c in trad_chunks] == [c.text for c in plain_chunks]
    assert [c.text for c in trad_chunks] == [S2T.convert(c.text) for c in plain_chunks]


# --- questions ---------------------------------------------------------------------------------


def test_a_traditional_question_is_analysed_as_the_simplified_one() -> None:
    known = {"安民乡", "XX乡"}
    trad = analyse("安民鄉2023年推出了幾條紅色旅遊精品線路？", known)
    plain = analyse("安民乡2023年推出了几条红色旅游精品线路？", known)
    assert trad.townships == plain.townships == ("安民乡",)
    assert (trad.terms, trad.years, trad.wants_figure, trad.query) == (
        plain.terms,
        plain.years,
        plain.wants_figure,
        plain.query,
    )
    assert trad.shown == "安民鄉2023年推出了幾條紅色旅遊精品線路？"  # the answer repeats it as typed
    assert plain.shown == plain.text and plain.asked == ""


def test_a_township_or_part_filter_typed_in_traditional_is_the_simplified_filter() -> None:
    traditional = Filters(township="安民鄉", part="總結")
    assert traditional.chroma_where() == Filters(township="安民乡", part="总结").chroma_where()
    assert traditional.matches({"township": "安民乡", "part_kind": "总结", "part": "一、2023年工作总结"})
    assert not traditional.matches({"township": "大河乡", "part_kind": "总结", "part": "一、2023年工作总结"})
    both = Filters(township=("石門坎鄉", "安民鄉"))
    assert both.township == ("石门坎乡", "安民乡")
