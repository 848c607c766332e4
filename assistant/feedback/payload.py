"""Feedback from JSON (the `feedback` API endpoint): the answer JSON of `ask`/`draft` or the question,
with rating, reason, correction and evidence (docs/contracts.md: Feedback)."""

from __future__ import annotations

from typing import Any

from assistant.feedback.store import Feedback, FeedbackError

FIELDS = ("answer", "question", "kind", "rating", "reason", "correction", "evidence", "model", "filters")
RATING_WORDS = {"up": "up", "down": "down", "👍": "up", "👎": "down", True: "up", False: "down"}


def from_payload(payload: Any, user: str) -> Feedback:
    """A Feedback from the endpoint's JSON; unknown keys and wrong shapes are refused in Chinese."""
    if not isinstance(payload, dict):
        raise FeedbackError('反馈应为 JSON 对象，如 {"question": "…", "rating": "down", "reason": "数字有误"}')
    unknown = sorted(set(payload) - set(FIELDS))
    if unknown:
        raise FeedbackError(f"反馈中有未知字段：{'、'.join(unknown)}（可用：{'、'.join(FIELDS)}）")
    answer = payload.get("answer")
    given: dict[str, Any] = {}
    if isinstance(answer, dict):  # the JSON `ask` / `draft` returned
        given = {
            "question": answer.get("question", ""),
            "answer": answer.get("answer", ""),
            "citations": answer.get("citations") or [],
            "mode": answer.get("mode", ""),
        }
    elif answer is not None and not isinstance(answer, str):
        raise FeedbackError("answer 应为 ask/draft 返回的 JSON 对象或回答文字")
    elif isinstance(answer, str):
        given["answer"] = answer
    if payload.get("question"):
        given["question"] = payload["question"]
    rating = payload.get("rating")
    if not isinstance(rating, (str, bool)) or rating not in RATING_WORDS:
        raise FeedbackError(f"rating 应为 up（👍）或 down（👎），不是 {rating!r}")
    evidence = payload.get("evidence") or {}
    if not isinstance(evidence, dict):
        raise FeedbackError('evidence 应为 {"doc": "文档ID", "quote": "段落原文"}')
    return Feedback(
        question=given.get("question", ""),
        answer=given.get("answer", ""),
        citations=given.get("citations", []),
        mode=given.get("mode", ""),
        kind=payload.get("kind") or "answer",
        rating=RATING_WORDS[rating],
        reason=payload.get("reason") or "",
        correction=payload.get("correction") or "",
        evidence_doc=evidence.get("doc") or "",
        evidence_quote=evidence.get("quote") or "",
        model=payload.get("model") or "",
        filters=payload.get("filters") or {},
        user=user,
    )
