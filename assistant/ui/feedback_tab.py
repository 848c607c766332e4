"""反馈: the feedback given in the app (and through the `feedback` endpoint), its export as a Q&A set,
and "已纠正的 N 条中，当前版本答对 M 条": the corrected questions run through the current answer path."""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.feedback.export import export
from assistant.feedback.recheck import recheck
from assistant.feedback.store import FeedbackStore
from assistant.ui.answers import Answers
from assistant.ui.feedback_panel import RATING_LABELS
from assistant.ui.inputs import ProgressFn
from assistant.ui.users import user_of
from assistant.ui.widgets import error_html

NOTHING_TO_EXPORT = "没有已纠正的反馈可导出（点踩 👎 时填写了正确答案的条目才会导出）。"
HEADERS = ["编号", "时间", "用户", "类型", "评价", "原因", "问题", "正确答案", "依据文档"]


class FeedbackView:
    """What the tab shows and does, without Gradio."""

    def __init__(self, store: FeedbackStore, answers: Answers, export_dir: Path) -> None:
        self.store = store
        self.answers = answers
        self.export_dir = export_dir

    def rows(self, user: str) -> list[list[Any]]:
        """The user's own feedback, newest first: one user's questions are not shown to another (their
        conversations are private too). Export and the check run over everyone's corrections: the
        office's one regression set."""
        return [
            [
                i.id,
                i.time,
                i.user,
                "回答" if i.kind == "answer" else "草稿",
                RATING_LABELS[i.rating],
                i.reason,
                i.question,
                i.correction,
                i.evidence_doc,
            ]
            for i in reversed(self.store.items())
            if i.user == user
        ]

    def export_file(self) -> Path | None:
        """The corrected items as a Q&A JSONL file in the export folder, None when there are none."""
        result = export(self.store.items())
        if not result.items:
            return None
        path = self.export_dir / f"反馈回归集-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in result.items), encoding="utf-8")
        return path

    def check(self, progress: ProgressFn | None = None) -> str:
        def step(i: int, n: int) -> None:
            if progress:
                progress(i / n, f"第 {i}/{n} 条")

        result = recheck(self.store, self.answers.stream_with, step)
        failed = f"（未通过：{html.escape('、'.join(result.failed_ids))}）" if result.failed_ids else ""
        return f'<p id="fb-summary">{html.escape(result.summary())}{failed}</p>'


def feedback_tab(view: FeedbackView) -> None:
    with gr.Tab("反馈", id="feedback") as tab:
        gr.Markdown(
            "我在问答和起草中给出的 👍/👎。所有用户填写了正确答案的条目汇成一个回归集，可导出为问答集"
            "（`assistant eval 文件` 可直接运行），并可用当前版本检验。"
        )
        with gr.Row():
            refresh = gr.Button("刷新", elem_id="fb-refresh")
            check = gr.Button("用当前版本检验已纠正条目", variant="primary", elem_id="fb-check")
            export_btn = gr.Button("导出回归集（JSONL）", elem_id="fb-export")
        summary = gr.HTML(elem_id="fb-check-result")
        file = gr.File(label="回归集", visible=False, elem_id="fb-file")
        table = gr.Dataframe(headers=HEADERS, interactive=False, elem_id="fb-table")

    def mine(request: gr.Request) -> list[list[Any]]:
        return view.rows(user_of(request))

    def on_check(request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[str, Any]:
        try:
            return view.check(lambda x, d: progress(x, desc=d)), mine(request)
        except AssistantError as exc:
            return error_html(str(exc)), gr.skip()

    def on_export() -> tuple[Any, str]:
        try:
            path = view.export_file()
        except (AssistantError, OSError) as exc:
            return gr.File(visible=False), error_html(str(exc))
        if path is None:
            return gr.File(visible=False), error_html(NOTHING_TO_EXPORT)
        return gr.File(value=str(path), visible=True), ""

    tab.select(mine, None, [table], api_visibility="private")
    refresh.click(mine, None, [table], api_visibility="private")
    check.click(on_check, None, [summary, table], api_visibility="private")
    export_btn.click(on_export, None, [file, summary], api_visibility="private")
