"""Ingestion: files (scans read by OCR, old formats converted) → cleaned text → section tree → chunks."""

__all__ = [
    "chunking",
    "clean",
    "convert",
    "document",
    "loaders",
    "metadata",
    "ocr",
    "pipeline",
    "sandbox",
    "sheets",
    "structure",
    "tables",
    "vectors",
    "walk",
]
