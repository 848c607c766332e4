"""Reports in Traditional characters through the real CLI, real embedder and real store.

Two seeds are converted with OpenCC (000 to Traditional, s2t, saved as UTF-8; 002 to Taiwan
Traditional, s2tw, saved in Big5) and ingested beside the other three Simplified seeds. Before
script folding their township was not found, their kind was 其他, and a Simplified question about
安民乡 was told there is no such report.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import opencc
import pytest

from assistant.ingest.clean import clean_text
from assistant.script import has_traditional
from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.integration

TRAD_000 = "000_5083355e1d56cec0"  # XX县XX乡…工作总结暨…重点工作安排, as Traditional UTF-8
BIG5_002 = "002_501c0fb6689f0a4e"  # 安民乡…工作总结和…工作思路要点, as Big5 (Taiwan forms)
SIMPLIFIED_004 = "004_b0ba3482a421c3a8"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("traditional")
    corpus = base / "reports"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        if not path.stem.startswith(("000", "002")):
            shutil.copy(path, corpus / path.name)
    trad = opencc.OpenCC("s2t").convert((SEEDS / f"{TRAD_000}.txt").read_text(encoding="utf-8"))
    (corpus / f"{TRAD_000}.txt").write_text(trad, encoding="utf-8")
    taiwan = opencc.OpenCC("s2tw").convert((SEEDS / f"{BIG5_002}.txt").read_text(encoding="utf-8"))
    (corpus / f"{BIG5_002}.txt").write_bytes(taiwan.encode("big5"))
    store = base / "store"
    out = run_cli(["ingest", str(corpus), "--json"], store)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["files"] == 5 and report["errors"] == [], report
    return {"store": store, "sources": {TRAD_000: clean_text(trad), BIG5_002: clean_text(taiwan)}}


def _ask(mixed: dict[str, Any], question: str) -> dict[str, Any]:
    out = run_cli(["ask", question, "--writer", "extractive", "--json"], mixed["store"])
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def test_docs_show_the_township_kind_and_years_of_traditional_reports(mixed: dict[str, Any]) -> None:
    out = run_cli(["docs", "--json"], mixed["store"])
    assert out.returncode == 0, out.stderr
    docs = {d["doc_id"]: d for d in json.loads(out.stdout)["documents"]}
    assert docs[TRAD_000]["township"] == "XX乡"
    assert docs[BIG5_002]["township"] == "安民乡"
    assert docs[BIG5_002]["place_level"] == "乡级"
    assert docs[TRAD_000]["kind"] == docs[BIG5_002]["kind"] == "总结"
    assert docs[TRAD_000]["years"] == docs[BIG5_002]["years"] == "2023,2024"
    # The title is shown as the report writes it.
    assert docs[BIG5_002]["title"] == "安民鄉2023年工作總結和2024年工作思路要點"
    assert docs[TRAD_000]["title"] == "XX縣XX鄉2023年工作總結暨2024年重點工作安排"


@pytest.mark.parametrize(
    ("question", "doc", "figure", "quoted"),
    [
        ("去年安民乡搞了几条红色旅游线路？", BIG5_002, "6條", "推出6條紅色旅遊精品線路"),
        ("安民乡革命老区乡村振兴共富项目估算要投多少钱？", BIG5_002, "1.31億元", "項目估算投資1.31億元"),
        ("西茶谷所在的乡2023年干茶总产量有多少？", TRAD_000, "5000噸", "全年幹茶生產量達5000噸"),
    ],
)
def test_a_simplified_question_is_answered_from_a_traditional_report_with_exact_quotes(
    mixed: dict[str, Any], question: str, doc: str, figure: str, quoted: str
) -> None:
    answer = _ask(mixed, question)
    assert not answer["abstained"], answer["answer"]
    assert figure in answer["answer"]
    assert answer["question"] == question
    cited = [c for c in answer["citations"] if c["doc"] == doc]
    assert cited, answer["citations"]
    source = mixed["sources"][doc]
    assert quoted in answer["answer"] and quoted in source  # the answer copies the report's sentence
    for c in cited:  # quotes and passages are the source's own characters
        assert c["quote"] in source and has_traditional(c["quote"]), c["quote"]
        assert c["text"] in source


@pytest.mark.parametrize(
    ("question", "figures", "quoted"),
    [
        ("2021—2022年的耕地流出圖斑整治了多少個？面積多大？", ["728个", "3647.94亩"], "耕地流出图斑整治728个"),
        ("述職報告裡，2023年糧食播種面積完成了多少？", ["5.27万亩"], "完成粮食播种面积5.27万亩"),
    ],
)
def test_a_traditional_question_is_answered_from_the_simplified_seeds(
    mixed: dict[str, Any], question: str, figures: list[str], quoted: str
) -> None:
    answer = _ask(mixed, question)
    assert not answer["abstained"], answer["answer"]
    assert all(f in answer["answer"] for f in figures), answer["answer"]
    assert answer["question"] == question  # repeated as typed
    seed = clean_text((SEEDS / f"{SIMPLIFIED_004}.txt").read_text(encoding="utf-8"))
    assert quoted in answer["answer"]
    quotes = [c["quote"] for c in answer["citations"] if c["doc"] == SIMPLIFIED_004]
    assert quotes and all(q in seed for q in quotes), quotes


def test_lexical_search_finds_reports_across_scripts(mixed: dict[str, Any]) -> None:
    out = run_cli(["search", "安民乡红色旅游精品线路", "--mode", "lexical", "--json"], mixed["store"])
    assert out.returncode == 0, out.stderr
    top = json.loads(out.stdout)["passages"][0]
    assert top["doc"] == BIG5_002
    assert "紅色旅遊精品線路" in top["text"]  # the stored chunk is the source's text
    out = run_cli(["search", "耕地流出圖斑整治", "--mode", "lexical", "--json"], mixed["store"])
    assert json.loads(out.stdout)["passages"][0]["doc"] == SIMPLIFIED_004


def test_a_question_scoped_to_a_traditional_report_place_is_not_refused(mixed: dict[str, Any]) -> None:
    out = run_cli(["search", "红色旅游", "--township", "安民乡", "--json"], mixed["store"])
    assert out.returncode == 0, out.stderr
    passages = json.loads(out.stdout)["passages"]
    assert passages and {p["doc"] for p in passages} == {BIG5_002}
