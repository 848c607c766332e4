"""The saved conversations' SQLite store: per-user isolation, rename/delete, bad ids, unicode, reopening."""

from __future__ import annotations

import sqlite3
from itertools import count
from pathlib import Path

import pytest

from assistant.store.conversations import (
    FILE_NAME,
    SCHEMA_VERSION,
    ConversationError,
    ConversationStore,
    StoredMessage,
    default_title,
)

CITES = [{"n": "1", "doc": "002", "chunk": "002-a", "quote": "推出6条线路。", "title": "安民乡总结", "section": "一"}]


def store_at(tmp_path: Path) -> ConversationStore:
    ticks = count(1000)
    return ConversationStore(tmp_path / FILE_NAME, clock=lambda: float(next(ticks)))


def turn(question: str, answer: str = "推出6条线路。[1]") -> list[StoredMessage]:
    return [StoredMessage("user", question, question), StoredMessage("assistant", f"<p>{answer}</p>", answer, CITES)]


def test_a_user_never_sees_or_changes_another_users_conversation(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    mine = store.create("a", "安民乡几条线路？")
    assert store.append("a", mine, turn("安民乡几条线路？"))
    assert [c.id for c in store.list("a")] == [mine] and store.list("b") == []
    assert store.load("b", mine) is None
    assert not store.append("b", mine, turn("插入？"))
    assert not store.rename("b", mine, "改掉") and not store.delete("b", mine)
    kept = store.load("a", mine)
    assert kept is not None and kept.title == "安民乡几条线路？" and len(kept.messages) == 2
    theirs = store.create("b", "b 的问题")
    assert [c.id for c in store.list("b")] == [theirs] and [c.id for c in store.list("a")] == [mine]


def test_messages_come_back_in_order_with_their_citations(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    cid = store.create("a", "第一问")
    store.append("a", cid, turn("第一问"))
    store.append("a", cid, turn("第二问", "第二答"))
    loaded = store.load("a", cid)
    assert loaded is not None
    assert [m.role for m in loaded.messages] == ["user", "assistant"] * 2
    assert [m.text for m in loaded.messages] == ["第一问", "推出6条线路。[1]", "第二问", "第二答"]
    assert loaded.messages[1].citations == CITES and loaded.messages[0].citations is None
    assert loaded.messages[3].content == "<p>第二答</p>"


def test_the_latest_updated_conversation_is_listed_first(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    old, new = store.create("a", "旧"), store.create("a", "新")
    assert [c.id for c in store.list("a")] == [new, old]
    store.append("a", old, turn("旧的追问"))
    assert [c.id for c in store.list("a")] == [old, new]


def test_rename_trims_and_delete_removes_the_messages(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    cid = store.create("a", "原标题")
    store.append("a", cid, turn("原标题"))
    assert store.rename("a", cid, "  新的\n标题  ")
    assert store.list("a")[0].title == "新的 标题"
    assert store.delete("a", cid)
    assert store.load("a", cid) is None and store.list("a") == []
    assert not store.delete("a", cid), "deleting twice says there was nothing"
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        assert db.execute("SELECT COUNT(*) FROM messages").fetchone() == (0,)


@pytest.mark.parametrize("bad", [None, "", "nope", "' OR '1'='1", "%", "0" * 32])
def test_bad_ids_open_nothing_and_change_nothing(tmp_path: Path, bad: str | None) -> None:
    store = store_at(tmp_path)
    cid = store.create("a", "问题")
    assert store.load("a", bad) is None
    assert not store.rename("a", str(bad), "x") and not store.delete("a", str(bad))
    assert not store.append("a", str(bad), turn("x"))
    assert [c.id for c in store.list("a")] == [cid] and store.list("a")[0].title == "问题"


def test_unicode_text_round_trips(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    text = "乡镇𠮷野家 🚜 “引号” é\u0301 \u200b <b>&amp;</b> \\n 末尾"
    user = "用户·甲"
    cid = store.create(user, text)
    store.append(user, cid, [StoredMessage("user", text, text), StoredMessage("assistant", text, text, [{"q": text}])])
    loaded = store.load(user, cid)
    assert loaded is not None and loaded.title == default_title(text)
    assert loaded.messages[0].content == text and loaded.messages[1].citations == [{"q": text}]
    assert store.list("用户·乙") == []


def test_titles_default_to_the_trimmed_first_question() -> None:
    assert default_title("  安民乡\n几条线路？ ") == "安民乡 几条线路？"
    assert default_title("") == "新对话"
    long = "很" * 100
    assert len(default_title(long)) == 40 and default_title(long).endswith("…")


def test_everything_survives_reopening_the_file(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    cid = store.create("a", "问题")
    store.append("a", cid, turn("问题"))
    again = ConversationStore(tmp_path / FILE_NAME)
    loaded = again.load("a", cid)
    assert loaded is not None and [m.text for m in loaded.messages] == ["问题", "推出6条线路。[1]"]
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)


def test_a_newer_schema_or_a_file_that_is_not_a_database_is_refused_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    ConversationStore(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(ConversationError, match="更新的版本"):
        ConversationStore(path)
    broken = tmp_path / "broken" / FILE_NAME
    broken.parent.mkdir()
    broken.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConversationError, match="无法打开对话记录"):
        ConversationStore(broken)
