"""Chroma server mode: the CLI and the app against a real `chroma run` on 127.0.0.1.

One server for the module (free port, its own data directory, stopped at the end, killed if it
will not stop). Every command runs in a subprocess with ASSISTANT_CHROMA_URL set, as a user would.
Different ASSISTANT_STORE_DIRs stand for different machines: each has its own lexical cache.
The corpus is short cuts of the seeds (~1,500 characters each) to keep embedding time small.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.bench.process import free_port, stop_process
from assistant.config import Settings
from assistant.ingest.chunking import chunk_document, sentence_units
from assistant.ingest.document import parse_file
from assistant.services import Services
from assistant.store.lock import writer_lock
from assistant.ui.handlers import AppService
from tests.conftest import SEEDS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("chroma") is None, reason="the `chroma` CLI (pip install chromadb) is needed"),
]

FARMLAND = "2021—2022年耕地流出图斑整治728个"
RED_TOURISM = "推出6条红色旅游精品线路"


class ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port P` as a child process, with its log in a file."""

    def __init__(self, path: Path, log: Path, port: int) -> None:
        self.path, self.log, self.port = path, log, port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:] if self.log.exists() else "（无日志）"

    def start(self, timeout_s: float = 60.0) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                ["chroma", "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        code = self.proc.poll()
        self.stop()
        pytest.fail(
            f"chroma run on {self.url} did not answer its heartbeat within {timeout_s:.0f} s "
            f"(exit code {code}). Server log:\n{self.log_text()}"
        )

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_process(self.proc, timeout_s=15)
        self.proc = None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    base = tmp_path_factory.mktemp("chroma-server")
    srv = ChromaServer(base / "data", base / "server.log", free_port())
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def cut(text: str, limit: int = 1500) -> str:
    """The first lines of a report up to about `limit` characters (whole sentences)."""
    out: list[str] = []
    size = 0
    for line in text.splitlines():
        if size + len(line) > limit:
            room = line[: limit - size]
            if "。" in room and size < limit * 0.6:
                out.append(room[: room.rindex("。") + 1])
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Five short reports: `first/` (002 and 004, ingested first) and three more for concurrent writers."""
    base = tmp_path_factory.mktemp("server-corpus")
    (base / "first").mkdir()
    files: dict[str, Path] = {}
    for name in ("002_501c0fb6689f0a4e", "004_b0ba3482a421c3a8", "000_5083355e1d56cec0", "001_dfb12432eec8a521"):
        text = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
        if name.startswith("004"):  # title, greeting, heading and the section holding the farmland sentence
            lines = text.splitlines()
            text = "\n".join([lines[0], lines[1], lines[3], lines[6]]) + "\n"
        else:
            text = cut(text)
        folder = base / "first" if name[:3] in ("002", "004") else base
        files[name] = folder / f"{name}.txt"
        files[name].write_text(text, encoding="utf-8")
    text = (SEEDS / "003_e9fbab667eb49eb4.txt").read_text(encoding="utf-8")
    files["003_e9fbab667eb49eb4"] = base / "003_e9fbab667eb49eb4.txt"
    files["003_e9fbab667eb49eb4"].write_text(cut(text), encoding="utf-8")
    assert FARMLAND in parse_file(files["004_b0ba3482a421c3a8"]).text  # the raw file has a paywall marker in it
    assert RED_TOURISM in parse_file(files["002_501c0fb6689f0a4e"]).text
    return files


def env_for(server: ChromaServer, store: Path) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_STORE_DIR": str(store), "ASSISTANT_CHROMA_URL": server.url}


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m assistant ARGS` in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, timeout=600
    )


def ok(out: subprocess.CompletedProcess[str], server: ChromaServer) -> Any:
    assert out.returncode == 0, f"{out.stderr}\nserver log:\n{server.log_text()}"
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def machine_a(server: ChromaServer, corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store directory (one machine's local state) that ingested `first/` through the server."""
    store = tmp_path_factory.mktemp("machine-a") / "store"
    report = ok(cli(["ingest", str(corpus["002_501c0fb6689f0a4e"].parent), "--json"], env_for(server, store)), server)
    assert (report["files"], report["added"], report["errors"]) == (2, 2, [])
    return store


def server_entries(server: ChromaServer) -> dict[str, Any]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(
        host="127.0.0.1", port=server.port, settings=ChromaSettings(anonymized_telemetry=False)
    )
    got = client.get_collection("reports").get(include=["metadatas"])
    return {"ids": got["ids"], "metas": got["metadatas"]}


def expected_ids(path: Path) -> set[str]:
    """The chunk and sentence-unit ids a file should have in the store (what a clean ingest writes)."""
    chunks = chunk_document(parse_file(path.resolve()))
    return {c.chunk_id for c in chunks} | {uid for c in chunks for uid, _ in sentence_units(c)}


def test_ingest_search_ask_and_docs_go_through_the_server(server: ChromaServer, machine_a: Path) -> None:
    env = env_for(server, machine_a)
    top = ok(cli(["search", "耕地流出图斑整治", "--json"], env), server)["passages"][0]
    assert top["doc"] == "004_b0ba3482a421c3a8" and FARMLAND in top["text"]

    answer = ok(cli(["ask", "安民乡推出了几条红色旅游精品线路？", "--json"], env), server)
    assert not answer["abstained"]
    assert any(c["doc"] == "002_501c0fb6689f0a4e" and RED_TOURISM in c["quote"] for c in answer["citations"])
    assert "[1]" in answer["answer"]

    docs = {d["doc_id"]: d for d in ok(cli(["docs", "--json"], env), server)["documents"]}
    assert set(docs) == {"002_501c0fb6689f0a4e", "004_b0ba3482a421c3a8"}
    assert docs["002_501c0fb6689f0a4e"]["township"] == "安民乡"

    # The Chroma data lives on the server only; the store directory holds local state (lexical cache).
    assert not (machine_a / "chroma").exists()
    assert (machine_a / "lexical" / "manifest.json").exists()
    assert any((server.path).rglob("chroma.sqlite3")), "the server keeps the data in its --path"


def test_a_second_machine_with_a_cold_lexical_cache_gets_the_same_top_hit(
    server: ChromaServer, machine_a: Path, tmp_path: Path
) -> None:
    machine_b = tmp_path / "machine-b"
    query = ["search", "耕地流出图斑整治", "--json"]
    a = ok(cli(query, env_for(server, machine_a)), server)["passages"]
    b = ok(cli(query, env_for(server, machine_b)), server)["passages"]
    assert [(p["doc"], p["section"], p["text"]) for p in b] == [(p["doc"], p["section"], p["text"]) for p in a]
    assert b[0]["lexical_rank"] == 1, "the BM25 side was rebuilt from the server's chunks"
    lexical = ok(cli([*query, "--mode", "lexical"], env_for(server, machine_b)), server)["passages"]
    assert lexical[0]["doc"] == "004_b0ba3482a421c3a8"
    fingerprints = [
        json.loads((store / "lexical" / "manifest.json").read_text(encoding="utf-8"))["fingerprint"]
        for store in (machine_a, machine_b)
    ]
    assert fingerprints[0] == fingerprints[1]
    assert not (machine_b / "chroma").exists()


def test_concurrent_writers_all_succeed_and_the_store_ends_consistent(
    server: ChromaServer, machine_a: Path, corpus: dict[str, Path], tmp_path: Path
) -> None:
    machine_c = tmp_path / "machine-c"
    jobs = [  # two writers share machine A's store directory (they queue for its lock), one is elsewhere
        (corpus["000_5083355e1d56cec0"], machine_a),
        (corpus["001_dfb12432eec8a521"], machine_a),
        (corpus["003_e9fbab667eb49eb4"], machine_c),
    ]
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant", "ingest", str(path), "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env_for(server, store),
        )
        for path, store in jobs
    ]
    results = []
    try:
        for proc in procs:
            out, errs = proc.communicate(timeout=600)
            results.append((proc.returncode, out, errs))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for code, out, errs in results:
        assert code == 0, f"{errs}\nserver log:\n{server.log_text()}"
        report = json.loads(out)
        assert (report["added"], report["errors"]) == (1, [])
    print(f"three concurrent ingests took {time.monotonic() - started:.1f} s")

    entries = server_entries(server)
    assert len(entries["ids"]) == len(set(entries["ids"]))
    by_doc: dict[str, set[str]] = {}
    for uid, meta in zip(entries["ids"], entries["metas"], strict=True):
        by_doc.setdefault(str(meta["doc"]), set()).add(uid)
    for name, path in corpus.items():
        assert by_doc.get(name) == expected_ids(path), f"{name}: every chunk and sentence exactly once"
    chunk_ids = {uid for uid, meta in zip(entries["ids"], entries["metas"], strict=True) if meta["unit"] == "chunk"}
    assert all(meta["parent"] in chunk_ids for meta in entries["metas"] if meta["unit"] == "sentence")

    # Machine A's lexical cache catches up with the document machine C wrote (fingerprint mismatch).
    top = ok(cli(["search", "央媒关注22次", "--mode", "lexical", "--json"], env_for(server, machine_a)), server)
    assert top["passages"][0]["doc"] == "003_e9fbab667eb49eb4"


def test_the_app_sees_what_other_processes_write_without_a_restart(
    server: ChromaServer, machine_a: Path, corpus: dict[str, Path], tmp_path: Path
) -> None:
    settings = Settings(store_dir=tmp_path / "app-store", chroma_url=server.url)
    app = AppService(
        Services.open(settings),
        upload_dir=settings.store_dir / "uploads",
        export_dir=tmp_path / "exports",
        store_lock=lambda: writer_lock(settings).acquire(),
    )
    assert app.answers.retrieval_test("耕地流出图斑整治", "lexical", 5)[0].doc_id == "004_b0ba3482a421c3a8"
    assert not app.answers.ask("安民乡推出了几条红色旅游精品线路？").abstained

    elsewhere = env_for(server, machine_a)
    assert cli(["remove", "004_b0ba3482a421c3a8", "002_501c0fb6689f0a4e"], elsewhere).returncode == 0
    assert all(p.doc_id != "004_b0ba3482a421c3a8" for p in app.answers.retrieval_test("耕地流出图斑整治", "lexical", 5))
    assert app.answers.ask("安民乡推出了几条红色旅游精品线路？").abstained, "no report on 安民乡 is left"

    ok(cli(["ingest", str(corpus["002_501c0fb6689f0a4e"].parent), "--json"], elsewhere), server)
    assert app.answers.retrieval_test("耕地流出图斑整治", "lexical", 5)[0].doc_id == "004_b0ba3482a421c3a8"
    answer = app.answers.ask("安民乡推出了几条红色旅游精品线路？")
    assert not answer.abstained and RED_TOURISM in answer.citations[0].quote

    timings = []
    for _ in range(20):
        t0 = time.perf_counter()
        assert app.services.refresh() is False
        timings.append(time.perf_counter() - t0)
    print(f"refresh() with nothing changed: p50 {sorted(timings)[10] * 1000:.2f} ms")


def test_the_data_survives_a_server_restart(server: ChromaServer, machine_a: Path) -> None:
    env = env_for(server, machine_a)
    before = ok(cli(["docs", "--json"], env), server)["documents"]
    assert {d["doc_id"] for d in before} >= {"002_501c0fb6689f0a4e", "004_b0ba3482a421c3a8"}
    server.stop()
    down = cli(["docs", "--json"], env)
    assert down.returncode == 2 and server.url in down.stderr and "Traceback" not in down.stderr
    server.start()
    assert ok(cli(["docs", "--json"], env), server)["documents"] == before
    top = ok(cli(["search", "耕地流出图斑整治", "--json"], env), server)["passages"][0]
    assert top["doc"] == "004_b0ba3482a421c3a8" and FARMLAND in top["text"]


def test_a_server_nobody_listens_on_gives_a_clear_message(tmp_path: Path, corpus: dict[str, Path]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(tmp_path / "store"), "ASSISTANT_CHROMA_URL": url}
    for args in (["search", "耕地", "--json"], ["ingest", str(corpus["003_e9fbab667eb49eb4"]), "--json"], ["docs"]):
        out = cli(args, env)
        assert out.returncode == 2, out.stderr
        assert url in out.stderr and "chroma run" in out.stderr and "无法连接 Chroma 服务器" in out.stderr
        assert "Traceback" not in out.stderr
    assert not (tmp_path / "store" / "chroma").exists()
