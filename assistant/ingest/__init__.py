"""Ingestion: files → cleaned text → section tree → chunks."""
