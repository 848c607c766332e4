"""Chunking: sentence splitting, packing, and the chunk invariants on every seed report."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from assistant.ingest.chunking import (
    SENTENCE_ENDS,
    chunk_document,
    pack_sentences,
    sentence_spans,
    sentence_units,
)
from assistant.ingest.document import parse_file, parse_text
from assistant.ingest.structure import ITEM_LEVEL
from assistant.types import Chunk, ParsedDocument

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS_DIR.glob("*.txt"))
SEED_IDS = [p.name[:3] for p in SEED_FILES]
CLOSERS = "”’」』）)"
DEFAULT_MAX = 360


def _doc(prefix: str) -> ParsedDocument:
    (path,) = SEEDS_DIR.glob(f"{prefix}_*.txt")
    return parse_file(path)


def _pieces(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_ENDS


def _sentence_length_at(text: str, pos: int) -> int:
    """Length of the sentence (between sentence ends / newlines) that contains text[pos - 1]."""
    start = pos - 1
    while start > 0 and text[start - 1] not in SENTENCE_ENDS + "\n":
        start -= 1
    end = pos
    while end < len(text) and text[end - 1] not in SENTENCE_ENDS and text[end] != "\n":
        end += 1
    return end - start


# --- sentence_spans ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        pytest.param(
            "稳定农业产业，保持稳中有进。2023年完成粮食种植面积3.76万亩，产量1.65万吨；蔬菜种植面积0.8万亩。",
            ["稳定农业产业，保持稳中有进。", "2023年完成粮食种植面积3.76万亩，产量1.65万吨；", "蔬菜种植面积0.8万亩。"],
            id="seed001-period-semicolon-decimals",
        ),
        pytest.param(
            "过去一年,安民乡敢于自我加压!下一步?继续坚持实干;打造好样板地",
            ["过去一年,安民乡敢于自我加压!", "下一步?", "继续坚持实干;", "打造好样板地"],
            id="half-width-ends-and-unterminated-tail",
        ),
        pytest.param(
            "做到“幼有所学”“老有所养”。树牢“人民至上、生命至上。”安全发展理念",
            ["做到“幼有所学”“老有所养”。", "树牢“人民至上、生命至上。”", "安全发展理念"],
            id="closing-quote-stays-with-sentence",
        ),
        pytest.param(
            "全面落实（见附件。）下一步。『重点』」",
            ["全面落实（见附件。）", "下一步。", "『重点』」"],
            id="closing-bracket",
        ),
        pytest.param("真抓实干！！奋勇争先？！", ["真抓实干！！", "奋勇争先？！"], id="repeated-ends"),
        pytest.param(
            "一、履职情况\n（一）学理论、助提升，政治建设常抓不懈。一是坚持",
            ["一、履职情况\n", "（一）学理论、助提升，政治建设常抓不懈。", "一是坚持"],
            id="newline-is-a-break",
        ),
        pytest.param("同时，积极做好妇女儿童等工作", ["同时，积极做好妇女儿童等工作"], id="no-end"),
        pytest.param("", [], id="empty"),
    ],
)
def test_sentence_spans(text: str, sentences: list[str]) -> None:
    spans = sentence_spans(text, 0, len(text))
    assert _pieces(text, spans) == sentences
    assert "".join(_pieces(text, spans)) == text


def test_sentence_spans_respects_window() -> None:
    text = "XX乡2023年工作总结\n二、存在问题\n一是产业发展结构转型还需进一步加快。二是基础设施建设短板亟待补齐。"
    start = text.index("一是")
    end = text.index("二是") + 4
    spans = sentence_spans(text, start, end)
    assert spans[0][0] == start
    assert spans[-1][1] == end
    assert _pieces(text, spans) == ["一是产业发展结构转型还需进一步加快。", "二是基础"]


# --- pack_sentences ---------------------------------------------------------------------------

LONG_SENTENCE = (
    "坚持把政治标准和政治要求贯穿全乡各级党组织思想建设、组织建设、作风建设、纪律建设以及制度建设始终，"
    "自觉在思想上、政治上、行动上同以习近平同志为核心的党中央保持高度一致，"
    "推动全乡各项工作在正确的方向上不走样、不走偏。"
)


def _check_packing(text: str, start: int, end: int, spans: list[tuple[int, int]], max_chars: int) -> None:
    assert spans[0][0] == start
    assert spans[-1][1] == end
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 == s2, "pieces are contiguous"
    for s, e in spans:
        assert 0 < e - s <= max_chars


def test_pack_short_text_is_one_piece() -> None:
    text = "二是科学分工，责任明晰。落实集体领导与个人分工相结合的制度。"
    assert pack_sentences(text, 0, len(text), 360) == [(0, len(text))]
    assert pack_sentences(text, 0, len(text), len(text)) == [(0, len(text))]


def test_pack_near_equal_pieces_at_sentence_ends() -> None:
    sentence = "一是深挖红色资源优势。"  # 11 chars
    text = sentence * 4
    spans = pack_sentences(text, 0, len(text), 25)
    _check_packing(text, 0, len(text), spans, 25)
    assert spans == [(0, 22), (22, 44)]


@pytest.mark.parametrize("max_chars", [12, 20, 30, 50, 80])
def test_pack_sentences_never_exceeds_max_and_ends_at_sentence_ends(max_chars: int) -> None:
    text = (
        "稳定农业产业，保持稳中有进。2023年完成粮食种植面积3.76万亩，产量1.65万吨；"
        "蔬菜种植面积0.8万亩，产量2.6万吨；水果期末面积0.41万亩，产量0.38万吨；生猪出栏0.74万头；"
        "活家禽出栏11.62万只，同比均实现增长。"
    )
    spans = pack_sentences(text, 0, len(text), max_chars)
    _check_packing(text, 0, len(text), spans, max_chars)
    longest_sentence = max(e - s for s, e in sentence_spans(text, 0, len(text)))
    if longest_sentence <= max_chars:
        assert all(_ends_sentence(text[s:e]) for s, e in spans)


def test_pack_long_sentence_splits_at_commas() -> None:
    spans = pack_sentences(LONG_SENTENCE, 0, len(LONG_SENTENCE), 30)
    _check_packing(LONG_SENTENCE, 0, len(LONG_SENTENCE), spans, 30)
    pieces = _pieces(LONG_SENTENCE, spans)
    assert len(pieces) >= 4
    for piece in pieces[:-1]:
        assert piece[-1] in "，、", piece
    assert pieces[-1].endswith("不走偏。")


def test_pack_long_sentence_without_commas_is_cut_hard() -> None:
    text = "全面贯彻新发展理念" * 10  # 90 chars, no punctuation at all
    spans = pack_sentences(text, 0, len(text), 30)
    _check_packing(text, 0, len(text), spans, 30)
    assert spans == [(0, 30), (30, 60), (60, 90)]


def test_pack_long_sentence_between_short_ones() -> None:
    text = "一是坚持把政治建设摆在首位。" + LONG_SENTENCE + "二是持续深化理论武装。"
    spans = pack_sentences(text, 0, len(text), 40)
    _check_packing(text, 0, len(text), spans, 40)
    pieces = _pieces(text, spans)
    assert pieces[0].startswith("一是坚持把政治建设摆在首位。")
    assert pieces[-1].endswith("二是持续深化理论武装。")


def test_pack_respects_offsets() -> None:
    prefix = "XX乡2023年工作总结\n"
    text = prefix + "一是深挖红色资源优势。" * 6 + "\n后文"
    start, end = len(prefix), len(prefix) + 66
    spans = pack_sentences(text, start, end, 30)
    _check_packing(text, start, end, spans, 30)
    assert all(_ends_sentence(text[s:e]) for s, e in spans)


# --- chunk_document on every seed -------------------------------------------------------------


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_chunks_are_exact_slices(path: Path) -> None:
    doc = parse_file(path)
    chunks = chunk_document(doc)
    assert chunks
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip()
        assert chunk.doc_id == doc.meta.doc_id
        assert chunk.meta == doc.meta


@pytest.mark.parametrize("max_chars", [DEFAULT_MAX, 200, 120])
@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_chunks_respect_max_chars(path: Path, max_chars: int) -> None:
    chunks = chunk_document(parse_file(path), max_chars=max_chars)
    assert max(len(c.text) for c in chunks) <= max_chars


def _is_last_of_section(chunks: list[Chunk], i: int) -> bool:
    return i == len(chunks) - 1 or chunks[i + 1].section_path != chunks[i].section_path


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_chunks_end_at_sentence_ends(path: Path) -> None:
    doc = parse_file(path)
    chunks = chunk_document(doc)
    for i, chunk in enumerate(chunks):
        if _ends_sentence(chunk.text) or _is_last_of_section(chunks, i):
            continue
        assert _sentence_length_at(doc.text, chunk.end) > DEFAULT_MAX, chunk.text[-30:]


@pytest.mark.parametrize("max_chars", [200, 120, 80])
@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_small_chunks_end_at_sentence_or_paragraph_ends(path: Path, max_chars: int) -> None:
    doc = parse_file(path)
    chunks = chunk_document(doc, max_chars=max_chars)
    for i, chunk in enumerate(chunks):
        at_paragraph_end = chunk.end == len(doc.text) or doc.text[chunk.end] == "\n"
        if _ends_sentence(chunk.text) or at_paragraph_end or _is_last_of_section(chunks, i):
            continue
        assert _sentence_length_at(doc.text, chunk.end) > max_chars, chunk.text[-30:]


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_chunks_in_order_and_disjoint(path: Path) -> None:
    chunks = chunk_document(parse_file(path))
    for a, b in itertools.pairwise(chunks):
        assert a.end <= b.start


@pytest.mark.parametrize("max_chars", [DEFAULT_MAX, 120])
@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_every_body_character_is_in_a_chunk(path: Path, max_chars: int) -> None:
    doc = parse_file(path)
    covered = set()
    for chunk in chunk_document(doc, max_chars=max_chars):
        covered.update(range(chunk.start, chunk.end))
    for _, node in doc.root.walk():
        for s, e in node.body_spans:
            missing = [i for i in range(s, e) if i not in covered and not doc.text[i].isspace()]
            assert not missing, doc.text[s:e][:40]


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_section_paths_and_parts_come_from_the_tree(path: Path) -> None:
    doc = parse_file(path)
    tree = dict(doc.root.walk())
    headings = {node.heading for _, node in doc.root.walk() if node.level > 0}
    for chunk in chunk_document(doc):
        assert isinstance(chunk.section_path, tuple)
        assert chunk.section_path in tree
        assert all(h in headings for h in chunk.section_path)
        assert chunk.part == tree[chunk.section_path].part
        assert chunk.section == " > ".join(chunk.section_path)


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_chunk_ids_deterministic_and_unique(path: Path) -> None:
    first = chunk_document(parse_file(path))
    second = chunk_document(parse_file(path))
    ids = [c.chunk_id for c in first]
    assert ids == [c.chunk_id for c in second]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(f"{path.stem}-") for i in ids)


def test_chunk_ids_depend_on_doc_id() -> None:
    raw = (SEED_FILES[4]).read_text(encoding="utf-8")
    a = chunk_document(parse_text(raw, "a"))
    b = chunk_document(parse_text(raw, "b"))
    assert [c.text for c in a] == [c.text for c in b]
    assert {c.chunk_id for c in a}.isdisjoint({c.chunk_id for c in b})


def test_duplicate_passages_get_distinct_ids() -> None:
    line = "一是深挖红色资源优势。推出6条红色旅游精品线路。"
    text = "XX乡2023年工作总结\n一、2023年工作总结\n" + "\n".join([line] * 3)
    doc = parse_text(text, "dup")
    chunks = chunk_document(doc, max_chars=30)
    # the heading-only 一、 line is a short block: it opens the first chunk of the items after it
    assert [c.text for c in chunks] == [
        "一、2023年工作总结\n一是深挖红色资源优势。",
        "推出6条红色旅游精品线路。\n一是深挖红色资源优势。",
        "推出6条红色旅游精品线路。\n一是深挖红色资源优势。",
        "推出6条红色旅游精品线路。",
    ]
    assert {c.section_path for c in chunks} == {("一、2023年工作总结", "一是深挖红色资源优势")}
    ids = [c.chunk_id for c in chunks]
    assert len(set(ids)) == len(ids)
    assert ids[2] == ids[1] + "-2", "the repeated passage keeps its digest and gets a counter"
    assert all("-" not in i.removeprefix("dup-") for i in (ids[0], ids[1], ids[3]))


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_chunks_have_no_markers_or_bad_chars(path: Path) -> None:
    for chunk in chunk_document(parse_file(path)):
        for bad in ("paidbegin", "paidend", "##", "\ufeff", "\ufffd", "本文档编辑密码"):
            assert bad not in chunk.text


def test_seed004_paywall_number_chunk() -> None:
    doc = _doc("004")
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
    assert any(needle in c.text for c in chunk_document(_doc(prefix))), needle


def test_half_width_heading_in_section_path() -> None:
    chunks = chunk_document(_doc("002"))
    plan = [c for c in chunks if "(一)深化转型升级,加速产业发展融合提档" in c.section_path]
    assert len(plan) == 1
    assert plan[0].section_path == ("二、2024年工作思路要点", "(一)深化转型升级,加速产业发展融合提档")
    # the heading-only 二、 and (一) lines are short blocks that open the (一) section's chunk
    assert plan[0].text.startswith(
        "二、2024年工作思路要点\n(一)深化转型升级,加速产业发展融合提档\n"
        "突出红色文化核心内涵与绿色生态发展底色,推动资源价值转化。"
    )


def test_seed000_plan_chunks_have_plan_part() -> None:
    chunks = chunk_document(_doc("000"))
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
    chunks = chunk_document(_doc("004"))
    by_top = {}
    for c in chunks:
        by_top.setdefault(c.section_path[:1], set()).add(c.part)
    assert by_top[("一、履职情况",)] == {"2023年工作总结"}
    assert by_top[("二、存在问题",)] == {"存在问题"}
    assert by_top[("三、下一步工作打算",)] == {"2024年工作计划"}
    assert by_top[()] == {""}


def test_seed004_problem_lead_in_is_kept() -> None:
    doc = _doc("004")
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
    chunks = chunk_document(_doc("000"))
    (chunk,) = [c for c in chunks if lead in c.text]
    assert chunk.text.startswith("一、2023年工作总结\n" + lead + "\n一是聚焦理论学习，提升政治忠诚力。")
    assert chunk.section_path[0] == "一、2023年工作总结"
    assert not any(c.text in (lead, "一、2023年工作总结\n" + lead) for c in chunks)


def test_preamble_chunk_has_empty_path() -> None:
    chunks = chunk_document(_doc("002"))
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
    chunks = chunk_document(_doc(prefix))
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


def test_store_metadata() -> None:
    doc = _doc("004")
    chunk = next(c for c in chunk_document(doc) if "728个" in c.text)
    meta = chunk.store_metadata()
    assert meta["doc"] == doc.meta.doc_id
    assert meta["township"] == "XX乡"
    assert meta["years"] == "2023"
    assert (meta["year_min"], meta["year_max"]) == (2023, 2023)
    assert meta["kind"] == "述职"
    assert meta["part"] == "2023年工作总结"
    assert (meta["start"], meta["end"]) == (chunk.start, chunk.end)
    assert all(isinstance(v, str | int) for v in meta.values())


def test_sentence_units() -> None:
    chunk = next(c for c in chunk_document(_doc("004")) if "728个" in c.text)
    units = sentence_units(chunk)
    assert len(units) >= 2
    assert [u for u, _ in units] == [f"{chunk.chunk_id}~{i}" for i in range(len(units))]
    assert any("2021—2022年耕地流出图斑整治728个" in s for _, s in units)
    for _, sentence in units:
        assert sentence in chunk.text
        assert len(sentence) >= 8


def test_a_title_only_document_keeps_its_one_line_findable() -> None:
    # It used to give no chunks: ingested as "added", yet nothing stored, found or listed.
    doc = parse_text("XX乡2023年工作总结", "t")
    assert [c.text for c in chunk_document(doc)] == ["XX乡2023年工作总结"]


@pytest.mark.parametrize(
    "text",
    [
        "X乡2023年完成财税1200万元，乡财力得到进一步的夯实。",
        "推出6条红色旅游精品线路,先后入选全国建党百年红色旅游百条精品线路。\n",
    ],
)
def test_a_one_line_document_is_its_own_text_not_an_empty_report(text: str) -> None:
    doc = parse_text(text, "one-line")
    chunks = chunk_document(doc)
    assert [c.text for c in chunks] == [text.strip()]
    assert doc.root.heading == text.strip()


def test_a_title_with_a_body_is_not_repeated_as_text() -> None:
    doc = parse_text("安民乡2023年工作总结\n推出6条红色旅游精品线路。\n", "two-lines")
    assert [c.text for c in chunk_document(doc)] == ["推出6条红色旅游精品线路。"]
