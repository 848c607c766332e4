"""The Gradio app: 问答 · 起草 · 知识库 · 原文 · 检索测试 · 指标台账 · 反馈, plus the named API endpoints `ask`,
`draft` and `feedback`.

Each tab has its builder (chat_tab, draft_tab, kb_tab, retrieval_tab, api); they adapt the parts
of AppService (handlers.py), which hold everything the app does, to components.
"""

from __future__ import annotations

import gradio as gr

from assistant.config import Settings
from assistant.ui.api import api_endpoints
from assistant.ui.chat_tab import chat_tab
from assistant.ui.doc_tab import DocumentView, citation_opener, doc_tab
from assistant.ui.draft_tab import draft_tab
from assistant.ui.feedback_panel import FeedbackPanel, chat_feedback, draft_feedback
from assistant.ui.feedback_tab import FeedbackView, feedback_tab
from assistant.ui.handlers import AppService
from assistant.ui.history import history_events, history_side
from assistant.ui.kb_tab import KnowledgeBaseEvents, kb_tab
from assistant.ui.ledger_tab import LedgerView, ledger_tab
from assistant.ui.reader import writer_options
from assistant.ui.retrieval_tab import retrieval_tab


def build_app(app: AppService, settings: Settings) -> gr.Blocks:
    """The whole UI, built from the services (no global state)."""
    options = app.catalog.filter_options()
    writers = writer_options(app.services)
    with gr.Blocks(title="乡镇工作报告助手") as demo:
        gr.Markdown("## 乡镇工作报告助手\n回答只依据知识库中的报告，每句都注明出处；资料中没有的，会直接说明。")
        panel = FeedbackPanel(app.feedback, app.answers)
        chat = chat_tab(
            app.answers,
            options,
            writers,
            app.conversations,
            side=history_side,
            feedback=lambda bot, cited, f: chat_feedback(panel, bot, cited, f),
        )
        draft_tab(app.drafts, writers, app.outlines, lambda last: draft_feedback(panel, last))
        kb_tab(KnowledgeBaseEvents(app.catalog, app.writer), settings.max_upload_mb)
        doc = doc_tab(view := DocumentView(app.catalog))
        retrieval_tab(app.answers, options)
        ledger_tab(LedgerView(app.catalog, app.drafts.export_dir), view, doc)
        feedback_tab(FeedbackView(app.feedback, app.answers, app.drafts.export_dir))
        citation_opener(view, chat, doc)
        history_events(demo, chat, app.conversations)
        api_endpoints(app.answers, app.drafts, app.feedback)
    return demo
