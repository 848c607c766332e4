"""How many corrected items the current version answers right: the export run through the answer path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.eval.runner import evaluate_item
from assistant.feedback.export import as_qa_items, export
from assistant.feedback.store import FeedbackStore
from assistant.types import Answer, Filters

Stream = Callable[[str, Filters | None], Iterator[str | Answer]]  # a question and its filters in


@dataclass
class Recheck:
    corrected: int  # questions with a correction (drafts and items without an expected string left out)
    passed: int
    failed_ids: list[str]

    def summary(self) -> str:
        if not self.corrected:
            return "还没有带正确答案的反馈（点踩 👎 后填写正确答案即可加入回归集）。"
        return f"已纠正的 {self.corrected} 条中，当前版本答对 {self.passed} 条。"


def recheck(store: FeedbackStore, ask: Stream, progress: Callable[[int, int], None] | None = None) -> Recheck:
    """Answer each exported question (not drafts) with the filters it was asked with: a fact item passes
    when the answer contains every expected string and does not abstain (the eval's `correct`), an
    unanswerable one when it abstains."""
    items = [i for i in as_qa_items(export(store.items()).items) if i.kind != "draft"]
    passed, failed = 0, []
    for n, item in enumerate(items, start=1):
        answer = next((a for a in ask(item.question, item.search_filters()) if isinstance(a, Answer)), None)
        if answer is None:
            raise RuntimeError(f"the answer path gave no Answer for {item.id}")
        result = evaluate_item(item, answer)
        ok = result.abstained if item.kind == "unanswerable" else bool(result.correct)
        passed += ok
        if not ok:
            failed.append(item.id)
        if progress:
            progress(n, len(items))
    return Recheck(len(items), passed, failed)
