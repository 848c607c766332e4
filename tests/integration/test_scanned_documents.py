"""Scans through the real OCR path: pages rendered here from seed paragraphs (WenQuanYi Zen Hei, 150 dpi),
saved as a .png and inside a PDF that mixes a text-layer page, a scanned page and a blank page; ingested
by the CLI into a real store, found again by `assistant search`; and a 50-page scan in the real parse
worker: progress per page, cancelled from the progress callback, and stopped by the per-page limit."""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from pypdf import PdfReader, PdfWriter

from assistant.bench.ocr import render_pages
from assistant.config import Settings
from assistant.ingest.clean import clean_text
from assistant.ingest.loaders import LoadError
from assistant.ingest.sandbox import ParseWorker
from assistant.services import Services
from assistant.ui.catalog import Catalog
from assistant.ui.doc_view import doc_html
from tests.builders import make_cjk_pdf
from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.integration

TEXT_PAGE = ["安民乡2023年工作总结", "一、主要工作", "全年完成植树造林任务一千二百亩。"]


def _paragraphs(seed: str, first: int, count: int) -> list[str]:
    path = next(SEEDS.glob(f"{seed}_*.txt"))
    return [p for p in clean_text(path.read_text(encoding="utf-8")).split("\n") if p][first : first + count]


def _sentence(page_text: str) -> str:
    """A whole sentence of the page's longest paragraph (what a user would search for)."""
    longest = max(page_text.split("\n"), key=len)
    return next(s + "。" for s in longest.split("。") if len(s) >= 15)


def _pdf(*pages: bytes) -> bytes:
    writer = PdfWriter()
    for data in pages:
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_pdf(images: list[Any]) -> bytes:
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return out.getvalue()


def _found(sentence: str, text: str) -> float:
    """Share of the sentence's characters found in order in the passage (OCR may miss one or two)."""
    blocks = difflib.SequenceMatcher(None, sentence, text, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(sentence)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("scans")
    folder = base / "扫描件"
    folder.mkdir()
    # Half pages (a title and three paragraphs): OCR takes 10-30 s a full page on 2 shared cores.
    (pdf_page,) = render_pages(["XX县安民乡2023年工作总结", *_paragraphs("002", 2, 3)], 1)
    # The photo is a two-column page (as in a printed bulletin): read left column, then right.
    paras = _paragraphs("003", 2, 40)
    count = next(n for n in range(1, len(paras)) if sum(map(len, paras[:n])) > 900)
    (png_page,) = render_pages(["XX乡2023年工作总结", *paras[:count]], 1, columns=2)
    assert len(png_page.text) > 800  # enough text to fill the left column and run into the right one
    (folder / "混合扫描.pdf").write_bytes(_pdf(make_cjk_pdf(TEXT_PAGE), _image_pdf([pdf_page.image])))
    png_page.image.save(folder / "照片.png")
    store = base / "store"
    # A generous page limit: this machine may be busy (the limit itself is tested below).
    out = run_cli(["ingest", str(folder), "--json"], store, ASSISTANT_OCR_PAGE_TIMEOUT_S="900")
    assert out.returncode == 0, out.stderr
    return {"store": store, "report": json.loads(out.stdout), "stderr": out.stderr, "pdf": pdf_page, "png": png_page}


def test_a_folder_of_scans_is_read_with_a_note_for_the_blank_page(scanned: dict[str, Any]) -> None:
    report = scanned["report"]
    assert (report["files"], report["added"], report["errors"], report["skipped"]) == (2, 2, [], [])
    (note,) = report["notes"]
    assert note["path"].endswith("混合扫描.pdf") and "第 3 页" in note["note"] and "未识别出文字" in note["note"]
    assert "文字识别 混合扫描.pdf" in scanned["stderr"]  # progress lines name the page being read


@pytest.mark.parametrize(("key", "doc"), [("pdf", "混合扫描"), ("png", "照片")])
def test_a_sentence_of_a_scanned_page_is_found_by_search(scanned: dict[str, Any], key: str, doc: str) -> None:
    sentence = _sentence(scanned[key].text)
    out = run_cli(["search", sentence, "--k", "3", "--json"], scanned["store"])
    assert out.returncode == 0, out.stderr
    top = json.loads(out.stdout)["passages"][0]
    assert top["doc"] == doc
    assert _found(sentence, top["text"]) >= 0.9, (sentence, top["text"])


def test_a_two_column_page_is_read_column_by_column(scanned: dict[str, Any]) -> None:
    rows = _chunk_rows(scanned["store"])
    stored = "".join(t for t, m in sorted(((t, m) for t, m in rows if m["doc"] == "照片"), key=lambda r: r[1]["start"]))
    drawn = "".join(scanned["png"].text.split())
    # Read across the columns, the lines would interleave and far fewer characters would line up in order.
    assert _found(drawn, "".join(stored.split())) >= 0.9  # headings a chunk leaves out cost a few


def _chunk_rows(store: Path) -> list[tuple[str, dict[str, Any]]]:
    client = chromadb.PersistentClient(path=str(store / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    (collection,) = client.list_collections()
    rows = collection.get(where={"unit": "chunk"}, include=["metadatas", "documents"])
    return list(zip(rows["documents"], rows["metadatas"], strict=True))


def test_chunks_carry_their_page_and_whether_it_was_ocr(scanned: dict[str, Any]) -> None:
    client = chromadb.PersistentClient(
        path=str(scanned["store"] / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    (collection,) = client.list_collections()
    rows = collection.get(where={"unit": "chunk"}, include=["metadatas", "documents"])
    pages = {(m["doc"], m["page"], m["ocr"]) for m in rows["metadatas"]}
    assert ("混合扫描", 1, False) in pages and ("混合扫描", 2, True) in pages and ("照片", 1, True) in pages
    assert not any(m["doc"] == "混合扫描" and m["page"] == 3 for m in rows["metadatas"])
    text_page = next(
        d
        for d, m in zip(rows["documents"], rows["metadatas"], strict=True)
        if m["page"] == 1 and m["doc"] == "混合扫描"
    )
    assert "一千二百亩" in text_page  # the text layer is read as it is, not by OCR


@pytest.fixture(scope="module")
def fifty_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (page,) = render_pages(_paragraphs("001", 0, 3), 1)
    path = tmp_path_factory.mktemp("fifty") / "五十页扫描.pdf"
    path.write_bytes(_image_pdf([page.image] * 50))
    return path


class Cancelled(Exception):
    pass


def test_a_50_page_scan_reports_its_pages_and_is_cancelled_during_the_first(fifty_pages: Path) -> None:
    worker = ParseWorker()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 0:  # the first page is being read: cancel in the middle of it
            raise Cancelled  # what a cancelled ingest raises in its progress callback

    try:
        started = time.monotonic()
        with pytest.raises(Cancelled):
            worker.parse(fifty_pages, timeout_s=60, progress=progress, page_timeout_s=300)
        pid = worker._proc.pid if worker._proc else None
        assert seen == [(0, 50)]
        assert worker.pid is None and pid is None  # the worker was stopped, not left reading page 1
        assert time.monotonic() - started < 60  # startup and rendering; no page is read to its end
    finally:
        worker.close()


def test_a_page_over_its_time_limit_stops_the_scan_with_a_clear_message(fifty_pages: Path) -> None:
    worker = ParseWorker()
    try:
        started = time.monotonic()
        with pytest.raises(LoadError, match=r"文字识别超时（第 1/50 页超过 0\.5 秒）") as info:
            worker.parse(fifty_pages, timeout_s=60, page_timeout_s=0.5)
        assert "ASSISTANT_OCR_PAGE_TIMEOUT_S" in str(info.value) and "\n" not in str(info.value)
        assert time.monotonic() - started < 30 and worker.pid is None
    finally:
        worker.close()
    assert os.path.exists(fifty_pages)


def test_the_document_view_marks_the_text_read_by_ocr(scanned: dict[str, Any]) -> None:
    """The app's 原文 view of the mixed PDF, from the real store: a note names the scanned page and its
    lines are marked; the text-layer page's lines are not."""
    settings = replace(Settings.from_env(), store_dir=scanned["store"])
    catalog = Catalog(Services.open(settings))
    title, chunks = catalog.doc_view("混合扫描")
    page = doc_html(title, catalog.about("混合扫描"), chunks)
    assert "本文第 2 页为扫描件" in page and "文字识别（OCR）" in page
    marked = re.findall(r'<p class="doc-line doc-ocr"[^>]*>(.*?)</p>', page)
    plain = re.findall(r'<p class="doc-line">(.*?)</p>', page)
    assert marked and plain
    assert any("一千二百亩" in line for line in plain) and not any("一千二百亩" in line for line in marked)
    sentence = _sentence(scanned["pdf"].text)
    assert max(_found(sentence, line) for line in marked) >= 0.9


def test_the_apps_cancel_stops_a_50_page_scan_and_keeps_what_was_written(fifty_pages: Path, tmp_path: Path) -> None:
    """The 知识库 tab's upload of a long scan, through the app's writer on a real store: progress names
    the page being read, 取消导入 stops it during its first page (the parse worker is killed), the reports
    already in stay searchable, and the app can ingest again afterwards."""
    import threading

    from assistant.ui.writer import IngestCancelled, KnowledgeBaseWriter

    settings = replace(Settings.from_env(), store_dir=tmp_path / "store", ocr_page_timeout_s=600)
    services = Services.open(settings)
    writer = KnowledgeBaseWriter(services, Catalog(services), tmp_path / "uploads")
    assert writer.cancel() is False  # nothing running
    text = tmp_path / "安民乡2023年工作总结.txt"
    text.write_text((SEEDS / "002_501c0fb6689f0a4e.txt").read_text(encoding="utf-8")[:3000], encoding="utf-8")
    assert writer.upload([text]).added == 1
    seen: list[str] = []
    outcome: dict[str, BaseException | None] = {}

    def upload() -> None:
        try:
            writer.upload([fifty_pages], progress=lambda _x, desc: seen.append(desc))
            outcome["error"] = None
        except BaseException as exc:  # what the tab shows
            outcome["error"] = exc

    thread = threading.Thread(target=upload)
    thread.start()
    deadline = time.monotonic() + 300
    while not any("文字识别" in d and "第 1/50 页" in d for d in seen):
        assert thread.is_alive() and time.monotonic() < deadline, seen
        time.sleep(0.2)
    asked = time.monotonic()
    assert writer.cancel() is True
    thread.join(timeout=120)
    assert not thread.is_alive(), "the cancelled scan still ran"
    took = time.monotonic() - asked
    assert isinstance(outcome["error"], IngestCancelled) and "已取消导入" in str(outcome["error"])
    print(f"cancel stopped the scan {took:.1f} s after it was asked")
    assert set(services.store.documents()) == {"安民乡2023年工作总结"}
    assert services.lexical.search("红色旅游", k=3)
    other = tmp_path / "安民乡2024年工作计划.txt"
    other.write_text("安民乡2024年工作计划\n一、重点工作\n新建红色研学基地2处。", encoding="utf-8")
    again = writer.upload([other])  # not stuck: the next upload runs
    assert again.added == 1 and not again.errors
