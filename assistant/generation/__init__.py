"""Answers and drafts from retrieved passages, every sentence cited.

The extractive paths (answer, draft, with extractive and question) need no model; the LLM paths
(llm/, the only code that imports LangChain) fall back to them. All satisfy the Protocols in
paths; every answer passes the checks in citations, model output is cleaned first (sanitize); a model
writes from the extractive evidence and gets its missing markers attached (evidence); numeric
comparisons are answered from the figure ledger (compare); and drafts are exported by export (plain
.docx, Markdown) and gongwen (.docx in 公文 format), a saved conversation by chat_export.
Outline first: outline proposes a draft's headings, sections drafts and assembles it heading by heading.
"""

__all__ = [
    "answer",
    "chat_export",
    "citations",
    "compare",
    "corpus",
    "draft",
    "evidence",
    "export",
    "extractive",
    "gongwen",
    "llm",
    "outline",
    "paths",
    "question",
    "sanitize",
    "sections",
]
