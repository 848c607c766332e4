"""The document view: the full text rebuilt from chunks, its section tree, table rows as tables, the cited
passage in focus with its quote highlighted, and every piece of document text escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file, parse_text
from assistant.ui import locale
from assistant.ui.doc_view import doc_html, rebuild, section_tree, table_cells
from tests.conftest import CORPORA, ROOT


def metas(path: Path) -> list[dict[str, object]]:
    doc = parse_file(path)
    return [{**c.store_metadata(), "id": c.chunk_id, "text": c.text} for c in chunk_document(doc)]


def lines_of(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "seeds" / "002_501c0fb6689f0a4e.txt",
        CORPORA / "hailar_district_gwr" / sorted(p.name for p in (CORPORA / "hailar_district_gwr").glob("*.txt"))[0],
    ],
    ids=["seed", "hailar"],
)
def test_the_text_rebuilt_from_chunks_is_the_cleaned_text_from_its_first_chunk_on(path: Path) -> None:
    doc = parse_file(path)
    chunks = metas(path)
    first = min(int(str(m["start"])) for m in chunks)
    rebuilt = rebuild(list(reversed(chunks)))  # any order in, document order out
    assert [line.text for line in rebuilt] == lines_of(doc.text[first:])
    assert all(doc.text[line.start : line.end] == line.text for line in rebuilt), "offsets point at the text"


def test_the_section_tree_nests_the_headings_in_document_order() -> None:
    tree = section_tree(metas(ROOT / "seeds" / "002_501c0fb6689f0a4e.txt"))
    assert (
        tree.index("一、2023年工作总结") < tree.index("(一)锚定产业发展不动摇") < tree.index("二、2024年工作思路要点")
    )
    top = tree.split("<ul>", 2)
    assert "一、2023年工作总结<ul>" in "<ul>".join(top[1:]), "subsections sit inside their heading's item"


def test_table_rows_become_one_table_with_their_headers_and_sentences_do_not() -> None:
    assert table_cells("｜项目名称：乌弄公路，投资：129万元，进度：完工，已验收") == [
        ("项目名称", "乌弄公路"),
        ("投资", "129万元"),
        ("进度", "完工，已验收"),
    ]
    assert table_cells("｜资金（万元）·中央：300，备注") == [("资金（万元）·中央", "300，备注")]
    assert table_cells("｜一、基础设施类") == [("", "一、基础设施类")], "a group label spanning the row"
    assert table_cells("一是深挖红色资源优势。推出6条红色旅游精品线路，先后入选：百条精品线路") is None
    assert table_cells("项目名称：乌弄公路，投资：129万元") is None, "only the loaders' row lines are rows"
    text = "一、项目清单\n｜项目名称：乌弄公路，投资：129万元\n｜项目名称：李坑公路，投资：123万元\n以上项目均已完工。"
    doc = parse_text(text, "t1")
    chunks = [{**c.store_metadata(), "id": c.chunk_id, "text": c.text} for c in chunk_document(doc)]
    page = doc_html("清单", "", chunks)
    assert page.count("<table") == 1 and page.count("<tr") == 3, page
    assert "<th>项目名称</th><th>投资</th>" in page and "<td>123万元</td>" in page


def test_the_cited_passage_is_in_focus_with_its_quote_marked_and_document_markup_escaped() -> None:
    text = "一、2023年工作总结\n推出6条线路。<script>alert(1)</script><img src=http://127.0.0.1:9/x>\n二、2024年计划\n继续推进。"
    doc = parse_text(text, "t2")
    chunks = [{**c.store_metadata(), "id": c.chunk_id, "text": c.text} for c in chunk_document(doc)]
    cited = next(m for m in chunks if "推出6条线路" in str(m["text"]))
    page = doc_html("X乡<报告>", "X乡 · 2023年", chunks, str(cited["id"]), "推出6条线路。")
    assert "<mark>推出6条线路。</mark>" in page
    assert page.count('id="doc-focus"') == 1
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page and "X乡&lt;报告&gt;" in page


def test_gradio_labels_are_chinese_in_every_locale_gradio_ships() -> None:
    i18n = locale.chinese_i18n()
    tables = i18n.translations_dict
    assert {"en", "zh-CN", "fr", "ja"} <= set(tables)
    for table in tables.values():
        assert table["upload_text.drop_file"] == "将文件拖放到此处"
        assert table["upload_text.click_to_upload"] == "点击上传"
        assert table["errors.use_via_api"] == "通过 API 使用"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in locale.ZH.values())


def test_passages_read_by_ocr_are_marked_and_their_pages_named() -> None:
    text = "XX乡2023年工作总结\n一、主要工作\n全乡完成造林一千二百亩。\n扫描页上的第二段文字。"
    doc = parse_text(text, "scan")
    chunks = [{**c.store_metadata(), "id": c.chunk_id, "text": c.text} for c in chunk_document(doc)]
    assert "doc-ocr" not in doc_html("t", "", chunks), "a text document has no OCR marks"
    scanned = [{**m, "ocr": True, "page": 2} for m in chunks]
    page = doc_html("t", "", scanned)
    assert "本文第 2 页为扫描件" in page
    assert '<p class="doc-line doc-ocr"' in page and "可能有误" in page
