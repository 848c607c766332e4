"""The Gradio app (the only package that imports gradio)."""

__all__ = [
    "answers",
    "api",
    "app",
    "catalog",
    "chat_tab",
    "draft_tab",
    "drafts",
    "handlers",
    "inputs",
    "kb_tab",
    "reader",
    "render",
    "retrieval_tab",
    "server",
    "widgets",
    "writer",
]
