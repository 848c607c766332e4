"""Chunking: packing sentences into pieces, and the chunk invariants on every seed report (chunks and
sections: test_chunking_sections.py; sentence spans: test_text.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_document, pack_sentences, sentence_units
from assistant.ingest.document import parse_file, parse_text
from assistant.text import CLOSERS, SENTENCE_ENDS, sentence_spans
from assistant.types import Chunk
from tests.unit.seed_reports import SEED_FILES, SEED_IDS, seed_doc

DEFAULT_MAX = 360


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
    covered: set[int] = set()
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


def test_store_metadata() -> None:
    doc = seed_doc("004")
    chunk = next(c for c in chunk_document(doc) if "728个" in c.text)
    meta = chunk.store_metadata()
    assert meta["doc"] == doc.meta.doc_id
    assert meta["township"] == "XX乡"
    assert meta["years"] == "2023,2024"  # the report reviews 2023 and plans 2024 (下一步工作打算)
    assert (meta["year_min"], meta["year_max"]) == (2023, 2023)  # this chunk's part: the 2023 review
    assert meta["kind"] == "述职"
    assert meta["part"] == "2023年工作总结"
    assert (meta["start"], meta["end"]) == (chunk.start, chunk.end)
    assert all(isinstance(v, str | int) for v in meta.values())


def test_sentence_units() -> None:
    chunk = next(c for c in chunk_document(seed_doc("004")) if "728个" in c.text)
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
