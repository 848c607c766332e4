"""LLM answers: condense a follow-up, answer extractively, have the model write from that evidence,
verify, fall back.

The extractive path answers first; when it abstains, the model is not asked. Otherwise the model
sees the cited passages' quoted sentences as numbered data blocks and is told to cite them as [n];
markers it leaves out are attached after (generation/evidence.py), and a 资料中未找到 reply gives
the quotes, since the evidence answers the question. After
generation its text is cleaned (remote images, links, HTML and any echo of the system prompt
removed, with a note: a document may tell the model to add them) and the shared citation check
runs: markers pointing at no shown passage are removed, the rest renumbered, and numbers no cited
passage holds are listed in `unsupported_numbers`. An answer with no valid citation, a failed
call, or an interrupted stream gives the extractive answer instead, with a Chinese note saying
why; a partial answer is never returned as complete.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, SystemMessage

from assistant.generation.answer import NOT_FOUND, Answerer
from assistant.generation.citations import MARKER, UNDISCLOSED, placeholder_figures, verify, with_headings
from assistant.generation.compare import covers_more
from assistant.generation.corpus import Corpus
from assistant.generation.evidence import attach_markers, evidence_of
from assistant.generation.llm.client import ChatClient, LLMError, text_of
from assistant.generation.llm.prompts import PromptLibrary, render_history, render_passages
from assistant.generation.paths import History
from assistant.generation.question import RELATIVE_YEARS, Question, analyse
from assistant.generation.sanitize import clean_model_output
from assistant.retrieval import Filters, Searcher
from assistant.types import Answer, DocRecord, Passage

NO_CITATION_NOTE = "模型回答缺少有效引用，已改用原文摘录。"
MODEL_NOT_FOUND_NOTE = "模型未能根据资料作答，已改用原文摘录。"
INCOMPLETE_COMPARE_NOTE = "模型回答遗漏了部分报告，已改用原文摘录。"
FALLBACK_NOTE = "已改用原文摘录回答。"
NO_CONTENT_NOTE = "模型回答只有引用标记或编号、没有内容，已改用原文摘录。"
_NOT_FOUND = re.compile(r"资料中(?:未|没有|并未)(?:找到|提及|提到|涉及|包含)")
_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL)
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_CONDENSE_PREFIX = re.compile(r"^(?:改写后的)?(?:独立)?问题[:：]\s*")
MAX_QUESTION_CHARS = 200


class Reports(Protocol):
    """The ingested documents: the part of assistant.store.PassageStore the report year needs."""

    def documents(self) -> Mapping[str, DocRecord]: ...


class ReportSearcher(Searcher, Protocol):
    """A Searcher that also reaches its store, for the year the reports cover (Retriever is one)."""

    @property
    def store(self) -> Reports: ...


class ExtractiveAnswers(Protocol):
    """What the LLM answer path asks of the extractive one (answer.Answerer is one): the passages for a
    question (or the abstention when none can answer it), and its answer from them: the evidence the
    model is shown, and what the user gets when the model fails."""

    def resolve(self, q: Question, filters: Filters) -> Question: ...

    def ledger_answer(self, q: Question, filters: Filters, partial: bool = False) -> Answer | None: ...

    def retrieve(self, q: Question, filters: Filters) -> tuple[list[Passage], Answer | None]: ...

    def answer_passages(self, q: Question, passages: list[Passage]) -> Answer: ...


def report_year(reports: Reports) -> int:
    """The latest year the ingested reports cover (今年 for a reader of 2023总结/2024计划 reports)."""
    years = [y for record in reports.documents().values() for y in record.years]
    return max(years) if years else datetime.date.today().year


def resolve_relative_years(question: str, year: int) -> str:
    """去年/今年/明年 … → absolute years, counted from `year`."""
    for word, offset in sorted(RELATIVE_YEARS.items(), key=lambda kv: -len(kv[0])):
        question = question.replace(word, f"{year + offset}年")
    return question


def has_words(text: str) -> bool:
    """The reply says something: a Chinese character or a letter outside its [n] markers."""
    return bool(_WORD.search(MARKER.sub("", text)))


def strip_think(text: str) -> str:
    """Reasoning models (DeepSeek-R1, Qwen3) put <think>…</think> before the answer: not for the user."""
    return _THINK.sub("", text)


def says_not_found(text: str) -> bool:
    return bool(_NOT_FOUND.search(text)) or NOT_FOUND in text


class VisibleStream:
    """Turns raw deltas into the deltas the user may see: think blocks held back."""

    def __init__(self) -> None:
        self.raw = ""
        self.shown = ""

    def feed(self, delta: str) -> str:
        self.raw += delta
        visible = strip_think(self.raw).lstrip()
        cut = visible.rfind("<")
        if cut != -1 and "<think>".startswith(visible[cut:]):
            visible = visible[:cut]  # maybe the start of a <think> tag: wait for more
        if not visible.startswith(self.shown):
            return ""
        new, self.shown = visible[len(self.shown) :], visible
        return new


@dataclass
class Generated:
    """What the model produced for a set of passages, before verification."""

    text: str
    shown: list[Passage]
    notes: list[str] = field(default_factory=list)
    system_prompt: str = ""  # what the model was told; a reply repeating it has obeyed a document


def system_text(messages: Sequence[BaseMessage]) -> str:
    """The system messages' text (the rules the model must not be talked into repeating)."""
    return "\n".join(text_of(m.content) for m in messages if isinstance(m, SystemMessage))


def run_model(chat: ChatClient, messages: Sequence[BaseMessage], streaming: bool) -> Generator[str, None, str]:
    """Call the model (streamed or not), yielding visible deltas; returns the whole text. Raises LLMError."""
    if streaming:
        visible = VisibleStream()
        for delta in chat.stream(messages):
            shown = visible.feed(delta)
            if shown:
                yield shown
        text = strip_think(visible.raw)
    else:
        text = strip_think(chat.complete(messages))
    if not text.strip():
        raise LLMError("empty", "模型返回了空回答。")
    return text


def finish_generated(
    question: str,
    generated: Generated,
    passages: list[Passage],
    fallback: Callable[[list[str]], Answer],
    evidence: Sequence[str] | None = None,
) -> Answer:
    """Clean and verify a generated answer; the fallback (with a note) when it cites nothing valid.

    `evidence`: the extractive evidence the model was shown, one text per shown passage. The evidence
    answers the question, so a 资料中未找到 reply gives the fallback; and an answer sentence without a
    marker gets the marker of the evidence behind it (evidence.attach_markers) before the check.
    """
    text, cleaned = clean_model_output(generated.text, generated.system_prompt)
    notes = [*generated.notes, *cleaned]
    if text.strip() and not has_words(text):  # [1] [2] [3] [4] [5], or 1、2、3: markers citing nothing said
        return fallback([*notes, NO_CONTENT_NOTE])
    if evidence is not None:
        if says_not_found(text):
            return fallback([*notes, MODEL_NOT_FOUND_NOTE])
        text = attach_markers(text, evidence)
    checked = verify(text, generated.shown, backing=with_headings)
    if not checked.citations:
        if says_not_found(text):
            return Answer(
                question=question,
                answer=checked.text.strip(),
                abstained=True,
                citations=[],
                unsupported_numbers=checked.unsupported_numbers,
                mode="llm",
                passages=passages,
                notes=notes,
            )
        return fallback([*notes, NO_CITATION_NOTE])
    if checked.removed_markers:
        removed = "、".join(f"[{n}]" for n in dict.fromkeys(checked.removed_markers))
        notes.append(f"已删除指向未检索段落的引用：{removed}")
    if checked.unsupported_numbers:
        notes.append(f"以下数字在所引段落中找不到，请核对：{'、'.join(checked.unsupported_numbers)}")
        notes += [f"待核对：{s.strip()}" for s in checked.flagged_sentences]
    answer_text = checked.text.strip()
    if placeholder_figures(answer_text):
        answer_text += f"\n（注：原文中写作“XX”的数字为{UNDISCLOSED}。）"
    return Answer(
        question=question,
        answer=answer_text,
        abstained=False,
        citations=checked.citations,
        unsupported_numbers=checked.unsupported_numbers,
        mode="llm",
        passages=passages,
        notes=notes,
    )


def drain(steps: Generator[str, None, Answer]) -> Answer:
    """Run a step generator to the end and return its Answer (the non-streaming path)."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def streamed(steps: Generator[str, None, Answer]) -> Iterator[str | Answer]:
    """Deltas, then the final verified Answer (which replaces the streamed text)."""
    answer = yield from steps
    yield answer


def as_client(chat_model: BaseChatModel | ChatClient) -> ChatClient:
    return chat_model if isinstance(chat_model, ChatClient) else ChatClient(chat_model)


class LLMAnswerer:
    """Answers with a chat model over retrieved passages; the extractive Answerer is the fallback."""

    def __init__(
        self,
        retriever: ReportSearcher,
        corpus: Corpus,
        chat_model: BaseChatModel | ChatClient,
        fallback: ExtractiveAnswers | None = None,
        *,
        prompts: PromptLibrary | None = None,
        year: int | None = None,
    ) -> None:
        self.retriever, self.corpus = retriever, corpus
        self.chat = as_client(chat_model)
        self.fallback: ExtractiveAnswers = fallback or Answerer(retriever, corpus)
        self.prompts = prompts or PromptLibrary()
        self._year = year

    @property
    def report_year(self) -> int:
        if self._year is None:
            self._year = report_year(self.retriever.store)
        return self._year

    def ask(self, question: str, filters: Filters | None = None, history: History | None = None) -> Answer:
        """A verified answer, or the extractive one with a note; `history` holds the earlier chat messages."""
        return drain(self._steps(question, filters, history, streaming=False))

    def stream(
        self, question: str, filters: Filters | None = None, history: History | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas as the model writes, then the verified Answer, which replaces them."""
        return streamed(self._steps(question, filters, history, streaming=True))

    def standalone_question(self, question: str, history: History | None) -> tuple[str, list[str]]:
        """A follow-up rewritten to stand alone (using the history), its relative years resolved; a first
        question as it was asked."""
        notes: list[str] = []
        rewritten = question
        turns = [m for m in history or [] if text_of(m.get("content")).strip()]
        if turns:
            year = self.report_year
            messages = self.prompts.render(
                "condense",
                history=render_history(turns),
                question=question,
                report_year=year,
                last_year=year - 1,
                next_year=year + 1,
            )
            try:
                rewritten = _clean_condensed(strip_think(self.chat.complete(messages))) or question
            except LLMError as exc:
                notes.append(f"追问改写失败（{exc.message_zh}），按原问题检索。")
            # Only a follow-up is anchored to the latest report year: on its own, 明年 in “X乡明年…”
            # means the plan part of the report asked about, which the extractive scoring finds
            # (anchoring it to the latest year made held-out questions about a plan abstain).
            rewritten = resolve_relative_years(rewritten, self.report_year)
        if rewritten != question:
            notes.append(f"按上下文理解为：{rewritten}")
        return rewritten, notes

    def _steps(
        self, question: str, filters: Filters | None, history: History | None, streaming: bool
    ) -> Generator[str, None, Answer]:
        """Retrieve, answer extractively, and (unless that abstains) have the model write the answer from
        the extractive evidence (generation/evidence.py); markers it leaves out are attached after."""
        started = time.perf_counter()
        filters = filters or Filters()
        standalone, notes = self.standalone_question(question, history)
        q = self.fallback.resolve(analyse(standalone, self.corpus.townships), filters)
        # A numeric comparison the ledger holds: its rows' sentences, quoted and cited, are the answer
        # (the model would only restate them, and could drop or alter a figure).
        from_ledger = self.fallback.ledger_answer(q, filters)
        if from_ledger is not None:
            return _timed(with_notes(from_ledger, notes), question, started)
        passages, refusal = self.fallback.retrieve(q, filters)
        quotes = refusal if refusal is not None else self.fallback.answer_passages(q, passages)
        gapped = self.fallback.ledger_answer(q, filters, partial=True)  # the ledger's answer with gaps
        if gapped is not None and covers_more(gapped, quotes):
            return _timed(with_notes(gapped, notes), question, started)
        if quotes.abstained:  # the material does not answer it: the model is not asked to guess
            return _timed(with_notes(quotes, notes), question, started)
        extract = with_notes(quotes, notes)
        evidence = evidence_of(extract)
        excerpts = ["".join(e.sentences) for e in evidence]
        shown = [e.passage for e in evidence]
        messages = self.prompts.render("answer", passages=render_passages(shown, excerpts), question=standalone)
        try:
            text = yield from run_model(self.chat, messages, streaming)
        except LLMError as exc:
            return _timed(with_notes(extract, [exc.message_zh, FALLBACK_NOTE]), question, started)
        generated = Generated(text, shown, notes, system_text(messages))
        # The fallback's notes start with `notes` (finish_generated adds generated.notes to them).
        answer = finish_generated(
            standalone, generated, passages, lambda extra: with_notes(quotes, extra), evidence=excerpts
        )
        if q.is_compare and answer.mode == "llm" and len(answer.citations) < len(shown):
            # A comparison needs every report's figure; a small model often writes one and stops.
            return _timed(with_notes(extract, [INCOMPLETE_COMPARE_NOTE]), question, started)
        return _timed(answer, question, started)


def with_notes(answer: Answer, notes: Sequence[str]) -> Answer:
    """The answer with `notes` before its own (a new Answer; the given one is left as it was)."""
    return replace(answer, notes=[*notes, *answer.notes]) if notes else answer


def _timed(answer: Answer, question: str, started: float) -> Answer:
    answer.question = question
    answer.latency_ms = int((time.perf_counter() - started) * 1000)
    return answer


def _clean_condensed(text: str) -> str:
    """The first line of the condense reply without prefixes or quotes; '' when unusable."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = _CONDENSE_PREFIX.sub("", line).strip().strip("“”\"'「」")
    return line if len(line) <= MAX_QUESTION_CHARS else ""
