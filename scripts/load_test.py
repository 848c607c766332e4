"""Load test: N concurrent gradio_client users, each asking M questions, against one `assistant serve`.

    python scripts/load_test.py [--store DIR] [--users 20] [--questions 5] [--timeout 60] [--qa FILE]

Starts `assistant serve` on a free 127.0.0.1 port (on DIR, else on a temporary store that the first
start fills with seeds/, about 40 s), waits until it answers, then runs every user in its own thread
with its own gradio_client.Client, calling the named endpoint /ask once per question (questions are
the non-draft items of seeds/qa/dev.jsonl, a different run of them per user). Each request ends as

    answered  the answer JSON came back (an abstention counts: it is an answer)
    retry     the app said to come back later: its queue was full (HTTP 503 / queue_full) or it
              raised a Chinese "请稍后重试/请稍后再试" error
    error     anything else (connection refused, app error, malformed result)
    hang      no result within --timeout seconds (the job is cancelled)

Afterwards the store is checked from outside (`assistant docs --json` lists as many documents as it
did before the load, `assistant search` still returns passages), the server is stopped, and one JSON
object is printed: n_requests, answered, retry, errors, hangs, p50_ms, p95_ms, max_ms (latency of the
answered requests), wall_s, server_peak_rss_mb (VmHWM from /proc) and the details. Exit status 0 when
every request was answered or told to retry and the store checks passed, else 1.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RETRY_WORDS = re.compile(r"请稍后重试|请稍后再试|稍后再来|Queue is full|currently busy|try again", re.IGNORECASE)


@dataclass
class Result:
    user: int
    question: str
    outcome: str  # answered | retry | error | hang
    ms: int
    detail: str = ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def questions_from(qa: Path) -> list[str]:
    items = [json.loads(line) for line in qa.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [str(i["question"]) for i in items if i.get("kind") != "draft"]


def plan(questions: list[str], users: int, per_user: int) -> list[list[str]]:
    """User u asks questions[u*M : u*M + M] (wrapping): each user a different run of the set."""
    n = len(questions)
    return [[questions[(u * per_user + j) % n] for j in range(per_user)] for u in range(users)]


def percentile(values: list[int], q: float) -> int | None:
    """Nearest-rank percentile (q in 0..100) of values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# --- the server -------------------------------------------------------------------------------------


class Server:
    """`python -m assistant serve` as a child process on 127.0.0.1, its output in a log file."""

    def __init__(self, store: Path, port: int, log: Path, env: dict[str, str] | None = None) -> None:
        self.store, self.port, self.log_path = store, port, log
        self.url = f"http://127.0.0.1:{port}/"
        self.env = {
            **os.environ,
            "ASSISTANT_STORE_DIR": str(store),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "GRADIO_ANALYTICS_ENABLED": "False",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped as a whole, never by name
        )

    def wait_ready(self, timeout_s: float) -> float:
        """Seconds until the app's page answers 200; RuntimeError if the process dies or time runs out."""
        import httpx

        assert self.proc is not None
        started = time.perf_counter()
        while time.perf_counter() - started < timeout_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"assistant serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.url, timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"assistant serve not ready after {timeout_s:.0f} s:\n{self.log_tail()}")

    def peak_rss_mb(self) -> float | None:
        """The server's peak resident memory (VmHWM), read from /proc while it runs."""
        if self.proc is None:
            return None
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        m = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.MULTILINE)
        return round(int(m.group(1)) / 1024, 1) if m else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> int | None:
        """SIGINT (as Ctrl-C), then SIGTERM, then SIGKILL to the server's own process group."""
        if self.proc is None:
            return None
        for sig, wait_s in ((signal.SIGINT, 15), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            if self.proc.poll() is not None:
                break
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(wait_s)
            except subprocess.TimeoutExpired:
                continue
        self._log.close()
        return self.proc.returncode

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


# --- the users ----------------------------------------------------------------------------------------


def classify(exc: BaseException) -> str:
    from gradio_client.utils import QueueError

    if isinstance(exc, QueueError) or RETRY_WORDS.search(str(exc)):
        return "retry"
    return "error"


def run_user(user: int, url: str, questions: list[str], timeout_s: float, start: threading.Barrier) -> list[Result]:
    """One user: its own Client, its questions one after another, each with a deadline."""
    from gradio_client import Client

    results: list[Result] = []
    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # a user that cannot connect: an error for each of its questions
        start.wait()
        return [Result(user, q, "error", 0, f"connect: {type(exc).__name__}: {exc}"[:300]) for q in questions]
    try:
        start.wait()
        for question in questions:
            results.append(ask_once(client, user, question, timeout_s))
    finally:
        client.close()
    return results


def ask_once(client: Any, user: int, question: str, timeout_s: float) -> Result:
    started = time.perf_counter()

    def done(outcome: str, detail: str = "") -> Result:
        return Result(user, question, outcome, int((time.perf_counter() - started) * 1000), detail[:300])

    job = client.submit(question, api_name="/ask")
    try:
        answer = job.result(timeout=timeout_s)
    except concurrent.futures.TimeoutError:
        job.cancel()
        return done("hang", f"no result within {timeout_s:g} s")
    except Exception as exc:  # every failure is classified; none stops the user
        return done(classify(exc), f"{type(exc).__name__}: {exc}")
    if isinstance(answer, dict) and isinstance(answer.get("answer"), str):
        return done("answered", "abstained" if answer.get("abstained") else "")
    return done("error", f"unexpected result: {str(answer)[:200]}")


def run_load(url: str, plans: list[list[str]], timeout_s: float) -> tuple[list[Result], float]:
    start = threading.Barrier(len(plans) + 1)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(plans)) as pool:
        futures = [pool.submit(run_user, u, url, qs, timeout_s, start) for u, qs in enumerate(plans)]
        start.wait()  # every user has its client: the clock starts when they all fire together
        began = time.perf_counter()
        results = [r for f in futures for r in f.result()]
    return results, time.perf_counter() - began


# --- the store, checked from outside -------------------------------------------------------------


def cli_json(args: list[str], store: Path) -> Any:
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(store), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "assistant", *args, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode != 0:
        raise RuntimeError(f"assistant {' '.join(args)} failed ({out.returncode}): {out.stderr[-500:]}")
    return json.loads(out.stdout)


def doc_count(store: Path) -> int:
    return len(cli_json(["docs"], store)["documents"])


def search_works(store: Path, query: str) -> bool:
    return bool(cli_json(["search", query, "--k", "3"], store)["passages"])


# --- main ----------------------------------------------------------------------------------------------


def summarise(results: list[Result], wall_s: float) -> dict[str, Any]:
    counts = Counter(r.outcome for r in results)
    answered_ms = [r.ms for r in results if r.outcome == "answered"]
    return {
        "n_requests": len(results),
        "answered": counts["answered"],
        "retry": counts["retry"],
        "errors": counts["error"],
        "hangs": counts["hang"],
        "abstained": sum(1 for r in results if r.outcome == "answered" and r.detail == "abstained"),
        "p50_ms": percentile(answered_ms, 50),
        "p95_ms": percentile(answered_ms, 95),
        "max_ms": max(answered_ms) if answered_ms else None,
        "wall_s": round(wall_s, 2),
        "throughput_rps": round(len(results) / wall_s, 2) if wall_s else None,
    }


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="store directory to serve (reused; empty → seeds ingested)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=5, help="questions per user")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a request counts as a hang")
    parser.add_argument("--qa", type=Path, default=ROOT / "seeds" / "qa" / "dev.jsonl")
    parser.add_argument("--startup-timeout", type=float, default=600.0)
    parser.add_argument("--search", default="财税收入", help="query for the store check after the load")
    parser.add_argument("--keep-log", type=Path, help="copy the server's log here")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="environment for the server, e.g. ASSISTANT_QUEUE_SIZE=4 (repeatable)",
    )
    return parser.parse_args(argv)


def measure(
    server: Server, store: Path, plans: list[list[str]], args: argparse.Namespace, report: dict[str, Any]
) -> bool:
    """Start the server, run the load, check the store from outside; the figures go into `report`.
    True when every request was answered or told to retry and the store checks passed."""
    report["loadavg_before"] = loadavg()
    server.start()
    report["startup_s"] = round(server.wait_ready(args.startup_timeout), 1)
    docs_before = doc_count(store)
    results, wall_s = run_load(server.url, plans, args.timeout)
    report.update(summarise(results, wall_s))
    report["loadavg_after"] = loadavg()
    report["server_peak_rss_mb"] = server.peak_rss_mb()
    report["server_alive_after"] = server.alive()
    report["store_docs_before"] = docs_before
    report["store_docs_after"] = doc_count(store)
    report["store_search_ok"] = search_works(store, args.search)
    report["samples"] = [asdict(r) for r in results if r.outcome != "answered"][:5]
    return bool(
        report["answered"] + report["retry"] == report["n_requests"]
        and report["store_docs_after"] == docs_before > 0
        and report["store_search_ok"]
        and report["server_alive_after"]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server_env = dict(item.split("=", 1) for item in args.server_env)
    plans = plan(questions_from(args.qa), args.users, args.questions)
    work = Path(tempfile.mkdtemp(prefix="assistant-load-"))
    store = args.store or work / "store"
    server = Server(store, free_port(), work / "serve.log", server_env)
    report: dict[str, Any] = {
        "users": args.users,
        "questions_per_user": args.questions,
        "timeout_s": args.timeout,
        "server_env": server_env,
        "cpus": os.cpu_count(),
    }
    ok = False
    try:
        ok = measure(server, store, plans, args, report)
    except Exception as exc:  # reported in the JSON; the server is still stopped below
        report["failure"] = f"{type(exc).__name__}: {exc}"
    finally:
        report["server_exit"] = server.stop()
        log = server.log_text()
        report["server_log_tracebacks"] = log.count("Traceback (most recent call last)")
        ok = ok and report["server_log_tracebacks"] == 0
        if args.keep_log:
            shutil.copyfile(server.log_path, args.keep_log)
        shutil.rmtree(work, ignore_errors=True)
    report["ok"] = ok
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
