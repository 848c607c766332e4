"""The named API endpoints `ask` and `draft` (the same JSON as `assistant ask --json` / `assistant draft --json`)
and `feedback` (a 👍/👎 on such an answer; docs/contracts.md, Feedback)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.feedback.payload import from_payload
from assistant.feedback.store import FeedbackStore
from assistant.ui.answers import Answers
from assistant.ui.drafts import Drafts
from assistant.ui.users import user_of


def api_endpoints(answers: Answers, drafts: Drafts, feedback: FeedbackStore) -> None:
    """Registers /ask, /draft and /feedback on the Blocks being built (a bad input raises gr.Error with its
    message)."""

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

    def feedback_api(item: dict[str, Any], request: gr.Request) -> dict[str, Any]:
        try:
            return {"id": feedback.add(from_payload(item, user_of(request)))}
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc

    gr.api(ask_api, api_name="ask")
    gr.api(draft_api, api_name="draft")
    gr.api(feedback_api, api_name="feedback")
