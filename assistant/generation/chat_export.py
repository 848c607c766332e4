"""Export a saved conversation with its citations to Markdown and .docx: each question, its answer as
plain text with its `[n]` markers, then the answer's sources (report title, section, quoted sentence).
Text only, as export.py: URLs removed, Markdown characters escaped."""

from __future__ import annotations

import re
import time
from pathlib import Path

from assistant.generation.export import inert, md_escape, reference_line
from assistant.store.conversations import Citation, Conversation

_STAMP = "%Y-%m-%d %H:%M"


def _references(citations: list[Citation] | None) -> list[str]:
    return [
        reference_line(c.get("n", ""), c.get("doc", ""), c.get("title", ""), c.get("section", ""), c.get("quote", ""))
        for c in citations or []
    ]


def conversation_markdown(conversation: Conversation) -> str:
    saved = time.strftime(_STAMP, time.localtime(conversation.updated))
    lines = [f"# {md_escape(conversation.title)}", "", f"保存于 {saved}"]
    for m in conversation.messages:
        if m.role == "user":
            lines += ["", f"## 问：{md_escape(m.text)}"]
            continue
        body = re.sub(r"\\\[(\d+)\\\]", r"[\1]", md_escape(m.text))  # the markers back as plain [n]
        lines += ["", body]
        refs = _references(m.citations)
        if refs:
            lines += ["", "参考来源：", ""] + ["- " + md_escape(r) for r in refs]
    return "\n".join(lines) + "\n"


def conversation_docx(conversation: Conversation, path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(inert(conversation.title), level=1)
    document.add_paragraph(f"保存于 {time.strftime(_STAMP, time.localtime(conversation.updated))}")
    for m in conversation.messages:
        if m.role == "user":
            document.add_heading(inert(f"问：{m.text}"), level=2)
            continue
        for paragraph in m.text.split("\n"):
            if paragraph.strip():
                document.add_paragraph(inert(paragraph))
        refs = _references(m.citations)
        if refs:
            document.add_paragraph("参考来源：")
            for r in refs:
                document.add_paragraph(inert(r))
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
