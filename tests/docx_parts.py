"""Reading back what python-docx has no API for: the footnotes of a .docx and the fields in its parts."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FOOTNOTE_REF = re.compile(r'<w:footnoteReference w:id="(\d+)"/>')


def footnotes(document: Any) -> dict[str, str]:
    """id → text of each footnote (not the separators) of an opened python-docx Document."""
    root = etree.fromstring(document.part.part_related_by(RELATIONSHIP_TYPE.FOOTNOTES).blob)
    return {
        n.get(f"{W}id"): "".join(t.text or "" for t in n.iter(f"{W}t"))
        for n in root.iter(f"{W}footnote")
        if n.get(f"{W}type") is None
    }


def field_problems(path: Path) -> list[str]:
    """Fields in the file other than the 公文 format's PAGE field in a footer (a field can fetch or run)."""
    problems = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith(".xml"):
                continue
            part = z.read(name).decode("utf-8", "replace")
            fields = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", part)
            if "fldSimple" in part or part.count("<w:instrText") != len(fields):
                problems.append(f"{name} holds a field")
            elif name.startswith("word/footer"):
                problems += [f"{name} holds the field {f!r}" for f in fields if f.strip() != "PAGE"]
            elif fields or "fldChar" in part:
                problems.append(f"{name} holds the fields {fields}")
    return problems
