"""A Chroma server that hangs (a real `chroma run` stopped with SIGSTOP): every command and every request
of the app ends within ASSISTANT_CHROMA_TIMEOUT_S with one Chinese message naming the server, exit 2,
and works again once the server continues (SIGCONT).

The server still accepts connections while stopped (the kernel queues them), so it is the read that
hangs: before the time limit `docs` and `ask` waited forever.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.bench.process import free_port
from assistant.config import Settings
from assistant.services import Services
from assistant.store.lock import writer_lock
from assistant.ui.chat_tab import respond
from assistant.ui.handlers import AppService
from assistant.ui.inputs import FilterChoice
from tests.conftest import ROOT, SEEDS
from tests.integration.serve_process import ServeProcess
from tests.integration.test_chroma_server import RED_TOURISM, ChromaServer, cut

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("chroma") is None, reason="the `chroma` CLI (pip install chromadb) is needed"),
]

TIMEOUT_S = 3
QUESTION = "安民乡推出了几条红色旅游精品线路？"
BOUND_S = 60  # python start, imports and the 3 s limit, on a loaded machine; without the limit: forever
NO_ANSWER = "在3秒内没有响应"  # as one_line() leaves it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A server holding two sample reports (short cuts of them, ingested through the CLI)."""
    base = tmp_path_factory.mktemp("chroma-hang")
    srv = ChromaServer(base / "data", base / "server.log", free_port())
    srv.start()
    try:
        corpus = base / "corpus"
        corpus.mkdir()
        for name in ("002_501c0fb6689f0a4e", "000_5083355e1d56cec0"):
            (corpus / f"{name}.txt").write_text(cut((SEEDS / f"{name}.txt").read_text(encoding="utf-8")), "utf-8")
        out = run(["ingest", str(corpus), "--json"], env_for(srv, base / "ingest-store"))
        assert out.returncode == 0, f"{out.stderr}\n{srv.log_text()}"
        yield srv
    finally:
        srv.stop()


def env_for(server: ChromaServer, store: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ASSISTANT_STORE_DIR": str(store),
        "ASSISTANT_CHROMA_URL": server.url,
        "ASSISTANT_CHROMA_TIMEOUT_S": str(TIMEOUT_S),
    }


def run(args: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout
    )


def one_line(text: str) -> str:
    """stderr without the console's line wrapping."""
    return "".join(text.split())


def stopped(server: ChromaServer) -> None:
    assert server.proc is not None and server.proc.poll() is None
    os.kill(server.proc.pid, signal.SIGSTOP)


def resumed(server: ChromaServer) -> None:
    if server.proc is not None and server.proc.poll() is None:
        os.kill(server.proc.pid, signal.SIGCONT)


def test_docs_and_ask_end_with_a_clear_message_while_the_server_hangs(server: ChromaServer, tmp_path: Path) -> None:
    env = env_for(server, tmp_path / "store")
    stopped(server)
    try:
        for args in (["docs", "--json"], ["ask", QUESTION]):
            started = time.monotonic()
            try:
                out = run(args, env, timeout=BOUND_S)
            except subprocess.TimeoutExpired:
                pytest.fail(f"`assistant {' '.join(args)}` still waited for the stopped server after {BOUND_S} s")
            took = time.monotonic() - started
            assert out.returncode == 2, out.stderr
            said = one_line(out.stderr)
            assert server.url in said and NO_ANSWER in said and "ASSISTANT_CHROMA_TIMEOUT_S" in said, out.stderr
            assert "Traceback" not in out.stderr and out.stdout == ""
            assert took >= TIMEOUT_S - 0.5, "it waited for the server as long as the limit says"
            print(f"`{args[0]}` on the stopped server ended after {took:.1f} s")
    finally:
        resumed(server)

    docs = run(["docs", "--json"], env)
    assert docs.returncode == 0 and "002_501c0fb6689f0a4e" in docs.stdout, docs.stderr
    answer = run(["ask", QUESTION, "--json"], env)
    assert answer.returncode == 0 and RED_TOURISM in answer.stdout, answer.stderr


def test_a_question_in_the_app_gets_an_error_while_the_server_hangs(server: ChromaServer, tmp_path: Path) -> None:
    """The chat handler of an app whose server stops after it started: the message, not a spinner."""
    settings = Settings.from_env(env_for(server, tmp_path / "app-store"))
    app = AppService(
        Services.open(settings),
        upload_dir=settings.store_dir / "uploads",
        export_dir=tmp_path / "exports",
        store_lock=lambda: writer_lock(settings).acquire(),
    )
    assert not app.answers.ask(QUESTION).abstained
    outputs: list[tuple[Any, ...]] = []

    def ask() -> None:
        outputs.extend(respond(app.answers, QUESTION, [], FilterChoice()))

    stopped(server)
    try:
        worker = threading.Thread(target=ask, daemon=True)
        worker.start()
        worker.join(BOUND_S)
        assert not worker.is_alive(), f"the chat still waited for the stopped server after {BOUND_S} s"
    finally:
        resumed(server)
    chat = outputs[-1][0]
    said = chat[-1]["content"]  # the answer, or what failed, is shown once: in the chat
    assert NO_ANSWER in one_line(said) and server.url in said and "出错了" not in said, said
    last = list(respond(app.answers, QUESTION, [], FilterChoice()))[-1]
    assert RED_TOURISM in last[0][-1]["content"], "answers again once the server continues"


def test_the_app_api_answers_with_an_error_while_the_server_hangs(server: ChromaServer, tmp_path: Path) -> None:
    """`assistant serve` on the server, its /ask endpoint over HTTP (gradio_client)."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    app = ServeProcess(env_for(server, tmp_path / "serve-store"), tmp_path / "serve.log").start()
    try:
        app.wait_ready()
        client = Client(app.url, verbose=False)
        try:
            assert not client.predict(QUESTION, api_name="/ask")["abstained"]
            stopped(server)
            try:
                job = client.submit(QUESTION, api_name="/ask")
                started = time.monotonic()
                with pytest.raises(AppError) as failed:
                    job.result(timeout=BOUND_S)
                print(f"/ask on the stopped server failed after {time.monotonic() - started:.1f} s")
            finally:
                resumed(server)
            assert NO_ANSWER in one_line(str(failed.value)) and server.url in str(failed.value)
            again = client.predict(QUESTION, api_name="/ask")
            assert not again["abstained"] and any(RED_TOURISM in c["quote"] for c in again["citations"])
        finally:
            client.close()
    finally:
        resumed(server)
        app.stop()
