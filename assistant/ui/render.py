"""HTML for the app's panels. Every piece of document or model text goes through html.escape, so no
script, image or link from a document can render; the only markup is the app's own."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.generation.citations import MARKER, split_answer_sentences
from assistant.types import Answer, Citation, Passage, parse_years

CSS = """
.src-card {border:1px solid #d0d7e2;border-radius:8px;padding:8px 10px;margin:8px 0;background:#fafcff}
.src-head {font-weight:600;margin-bottom:4px}
.doc-id {color:#888;font-size:0.75em;font-weight:400;margin-left:6px}
.src-open {color:#1f5fbf;cursor:pointer;text-decoration:underline;margin-left:6px}
.src-meta {color:#555;font-size:0.85em;margin-bottom:6px}
.src-text {white-space:pre-wrap;line-height:1.6}
.src-text mark {background:#ffe27a;padding:0 2px}
.answer-box {line-height:1.8;white-space:pre-wrap}
.answer-box sup {color:#1f5fbf;font-weight:600}
.answer-box sup.cite {cursor:pointer;text-decoration:underline dotted}
.unsupported {background:#ffe3e3;border-bottom:2px solid #d33}
.not-found {color:#8a5a00;background:#fff6e0;padding:8px;border-radius:6px}
.tree ul {margin:2px 0 2px 18px;padding:0}
.writer-tag {display:inline-block;color:#1f5fbf;background:#eef4ff;border-radius:4px;padding:0 6px;font-size:0.85em}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def highlight(passage: str, quote: str) -> str:
    """The passage, escaped, with the quoted sentence wrapped in <mark> (exact match, else unmarked)."""
    at = passage.find(quote) if quote else -1
    if at < 0:
        return _e(passage)
    return _e(passage[:at]) + "<mark>" + _e(quote) + "</mark>" + _e(passage[at + len(quote) :])


def writer_tag(writer: str | None) -> str:
    """Who wrote the answer (本地模型 qwen2.5-1.5b / 原文摘录), as a tag above it; '' when not given."""
    return f'<div class="writer-tag">作答：{_e(writer)}</div>' if writer else ""


def answer_html(answer: Answer, writer: str | None = None) -> str:
    """The answer with [n] as superscripts; sentences holding unsupported numbers are marked; `writer`
    (what wrote it) tagged above it."""
    if answer.abstained and not answer.citations:
        return f'{writer_tag(writer)}<div class="answer-box not-found">{_e(answer.answer)}</div>'
    unsupported = set(answer.unsupported_numbers)
    parts = []
    for sentence in split_answer_sentences(answer.answer):
        body = MARKER.sub(lambda m: f"\x00{m.group(1)}\x01", sentence)
        body = _e(body).replace("\x00", '<sup class="cite" title="点击查看原文">[').replace("\x01", "]</sup>")
        if unsupported and any(n in sentence for n in unsupported):
            body = f'<span class="unsupported" title="所含数字在引用段落中找不到">⚠ {body}</span>'
        parts.append(body)
    notes = "".join(f'<div class="src-meta">注：{_e(n)}</div>' for n in answer.notes)
    return f'{writer_tag(writer)}<div class="answer-box">{"".join(parts)}</div>{notes}'


def _card(title: str, meta: str, body_html: str, doc_id: str = "") -> str:
    small = f'<span class="doc-id" title="文档编号">{_e(doc_id)}</span>' if doc_id else ""
    return (
        f'<div class="src-card"><div class="src-head">{title}{small}</div>'
        f'<div class="src-meta">{meta}</div><div class="src-text">{body_html}</div></div>'
    )


def _years(metadata: Any) -> str:
    """'2023,2024' as 2023–2024年; '' when none."""
    years = parse_years(metadata.get("years")) if metadata else ()
    if not years:
        return ""
    return f"{years[0]}年" if len(years) == 1 else f"{min(years)}–{max(years)}年"


def _meta_line(place: str, years: str, section: str) -> str:
    return " · ".join(_e(x) for x in (place, years, section) if x)


def citation_card(c: Citation, metadata: Any = None, openable: bool = False) -> str:
    """Headed by the report's title (its place, years and section below; the doc id in small print);
    `openable`: with a 在原文中查看 link (the page's script opens it in 原文)."""
    meta = _meta_line(c.township, _years(metadata), c.section)
    link = f' <span class="src-open cite-n-{c.n}">在原文中查看</span>' if openable else ""
    return _card(f"[{c.n}] {_e(c.title or c.doc)}", meta + link, highlight(c.text, c.quote), c.doc)


def sources_html(answer: Answer, answer_index: int | None = None) -> str:
    """Cited passages with the quote highlighted, then the other retrieved passages, collapsed.
    `answer_index`: which of the chat's answers this is (0-based); its cards then link to 原文."""
    cited_ids = {c.chunk_id for c in answer.citations}
    metadata = {p.chunk_id: p.metadata for p in answer.passages}
    openable = answer_index is not None
    cards = [citation_card(c, metadata.get(c.chunk_id), openable) for c in answer.citations]
    others = [p for p in answer.passages if p.chunk_id not in cited_ids][:8]
    head = "引用来源" if cards else ("最接近的段落（仅供参考，未用于回答）" if others else "没有检索到段落")
    out = [f"<h4>{head}</h4>", *cards]
    if others:
        inner = "".join(passage_card(p) for p in others)
        label = "其他检索到的段落" if cards else "展开查看"
        out.append(f"<details><summary>{label}（{len(others)}）</summary>{inner}</details>")
    if openable:
        return f'<div class="src-list answer-k-{int(answer_index or 0)}">{"".join(out)}</div>'
    return "".join(out)


def saved_sources_html(cited: Sequence[Mapping[str, str]], answer_index: int) -> str:
    """A reopened conversation's answer: its cited sentences headed by report title, each with its
    在原文中查看 link (the saved citations keep the quote, not the whole passage: 原文 shows that)."""
    cards = [
        citation_card(
            Citation(
                int(c.get("n") or 0),
                c.get("doc", ""),
                c.get("section", ""),
                c.get("quote", ""),
                c.get("quote", ""),
                c.get("chunk", ""),
                c.get("title", ""),
            ),
            openable=True,
        )
        for c in cited
    ]
    if not cards:
        return ""
    return f'<div class="src-list answer-k-{int(answer_index)}"><h4>引用来源</h4>{"".join(cards)}</div>'


def passage_card(p: Passage) -> str:
    m = p.metadata
    meta = _meta_line(str(m.get("township", "")), _years(m), p.section)
    return _card(f"#{p.rank} {_e(str(m.get('title', '')) or p.doc_id)}", meta, _e(p.text), p.doc_id)


def retrieval_rows(passages: Sequence[Passage]) -> list[list[object]]:
    """Rows for the retrieval-test table: why a passage ranked where it did (the report by its title,
    its id where it has none)."""

    def fmt(x: float | None) -> object:
        return "—" if x is None else round(x, 4)

    return [
        [
            p.rank,
            str(p.metadata.get("title", "")) or p.doc_id,
            p.section,
            round(p.score, 5),
            fmt(p.dense_score),
            p.dense_rank or "—",
            fmt(p.lexical_score),
            p.lexical_rank or "—",
            re.sub(r"\s+", " ", p.text)[:120],
        ]
        for p in passages
    ]


RETRIEVAL_HEADERS = ["名次", "文档", "章节", "融合分", "向量分", "向量名次", "BM25分", "BM25名次", "段落"]


def tree_html(title: str, chunks: Sequence[dict[str, object]]) -> str:
    """A document's section tree (from its chunks' section paths) with each chunk under its section."""
    root: dict[str, Any] = {}
    for meta in sorted(chunks, key=lambda m: int(str(m.get("start", 0)))):
        node = root
        for heading in [h for h in str(meta.get("section", "")).split(" > ") if h] or ["（开头）"]:
            node = node.setdefault(heading, {})
        node.setdefault("\x00chunks", []).append(meta)

    def render(node: dict[str, Any]) -> str:
        items = []
        for key, child in node.items():
            if key == "\x00chunks":
                continue
            chunk_list = "".join(
                f'<li><span class="src-meta">[{_e(str(m.get("start")))}–{_e(str(m.get("end")))}]</span> '
                f"{_e(str(m.get('text', ''))[:160])}</li>"
                for m in child.get("\x00chunks", [])
            )
            items.append(f"<li><b>{_e(key)}</b><ul>{chunk_list}{render(child)}</ul></li>")
        return "".join(items)

    return f'<div class="tree"><h4>{_e(title)}</h4><ul>{render(root)}</ul></div>'
