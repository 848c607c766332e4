"""原文: one report's full text with its section tree, opened from the picker or from a click on `[n]`
in an answer (at the cited passage, the quote highlighted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.ui.catalog import Catalog
from assistant.ui.chat_tab import ChatParts
from assistant.ui.doc_view import doc_html
from assistant.ui.inputs import UserError
from assistant.ui.page_js import OPEN_JS
from assistant.ui.widgets import error_html


class DocumentView:
    """What the tab shows: a document (with a passage in focus) or the message saying why not."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def show(self, doc_id: str | None, chunk_id: str | None = None, quote: str = "") -> str:
        if not doc_id:
            return error_html("请选择要查看的文档。")
        try:
            title, chunks = self.catalog.doc_view(doc_id)
        except UserError as exc:
            return error_html(str(exc))
        return doc_html(title, self.catalog.about(doc_id), chunks, chunk_id, quote)

    @staticmethod
    def citation(target: str, cited: list[list[dict[str, str]]]) -> dict[str, str] | None:
        """The citation "k:n" names: citation n of the k-th assistant message; None when there is none."""
        k, _, n = (target or "").partition(":")
        if not (k.isdigit() and n) or int(k) >= len(cited or []):
            return None
        return next((c for c in cited[int(k)] if c.get("n") == n), None)


@dataclass
class DocParts:
    pick: Any
    page: Any


def doc_tab(view: DocumentView) -> DocParts:
    with gr.Tab("原文", id="doc") as tab:
        with gr.Row():
            pick = gr.Dropdown(view.catalog.choices(), label="选择报告", elem_id="doc-view-pick", scale=4)
            show = gr.Button("查看原文", elem_id="doc-view-btn", scale=1)
        page = gr.HTML(elem_id="doc-view")

    def on_show(doc_id: str | None) -> str:
        return view.show(doc_id)

    def on_select() -> Any:  # documents uploaded or deleted since the page was built
        return gr.Dropdown(choices=view.catalog.choices())

    show.click(on_show, [pick], [page], api_visibility="private")
    tab.select(on_select, None, [pick], api_visibility="private")
    return DocParts(pick, page)


def citation_opener(view: DocumentView, chat: ChatParts, doc: DocParts) -> None:
    """The hidden box and button CITE_CLICK_JS drives, outside the tabs (a tab's content is only in the
    page once it has been shown): the citation opens in 原文 at its passage."""
    target = gr.Textbox(visible="hidden", elem_id="cite-target")
    opener = gr.Button("打开引用", visible="hidden", elem_id="cite-open")

    def on_cite(where: str, cited: list[list[dict[str, str]]]) -> tuple[Any, ...]:
        c = view.citation(where, cited)
        if c is None:
            return gr.skip(), error_html("找不到这条引用（对话已更新），请重新提问。")
        picker = gr.Dropdown(choices=view.catalog.choices(), value=c["doc"])
        return picker, view.show(c["doc"], c["chunk"], c["quote"])

    opened = opener.click(on_cite, [target, chat.cited], [doc.pick, doc.page], api_visibility="private")
    opened.then(None, None, None, js=OPEN_JS)
