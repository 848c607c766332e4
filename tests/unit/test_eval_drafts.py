"""Draft metrics: the verbatim-copy share, uncited sentences, the style a topic asks for, and the draft
figures of a run (per item and overall)."""

from __future__ import annotations

import pytest

from assistant.eval.dataset import QAItem
from assistant.eval.metrics import COPY_RUN, copied_share, draft_style, uncited_sentences
from assistant.eval.runner import evaluate_item, summarise
from assistant.types import Answer, Citation, Passage

SOURCE = "推出6条红色旅游精品线路，先后入选全国建党百年红色旅游百条精品线路、长三角20条红色旅游精品线路。"
OTHER = "安岱后中央红色美丽村庄项目顺利验收，打造红色教学体系，目前已开发现场教学点9处。"


def test_a_copied_draft_scores_one_and_a_rewritten_one_zero() -> None:
    assert copied_share(SOURCE + "[1]", [SOURCE]) == 1.0
    assert copied_share("安民乡深挖红色资源，推出了6条精品线路[1]。", [SOURCE]) == 0.0
    assert copied_share("", [SOURCE]) == 0.0


def test_only_runs_of_twenty_characters_from_one_passage_count() -> None:
    run = SOURCE[:COPY_RUN]
    new = "这是模型自己写的二十个字以上的一句话内容。"
    assert copied_share(run + new, [SOURCE]) == pytest.approx(COPY_RUN / (COPY_RUN + len(new)), abs=1e-4)
    assert copied_share(SOURCE[: COPY_RUN - 1] + new, [SOURCE]) == 0.0, "a 19-character run is not copying"
    # 12 characters from each of two passages, side by side: no 20-character run from one passage.
    assert copied_share(SOURCE[:12] + OTHER[:12], [SOURCE, OTHER]) == 0.0
    # Two runs from two passages both count.
    assert copied_share(SOURCE[:25] + OTHER[:25], [SOURCE, OTHER]) == 1.0


def test_markers_whitespace_and_width_do_not_break_a_run() -> None:
    spaced = SOURCE[:10] + "[1] " + SOURCE[10:30].replace("6", "６") + "\n"
    assert copied_share(spaced, [SOURCE]) == 1.0


def test_uncited_sentences_leave_out_the_undisclosed_note() -> None:
    assert uncited_sentences("甲完成[1]。乙完成。丙完成[2]。") == 1
    assert uncited_sentences("甲完成XX次[1]。\n（注：原文中写作“XX”的数字为原文未披露具体数字。）") == 0
    assert uncited_sentences("") == 0


@pytest.mark.parametrize(
    ("topic", "style"),
    [
        ("安民乡2023年红色旅游工作总结", "总结"),
        ("X乡2023年兜底民生保障工作小结", "总结"),
        ("帮我起草一份X乡2024年生态环境保护工作计划", "计划"),
        ("替写述职报告的那个乡拟一份2024年农村人居环境整治工作方案", "计划"),
        ("有龙鳞坝的那个乡，帮忙拟个2024年民宿和乡村旅游发展思路", "计划"),
    ],
)
def test_the_style_a_topic_asks_for(topic: str, style: str) -> None:
    assert draft_style(topic) == style


def _draft(text: str, mode: str, ms: int) -> Answer:
    passage = Passage("c1", "002", "一、2023年工作总结", SOURCE, 0.03, 1, {})
    citation = Citation(1, "002", passage.section, SOURCE, SOURCE, "c1")
    return Answer("起草", text, False, [citation], [], mode, ms, [passage])


def test_a_run_reports_the_drafts_copy_share_uncited_sentences_and_latency() -> None:
    item = QAItem("d1", "draft", "安民乡2023年红色旅游工作总结")
    copied = evaluate_item(item, _draft(SOURCE + "[1]", "extractive", 2000))
    written = evaluate_item(item, _draft("安民乡深挖红色资源，推出了6条精品线路[1]。成效明显。", "llm", 4000))
    assert (copied.copied_share, copied.uncited_sentences) == (1.0, 0)
    assert (written.copied_share, written.uncited_sentences) == (0.0, 1)
    fact = evaluate_item(QAItem("q1", "fact", "几条？", ("6条",)), _draft(SOURCE + "[1]", "llm", 10))
    assert fact.copied_share is None and fact.uncited_sentences is None
    s = summarise([copied, written, fact])
    assert s["drafts.copied_share"] == 0.5 and s["drafts.uncited_sentences"] == 1
    assert s["latency.draft_p50_ms"] == 2000.0 and s["latency.ask_p50_ms"] == 10.0
    empty = summarise([])
    assert (empty["drafts.copied_share"], empty["drafts.uncited_sentences"], empty["latency.draft_p50_ms"]) == (0, 0, 0)


def test_the_run_times_the_first_text_shown_through_the_stream() -> None:
    import time
    from collections.abc import Iterator

    from assistant.eval.runner import run

    def streamed(question: str, filters: object = None) -> Iterator[str | Answer]:
        time.sleep(0.05)
        yield "安民乡推出"  # the first delta: what the user sees first
        time.sleep(0.2)
        yield Answer(question, "安民乡推出6条红色旅游精品线路[1]。", False, [], [], "llm", latency_ms=250)

    def whole(question: str, filters: object = None) -> Iterator[str | Answer]:
        time.sleep(0.1)
        yield Answer(question, "资料中未找到。", True, [], [], "extractive", latency_ms=100)

    items = [
        QAItem("a", "fact", "安民乡推出了几条红色旅游精品线路？", ("6条",)),
        QAItem("b", "unanswerable", "问"),
    ]
    results = run(items, lambda q, f: streamed(q) if "安民乡" in q else whole(q), whole)
    assert results[0].first_text_ms is not None and 40 <= results[0].first_text_ms < 200
    assert results[1].first_text_ms is not None and results[1].first_text_ms >= 90  # no delta: the answer itself
    figures = summarise(results)
    assert figures["latency.first_text_p50_ms"] <= figures["latency.first_text_p95_ms"]


def test_an_items_filters_reach_the_answer_path(tmp_path) -> None:
    import json
    from collections.abc import Iterator

    from assistant.eval.dataset import DatasetError, load_qa
    from assistant.eval.runner import run
    from assistant.types import Filters

    lines = [
        {
            "id": "f1",
            "kind": "fact",
            "question": "财税收入多少？",
            "expected": ["1200万元"],
            "filters": {"township": "X乡", "year": 2023},
        },
        {"id": "f2", "kind": "unanswerable", "question": "问"},
    ]
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    seen: list[object] = []

    def asked(question: str, filters: Filters | None) -> Iterator[str | Answer]:
        seen.append(filters)
        yield Answer(question, "资料中未找到。", True, [], [], "extractive")

    run(load_qa(path), asked, asked)
    assert seen == [Filters(township="X乡", year=2023), None]
    for bad in ({"town": "X乡"}, {"year": "2023"}, {"township": ""}, ["X乡"]):
        path.write_text(json.dumps({**lines[0], "filters": bad}, ensure_ascii=False) + "\n", encoding="utf-8")
        with pytest.raises(DatasetError, match="filters 应为对象"):
            load_qa(path)
