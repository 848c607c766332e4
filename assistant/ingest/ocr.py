"""Text from scans: .pdf pages without a text layer and .png/.jpg/.jpeg images, read by RapidOCR.

rapidocr-onnxruntime ships the Chinese PP-OCRv4 detection and recognition models inside its wheel, so
nothing is downloaded at run time. Recognised lines come back as boxes; they are put in reading order
(a two-column page is detected from the boxes' x positions and read column by column, top to bottom,
a box spanning both columns, e.g. a title, read where it stands) and joined into paragraphs (a new one
at an indented line, after a line that ends short, after a wider gap, or at a heading marker such as
一、/（一）), so the section parser (ingest.structure) sees headings at line starts as in a text file.
Half-width punctuation between Chinese characters becomes full-width (，；：（）“”) as in the source.

Runs inside the parse worker (ingest.sandbox): `progress(done, total)` after every page is what lets
the caller show progress and give each page its own time limit (ASSISTANT_OCR_PAGE_TIMEOUT_S).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.ingest.loaders import LoadedText, LoadError

# (pages done, pages to read): called before the first page (0, n) and after each one.
PageProgress = Callable[[int, int], None]

OCR_DPI = 150  # PDF pages are rendered at this resolution for recognition
# A PDF page whose text layer holds fewer non-space characters than this is read by OCR (a scan may
# carry a page number or a stamp caption as text).
MIN_TEXT_CHARS = 20
# onnxruntime threads: the cores of this machine, at most 2 (more threads do not speed up a page on
# a small laptop and starve the app's other work).
OCR_THREADS = max(1, min(2, os.cpu_count() or 1))
MAX_IMAGE_PIXELS = 80_000_000  # larger images are refused (a 600 dpi A3 scan is 70 MP)

_CJK = r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_HALF_PUNCT = re.compile(rf"(?<={_CJK})([,;:?!()])|([,;:?!()])(?={_CJK})")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class TextBox:
    """One recognised line fragment: its bounding box in pixels and its text."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def boxes_from_result(result: Sequence[Any] | None) -> list[TextBox]:
    """RapidOCR's [[4 corner points], text, score] rows as axis-aligned boxes (empty texts dropped)."""
    boxes = []
    for points, text, _score in result or ():
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        if str(text).strip():
            boxes.append(TextBox(min(xs), min(ys), max(xs), max(ys), str(text).strip()))
    return boxes


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _lines(boxes: Sequence[TextBox]) -> list[TextBox]:
    """Boxes on the same text line (vertical centres within each other's height) merged, left to right;
    lines top to bottom."""
    lines: list[list[TextBox]] = []
    for box in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        if lines:
            last = lines[-1]
            top, bottom = min(b.y0 for b in last), max(b.y1 for b in last)
            if top <= box.cy <= bottom and abs(box.cy - _median([b.cy for b in last])) < 0.5 * box.height:
                last.append(box)
                continue
        lines.append([box])
    merged = []
    for parts in lines:
        parts.sort(key=lambda b: b.x0)
        text = parts[0].text
        for prev, part in itertools.pairwise(parts):
            gap = part.x0 - prev.x1
            text += (" " if gap > part.height and not _joins_cjk(text, part.text) else "") + part.text
        x0, y0 = min(b.x0 for b in parts), min(b.y0 for b in parts)
        merged.append(TextBox(x0, y0, max(b.x1 for b in parts), max(b.y1 for b in parts), text))
    return merged


def _joins_cjk(left: str, right: str) -> bool:
    return bool(re.match(_CJK, left[-1:]) or re.match(_CJK, right[:1]))


def column_split(boxes: Sequence[TextBox]) -> float | None:
    """The x position between two text columns, or None for a one-column page.

    Two columns when, among the boxes narrower than 60% of the text's width, an empty vertical band at
    least one line height wide lies in the middle half of the page, each side holds at least three of
    them, and fewer boxes cross the band (titles, full-width lines) than either side holds.
    """
    if len(boxes) < 6:
        return None
    left, right = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    width = right - left
    narrow = sorted((b for b in boxes if b.x1 - b.x0 < 0.6 * width), key=lambda b: b.x0)
    if len(narrow) < 6:
        return None
    min_gap = _median([b.height for b in narrow])
    lo, hi = left + 0.25 * width, left + 0.75 * width
    best: tuple[float, float] | None = None
    reach = left
    for box in narrow:  # sweep: an uncovered interval between the boxes' x ranges
        if box.x0 > reach:
            a, b = max(reach, lo), min(box.x0, hi)
            if b - a >= min_gap and (best is None or b - a > best[1] - best[0]):
                best = (a, b)
        reach = max(reach, box.x1)
    if best is None:
        return None
    split = (best[0] + best[1]) / 2
    sides = min(sum(b.x1 <= split for b in narrow), sum(b.x0 >= split for b in narrow))
    # A one-column page's short lines (a few right-aligned, like a signature or a date) leave such a
    # band too, but there the full-width lines crossing it outnumber either side.
    crossing = sum(b.x0 < split < b.x1 for b in boxes)
    if sides < 3 or crossing >= sides:
        return None
    return split


def reading_order(boxes: Sequence[TextBox]) -> list[list[TextBox]]:
    """The page as blocks of lines in reading order: one block for a one-column page; on a two-column
    page, between boxes that span both columns, the left column's lines, then the right column's."""
    split = column_split(boxes)
    if split is None:
        return [_lines(boxes)] if boxes else []
    spanning = sorted((b for b in boxes if b.x0 < split < b.x1), key=lambda b: b.cy)
    others = [b for b in boxes if not b.x0 < split < b.x1]
    blocks: list[list[TextBox]] = []
    bounds = [float("-inf"), *(b.cy for b in spanning), float("inf")]
    run: list[TextBox] = []  # spanning boxes with no column text between them read as one block
    for i in range(len(bounds) - 1):
        band = [b for b in others if bounds[i] <= b.cy < bounds[i + 1]]
        if band and run:
            blocks.append(_lines(run))
            run = []
        for column in ([b for b in band if b.x1 <= split], [b for b in band if b.x0 >= split]):
            if column:
                blocks.append(_lines(column))
        if i < len(spanning):
            run.append(spanning[i])
    if run:
        blocks.append(_lines(run))
    return blocks


def paragraphs(lines: Sequence[TextBox]) -> list[str]:
    """Lines of one column joined into paragraphs. A new paragraph starts at an indented line, after a
    line ending well short of the column's right edge, after a gap wider than a line, or at a line
    starting with a heading marker (一、 （一） 1. …)."""
    return [normalize_punctuation(p) for p in _paragraph_run(lines)[0]]


def page_paragraphs(blocks: Sequence[Sequence[TextBox]]) -> list[str]:
    """The paragraphs of a page's blocks in reading order. A paragraph running on from the foot of one
    column to the head of the next (the block ends with a full line; the next starts unindented, not at
    a heading) stays one paragraph. Blocks of one line (a title) neither run on nor continue."""
    out: list[str] = []
    open_end = False
    for block in blocks:
        paras, continues, ends_open = _paragraph_run(block)
        if open_end and continues and out and paras:
            out[-1] += paras.pop(0)
        out.extend(paras)
        open_end = ends_open
    return [normalize_punctuation(p) for p in out]


def _paragraph_run(lines: Sequence[TextBox]) -> tuple[list[str], bool, bool]:
    """(paragraphs, the first line may continue the previous block's last paragraph, the last line runs
    to the right edge)."""
    from assistant.ingest.structure import heading_level

    if not lines:
        return [], False, False
    height = _median([ln.height for ln in lines])
    xs0 = sorted(ln.x0 for ln in lines)
    xs1 = sorted(ln.x1 for ln in lines)
    left = xs0[len(xs0) // 4]
    right = xs1[min(len(xs1) - 1, (len(xs1) * 9) // 10)]
    paras: list[str] = []
    prev: TextBox | None = None
    first, last = lines[0], lines[-1]
    several = len(lines) > 1
    continues = several and first.x0 - left <= 1.2 * height and heading_level(first.text) is None
    ends_open = several and last.x1 >= right - 1.5 * height
    for line in lines:
        text = line.text
        starts = (
            prev is None
            or line.x0 - left > 1.2 * height
            or prev.x1 < right - 1.5 * height
            or line.y0 - prev.y1 > 1.2 * height
            or heading_level(text) is not None
        )
        if starts or not paras:
            paras.append(text)
        else:
            space = " " if _ASCII_LETTER.fullmatch(paras[-1][-1:]) and _ASCII_LETTER.fullmatch(text[:1]) else ""
            paras[-1] += space + text
        prev = line
    return paras, continues, ends_open


def normalize_punctuation(text: str) -> str:
    """Half-width , ; : ? ! ( ) next to a Chinese character become full-width; a straight double quote
    becomes ” after an open “ and “ otherwise (recognition returns both kinds for the same glyph)."""
    text = _HALF_PUNCT.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)
    if '"' in text:
        out, opened = [], False
        for ch in text:
            if ch == '"':
                ch = "”" if opened else "“"
            if ch in "“”":
                opened = ch == "“"
            out.append(ch)
        text = "".join(out)
    return text


_engine: Any = None


def _ocr_engine() -> Any:
    global _engine
    if _engine is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise LoadError("未安装文字识别组件，无法读取扫描件或图片：请 pip install rapidocr-onnxruntime") from exc
        # No line-angle classifier: pages are upright, and it turned bracket-heavy lines upside down (a
        # whole line then read as "））"; measured on the rendered seed pages).
        _engine = RapidOCR(intra_op_num_threads=OCR_THREADS, inter_op_num_threads=1, use_cls=False)
    return _engine


def page_text(image: Any) -> str:
    """The text of one page image (a PIL image), paragraphs one per line, in reading order."""
    import numpy as np

    result, _elapsed = _ocr_engine()(np.asarray(image.convert("RGB")))
    return "\n".join(page_paragraphs(reading_order(boxes_from_result(result))))


def load_image(path: Path, progress: PageProgress | None = None) -> LoadedText:
    """OCR one image file (.png/.jpg/.jpeg)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(path) as opened:
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                size, cap = f"{opened.width}×{opened.height}", MAX_IMAGE_PIXELS // 1_000_000
                raise LoadError(f"图片过大（{size} 像素），上限为 {cap} 百万像素")
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise LoadError(f"无法打开图片（文件损坏或不是图片）：{exc}") from exc
    if progress:
        progress(0, 1)
    text = page_text(image)
    if progress:
        progress(1, 1)
    if not text.strip():
        raise LoadError("图片中未识别出文字（文字识别没有结果：可能是空白图片、照片或分辨率过低）")
    return LoadedText(text, "ocr", pages=(text,), ocr_pages=(1,))


def needs_ocr(text: str) -> bool:
    """A PDF page whose text layer is empty or nearly so."""
    return len("".join(text.split())) < MIN_TEXT_CHARS


def ocr_pdf(path: Path, pages: list[str], progress: PageProgress | None = None) -> LoadedText:
    """The PDF's text with every page lacking a text layer read by OCR; pages still empty are named in
    `notes`. Raises LoadError when no page holds any text."""
    todo = [i for i, text in enumerate(pages) if needs_ocr(text)]
    if not todo:
        return LoadedText("\n".join(pages), "pdf", pages=tuple(pages))
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:
        raise LoadError("未安装 PDF 渲染组件，无法识别扫描页：请运行 pip install pypdfium2") from exc
    pages = list(pages)
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise LoadError(f"无法渲染 PDF 页面做文字识别：{exc}") from exc
    try:
        if progress:
            progress(0, len(todo))
        for done, index in enumerate(todo, 1):
            page = document[index]
            try:
                image = page.render(scale=OCR_DPI / 72).to_pil()
            finally:
                page.close()
            pages[index] = page_text(image)
            if progress:
                progress(done, len(todo))
    finally:
        document.close()
    ocr_pages = tuple(i + 1 for i in todo if pages[i].strip())
    empty = [i + 1 for i in todo if not pages[i].strip()]
    if not any(p.strip() for p in pages):
        raise LoadError(f"PDF 没有文字层，文字识别也未识别出文字（共 {len(pages)} 页：可能是空白页或图片）")
    notes: tuple[str, ...] = ()
    if empty:
        shown = "、".join(str(n) for n in empty[:20]) + ("等" if len(empty) > 20 else "")
        notes = (f"第 {shown} 页没有文字层，文字识别也未识别出文字（空白页或图片），这些页未导入",)
    return LoadedText("\n".join(pages), "pdf+ocr", pages=tuple(pages), ocr_pages=ocr_pages, notes=notes)
