"""Loading report files: text encodings, .docx, .pdf, and one clear LoadError per broken file."""

from __future__ import annotations

import codecs
import io
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.ingest.loaders import LoadError, decode_text_bytes, load_file
from assistant.types import ParsedDocument
from tests.builders import make_cjk_pdf, make_docx

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS_DIR.glob("*.txt"))
SEED_IDS = [p.name[:3] for p in SEED_FILES]
SEED_004 = next(p for p in SEED_FILES if p.name.startswith("004"))

# Lines of seed 004, in order: title, salutation, preamble, headings, a heading line with inline items, problems.
SEED_004_STARTS = (
    "2023年乡镇领导班子工作情况总结（述职）",
    "考核组的各位领导、同志们：",
    "2023年，在习近平新时代中国特色社会主义思想的指导下",
    "一、履职情况",
    "（一）学理论、助提升，政治建设常抓不懈。",
    "（五）抓团结、重实干，整体效能显著增强。",
    "二、存在问题",
    "在全乡干部群众的共同努力下",
    "三、下一步工作打算",
    "（一）抓理论强思想，实现政治建设新突破。",
)


def _seed_004_lines() -> list[str]:
    lines = SEED_004.read_text(encoding="utf-8").split("\n")
    out = []
    for start in SEED_004_STARTS:
        (line,) = [ln for ln in lines if ln.startswith(start)]
        out.append(line)
    return out


def _randbytes(n: int) -> bytes:
    return random.Random(0).randbytes(n)


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _outline(doc: ParsedDocument) -> list[tuple[tuple[str, ...], int, list[str]]]:
    return [(path, node.level, [doc.text[s:e] for s, e in node.body_spans]) for path, node in doc.root.walk()]


def _chunk_view(doc: ParsedDocument) -> list[tuple[str, str, int, int, tuple[str, ...], str]]:
    return [(c.chunk_id, c.text, c.start, c.end, c.section_path, c.part) for c in chunk_document(doc)]


# --- encodings --------------------------------------------------------------------------------

ENCODERS: dict[str, tuple[Callable[[str], bytes], str]] = {
    # name: (encoder, encoding that decode_text_bytes must report)
    "utf-8": (lambda t: t.encode("utf-8"), "utf-8"),
    "utf-8-bom": (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig"),
    "gbk": (lambda t: t.encode("gbk"), "gb18030"),
    "gb18030": (lambda t: t.encode("gb18030"), "gb18030"),
    "utf-16-le-bom": (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "utf-16"),
    "utf-16-be-bom": (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "utf-16"),
    "utf-32-bom": (lambda t: t.encode("utf-32"), "utf-32"),
    "gbk-crlf": (lambda t: t.replace("\n", "\r\n").encode("gbk"), "gb18030"),
    "utf-8-bom-crlf": (lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("utf-8"), "utf-8-sig"),
}


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_every_seed_is_gbk_encodable(path: Path) -> None:
    """The GBK cases below use real seeds; this guards that assumption (seed 000 has Ⅹ, seed 004 has —)."""
    text = path.read_text(encoding="utf-8")
    assert text.encode("gbk").decode("gbk") == text


@pytest.mark.parametrize("encoding", list(ENCODERS))
@pytest.mark.parametrize("seed", SEED_FILES, ids=SEED_IDS)
def test_same_chunks_in_every_encoding(tmp_path: Path, seed: Path, encoding: str) -> None:
    text = seed.read_text(encoding="utf-8")
    encode, _ = ENCODERS[encoding]
    baseline = parse_file(_write(tmp_path / "utf8" / seed.name, text.encode("utf-8")))
    other = parse_file(_write(tmp_path / encoding / seed.name, encode(text)))
    assert other.meta.doc_id == baseline.meta.doc_id == seed.stem
    assert other.text == baseline.text
    assert other.meta.sha256 == baseline.meta.sha256
    assert (other.meta.title, other.meta.township, other.meta.years, other.meta.kind) == (
        baseline.meta.title,
        baseline.meta.township,
        baseline.meta.years,
        baseline.meta.kind,
    )
    assert _outline(other) == _outline(baseline)
    assert _chunk_view(other) == _chunk_view(baseline)
    for chunk in chunk_document(other):
        assert "\ufeff" not in chunk.text
        assert "\ufffd" not in chunk.text


@pytest.mark.parametrize("encoding", list(ENCODERS))
def test_decode_reports_encoding(encoding: str) -> None:
    text = SEED_004.read_text(encoding="utf-8")
    encode, expected = ENCODERS[encoding]
    loaded = decode_text_bytes(encode(text))
    assert loaded.encoding == expected
    assert not loaded.text.startswith("\ufeff")
    assert loaded.text.replace("\r\n", "\n") == text


@pytest.mark.parametrize(
    "line",
    [
        "全年召开党委理论中心组集中学习XX次，周一集中学习会XX次，做到学思用贯通、知信行统一，",
        "完成2##paidbegin##021—2022年耕地流出图斑整治728个，3647.94亩。",
        "(一)锚定产业发展不动摇,擦亮焕新安民品牌",
    ],
)
def test_short_gbk_line_decodes(line: str) -> None:
    assert decode_text_bytes(line.encode("gbk")).text == line


def test_uppercase_suffix_and_markdown(tmp_path: Path) -> None:
    text = SEED_004.read_text(encoding="utf-8")
    upper = load_file(_write(tmp_path / "REPORT.TXT", text.encode("gbk")))
    md = load_file(_write(tmp_path / "report.md", text.encode("utf-8")))
    assert upper.text == md.text == text


# --- errors -----------------------------------------------------------------------------------

_SEED_TEXT = SEED_004.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "data", "fragments"),
    [
        pytest.param("report.xlsx", b"PK\x03\x04" + _randbytes(64), ["Excel", ".xlsx", "损坏"], id="xlsx"),
        pytest.param(
            "report.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
            ["旧版 Excel", ".xlsx"],
            id="xls-named-xlsx",
        ),
        pytest.param("report.et", b"PK\x03\x04" + _randbytes(64), ["不支持", "另存为 .xlsx"], id="et"),
        pytest.param("report.doc", _randbytes(64), ["不是有效的 .doc 文件"], id="old-doc-not-ole"),
        pytest.param("report", _SEED_TEXT.encode(), ["不支持", "无扩展名"], id="no-suffix"),
        pytest.param("empty.txt", b"", ["文件为空", "0 字节"], id="empty-txt"),
        pytest.param("blank.txt", " \r\n\u3000\u3000\n\t\n".encode(), ["没有文字内容"], id="whitespace-only"),
        pytest.param("blank16.txt", "\n\u3000\n".encode("utf-16"), ["没有文字内容"], id="whitespace-only-utf16"),
        pytest.param("random.txt", _randbytes(4096), ["二进制"], id="random-bytes-4k"),
        pytest.param("random-small.txt", _randbytes(64), ["二进制"], id="random-bytes-64"),
        pytest.param(
            "fffd.txt",
            (_SEED_TEXT[:500] + "\ufffd" + _SEED_TEXT[500:]).encode(),
            ["U+FFFD"],
            id="fffd-in-seed-utf8",
        ),
        pytest.param("fffd16.txt", ("\ufffd" + _SEED_TEXT).encode("utf-16"), ["U+FFFD"], id="fffd-utf16"),
        pytest.param("fffdgb.txt", (_SEED_TEXT + "\ufffd").encode("gb18030"), ["U+FFFD"], id="fffd-gb18030"),
        # Short, mostly-ASCII UTF-8 files with U+FFFD: the code re-decodes them as GB18030/Big5/Shift-JIS mojibake.
        pytest.param("fffd-short.txt", "XXX\ufffd\ufffd".encode(), ["U+FFFD"], id="fffd-short-utf8"),
        pytest.param("fffd-xiang.txt", "XX乡\ufffd".encode(), ["U+FFFD"], id="fffd-xx-xiang-utf8"),
        pytest.param("nul.txt", "一、履职情况\x00全年".encode(), ["NUL"], id="nul-in-utf8"),
        pytest.param("bad.docx", _randbytes(4096), ["Word"], id="random-docx"),
        pytest.param("text.docx", _SEED_TEXT.encode(), ["Word"], id="text-named-docx"),
        pytest.param("empty.docx", b"", ["文件为空"], id="empty-docx"),
        pytest.param("empty.pdf", b"", ["文件为空"], id="empty-pdf"),
        pytest.param("random.pdf", _randbytes(4096), ["PDF"], id="random-pdf"),
        pytest.param("text.pdf", _SEED_TEXT.encode(), ["PDF"], id="text-named-pdf"),
    ],
)
def test_load_errors(tmp_path: Path, name: str, data: bytes, fragments: list[str]) -> None:
    path = _write(tmp_path / name, data)
    with pytest.raises(LoadError) as info:
        load_file(path)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    with pytest.raises(LoadError):
        parse_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="无法读取文件"):
        load_file(tmp_path / "missing.txt")


def test_max_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.txt", _SEED_TEXT.encode())
    with pytest.raises(LoadError, match="文件过大"):
        load_file(path, max_bytes=1000)
    assert load_file(path, max_bytes=len(_SEED_TEXT.encode())).text == _SEED_TEXT


def test_text_that_cleans_to_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path / "junk.txt", "##paidend##\n本文档编辑密码：wsx2023\n".encode())
    with pytest.raises(LoadError, match="清理后没有文字内容"):
        parse_file(path)


def test_one_bad_file_does_not_affect_another(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.txt", _SEED_TEXT.encode("gbk"))
    bad = _write(tmp_path / "bad.txt", _randbytes(4096))
    with pytest.raises(LoadError):
        parse_file(bad)
    assert parse_file(good).meta.township == "XX乡"


# --- .docx ------------------------------------------------------------------------------------


def test_docx_parses_like_text(tmp_path: Path) -> None:
    lines = _seed_004_lines()
    txt = parse_file(_write(tmp_path / "txt" / "report.txt", "\n".join(lines).encode("utf-8")))
    # Word files often carry empty paragraphs and full-width indentation.
    docx_lines = [lines[0], "", *("\u3000\u3000" + ln for ln in lines[1:])]
    from_docx = parse_file(make_docx(tmp_path / "docx" / "report.docx", docx_lines))
    assert from_docx.text == txt.text
    assert _outline(from_docx) == _outline(txt)
    assert _chunk_view(from_docx) == _chunk_view(txt)
    assert from_docx.meta.kind == "述职"
    assert from_docx.meta.township == "XX乡"
    headings = [node.heading for _, node in from_docx.root.walk()]
    assert "（一）学理论、助提升，政治建设常抓不懈" in headings
    assert "一是坚持把政治建设摆在首位" in headings
    assert "二是持续深化理论武装" in headings
    assert "全年召开党委理论中心组集中学习XX次" in from_docx.text


def test_docx_table_cells_are_loaded(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "table.docx",
        ["2023年乡镇领导班子工作情况总结（述职）", "一、履职情况"],
        table=[["项目", "数量"], ["耕地流出图斑整治", "728个"]],
    )
    loaded = load_file(path)
    assert loaded.encoding == "docx"
    # One line per row with its column headers (ingest.tables; merged cells: tests/unit/test_tables.py).
    assert "｜项目：耕地流出图斑整治，数量：728个" in loaded.text.split("\n")


def test_empty_docx(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "empty.docx", ["", "\u3000"])
    with pytest.raises(LoadError, match="没有文字内容"):
        load_file(path)


# --- .pdf -------------------------------------------------------------------------------------


def test_pdf_with_chinese_text_parses_like_text(tmp_path: Path) -> None:
    lines = [
        "2023年乡镇领导班子工作情况总结（述职）",
        "一、履职情况",
        "（一）学理论、助提升，政治建设常抓不懈。一是坚持把政治建设摆在首位。二是持续深化理论武装。",
        "全年召开党委理论中心组集中学习XX次，周一集中学习会XX次。",
        "二、存在问题",
        "一是产业发展结构转型还需进一步加快。二是道路、农业灌溉等基础设施建设短板亟待补齐。",
    ]
    pdf = parse_file(_write(tmp_path / "pdf" / "report.pdf", make_cjk_pdf(lines)))
    txt = parse_file(_write(tmp_path / "txt" / "report.txt", "\n".join(lines).encode("utf-8")))
    assert pdf.text == txt.text
    assert _outline(pdf) == _outline(txt)
    assert _chunk_view(pdf) == _chunk_view(txt)
    assert pdf.meta.kind == "述职"
    headings = [node.heading for _, node in pdf.root.walk()]
    assert "二是持续深化理论武装" in headings


def _pdf_bytes(user_password: str | None = None, owner_password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password=owner_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = _write(tmp_path / "locked.pdf", _pdf_bytes(user_password="wsx2023", owner_password="wsx2023"))
    with pytest.raises(LoadError) as info:
        load_file(path)
    assert "加密" in str(info.value)


def test_pdf_with_only_an_owner_password_is_readable(tmp_path: Path) -> None:
    """Permission-restricted PDFs (empty user password) open in any viewer without a password."""
    lines = ["2023年乡镇领导班子工作情况总结（述职）", "一、履职情况", "全年召开党委理论中心组集中学习XX次。"]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_cjk_pdf(lines))))
    writer.encrypt(user_password="", owner_password="wsx2023")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = _write(tmp_path / "restricted.pdf", buffer.getvalue())
    assert PdfReader(str(path)).is_encrypted
    assert load_file(path).text.split("\n") == lines


def test_pdf_without_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "scan.pdf", _pdf_bytes())
    with pytest.raises(LoadError) as info:
        load_file(path)
    assert "没有文字层" in str(
        info.value
    )  # the blank page was read by OCR (tests/integration/test_scanned_documents.py)
    assert "文字识别也未识别出文字" in str(info.value)


def test_truncated_pdf(tmp_path: Path) -> None:
    data = make_cjk_pdf(["2023年乡镇领导班子工作情况总结（述职）", "一、履职情况"])
    path = _write(tmp_path / "cut.pdf", data[: len(data) // 2])
    with pytest.raises(LoadError) as info:
        load_file(path)
    assert "PDF" in str(info.value)
