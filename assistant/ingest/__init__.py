"""Ingestion: files → cleaned text → section tree → chunks."""

__all__ = [
    "chunking",
    "clean",
    "document",
    "loaders",
    "metadata",
    "pipeline",
    "sandbox",
    "sheets",
    "structure",
    "tables",
    "vectors",
    "walk",
]
