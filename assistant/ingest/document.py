"""Turn one file (or raw text) into a ParsedDocument: load → clean → structure → metadata."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ingest.clean import clean_text
from assistant.ingest.loaders import LoadError, load_file
from assistant.ingest.metadata import assign_parts, display_title, find_dates, find_kind, find_years, report_years
from assistant.ingest.structure import parse_sections
from assistant.places import issuing_place, level_of
from assistant.script import fold
from assistant.types import DocumentMeta, ParsedDocument

if TYPE_CHECKING:
    from assistant.ingest.ocr import PageProgress


def doc_id_for(path: Path) -> str:
    """The document id: the file name without its extension (docs/contracts.md, JSON shapes).

    Never a path: separators and control characters become "_", and a name of dots only
    ("...txt" has the stem "..") becomes underscores.
    """
    stem = "".join("_" if ch in "/\\" or ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in path.stem)
    if not stem.strip("."):
        stem = "_" * max(1, len(stem))
    return stem


def parse_text(raw: str, doc_id: str, source: str = "", notes: tuple[str, ...] = ()) -> ParsedDocument:
    """Clean and structure already-decoded report text."""
    text = clean_text(raw)
    if not text.strip():
        raise LoadError("清理后没有文字内容")
    root = parse_sections(text)
    # Metadata is read from the text in Simplified characters (a Traditional report's 鄉 is 乡); the
    # title shown stays as written.
    shown_title, shown_body = root.heading, text[root.heading_span[1] :]
    title, body = fold(shown_title), fold(shown_body)
    title_years = find_years(title, body)
    dates = find_dates(title, body, find_years(title, ""))
    if dates.date and not find_years(title, ""):
        title_years = ()  # a dated report without years in its title: its years come from its date
    assign_parts(root, dates)
    place = issuing_place(title, body)
    meta = DocumentMeta(
        doc_id=doc_id,
        title=display_title(shown_title, shown_body),
        township=place,
        years=report_years(root, (*title_years, *(dates.years if dates.date else ()))),
        kind=find_kind(title),
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        place_level=level_of(place),
        date=dates.date,
        meeting=dates.meeting,
    )
    return ParsedDocument(meta=meta, text=text, root=root, notes=notes)


def parse_file(
    path: Path,
    max_bytes: int | None = None,
    timeout_s: float | None = None,
    *,
    progress: PageProgress | None = None,
    page_timeout_s: float | None = None,
) -> ParsedDocument:
    """Load and parse one report file; raises LoadError with a per-file reason.

    With timeout_s (> 0) the parsing runs in the sandboxed worker process (ingest.sandbox) and a
    file that takes longer fails with 解析超时 (each page read by OCR has page_timeout_s of its own);
    without it, in this process with no time limit. `progress(done, total)` follows the OCR'd pages.
    """
    if timeout_s is not None and timeout_s > 0:
        from assistant.ingest.sandbox import DEFAULT_PAGE_TIMEOUT_S, parse_in_worker

        page_s = page_timeout_s or DEFAULT_PAGE_TIMEOUT_S
        return parse_in_worker(path, max_bytes=max_bytes, timeout_s=timeout_s, progress=progress, page_timeout_s=page_s)
    return parse_here(path, max_bytes, progress=progress)


def parse_here(
    path: Path, max_bytes: int | None = None, *, progress: PageProgress | None = None, time_limit_s: float | None = None
) -> ParsedDocument:
    """parse_file in this process (what the parse worker runs); time_limit_s bounds a LibreOffice conversion."""
    loaded = load_file(path, max_bytes=max_bytes, progress=progress, time_limit_s=time_limit_s)
    doc = parse_text(loaded.text, doc_id_for(path), source=str(path), notes=loaded.notes)
    if loaded.pages:
        starts = _page_starts(loaded.pages, doc.text)
        doc.meta = dataclasses.replace(doc.meta, page_starts=starts, ocr_pages=loaded.ocr_pages)
    return doc


def _page_starts(pages: tuple[str, ...], text: str) -> tuple[int, ...]:
    """Where each page starts in the cleaned text (clean_text works line by line, so the cleaned text is
    the cleaned pages joined); () in the rare case it is not (a paywall marker across a page break)."""
    starts, pos, kept = [], 0, []
    for page in pages:
        cleaned = clean_text(page)
        starts.append(pos)
        if cleaned:
            kept.append(cleaned)
            pos += len(cleaned) + 1
    return tuple(starts) if "\n".join(kept) == text else ()
