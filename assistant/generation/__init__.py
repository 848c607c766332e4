"""Answers and drafts: extractive (offline) and, later, LLM-generated; all verified by citations."""
