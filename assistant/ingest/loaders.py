"""Read report files (.txt, .md, .docx, .pdf; .xlsx, .csv through ingest.sheets; scans and images by
OCR, ingest.ocr; old .doc/.wps/.xls converted by LibreOffice, ingest.convert) into text, with strict,
explained encoding detection."""

from __future__ import annotations

import codecs
import unicodedata
import zipfile
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.ingest.ocr import PageProgress

_READ = (".txt", ".md", ".docx", ".pdf", ".xlsx", ".csv")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")  # read by OCR (ingest.ocr)
# Old formats LibreOffice converts (ingest.convert) into a format read above.
CONVERTED = {".doc": ".docx", ".wps": ".docx", ".xls": ".xlsx"}
SUPPORTED_SUFFIXES = (*_READ, *IMAGE_SUFFIXES, *(s for s, target in CONVERTED.items() if target in _READ))
_MB = 1024 * 1024  # sizes in messages are in MiB, like ASSISTANT_MAX_FILE_MB

# Zip-bomb guards for .docx, checked on the zip directory before anything is decompressed
# (zipfile never inflates an entry past its declared size, so the declared sizes are binding).
DOCX_MAX_UNCOMPRESSED_BYTES = 200 * _MB
DOCX_MAX_ENTRIES = 5000
# Word XML deflates about 10-50:1; an entry far beyond that and large once inflated is a bomb.
DOCX_MAX_RATIO = 200
DOCX_RATIO_MIN_BYTES = 10 * _MB
# Office 97-2003 files (.doc/.xls/.ppt), and every password-protected .docx (Word encrypts into this container).
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# BOMs are checked longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# What to do with a file of a type ingest does not read, by its extension.
_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    ((".wpt", ".dot", ".rtf", ".odt"), "请用 Word 或 WPS 另存为 .docx 后再导入"),
    ((".xlsm", ".et", ".ods"), "请用 Excel 或 WPS 另存为 .xlsx 后再导入"),
    ((".ppt", ".pptx", ".dps", ".odp"), "演示文稿不作为报告导入；其中的文字请另存为 .docx 或 .txt"),
    (
        (".tif", ".tiff", ".bmp", ".gif", ".webp", ".heic"),
        "请将图片（扫描件）另存为 .png 或 .jpg 后再导入（会自动做文字识别）",
    ),
    ((".zip", ".rar", ".7z", ".tar", ".gz"), "压缩包不会自动解开，请先解压再导入"),
    ((".ofd", ".caj", ".html", ".htm"), "请另存为 .docx、.pdf 或 .txt 后再导入"),
)


def unsupported_reason(path: Path) -> str:
    """Why a file of this type is not read, and what to do: one Chinese line."""
    suffix = path.suffix.lower()
    reason = f"不支持的文件类型“{path.suffix or '无扩展名'}”，支持：{'、'.join(SUPPORTED_SUFFIXES)}"
    hint = next((text for suffixes, text in _HINTS if suffix in suffixes), "")
    return f"{reason}；{hint}" if hint else reason


class LoadError(AssistantError):
    """A file that cannot be turned into text; the message is shown to the user (Chinese)."""


@dataclass(frozen=True)
class LoadedText:
    text: str
    encoding: str
    _: KW_ONLY  # the rest by name: two readers adding fields once swapped notes into pages
    pages: tuple[str, ...] = ()  # a PDF's or image's text page by page (text is their "\n" join)
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text came from OCR
    notes: tuple[str, ...] = ()  # what ingest should say about the file (a hidden sheet, empty OCR pages), Chinese


def load_file(
    path: Path,
    max_bytes: int | None = None,
    *,
    progress: PageProgress | None = None,
    time_limit_s: float | None = None,
) -> LoadedText:
    """Return the text of one report file or raise LoadError with a per-file reason.

    `progress(done, total)` follows the pages read by OCR; `time_limit_s` bounds a LibreOffice conversion."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(unsupported_reason(path))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
    if size == 0:
        raise LoadError("文件为空（0 字节）")
    if max_bytes is not None and size > max_bytes:
        raise LoadError(f"文件过大（{size / _MB:.1f} MB），上限为 {max_bytes / _MB:g} MB")
    if suffix in CONVERTED:
        from assistant.ingest.convert import converted_copy

        with converted_copy(path, CONVERTED[suffix], time_limit_s) as copy:
            return load_file(copy, progress=progress)
    if suffix == ".docx":
        loaded = _load_docx(path)
    elif suffix == ".pdf":
        loaded = _load_pdf(path, progress)
    elif suffix in (".xlsx", ".csv"):
        from assistant.ingest import sheets

        loaded = sheets.load_xlsx(path) if suffix == ".xlsx" else sheets.load_csv(path)
    elif suffix in IMAGE_SUFFIXES:
        from assistant.ingest.ocr import load_image

        loaded = load_image(path, progress)
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
        raise LoadError(f"按 {encoding} 解码后含有 NUL（\\x00）字符：文件可能是二进制文件或已损坏，无法可靠识别编码")
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


def check_docx_zip(path: Path) -> None:
    """Refuse a .docx that is not a zip or would inflate to far more than any real report (zip bomb)."""
    check_office_zip(path, ".docx")


# Per Office zip format: the program's name, the old binary format that has the same suffix's role, and
# what to save it with.
_OFFICE = {".docx": ("Word", "旧版 Word（.doc）", "Word"), ".xlsx": ("Excel", "旧版 Excel（.xls）", "Excel 或 WPS")}


def check_office_zip(path: Path, suffix: str) -> None:
    """Refuse an Office zip file (.docx, .xlsx) that is an old binary or encrypted file, not a zip, or
    would inflate to far more than any real report (zip bomb); the messages name the program."""
    app, old, editor = _OFFICE[suffix]
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
    if head.startswith(_OLE_MAGIC):
        raise LoadError(
            f"这是{old}或设有密码的 {app} 文件，不是 {suffix}：请在 {editor} 中另存为 {suffix}（并去掉密码）后再导入"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise LoadError(f"无法打开 {app} 文件：不是有效的 {suffix}（zip）文件，可能已损坏或扩展名不对") from exc
    if len(infos) > DOCX_MAX_ENTRIES:
        raise LoadError(f"{app} 文件内部条目过多（{len(infos)} 个，上限 {DOCX_MAX_ENTRIES}），可能是恶意构造的，已拒绝")
    total = sum(info.file_size for info in infos)
    if total > DOCX_MAX_UNCOMPRESSED_BYTES:
        raise LoadError(
            f"{app} 文件解压后过大（{total / _MB:.0f} MB，上限 {DOCX_MAX_UNCOMPRESSED_BYTES / _MB:.0f} MB），"
            "可能是压缩炸弹，已拒绝"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > DOCX_RATIO_MIN_BYTES and ratio > DOCX_MAX_RATIO:
            raise LoadError(
                f"{app} 文件中的 {info.filename} 压缩比异常（{ratio:.0f}:1，解压后 {info.file_size / _MB:.0f} MB），"
                "可能是压缩炸弹，已拒绝"
            )


def _load_docx(path: Path) -> LoadedText:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    check_docx_zip(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise LoadError(f"无法打开 Word 文件（文件损坏或不是 .docx）：{exc}") from exc
    except Exception as exc:  # zipfile.BadZipFile and lxml errors have no common base
        raise LoadError(f"无法打开 Word 文件：{type(exc).__name__}: {exc}") from exc
    from assistant.ingest.tables import docx_lines  # tables in document order, one line per row

    return LoadedText("\n".join(docx_lines(document)), "docx")


def _pdf_ends(path: Path) -> tuple[bytes, bytes]:
    """The first and last KB of a PDF: where the %PDF header and the %%EOF marker must be."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
            fh.seek(max(0, path.stat().st_size - 1024))
            tail = fh.read()
    except OSError as exc:
        raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
    return head, tail


def _load_pdf(path: Path, progress: PageProgress | None = None) -> LoadedText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    head, tail = _pdf_ends(path)
    if b"%PDF-" not in head:
        raise LoadError("不是 PDF 文件（文件开头没有 %PDF 标记），可能已损坏或扩展名不对")
    try:
        reader = PdfReader(str(path))
        # Permission-only PDFs (owner password, empty open password) are common and open in any viewer.
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("PDF 已加密（设有打开密码），无法读取：请先解除密码保护后再导入")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except (PdfReadError, ValueError, OSError, KeyError) as exc:
        if b"%%EOF" not in tail:
            raise LoadError("PDF 文件不完整（缺少结尾标记 %%EOF，可能下载或复制时被截断）") from exc
        raise LoadError(f"无法读取 PDF（文件损坏或不完整）：{exc}") from exc
    except Exception as exc:  # pypdf raises a variety of errors on malformed files
        raise LoadError(f"无法读取 PDF：{type(exc).__name__}: {exc}") from exc
    from assistant.ingest.ocr import ocr_pdf

    return ocr_pdf(path, pages, progress)  # pages without a text layer are read by OCR
