"""`assistant draft --outline` and `--outline-file` / `--sections` on the seeded store (the real
bundled embedder, persistent Chroma), the outline edited in between as a clerk would."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import docx
import pytest

from assistant.eval.metrics import uncited_sentences
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

TOPIC = "2023年乡村振兴工作总结"
NUMERALS = "一二三四五六七"


def test_outline_then_draft_by_sections_from_the_edited_file(seeded: dict[str, Any], tmp_path: Path) -> None:
    out = run_cli(["draft", "--outline", TOPIC, "--json"], seeded["store"])
    assert out.returncode == 0, out.stderr
    outline = json.loads(out.stdout)
    assert outline["topic"] == TOPIC and outline["style"] == "总结"
    headings = outline["headings"]
    assert 3 <= len(headings) <= 7
    assert [h["heading"] for h in headings] == [f"{NUMERALS[i]}、{h['text']}" for i, h in enumerate(headings)]
    assert all(h["source"] == "retrieval" and h["doc"] and h["section"] for h in headings)
    assert any("乡村" in h["text"] or "振兴" in h["text"] for h in headings)

    printed = run_cli(["draft", "--outline", TOPIC], seeded["store"])
    assert printed.stdout.split("\n")[: len(headings)] == [h["heading"] for h in headings]

    # The clerk keeps four headings, the last one first, and saves the outline as a file.
    kept = [h["heading"] for h in headings][:4]
    kept = [kept[-1], *kept[:-1]]
    outline_file = tmp_path / "提纲.txt"
    outline_file.write_text("\n".join(kept) + "\n", encoding="utf-8")
    saved = tmp_path / "草稿.docx"
    out = run_cli(["draft", "--outline-file", str(outline_file), TOPIC, "--json", "--out", str(saved)], seeded["store"])
    assert out.returncode == 0, out.stderr
    drafted = json.loads(out.stdout)
    bare = [re.sub(f"^[{NUMERALS}]、", "", h) for h in kept]
    assert [s["text"] for s in drafted["sections"]] == bare
    assert [s["heading"] for s in drafted["sections"]] == [f"{NUMERALS[i]}、{h}" for i, h in enumerate(bare)]
    for s in drafted["sections"]:
        assert not s["draft"]["abstained"], s
        assert uncited_sentences(s["draft"]["answer"]) == 0
        assert s["draft"]["citations"]
    whole = drafted["draft"]
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", whole["answer"])]
    assert list(dict.fromkeys(numbers)) == list(range(1, len(whole["citations"]) + 1))
    document = docx.Document(str(saved))
    found = [p.text for p in document.paragraphs if re.match(f"^[{NUMERALS}]、", p.text)]
    assert found == [f"{NUMERALS[i]}、{h}" for i, h in enumerate(bare)]


def test_sections_option_and_bad_outlines(seeded: dict[str, Any], tmp_path: Path) -> None:
    out = run_cli(
        ["draft", "--sections", "一、深挖红色资源优势|二、持续整治生态环境", "安民乡2023年红色旅游工作总结"],
        seeded["store"],
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    assert lines[0] == "一、深挖红色资源优势" and "二、持续整治生态环境" in lines
    assert re.search(r"\[1\]", out.stdout)

    empty = run_cli(["draft", "--sections", " | ", "主题"], seeded["store"])
    assert empty.returncode == 2 and "提纲为空" in empty.stderr
    both = run_cli(["draft", "--outline", "--sections", "甲", "主题"], seeded["store"])
    assert both.returncode == 2 and "--outline" in both.stderr
    missing = run_cli(["draft", "--outline-file", str(tmp_path / "无.txt"), "主题"], seeded["store"])
    assert missing.returncode == 2 and "无法读取提纲文件" in missing.stderr
