"""The feedback store (SQLite, WAL, schema version), the API payload, and the export as a Q&A set:
expected strings taken from corrections, quotes trimmed to the sentence that holds them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assistant.eval.dataset import load_qa
from assistant.eval.metrics import norm
from assistant.feedback.export import as_qa_items, expected_strings, export, trimmed_quotes
from assistant.feedback.payload import from_payload
from assistant.feedback.store import SCHEMA_VERSION, Feedback, FeedbackError, FeedbackStore
from assistant.types import Filters
from tests.conftest import SEEDS

# A passage as retrieval returns it (seed report 001), headings included.
PASSAGE = (
    "一、2023年工作总结\n（一）坚持稳中求进基调\n拓展财税来源，夯实财政基础。通过不断营造“四最”营商环境，"
    "引进物流企业2家，2023年完成财税1200万元，乡财力得到进一步的夯实。森林覆盖率达56％。"
)
DOC = "001_dfb12432eec8a521"


def down(question: str, correction: str, **kw: str) -> Feedback:
    return Feedback(question=question, rating="down", reason=kw.pop("reason", "数字有误"), correction=correction, **kw)


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore.in_store(tmp_path / "store")


def test_store_round_trip_with_wal_and_schema_version(store: FeedbackStore) -> None:
    assert store.items() == []  # no file yet: no items, nothing created
    assert not store.path.exists()
    first = store.add(
        Feedback(
            question=" X乡财税收入多少？ ",
            rating="down",
            reason="数字有误",
            answer="2023年完成财税1100万元。[1]",
            citations=[{"n": 1, "doc": DOC, "quote": "完成财税1200万元"}],
            mode="extractive",
            model="原文摘录",
            correction="1200万元",
            evidence_doc=DOC,
            evidence_quote=PASSAGE,
            filters={"township": "X乡", "year": None},
            user="alice",
        )
    )
    second = store.add(Feedback(question="安民乡红色旅游线路？", rating="up", kind="answer"))
    assert (first, second) == (1, 2)
    items = store.items()
    assert [i.id for i in items] == [1, 2]
    one = items[0]
    assert one.question == "X乡财税收入多少？" and one.user == "alice" and one.model == "原文摘录"
    assert one.citations[0]["quote"] == "完成财税1200万元" and one.filters == {"township": "X乡"}
    assert one.to_json()["evidence"] == {"doc": DOC, "quote": PASSAGE} and items[1].to_json()["evidence"] is None
    assert items[1].user == "anonymous" and one.time[:2] == "20"
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (Feedback(question="问", rating="meh"), "rating"),
        (Feedback(question="问", rating="down"), "请选择原因"),
        (Feedback(question="问", rating="down", reason="不喜欢"), "原因应为以下之一"),
        (Feedback(question="  ", rating="up"), "缺少问题"),
        (Feedback(question="问", rating="up", kind="chat"), "kind"),
        (Feedback(question="问", rating="up", evidence_doc=DOC), "同时给出"),
        (Feedback(question="问", rating="down", reason="其他", correction="长" * 2001), "正确答案 太长"),
    ],
)
def test_bad_feedback_is_refused_in_chinese(store: FeedbackStore, item: Feedback, message: str) -> None:
    with pytest.raises(FeedbackError, match=message):
        store.add(item)
    assert store.items() == []


def test_a_newer_schema_is_refused(store: FeedbackStore) -> None:
    store.add(Feedback(question="问", rating="up"))
    conn = sqlite3.connect(store.path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(FeedbackError, match="比本程序新"):
        store.items()


def test_payload_takes_the_answer_json_or_the_question() -> None:
    answer = {"question": "X乡财税？", "answer": "1100万元[1]", "citations": [{"n": 1}], "mode": "llm", "passages": []}
    item = from_payload(
        {"answer": answer, "rating": "down", "reason": "数字有误", "correction": "1200万元", "model": "本地模型"},
        "bob",
    )
    assert (item.question, item.answer, item.mode, item.user, item.rating) == (
        "X乡财税？",
        "1100万元[1]",
        "llm",
        "bob",
        "down",
    )
    plain = from_payload({"question": "问", "rating": "👍", "evidence": {"doc": DOC, "quote": "原文"}}, "anonymous")
    assert plain.rating == "up" and plain.evidence_doc == DOC
    with pytest.raises(FeedbackError, match="未知字段：score"):
        from_payload({"question": "问", "rating": "up", "score": 5}, "x")
    with pytest.raises(FeedbackError, match="rating"):
        from_payload({"question": "问", "rating": [1]}, "x")
    with pytest.raises(FeedbackError, match="JSON 对象"):
        from_payload(["问"], "x")
    with pytest.raises(FeedbackError, match="evidence"):
        from_payload({"question": "问", "rating": "up", "evidence": "原文"}, "x")


def test_expected_strings_from_corrections() -> None:
    assert expected_strings("应该是1200万", PASSAGE) == ["1200万元"]  # written as the passage writes it
    assert expected_strings("2023年财税1200万元，覆盖率56%", PASSAGE) == ["1200万元", "56％"]  # year skipped
    assert expected_strings("叫“安民三笋”", "") == ["安民三笋"]
    assert expected_strings("两家", "引进物流企业2家") == ["2家"]  # read loosely only to match the passage
    assert expected_strings("9条", "现场教学点9处，推出6条线路") == ["9条"]  # same value, another unit: kept
    assert expected_strings("枫坪乡、坪安里。", "") == ["枫坪乡", "坪安里"]
    assert expected_strings("这个回答把两个乡的工作混在一起了，应该只说本乡的情况才对", "") == []


def test_expected_strings_rebuild_the_seed_sets_answers() -> None:
    """Each fact item of the dev and held-out sets, its expected strings typed as a correction and its
    quotes as the chosen passage: the extraction gives the same strings, or a part of each."""
    items = [json.loads(line) for f in ("dev.jsonl", "heldout.jsonl") for line in (SEEDS / "qa" / f).open()]
    facts = [x for x in items if x["kind"] == "fact"]
    exact = 0
    for x in facts:
        passage = "。".join(e["quote"] for e in x["evidence"])
        got = expected_strings("、".join(x["expected"]), passage)
        assert len(got) == len(x["expected"]), (x["id"], got)
        assert all(norm(g) in norm(e) for g, e in zip(got, x["expected"], strict=True)), (x["id"], got)
        exact += got == x["expected"]
    assert len(facts) >= 50 and exact / len(facts) >= 0.9, exact


def test_quotes_are_trimmed_to_the_sentences_holding_the_answer() -> None:
    assert trimmed_quotes(PASSAGE, ["1200万元"]) == [
        "通过不断营造“四最”营商环境，引进物流企业2家，2023年完成财税1200万元，乡财力得到进一步的夯实"
    ]
    both = trimmed_quotes(PASSAGE, ["1200万元", "56％"])
    assert len(both) == 2 and both[1] == "森林覆盖率达56％"
    assert all(q in PASSAGE for q in both)
    head = trimmed_quotes(PASSAGE, ["9999万元"])  # not in the passage: its first sentences
    assert len(head) == 1 and PASSAGE.startswith(head[0]) and len(head[0]) <= 120


def test_export_writes_corrected_items_in_the_qa_format(store: FeedbackStore, tmp_path: Path) -> None:
    store.add(Feedback(question="没有纠正的", rating="up"))
    store.add(down("X乡财税收入多少？", "1100万元", evidence_doc=DOC, evidence_quote=PASSAGE))
    store.add(down("X乡财税收入多少？", "1200万", evidence_doc=DOC, evidence_quote=PASSAGE))  # replaces the one before
    store.add(down("X乡2025年财税多少？", "资料中没有2025年的数字", reason="答非所问"))
    store.add(down("X乡森林覆盖率？", "56%", reason="应能回答"))
    store.add(down("X乡的亮点？", "这个回答把两个乡的工作混在一起了，应该只说本乡的情况才对", reason="其他"))
    store.add(
        down(
            "X乡2023年工作总结",
            "应写财税1200万元",
            kind="draft",
            reason="引用不对",
            evidence_doc=DOC,
            evidence_quote=PASSAGE,
        )
    )
    result = export(store.items())
    assert [s[0] for s in result.skipped] == [6]
    lines = {x["id"]: x for x in result.items}
    assert list(lines) == ["fb3", "fb4", "fb5", "fb7"]
    fact = lines["fb3"]
    assert fact["kind"] == "fact" and fact["expected"] == ["1200万元"] and fact["tags"] == ["feedback"]
    assert fact["evidence"] == [{"doc": DOC, "quote": trimmed_quotes(PASSAGE, ["1200万元"])[0]}]
    assert lines["fb4"]["kind"] == "unanswerable" and lines["fb4"]["expected"] == [] == lines["fb4"]["evidence"]
    assert lines["fb5"]["kind"] == "fact" and lines["fb5"]["expected"] == ["56%"]  # 应能回答: answerable
    assert lines["fb7"]["kind"] == "draft" and lines["fb7"]["expected"] == [] and lines["fb7"]["evidence"]
    path = tmp_path / "fb.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in result.items), encoding="utf-8")
    qa = load_qa(path)  # the eval's own reader accepts it
    assert [i.kind for i in qa] == ["fact", "unanswerable", "fact", "draft"] and qa[0].tags == ("feedback",)


def test_the_item_and_export_shapes_are_pinned_and_in_the_contract(store: FeedbackStore) -> None:
    from tests.unit.test_contracts import section

    store.add(down("X乡财税收入多少？", "1200万", evidence_doc=DOC, evidence_quote=PASSAGE))
    item = store.items()[0].to_json()
    line = export(store.items()).items[0]
    item_keys = {"id", "time", "user", "kind", "question", "answer", "citations", "mode", "model", "rating"}
    assert set(item) == item_keys | {"reason", "correction", "evidence", "filters"}
    assert set(line) == {"id", "kind", "question", "expected", "evidence", "tags", "feedback_id", "reason"}
    store.add(down("财税收入多少？", "1200万", filters={"township": "X乡", "year": "2023", "kind": "全部"}))
    filtered = export(store.items()).items[-1]
    assert filtered["filters"] == {"township": "X乡", "year": 2023}, "the asker's filters, as the Q&A format has them"
    (again,) = as_qa_items([filtered])
    assert again.search_filters() == Filters(township="X乡", year=2023)
    text = section("Feedback")
    assert [k for k in sorted(set(item) | set(line)) if f"`{k}`" not in text and f'"{k}"' not in text] == []
