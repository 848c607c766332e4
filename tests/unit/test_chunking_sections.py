"""Chunks follow the section tree: heading lines open their section, parts and lead-ins, every seed's text once."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.ingest.structure import ITEM_LEVEL
from assistant.types import ParsedDocument
from tests.unit.seed_reports import SEED_FILES, SEED_IDS, seed_doc

DEFAULT_MAX = 360


def test_seed004_paywall_number_chunk() -> None:
    doc = seed_doc("004")
    hits = [c for c in chunk_document(doc) if "2021—2022年耕地流出图斑整治728个" in c.text]
    assert len(hits) == 1
    (chunk,) = hits
    assert chunk.section_path[0] == "一、履职情况"
    assert chunk.section_path == ("一、履职情况", "（三）重基础、促民生，全乡发展有力有序", "二是农业发展势头强劲")
    assert chunk.part == "2023年工作总结"
    assert chunk.text.startswith("二是农业发展势头强劲。")


@pytest.mark.parametrize(
    ("prefix", "needle"),
    [
        ("004", "全年召开党委理论中心组集中学习XX次，周一集中学习会XX次"),
        ("004", "转正党员xx人"),
        ("001", "2023年X乡在区委、区政府和乡党委的坚强领导下"),
        ("001", "目前我乡重复信访对象XXX和XXX在防控范围"),
        ("000", "总投资XX万元"),
        ("003", "展示XX乡村发展成效"),
        ("002", "过去一年,安民乡在县委、县政府的坚强领导下,"),
    ],
)
def test_placeholders_and_punctuation_kept_in_chunks(prefix: str, needle: str) -> None:
    assert any(needle in c.text for c in chunk_document(seed_doc(prefix))), needle


def test_half_width_heading_in_section_path() -> None:
    chunks = chunk_document(seed_doc("002"))
    plan = [c for c in chunks if "(一)深化转型升级,加速产业发展融合提档" in c.section_path]
    assert len(plan) == 1
    assert plan[0].section_path == ("二、2024年工作思路要点", "(一)深化转型升级,加速产业发展融合提档")
    # the heading-only 二、 and (一) lines are short blocks that open the (一) section's chunk
    assert plan[0].text.startswith(
        "二、2024年工作思路要点\n(一)深化转型升级,加速产业发展融合提档\n"
        "突出红色文化核心内涵与绿色生态发展底色,推动资源价值转化。"
    )


def test_seed000_plan_chunks_have_plan_part() -> None:
    chunks = chunk_document(seed_doc("000"))
    plan = [c for c in chunks if c.section_path[:1] == ("二、2024年重点工作安排",)]
    assert len(plan) == 9
    assert {c.part for c in plan} == {"2024年工作计划"}
    first = plan[0]
    assert first.section_path == (
        "二、2024年重点工作安排",
        "（一）突出稳进提质，迈出高质量发展新步伐",
        "1.在项目建设上求突破",
    )
    assert first.text.startswith(
        "二、2024年重点工作安排\n（一）突出稳进提质，迈出高质量发展新步伐\n1.在项目建设上求突破。坚持项目带动扩大有效投资"
    )


def test_seed004_plan_and_problem_chunks() -> None:
    chunks = chunk_document(seed_doc("004"))
    by_top: dict[tuple[str, ...], set[str]] = {}
    for c in chunks:
        by_top.setdefault(c.section_path[:1], set()).add(c.part)
    assert by_top[("一、履职情况",)] == {"2023年工作总结"}
    assert by_top[("二、存在问题",)] == {"存在问题"}
    assert by_top[("三、下一步工作打算",)] == {"2024年工作计划"}
    assert by_top[()] == {""}


def test_seed004_problem_lead_in_is_kept() -> None:
    doc = seed_doc("004")
    lead = "在全乡干部群众的共同努力下，2023年各项工作有序推进，但还存在一些问题和不足。"
    (chunk,) = [c for c in chunk_document(doc) if lead in c.text]
    assert chunk.section_path == (
        "二、存在问题",
        "一是产业发展结构转型还需进一步加快、经济增长内生动力还需进一步挖掘、经济社会发展…",
    )
    assert chunk.part == "存在问题"
    # the heading line and the short lead-in are not chunks of their own: they open the item that follows
    assert chunk.text.startswith("二、存在问题\n" + lead + "一是产业发展结构转型还需进一步加快")


def test_seed000_short_lead_in_joins_following_item() -> None:
    lead = "2023年，是组织建设卓有成效的一年，我们转作风、强效能，锲而不舍，推动全面从严治党纵深发展。"
    chunks = chunk_document(seed_doc("000"))
    (chunk,) = [c for c in chunks if lead in c.text]
    assert chunk.text.startswith("一、2023年工作总结\n" + lead + "\n一是聚焦理论学习，提升政治忠诚力。")
    assert chunk.section_path[0] == "一、2023年工作总结"
    assert not any(c.text in (lead, "一、2023年工作总结\n" + lead) for c in chunks)


def test_preamble_chunk_has_empty_path() -> None:
    chunks = chunk_document(seed_doc("002"))
    assert chunks[0].section_path == ()
    assert chunks[0].part == ""
    assert chunks[0].text.startswith("过去一年,安民乡")


@pytest.mark.parametrize(
    ("prefix", "start", "section_path"),
    [
        pytest.param(
            "002",
            "二、2024年工作思路要点\n(一)深化转型升级,加速产业发展融合提档\n突出红色文化核心内涵与绿色生态发展底色,",
            ("二、2024年工作思路要点", "(一)深化转型升级,加速产业发展融合提档"),
            id="seed002-two-heading-lines-then-body",
        ),
        pytest.param(
            "003",
            "第一部分：2023年工作总结\n一、以党建引领打造高质量发展新高地\n一是学思想强党性，主题教育取得实效。",
            ("第一部分：2023年工作总结", "一、以党建引领打造高质量发展新高地", "一是学思想强党性，主题教育取得实效"),
            id="seed003-part-and-section-then-item",
        ),
        pytest.param(
            "003",
            "第二部分：2024年工作思路\nXX乡将以学习贯彻习近平总书记考察浙江重要讲话精神为契机，",
            ("第二部分：2024年工作思路",),
            id="seed003-part-with-own-body",
        ),
        pytest.param(
            "001",
            "一、2023年工作总结\n（一）坚持稳中求进基调，开创高质量发展新局面\n稳定农业产业，保持稳中有进。",
            ("一、2023年工作总结", "（一）坚持稳中求进基调，开创高质量发展新局面"),
            id="seed001-full-width-paren",
        ),
        pytest.param(
            "001",
            "二、2024年工作计划\n2024年X乡将坚持以习近平新时代中国特色社会主义思想为指导，",
            ("二、2024年工作计划",),
            id="seed001-long-lead-in-stays-with-its-heading",
        ),
        pytest.param(
            "001",
            "（一）行富民强民之举，务经济发展之实，确保经济发展稳中向好\n坚持将解决“三农问题”作为全乡工作的重中之重，",
            ("二、2024年工作计划", "（一）行富民强民之举，务经济发展之实，确保经济发展稳中向好"),
            id="seed001-heading-with-long-body-before-items",
        ),
        pytest.param(
            "000",
            "（二）聚焦内外兼修，提升和美乡村新品质\n1.深化和美乡村建设。重点推进2024年度投资4000余万元",
            ("二、2024年重点工作安排", "（二）聚焦内外兼修，提升和美乡村新品质", "1.深化和美乡村建设"),
            id="seed000-paren-then-digit-heading-with-body",
        ),
        pytest.param(
            "000",
            "2.在振兴实体上见实效。坚决扛起粮食安全政治责任，",
            ("二、2024年重点工作安排", "（一）突出稳进提质，迈出高质量发展新步伐", "2.在振兴实体上见实效"),
            id="seed000-digit-heading-keeps-its-full-stop",
        ),
        pytest.param(
            "004",
            "一、履职情况\n（一）学理论、助提升，政治建设常抓不懈。一是坚持把政治建设摆在首位。扛牢党的政治建设主体责任，",
            ("一、履职情况", "（一）学理论、助提升，政治建设常抓不懈", "一是坚持把政治建设摆在首位"),
            id="seed004-heading-line-with-items",
        ),
        pytest.param(
            "004",
            "（四）转作风，提效能，政治生态持续优化。持续保持惩治腐败的高压态势，",
            ("一、履职情况", "（四）转作风，提效能，政治生态持续优化"),
            id="seed004-heading-line-with-body",
        ),
        pytest.param(
            "004",
            "三、下一步工作打算\n（一）抓理论强思想，实现政治建设新突破。全面学习贯彻习近平新时代中国特色社会主义思想",
            ("三、下一步工作打算", "（一）抓理论强思想，实现政治建设新突破"),
            id="seed004-plan-heading-with-body",
        ),
    ],
)
def test_section_chunk_starts_with_its_heading_lines(prefix: str, start: str, section_path: tuple[str, ...]) -> None:
    chunks = chunk_document(seed_doc(prefix))
    (chunk,) = [c for c in chunks if c.text.startswith(start.split("\n", 1)[0])]
    assert chunk.text.startswith(start)
    assert chunk.section_path == section_path
    # the section's first chunk is the one that carries its heading
    assert chunk is next(c for c in chunks if c.section_path[: len(section_path)] == section_path)


def _ancestor_heading_lines(doc: ParsedDocument, section_path: tuple[str, ...]) -> list[str]:
    tree = dict(doc.root.walk())
    return [doc.text[slice(*tree[section_path[:i]].heading_span)] for i in range(1, len(section_path))]


@pytest.mark.parametrize("max_chars", [DEFAULT_MAX, 120])
@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_heading_lines_open_their_section(path: Path, max_chars: int) -> None:
    """Each heading (levels 1–5) lies in the first chunk of its section, preceded only by its ancestors' headings."""
    doc = parse_file(path)
    chunks = chunk_document(doc, max_chars=max_chars)
    for section_path, node in doc.root.walk():
        if not 0 < node.level < ITEM_LEVEL:
            continue
        first = next(c for c in chunks if c.section_path[: len(section_path)] == section_path)
        start, end = node.heading_span
        assert first.start <= start < end <= first.end, node.heading
        # only the heading lines of enclosing sections that had no body of their own may come first
        ancestors = _ancestor_heading_lines(doc, section_path)
        allowed = {"".join(line + "\n" for line in ancestors[k:]) for k in range(len(ancestors) + 1)}
        assert doc.text[first.start : start] in allowed, node.heading


@pytest.mark.parametrize("max_chars", [DEFAULT_MAX, 120])
@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_headings_and_item_labels_appear_once(path: Path, max_chars: int) -> None:
    doc = parse_file(path)
    chunks = chunk_document(doc, max_chars=max_chars)
    for _, node in doc.root.walk():
        if node.level == 0:
            continue
        # heading lines as written (with the 。 of a heading that carries its body); item labels as labelled
        label = doc.text[slice(*node.heading_span)] if node.level < ITEM_LEVEL else node.heading.removesuffix("…")
        assert sum(c.text.count(label) for c in chunks) == 1, label


@pytest.mark.parametrize("max_chars", [DEFAULT_MAX, 120])
@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_chunks_cover_all_text_after_title_once(path: Path, max_chars: int) -> None:
    doc = parse_file(path)
    counts = [0] * len(doc.text)
    for chunk in chunk_document(doc, max_chars=max_chars):
        for i in range(chunk.start, chunk.end):
            counts[i] += 1
    title_end = doc.root.heading_span[1]
    assert title_end == len(doc.root.heading) > 0
    assert not any(counts[:title_end]), "the title line is not chunk text"
    assert max(counts) == 1, "chunks do not overlap"
    missing = [i for i in range(title_end, len(doc.text)) if counts[i] != 1 and not doc.text[i].isspace()]
    assert not missing, [doc.text[i : i + 20] for i in missing[:3]]
