"""`assistant serve` as a child process, as a user starts it: its output in a log file, "ready" read from
that log, stopped (terminated, killed if it will not stop) by the test."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.bench.process import free_port, stop_process
from tests.conftest import ROOT

READY = "已就绪"


class ServeProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def start(self) -> ServeProcess:
        self.log.write_bytes(b"")
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "assistant", "serve", "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=ROOT,
            )
        return self

    def wait_ready(self, timeout_s: float = 600.0) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if READY in self.log_text():
                return
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited with {self.proc.returncode} before it was ready:\n{self.log_text()[-3000:]}")
            time.sleep(0.2)
        pytest.fail(f"serve was not ready within {timeout_s:.0f} s:\n{self.log_text()[-3000:]}")

    def terminate(self) -> int:
        """SIGTERM, as `kill PID` or a service manager sends it; returns the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_process(self.proc)
        self.proc = None
