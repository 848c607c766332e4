"""The named API endpoints `ask` and `draft`: the same JSON as `assistant ask --json` / `assistant draft --json`."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.ui.answers import Answers
from assistant.ui.drafts import Drafts


def api_endpoints(answers: Answers, drafts: Drafts) -> None:
    """Registers /ask and /draft on the Blocks being built (a bad input raises gr.Error with its message)."""

    def ask_api(question: str) -> dict[str, Any]:
        try:
            return answers.ask(question).to_json()
        except AssistantError as exc:  # bad input, a store or server that fails
            raise gr.Error(str(exc)) from exc

    def draft_api(topic: str) -> dict[str, Any]:
        try:
            return drafts.draft(topic)[0].to_json()
        except AssistantError as exc:  # bad input, a store or server that fails
            raise gr.Error(str(exc)) from exc

    gr.api(ask_api, api_name="ask")
    gr.api(draft_api, api_name="draft")
