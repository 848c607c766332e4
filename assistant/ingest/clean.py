"""Clean raw report text: paywall markers, junk lines, control characters, blank-line runs.

Everything else is kept as written, so quotes shown to users are exact substrings of the result.
"""

from __future__ import annotations

import re

from assistant.script import fold

# Markers may stand anywhere, even inside a number: 完成2##paidbegin##021—2022年.
_PAYWALL = re.compile(r"##\s*paid\s*(?:begin|end)\s*##", re.IGNORECASE)
# Lines appended by document-sharing sites; they are never report content.
_JUNK_LINE = re.compile(
    r"^(?:本文档(?:编辑)?密码|文档(?:编辑)?密码|编辑密码|文档来源|本文(?:档)?来源于|"
    r"(?:更多|免费)?(?:文档|范文)?下载(?:地址|请访问))\s*[:：]",
)
# C0/C1 controls except tab/newline, plus zero-width and BOM characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff]")
# Line-edge whitespace, including the full-width indentation space.
_EDGE_SPACE = " \t\u3000\xa0"


def clean_text(raw: str) -> str:
    """Return the cleaned text: one paragraph per line, no blank lines, no junk."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _PAYWALL.sub("", text)
    text = _CONTROL.sub("", text)
    lines = []
    for line in text.split("\n"):
        line = line.strip(_EDGE_SPACE)
        if not line or _JUNK_LINE.match(fold(line)):  # 本文檔編輯密碼 too
            continue
        lines.append(line)
    return "\n".join(lines)
