"""Turn one file (or raw text) into a ParsedDocument: load → clean → structure → metadata."""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.ingest.clean import clean_text
from assistant.ingest.loaders import LoadError, load_file
from assistant.ingest.metadata import assign_parts, find_kind, find_township, find_years
from assistant.ingest.structure import parse_sections
from assistant.types import DocumentMeta, ParsedDocument


def doc_id_for(path: Path) -> str:
    """The document id: the file name without its extension (DESIGN §3.3)."""
    return path.stem


def parse_text(raw: str, doc_id: str, source: str = "") -> ParsedDocument:
    """Clean and structure already-decoded report text."""
    text = clean_text(raw)
    if not text.strip():
        raise LoadError("清理后没有文字内容")
    root = parse_sections(text)
    title = root.heading
    body = text[root.heading_span[1] :]
    years = find_years(title, body)
    assign_parts(root, years)
    meta = DocumentMeta(
        doc_id=doc_id,
        title=title,
        township=find_township(title, body),
        years=years,
        kind=find_kind(title),
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return ParsedDocument(meta=meta, text=text, root=root)


def parse_file(path: Path, max_bytes: int | None = None) -> ParsedDocument:
    """Load and parse one report file; raises LoadError with a per-file reason."""
    loaded = load_file(path, max_bytes=max_bytes)
    return parse_text(loaded.text, doc_id_for(path), source=str(path))
