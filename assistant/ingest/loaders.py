"""Read report files (.txt, .md, .docx, .pdf) into text, with strict, explained encoding detection."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf")

# BOMs are checked longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class LoadError(Exception):
    """A file that cannot be turned into text; the message is shown to the user (Chinese)."""


@dataclass(frozen=True)
class LoadedText:
    text: str
    encoding: str


def load_file(path: Path, max_bytes: int | None = None) -> LoadedText:
    """Return the text of one report file or raise LoadError with a per-file reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"不支持的文件类型“{path.suffix or '无扩展名'}”，支持：{'、'.join(SUPPORTED_SUFFIXES)}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
    if size == 0:
        raise LoadError("文件为空（0 字节）")
    if max_bytes is not None and size > max_bytes:
        raise LoadError(f"文件过大（{size / 1e6:.1f} MB），上限为 {max_bytes / 1e6:.0f} MB")
    if suffix == ".docx":
        loaded = _load_docx(path)
    elif suffix == ".pdf":
        loaded = _load_pdf(path)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
        loaded = decode_text_bytes(data)
    if not loaded.text.strip():
        raise LoadError("文件中没有文字内容")
    return loaded


def decode_text_bytes(data: bytes) -> LoadedText:
    """Decode a plain-text file: BOMs, then strict UTF-8, then GB18030 (covers GBK), then a detector.

    Every decode is strict, so a wrong guess fails loudly instead of producing U+FFFD.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return LoadedText(_strict(data, encoding), encoding)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Valid UTF-8 holding U+FFFD or NUL is damaged: an error (from _strict), not a cue to guess again.
        return LoadedText(_strict(data, "utf-8"), "utf-8")
    try:
        text = _strict(data, "gb18030")
        if _looks_like_text(text):
            return LoadedText(text, "gb18030")
    except LoadError:
        pass
    return _detect(data)


def _strict(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise LoadError(f"无法按 {encoding} 解码") from exc
    if encoding in ("utf-32", "utf-16"):
        text = text.lstrip("\ufeff")
    if "\ufffd" in text:
        raise LoadError("文件中含有替换字符 U+FFFD（原文件已损坏或曾被错误转码）")
    if "\x00" in text:
        raise LoadError(f"按 {encoding} 解码后含有 NUL 字符，编码判断不可靠")
    return text


def _looks_like_text(text: str) -> bool:
    """Heuristic for a GB18030 guess: mostly letters/CJK/punctuation, few controls or rare planes."""
    if not text:
        return False
    sample = text[:20000]
    bad = 0
    for ch in sample:
        cat = unicodedata.category(ch)
        if ch in "\r\n\t":
            continue
        if cat in ("Cc", "Co", "Cn", "Cs") or ord(ch) > 0xFFFF:
            bad += 1
    return bad / len(sample) < 0.001


def _detect(data: bytes) -> LoadedText:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is None or best.encoding is None:
        raise LoadError("无法识别文件编码（不是 UTF-8 / GBK / GB18030 / UTF-16 文本，可能是二进制文件）")
    text = _strict(data, best.encoding)
    if not _looks_like_text(text):
        raise LoadError(f"文件内容不像文本（按 {best.encoding} 解码后含大量控制字符），可能是二进制文件")
    return LoadedText(text, best.encoding)


def _load_docx(path: Path) -> LoadedText:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise LoadError(f"无法打开 Word 文件（文件损坏或不是 .docx）：{exc}") from exc
    except Exception as exc:  # zipfile.BadZipFile and lxml errors have no common base
        raise LoadError(f"无法打开 Word 文件：{type(exc).__name__}: {exc}") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text.strip() for cell in row.cells))
    return LoadedText("\n".join(lines), "docx")


def _load_pdf(path: Path) -> LoadedText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        # Permission-only PDFs (owner password, empty open password) are common and open in any viewer.
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("PDF 已加密，无法读取（请先解除密码保护）")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except (PdfReadError, ValueError, OSError, KeyError) as exc:
        raise LoadError(f"无法读取 PDF（文件损坏或不完整）：{exc}") from exc
    except Exception as exc:  # pypdf raises a variety of errors on malformed files
        raise LoadError(f"无法读取 PDF：{type(exc).__name__}: {exc}") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise LoadError("PDF 中没有可提取的文字（可能是扫描件，需先做 OCR）")
    return LoadedText(text, "pdf")
