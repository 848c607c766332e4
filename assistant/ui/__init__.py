"""The Gradio app (the only package that imports gradio)."""

__all__ = [
    "answers",
    "api",
    "app",
    "catalog",
    "chat_tab",
    "doc_tab",
    "doc_view",
    "draft_tab",
    "drafts",
    "handlers",
    "inputs",
    "kb_tab",
    "locale",
    "page_js",
    "reader",
    "render",
    "retrieval_tab",
    "server",
    "widgets",
    "writer",
]
