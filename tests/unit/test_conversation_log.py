"""The 问答 tab's saved conversations without Gradio: each answered turn saved for its user, reopened with
its citations, renamed, deleted, exported to .md/.docx with the citations."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from assistant.store.conversations import FILE_NAME, ConversationStore
from assistant.types import Answer, Citation
from assistant.ui.chat_tab import answered, model_history, said
from assistant.ui.conversations import ConversationLog
from assistant.ui.inputs import UserError

CITE = Citation(
    1, "002", "一、总结", "推出6条线路。", "一是…推出6条线路。", "002-abc", "安民乡2023年工作总结", "安民乡"
)
ENTRY = {"n": "1", "doc": "002", "chunk": "002-abc", "quote": "推出6条线路。"}
CITED = [ENTRY | {"title": CITE.title, "section": "一、总结"}]


def log_at(tmp_path: Path) -> ConversationLog:
    return ConversationLog(ConversationStore(tmp_path / FILE_NAME), tmp_path / "exports", clock=lambda: 0.0)


def chat_turn(question: str, text: str = "推出6条线路。[1]") -> list[dict[str, object]]:
    answer = Answer(question, text, False, [CITE], [], "extractive")
    return [said("user", question), answered(answer, "原文摘录")]


def test_a_turn_starts_a_conversation_titled_by_its_question_and_the_next_one_goes_into_it(tmp_path: Path) -> None:
    log = log_at(tmp_path)
    first = log.record("a", None, chat_turn("安民乡几条线路？"), CITED)
    again = log.record("a", first, chat_turn("那X乡呢？", "X乡1200万元。[1]"), CITED)
    assert again == first
    assert [label.split(" · ")[0] for label, _ in log.choices("a")] == ["安民乡几条线路？"]
    restored = log.reopen("a", first)
    assert restored is not None
    chat, cited = restored
    assert chat[:2] == chat_turn("安民乡几条线路？"), "the chat shows what it showed"
    assert cited == [CITED, CITED], "each answer's `[n]` opens what it opened"
    history = model_history(chat)
    assert [m["content"] for m in history][::2] == ["安民乡几条线路？", "那X乡呢？"]
    assert "X乡1200万元。[1]" in history[3]["content"] and "作答" not in history[3]["content"]


def test_another_users_id_never_takes_a_turn_nor_opens(tmp_path: Path) -> None:
    log = log_at(tmp_path)
    theirs = log.record("b", None, chat_turn("b 的问题"), CITED)
    mine = log.record("a", theirs, chat_turn("a 的问题"), CITED)
    assert mine != theirs
    assert log.reopen("a", theirs) is None and log.reopen("b", mine) is None
    b_chat = log.reopen("b", theirs)
    assert b_chat is not None and len(b_chat[0]) == 2
    with pytest.raises(UserError):
        log.export("a", theirs)
    with pytest.raises(UserError):
        log.delete("a", theirs)
    with pytest.raises(UserError):
        log.rename("a", theirs, "改")
    assert [label.split(" · ")[0] for label, _ in log.choices("b")] == ["b 的问题"]


def test_rename_needs_a_title_and_delete_forgets(tmp_path: Path) -> None:
    log = log_at(tmp_path)
    cid = log.record("a", None, chat_turn("问题"), CITED)
    with pytest.raises(UserError, match="标题"):
        log.rename("a", cid, "  ")
    log.rename("a", cid, "新标题")
    assert log.title("a", cid) == "新标题"
    log.delete("a", cid)
    assert log.choices("a") == [] and log.reopen("a", cid) is None


def test_the_export_lists_each_answers_citations_with_title_section_and_quote(tmp_path: Path) -> None:
    log = log_at(tmp_path)
    cid = log.record("a", None, chat_turn("安民乡几条线路？ 见 http://evil.example/x"), CITED)
    log.record("a", cid, chat_turn("那X乡呢？", "X乡1200万元。[1]"), CITED)
    docx_path, md_path = log.export("a", cid)
    assert docx_path.parent == md_path.parent == tmp_path / "exports"
    md = md_path.read_text(encoding="utf-8")
    assert md.count("参考来源") == 2
    assert "- \\[1\\] 安民乡2023年工作总结 · 一、总结：“推出6条线路。”" in md
    assert "X乡1200万元。[1]" in md and "http" not in md and "〔链接已移除〕" in md
    paragraphs = [p.text for p in docx.Document(str(docx_path)).paragraphs]
    assert "问：那X乡呢？" in paragraphs
    assert paragraphs.count("[1] 安民乡2023年工作总结 · 一、总结：“推出6条线路。”") == 2
    with pytest.raises(UserError):
        log.export("a", None)
