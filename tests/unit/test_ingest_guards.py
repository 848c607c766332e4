"""Guards against hostile or odd input: zip bombs, non-zip .docx, PDFs without header or end,
oversized files (refused before reading), odd file names, one enormous line, control characters."""

from __future__ import annotations

import itertools
import time
import zipfile
from pathlib import Path

import pytest

from assistant.ingest import loaders
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import doc_id_for, parse_file, parse_text
from assistant.ingest.loaders import LoadError, check_docx_zip, load_file
from tests.builders import add_zip_bomb, make_cjk_pdf, make_docx

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_002 = SEEDS_DIR / "002_501c0fb6689f0a4e.txt"
TITLE = "安民乡2023年工作总结和2024年工作思路要点"


def _load_error(path: Path, **kwargs: int) -> str:
    with pytest.raises(LoadError) as info:
        load_file(path, **kwargs)
    return str(info.value)


def _forbid_python_docx(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, fail the test if python-docx is asked to open a file: the guard must refuse it first."""
    import docx

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("python-docx opened a file the zip guard should have refused")

    monkeypatch.setattr(docx, "Document", refuse)


# --- .docx zip guard ------------------------------------------------------------------------------


def test_real_docx_passes_the_guard(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "ok.docx", [TITLE, "一、2023年工作总结", "推出6条红色旅游精品线路。"])
    check_docx_zip(path)
    assert load_file(path).text.split("\n") == [TITLE, "一、2023年工作总结", "推出6条红色旅游精品线路。"]


def test_docx_bomb_over_the_total_limit_is_refused_before_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = add_zip_bomb(make_docx(tmp_path / "bomb.docx", [TITLE]), megabytes=300)
    _forbid_python_docx(monkeypatch)
    assert path.stat().st_size < 1_000_000  # 300 MB of zeros deflate to about 300 KB
    message = _load_error(path)
    assert "解压后过大" in message
    assert "上限 200 MB" in message
    assert "压缩炸弹" in message


def test_docx_entry_with_an_absurd_compression_ratio_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 150 MB stays under the 200 MB total, but no real Word part deflates 1000:1.
    path = add_zip_bomb(make_docx(tmp_path / "ratio.docx", [TITLE]), megabytes=150)
    _forbid_python_docx(monkeypatch)
    message = _load_error(path)
    assert "word/media/image1.bin" in message
    assert "压缩比异常" in message


def test_docx_with_too_many_entries_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_docx(tmp_path / "many.docx", [TITLE])
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(loaders.DOCX_MAX_ENTRIES):
            archive.writestr(f"customXml/extra{i}.xml", "")
    _forbid_python_docx(monkeypatch)
    assert "条目过多" in _load_error(path)


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), ["旧版 Word", "另存为 .docx"], id="old-doc"),
        pytest.param("安民乡2023年工作总结".encode(), ["不是有效的 .docx"], id="text"),
        pytest.param(b"PK\x03\x04" + bytes(100), ["不是有效的 .docx"], id="zip-header-only"),
    ],
)
def test_docx_that_is_not_a_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, fragments: list[str]
) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(data)
    _forbid_python_docx(monkeypatch)
    message = _load_error(path)
    for fragment in fragments:
        assert fragment in message


# --- .pdf -----------------------------------------------------------------------------------------


def test_pdf_without_header_and_truncated_pdf_have_their_own_messages(tmp_path: Path) -> None:
    real = make_cjk_pdf([TITLE, "一、2023年工作总结", "推出6条红色旅游精品线路。"])
    assert load_file(_write(tmp_path / "ok.pdf", real)).text.startswith(TITLE)
    # The header may follow up to 1 KB of junk (PDF spec); beyond that it is not a PDF.
    assert load_file(_write(tmp_path / "junk.pdf", b"\n" * 1000 + real)).text.startswith(TITLE)
    assert "不是 PDF 文件" in _load_error(_write(tmp_path / "html.pdf", b"<html>" * 200 + real))
    for cut in (len(real) // 3, len(real) - 10):
        message = _load_error(_write(tmp_path / f"cut{cut}.pdf", real[:cut]))
        assert "PDF 文件不完整" in message
        assert "%%EOF" in message


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- size limit -----------------------------------------------------------------------------------


def test_oversized_file_is_refused_by_size_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, no disk used

    def unread(self: Path) -> bytes:
        raise AssertionError("an oversized file must be refused before it is read")

    monkeypatch.setattr(Path, "read_bytes", unread)
    message = _load_error(path, max_bytes=50 * 1024 * 1024)
    assert message == "文件过大（200.0 MB），上限为 50 MB"


def test_max_file_mb_is_documented() -> None:
    readme = (SEEDS_DIR.parent / "README.md").read_text(encoding="utf-8")
    assert "| `ASSISTANT_MAX_FILE_MB` | files larger than this are refused | `50` |" in readme
    assert "`ASSISTANT_PARSE_TIMEOUT_S`" in readme


# --- file names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [
        ("安民乡2023年工作总结.txt", "安民乡2023年工作总结"),
        ("sub/../report.txt", "report"),
        ("/abs/path/report.v2.pdf", "report.v2"),
        ("...txt", "__"),  # stem ".."
        ("..txt", "_"),  # stem "."
        ("a\\b.txt", "a_b"),
        ("tab\tname.txt", "tab_name"),
    ],
)
def test_doc_id_is_never_a_path(name: str, doc_id: str) -> None:
    got = doc_id_for(Path(name))
    assert got == doc_id
    assert "/" not in got and "\\" not in got and got not in ("", ".", "..")


# --- content --------------------------------------------------------------------------------------


def _seed_body() -> str:
    return "".join(SEED_002.read_text(encoding="utf-8").split("\n")[1:])


def test_one_enormous_line_is_chunked_in_linear_time() -> None:
    body = _seed_body()
    line = (body * (2_000_000 // len(body) + 1))[:2_000_000]  # 2 MB of real text, no newline
    started = time.perf_counter()
    doc = parse_text(line, "one-line")
    chunks = chunk_document(doc, max_chars=360)
    elapsed = time.perf_counter() - started
    assert elapsed < 15, elapsed  # about 1 s here; quadratic work would take hours
    # The line is text, not a title: it is all chunked, and the title is a short label.
    assert doc.meta.title == line[:40] + "…"
    assert doc.text == line
    assert max(len(c.text) for c in chunks) <= 360
    # The chunks tile the line: each starts where the previous ended (give or take edge spaces).
    assert chunks[0].start == 0 and chunks[-1].end == len(line)
    assert all(not doc.text[a.end : b.start].strip() for a, b in itertools.pairwise(chunks))


def test_one_enormous_line_without_punctuation_is_hard_split() -> None:
    line = "安民乡红色旅游精品线路" * 20_000
    chunks = chunk_document(parse_text(line, "no-stops"), max_chars=360)
    assert [len(c.text) for c in chunks[:-1]] == [360] * (len(chunks) - 1)
    assert "".join(c.text for c in chunks) == line


def test_a_short_first_line_is_still_the_title() -> None:
    doc = parse_text(f"{TITLE}\n一、2023年工作总结\n推出6条红色旅游精品线路。", "t")
    assert doc.meta.title == TITLE
    assert all(not c.text.startswith(TITLE) for c in chunk_document(doc))


def test_control_characters_are_removed_and_the_text_kept(tmp_path: Path) -> None:
    raw = f"{TITLE}\n一、2023年工作总结\n推出6条\x07红色旅游\x1b精品线路，\x0c完成旱厕改造\u200b30户\x7f。\n"
    path = tmp_path / "controls.txt"
    path.write_bytes(raw.encode("utf-8"))
    doc = parse_file(path)
    assert doc.text.split("\n") == [TITLE, "一、2023年工作总结", "推出6条红色旅游精品线路，完成旱厕改造30户。"]


def test_nul_in_a_text_file_is_an_error_that_names_it(tmp_path: Path) -> None:
    path = _write(tmp_path / "nul.txt", f"{TITLE}\n一、2023年\x00工作总结\n".encode())
    message = _load_error(path)
    assert "NUL" in message
    assert "二进制文件或已损坏" in message
