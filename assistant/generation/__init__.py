"""Answers and drafts from retrieved passages, every sentence cited.

The extractive paths (answer, draft, with extractive and question) need no model; the LLM paths
(llm/, the only code that imports LangChain) fall back to them. All satisfy the Protocols in
paths; every answer passes the checks in citations, model output is cleaned first (sanitize); a model
writes from the extractive evidence and gets its missing markers attached (evidence); numeric
comparisons are answered from the figure ledger (compare); and drafts are exported by export
(plain .docx, Markdown) and gongwen (.docx in 公文 format).
"""

__all__ = [
    "answer",
    "citations",
    "compare",
    "corpus",
    "draft",
    "evidence",
    "export",
    "extractive",
    "gongwen",
    "llm",
    "paths",
    "question",
    "sanitize",
]
