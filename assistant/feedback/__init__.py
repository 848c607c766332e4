"""Feedback on answers and drafts (👍/👎, a reason, a correction and the passage that holds it), kept in
`feedback.sqlite` in the store directory and exported as a Q&A set that `assistant eval` runs
(docs/contracts.md: Feedback)."""

__all__ = ["export", "payload", "recheck", "store"]
