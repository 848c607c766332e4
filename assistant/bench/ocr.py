"""`assistant ocr-bench`: characters right and pages per minute of the OCR path (ingest.ocr) on pages
rendered here from known text, plus one two-column page (reading order).

Pages are drawn from the sample reports' paragraphs (seeds/) with a CJK font (WenQuanYi Zen Hei,
Debian fonts-wqy-zenhei) at 12 pt on A4 at 150 dpi, each paragraph's first line indented by two
characters, as a report is printed. They are read twice: as .png images (load_image) and as one
image-only PDF written by Pillow (no text layer: ocr_pdf renders it with pypdfium2, as for a scan).

Characters right = 1 − CER, CER = Levenshtein distance (insertions, deletions, substitutions, one
each) between the drawn text and the recognised text, both with all whitespace removed, divided by
the drawn text's length; summed over all pages (a corpus CER, not a mean of pages).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
DPI = 150
A4_INCHES = (8.27, 11.69)


@dataclass
class RenderedPage:
    image: Any  # PIL.Image.Image
    text: str  # what was drawn, paragraphs one per line (the first line's indent not included)


def seed_paragraphs() -> list[str]:
    """The sample reports' paragraphs, in order (paywall markers dropped)."""
    from assistant.ingest.clean import clean_text
    from assistant.resources import seeds_dir

    paras: list[str] = []
    for path in sorted(seeds_dir().glob("*.txt")):
        paras.extend(line for line in clean_text(path.read_text(encoding="utf-8")).split("\n") if line)
    return paras


def render_pages(
    paragraphs: Sequence[str], pages: int, *, dpi: int = DPI, columns: int = 1, font_path: Path = FONT
) -> list[RenderedPage]:
    """Up to `pages` pages of the paragraphs, in order; a paragraph cut at a page's end goes on at the
    top of the next page (as its continuation, not indented)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi)
    font = ImageFont.truetype(str(font_path), round(12 / 72 * dpi))
    size = int(font.size)
    margin, gutter, pitch = int(0.8 * dpi), int(0.35 * dpi), int(size * 1.6)
    col_width = (width - 2 * margin - (columns - 1) * gutter) // columns
    queue = [(p, True) for p in paragraphs]
    out: list[RenderedPage] = []
    while queue and len(out) < pages:
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        drawn: list[str] = []
        for column in range(columns):
            x, y = margin + column * (col_width + gutter), margin
            while queue and y + pitch <= height - margin:
                text, first = queue.pop(0)
                indent = 2 * size if first else 0
                line = _fit(text, font, col_width - indent)
                draw.text((x + indent, y), line, font=font, fill=0)
                y += pitch
                if first or not drawn:
                    drawn.append(line)
                else:
                    drawn[-1] += line
                if len(line) < len(text):
                    queue.insert(0, (text[len(line) :], False))
        out.append(RenderedPage(image, "\n".join(drawn)))
    return out


def _fit(text: str, font: Any, width: int) -> str:
    """The longest start of `text` that fits in `width` pixels (at least one character)."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.getlength(text[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def levenshtein(a: str, b: str) -> int:
    """Edit distance with unit costs (insert, delete, substitute)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _squeeze(text: str) -> str:
    return "".join(text.split())


def char_errors(reference: str, recognised: str) -> tuple[int, int]:
    """(edit distance, reference length), whitespace removed from both."""
    ref, hyp = _squeeze(reference), _squeeze(recognised)
    return levenshtein(ref, hyp), len(ref)


def run_ocr_bench(pages: int = 4, note: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Render `pages` pages, read them as images and as an image-only PDF; the figures as JSON."""
    from assistant.ingest import ocr

    # Different pages for the PNGs, the PDF and the two-column page: onnxruntime reads a page it has
    # just read again 2-3 times faster (its buffers fit the same line shapes), which would flatter the rate.
    paragraphs = seed_paragraphs()
    every = render_pages(paragraphs * 10, 2 * pages)  # the seeds hold about 11 pages; more repeat them
    rendered, for_pdf = every[:pages], every[pages:]
    figures: dict[str, Any] = {
        "pages": len(rendered),  # PNGs; as many other pages in the PDF
        "dpi": DPI,
        "threads": ocr.OCR_THREADS,
        "cpus": os.cpu_count(),
        "load_average_1m": _load(),
    }
    started = time.perf_counter()
    ocr._ocr_engine()
    figures["model_load_s"] = round(time.perf_counter() - started, 2)
    with tempfile.TemporaryDirectory(prefix="assistant-ocr-bench-") as tmp:
        folder = Path(tmp)
        texts: list[str] = []
        started, cpu = time.perf_counter(), time.process_time()
        for i, page in enumerate(rendered):
            if note:
                note(f"图片 第 {i + 1}/{len(rendered)} 页")
            path = folder / f"page{i + 1}.png"
            page.image.save(path)
            texts.append(ocr.load_image(path).text)
        figures["images"] = _figures(rendered, texts, time.perf_counter() - started, time.process_time() - cpu)
        pdf = folder / "scan.pdf"
        first, *rest = [p.image for p in for_pdf]
        first.save(pdf, "PDF", resolution=DPI, save_all=True, append_images=rest)
        started, cpu = time.perf_counter(), time.process_time()
        progress = (lambda done, total: note(f"PDF 第 {done}/{total} 页")) if note else None
        loaded = ocr.ocr_pdf(pdf, [""] * len(for_pdf), progress)
        figures["pdf"] = _figures(for_pdf, list(loaded.pages), time.perf_counter() - started, time.process_time() - cpu)
        # One two-column page: reading order shows in the score (a page read
        # across the columns would interleave their lines: most characters would be out of place).
        (two,) = render_pages(paragraphs[-30:], 1, columns=2)  # the last report's: not on the other pages
        two.image.save(folder / "two.png")
        started, cpu = time.perf_counter(), time.process_time()
        read = ocr.load_image(folder / "two.png").text
        figures["two_columns"] = _figures([two], [read], time.perf_counter() - started, time.process_time() - cpu)
    figures["load_average_1m_after"] = _load()
    return figures


def _figures(rendered: Sequence[RenderedPage], texts: Sequence[str], seconds: float, cpu_s: float) -> dict[str, Any]:
    from assistant.ingest.ocr import OCR_THREADS

    errors = [char_errors(p.text, t) for p, t in zip(rendered, texts, strict=True)]
    wrong, total = sum(e for e, _ in errors), sum(n for _, n in errors)
    return {
        "chars": total,
        "char_errors": wrong,
        "chars_right": round(1 - wrong / max(total, 1), 4),
        "per_page": [round(1 - e / max(n, 1), 4) for e, n in errors],
        "seconds": round(seconds, 1),
        "pages_per_minute": round(len(rendered) / seconds * 60, 2) if seconds else 0.0,
        # CPU seconds the pages took (all threads): on an idle machine a page takes about cpu_s / threads
        # of wall time, so this estimates the rate without the other processes' load.
        "cpu_seconds": round(cpu_s, 1),
        "pages_per_minute_idle_estimate": round(len(rendered) / (cpu_s / OCR_THREADS) * 60, 2) if cpu_s else 0.0,
    }


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def iter_lines(figures: dict[str, Any]) -> Iterator[str]:
    """The figures as Chinese lines for the terminal."""
    yield (
        f"{figures['pages']} 页 A4，{figures['dpi']} dpi，onnxruntime {figures['threads']} 线程，"
        f"{figures['cpus']} 核，负载 {figures['load_average_1m']} → {figures['load_average_1m_after']}；"
        f"模型加载 {figures['model_load_s']} 秒"
    )
    for key, word in (("images", "PNG 图片"), ("pdf", "无文字层 PDF"), ("two_columns", "双栏 PNG（1 页）")):
        f = figures[key]
        yield (
            f"{word}：字符正确率 {f['chars_right']:.2%}（{f['chars']} 字，错 {f['char_errors']}），"
            f"{f['pages_per_minute']} 页/分钟（{f['seconds']} 秒；按 CPU 时间估算空闲时 "
            f"{f['pages_per_minute_idle_estimate']} 页/分钟）"
        )
