"""This round's answer and draft paths with the local_llm tier's real Qwen2.5 0.5B (llama-cpp-python): a
model-proposed outline, a draft by sections, and a numeric comparison answered from the 指标台账 while a
model is the writer. What holds for any model: bounded time, headings a clerk can use (or the reports'
own with a note saying the model's were not), every drafted sentence cited, the ledger's figures quoted
exactly. Part of the tier: see tests/conftest.py, local_models_dir.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.cli_draft import outline_proposer
from assistant.config import Settings
from assistant.eval.metrics import uncited_sentences
from assistant.generation.llm.outline import FALLBACK_NOTE, LLMOutlineProposer
from assistant.generation.outline import MAX_SECTIONS, MIN_SECTIONS
from assistant.generation.sections import SectionDrafter
from assistant.local_models import CATALOG
from assistant.services import Services

pytestmark = [pytest.mark.integration, pytest.mark.local_llm]

TOPIC = "2023年乡村振兴工作总结"


@pytest.fixture(scope="module")
def services(local_models_dir: Path, seeded: dict[str, Any]) -> Services:
    qwen = local_models_dir / CATALOG["qwen2.5-0.5b"].file_name
    settings = Settings(store_dir=seeded["store"], llm_gguf=qwen, llm_timeout_s=300, llm_max_retries=0)
    return Services.open(settings)


def test_the_model_proposes_an_outline_or_the_reports_headings_come_with_a_note(services: Services) -> None:
    proposer = outline_proposer(services, writer="llm")
    assert isinstance(proposer, LLMOutlineProposer), "a configured model writes the outline"
    started = time.perf_counter()
    outline = proposer.propose(TOPIC, "总结")
    assert time.perf_counter() - started < 300
    texts = [h.text for h in outline.headings]
    assert MIN_SECTIONS <= len(texts) <= MAX_SECTIONS, texts
    assert all(t.strip() and not re.match(r"^[一二三四五六七八九十]+、", t) for t in texts), texts
    assert len(set(texts)) == len(texts), texts
    sources = {h.source for h in outline.headings}
    if sources == {"llm"}:
        assert FALLBACK_NOTE not in outline.notes
    else:  # the model's reply was unusable: the reports' own headings, and the note says so
        assert sources == {"retrieval"} and FALLBACK_NOTE in outline.notes, (sources, outline.notes)


def test_a_model_drafts_each_section_cited(services: Services) -> None:
    drafter = SectionDrafter(services.drafter(writer="llm"))
    drafted = drafter.draft(TOPIC, ["推进乡村产业发展", "加强基层党建"], length=400)
    assert [s.heading for s in drafted.sections] == ["推进乡村产业发展", "加强基层党建"]
    for section in drafted.sections:
        answer = section.answer
        if answer.abstained:
            continue
        assert answer.citations, section.heading
        if answer.mode == "llm":
            assert uncited_sentences(answer.answer) == 0, answer.answer
        else:
            assert answer.notes, "a note says why the model's text was not used"
    whole = drafted.assembled()
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", whole.answer)]
    assert list(dict.fromkeys(numbers)) == list(range(1, len(whole.citations) + 1)), "renumbered in order"


def test_a_comparison_is_answered_from_the_ledger_with_a_model_configured(services: Services) -> None:
    answer = services.answerer(writer="llm").ask("各乡2023年调解矛盾纠纷分别有多少起？")
    assert not answer.abstained
    for figure in ("432起", "71起"):
        assert figure in answer.answer, answer.answer
    quotes = {c.n: c.quote for c in answer.citations}
    for line in answer.answer.splitlines():
        for n in re.findall(r"\[(\d+)\]", line):
            assert quotes[int(n)] in line, "each figure's line quotes its cited sentence exactly"
    assert answer.unsupported_numbers == [] or all(re.fullmatch(r"20\d\d", x) for x in answer.unsupported_numbers)
