"""The app's handlers and UI factory on a real store, without launching a server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import docx
import pytest

from assistant.config import Settings
from assistant.services import Services
from assistant.ui.handlers import AppService
from assistant.ui.inputs import FilterChoice, UserError
from tests.docx_parts import footnotes

pytestmark = pytest.mark.integration


@pytest.fixture
def app(seeded: dict[str, Any], tmp_path: Path) -> AppService:
    store = tmp_path / "store"
    shutil.copytree(seeded["store"], store)
    settings = Settings(store_dir=store, max_upload_mb=1)
    return AppService(Services.open(settings), upload_dir=store / "uploads", export_dir=tmp_path / "exports")


def test_ask_returns_a_cited_answer_and_filters_apply(app: AppService) -> None:
    answer = app.answers.ask("安民乡推出了几条红色旅游精品线路？")
    assert "推出6条红色旅游精品线路" in answer.citations[0].quote
    scoped = app.answers.ask("推出了几条红色旅游精品线路？", FilterChoice(township="X乡"))
    assert all(p.doc_id == "001_dfb12432eec8a521" for p in scoped.passages)


@pytest.mark.parametrize("question", ["", "   ", "问" * 501])
def test_bad_questions_get_a_chinese_message(app: AppService, question: str) -> None:
    with pytest.raises(UserError, match="问题"):
        app.answers.ask(question)


def test_draft_exports_docx_and_markdown(app: AppService) -> None:
    answer, docx_path, md_path = app.drafts.draft("安民乡2023年红色旅游工作总结", "总结", 300)
    assert not answer.abstained and docx_path and md_path
    assert docx_path.parent == md_path.parent == app.drafts.export_dir
    document = docx.Document(str(docx_path))  # 公文 format: the sources are footnotes
    text = "\n".join(p.text for p in document.paragraphs)
    assert "参考来源" not in text and "[1]" not in text
    notes = "".join(footnotes(document).values())
    assert answer.citations and all(c.quote in notes for c in answer.citations)
    assert "## 参考来源" in md_path.read_text(encoding="utf-8")
    _, plain_path, _ = app.drafts.draft("安民乡2023年红色旅游工作总结", "总结", 300, plain=True)
    assert plain_path
    plain = "\n".join(p.text for p in docx.Document(str(plain_path)).paragraphs)
    assert "参考来源" in plain and "[1]" in plain


def test_upload_gbk_file_with_hostile_name_lands_safely_and_is_answerable(app: AppService, tmp_path: Path) -> None:
    src = tmp_path / "in" / "红星镇报告.txt"
    src.parent.mkdir()
    src.write_bytes("红星镇2023年工作总结\n一、2023年工作总结\n红星镇2023年建成高标准农田1280亩。\n".encode("gbk"))
    evil = tmp_path / "in" / "..%2F..%2Fevil.txt"
    evil.write_text("坏文件", encoding="utf-8")
    bad_type = tmp_path / "in" / "表格.xlsx"
    bad_type.write_bytes(b"PK")
    report = app.writer.upload([src, evil, bad_type])
    assert report.added == 2
    assert [Path(e["path"]).name for e in report.errors] == ["表格.xlsx"]
    uploads = sorted(p.name for p in app.writer.upload_dir.iterdir())
    assert "红星镇报告.txt" in uploads and all("/" not in n and not n.startswith(".") for n in uploads)
    assert "红星镇报告" in [row[0] for row in app.catalog.documents()]
    answer = app.answers.ask("红星镇2023年建成高标准农田多少亩？")
    assert "1280亩" in answer.answer and answer.citations[0].doc == "红星镇报告"
    assert "红星镇" in app.catalog.filter_options()["township"]


def test_upload_refuses_files_over_the_limit(app: AppService, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(("安民乡" * 200_000).encode("utf-8"))  # ~1.8 MB > 1 MB limit
    report = app.writer.upload([big])
    assert report.added == 0 and "上限" in report.errors[0]["error"]


def test_delete_and_view_documents(app: AppService) -> None:
    title, chunks = app.catalog.doc_view("002_501c0fb6689f0a4e")
    assert title.startswith("安民乡") and chunks and all("text" in c for c in chunks)
    n = app.writer.delete("002_501c0fb6689f0a4e")
    assert n == len(chunks)
    assert "002_501c0fb6689f0a4e" not in [row[0] for row in app.catalog.documents()]
    assert all(p.doc_id != "002_501c0fb6689f0a4e" for p in app.answers.retrieval_test("安民乡红色旅游", "lexical", 10))
    with pytest.raises(UserError):
        app.writer.delete("002_501c0fb6689f0a4e")


def test_retrieval_test_shows_dense_and_lexical_scores(app: AppService) -> None:
    passages = app.answers.retrieval_test("耕地流出图斑整治", "hybrid", 5)
    assert passages[0].doc_id == "004_b0ba3482a421c3a8"
    assert passages[0].dense_score is not None and passages[0].lexical_score is not None


def test_reindex_keeps_every_document(app: AppService) -> None:
    before = {row[0]: row[5] for row in app.catalog.documents()}
    report = app.writer.reindex()
    assert report.errors == []
    assert {row[0]: row[5] for row in app.catalog.documents()} == before


def test_the_ui_factory_builds_blocks_with_the_named_api(app: AppService) -> None:
    from assistant.ui.app import build_app

    demo = build_app(app, app.services.settings)
    api_names = {fn.api_name for fn in demo.fns.values()}
    assert {"ask", "draft", "feedback"} <= api_names
