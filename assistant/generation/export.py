"""Export a draft with its reference list to Markdown and .docx. Text only: document text can never
turn into a remote image, link or script in the exported file.

Both formats drop every URL (http, javascript:, data:, www. …) and put 〔链接已移除〕 in its place:
Markdown escaping stops ![](…) and <img>, but renderers still autolink a bare http://… and Word/WPS
users click what looks like a link. The .md escapes every Markdown and HTML character besides.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.generation.sanitize import URL
from assistant.ingest.structure import heading_level
from assistant.types import Answer

LINK_REMOVED = "〔链接已移除〕"

# Markdown syntax characters; escaping them keeps ![](http://…) and <script> from a document as text.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def inert(text: str) -> str:
    """Text with every URL replaced by 〔链接已移除〕."""
    return URL.sub(LINK_REMOVED, text)


def md_escape(text: str) -> str:
    """Markdown that shows `text` literally: URLs removed, every syntax character backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", inert(text))


def reference_line(c_n: int | str, doc: str, title: str, section: str, quote: str) -> str:
    """One entry of a reference list: [n] report title · section：“quoted sentence”."""
    where = " · ".join(x for x in (title or doc, section) if x)
    return f"[{c_n}] {where}：“{quote}”"


def section_heading_line(line: str) -> bool:
    """A draft line that is a section's heading (一、…, as drafts by sections have: generation/sections.py):
    a heading marker, no [n] marker and no sentence end inside."""
    text = line.strip()
    return heading_level(text) == 2 and "[" not in text and not re.search(r"[。！？；]", text)


def draft_markdown(answer: Answer, title: str) -> str:
    """The draft (section headings as ## headings), then 参考来源 with one line per citation (document,
    section, quoted sentence)."""
    lines = [f"# {md_escape(title)}", ""]
    for line in answer.answer.split("\n"):
        if section_heading_line(line):
            lines += [f"## {md_escape(line.strip())}", ""]
            continue
        # Markers were escaped with the rest; put them back as plain [n] text.
        lines.append(re.sub(r"\\\[(\d+)\\\]", r"[\1]", md_escape(line)))
    lines += ["", "## 参考来源", ""]
    for c in answer.citations:
        lines.append("- " + md_escape(reference_line(c.n, c.doc, c.title, c.section, c.quote)))
    if answer.unsupported_numbers:
        lines += ["", "> 注意：以下数字在所引段落中找不到，请核对：" + "、".join(answer.unsupported_numbers)]
    return "\n".join(lines) + "\n"


def draft_docx(answer: Answer, title: str, path: Path) -> Path:
    """Write the draft as a .docx (heading, paragraphs, reference list); returns the path."""
    import docx

    document = docx.Document()
    document.add_heading(inert(title), level=1)
    for paragraph in answer.answer.split("\n"):
        if section_heading_line(paragraph):
            document.add_heading(inert(paragraph.strip()), level=2)
        elif paragraph.strip():
            document.add_paragraph(inert(paragraph))
    document.add_heading("参考来源", level=2)
    for c in answer.citations:
        document.add_paragraph(inert(reference_line(c.n, c.doc, c.title, c.section, c.quote)))
    if answer.unsupported_numbers:
        document.add_paragraph("注意：以下数字在所引段落中找不到，请核对：" + "、".join(answer.unsupported_numbers))
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
