"""Outline proposal with a chat model: the model chooses and words the headings from those the
reports have (generation/outline.py finds them), in one short call (prompts/outline.zh.md).

The reply is read a line at a time, markers and list numbering taken off (outline.bare); a line
that is a part heading, too long, or the same as an earlier one is dropped. Each heading that is a
found heading in other words keeps that one's report section. Fewer than MIN_SECTIONS usable lines,
or a failed call, gives the outline from the reports, with a note.
"""

from __future__ import annotations

import re
import time

from assistant.generation.llm.answer import strip_think
from assistant.generation.llm.client import ChatClient, LLMError
from assistant.generation.llm.prompts import Prompt, load_prompt
from assistant.generation.outline import (
    DEFAULT_SECTIONS,
    MAX_HEADING_CHARS,
    MAX_SECTIONS,
    MIN_SECTIONS,
    Heading,
    Outline,
    OutlineProposer,
    bare,
    is_part_heading,
    similar,
)
from assistant.generation.sanitize import clean_model_output
from assistant.retrieval import Filters

PROMPT = "outline"
SHOWN_HEADINGS = 12  # found headings the model is shown
FALLBACK_NOTE = "模型未给出可用的提纲，以下为资料中的小标题。"
_LIST_MARK = re.compile(r"^\s*(?:[-*•#]+|\d{1,2}[.、．)）])\s*")


def reply_headings(reply: str, count: int) -> list[str]:
    """The usable headings of a model's reply, at most `count` (see the module docstring)."""
    text, _ = clean_model_output(strip_think(reply))
    out: list[str] = []
    for line in text.splitlines():
        heading = bare(_LIST_MARK.sub("", line.replace("**", "")).strip("“”\"'：: "))
        if not 2 <= len(heading) <= MAX_HEADING_CHARS or is_part_heading(heading):
            continue
        if any(similar(heading, h) for h in out):
            continue
        out.append(heading)
    return out[:count]


class LLMOutlineProposer:
    """Outlines worded by a chat model from the reports' headings; `proposer` finds those headings
    and is the fallback."""

    def __init__(self, proposer: OutlineProposer, chat: ChatClient, prompt: Prompt | None = None) -> None:
        self.proposer, self.chat = proposer, chat
        self.prompt = prompt or load_prompt(PROMPT)

    def propose(
        self, topic: str, style: str = "总结", filters: Filters | None = None, sections: int = DEFAULT_SECTIONS
    ) -> Outline:
        started = time.perf_counter()
        sections = max(MIN_SECTIONS, min(MAX_SECTIONS, sections))
        found = self.proposer.ranked(topic, style, filters)[:SHOWN_HEADINGS]
        if len(found) < MIN_SECTIONS:
            return self.proposer.propose(topic, style, filters, sections)
        messages = self.prompt.render(
            topic=topic, style=style, count=sections, headings="\n".join(h.text for h in found)
        )
        try:
            texts = reply_headings(self.chat.complete(messages), sections)
        except LLMError:
            texts = []
        if len(texts) < MIN_SECTIONS:
            outline = self.proposer.propose(topic, style, filters, sections)
            outline.notes.append(FALLBACK_NOTE)
            return outline
        headings = []
        for text in texts:
            basis = next((h for h in found if similar(text, h.text)), None)
            headings.append(
                Heading(text, "llm", basis.doc, basis.section, basis.score) if basis else Heading(text, "llm")
            )
        return Outline(topic, style, headings, int((time.perf_counter() - started) * 1000))
