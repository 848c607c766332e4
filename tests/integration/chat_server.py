"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol, scripted per test.

Each request to `/v1/chat/completions` takes the next step of the script (the last step repeats).
A step answers the way a real endpoint would: a completion (as JSON, or as SSE chunks when the
request asks to stream), an HTTP error with headers, a delay, a connection dropped mid-answer, or a
malformed body. Every request body is recorded so tests can assert what the client sent.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """A normal completion: JSON, or SSE chunks of about `chunk_chars` characters when streamed."""

    text: str
    chunk_chars: int = 6
    finish_reason: str | None = "stop"  # None: the stream ends without one (an unfinished answer)


@dataclass(frozen=True)
class Status:
    """An HTTP error response, e.g. 429 with Retry-After or 500."""

    code: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = '{"error": {"message": "scripted error", "type": "server_error"}}'


@dataclass(frozen=True)
class Sleep:
    """Wait `seconds` (longer than the client's timeout to provoke one), then run `then`."""

    seconds: float
    then: Step | None = None


@dataclass(frozen=True)
class Drop:
    """Stream `text` in chunks, then close the connection without finishing the response."""

    text: str
    chunk_chars: int = 6


@dataclass(frozen=True)
class Raw:
    """A 200 response with this body as is (malformed JSON, say)."""

    body: str
    content_type: str = "application/json"


Step = Reply | Status | Sleep | Drop | Raw
Script = Sequence[Step] | Callable[[dict[str, Any], int], Step]


@dataclass
class Received:
    path: str
    body: dict[str, Any]
    at: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def prompt_text(self) -> str:
        return "\n".join(str(m.get("content", "")) for m in self.messages)


class ChatServer:
    """Start with `with ChatServer(script) as server:`; `server.base_url` ends in /v1."""

    def __init__(self, script: Script, model: str = "scripted-model") -> None:
        self.script = script
        self.model = model
        self.requests: list[Received] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _ChatHTTPServer(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that are sleeping
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def next_step(self, body: dict[str, Any]) -> Step:
        with self._lock:
            index = len(self.requests) - 1
        if callable(self.script):
            return self.script(body, index)
        steps = list(self.script)
        return steps[min(index, len(steps) - 1)]

    def completion(self, reply: Reply) -> dict[str, Any]:
        return {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": reply.finish_reason or "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }

    def chunk_dict(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-scripted",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }

    def chunks(self, text: str, size: int) -> list[dict[str, Any]]:
        pieces = [self.chunk_dict({"role": "assistant", "content": ""})]
        pieces += [self.chunk_dict({"content": text[i : i + size]}) for i in range(0, len(text), size)]
        return pieces


class _ChatHTTPServer(ThreadingHTTPServer):
    """The HTTP server, holding the ChatServer whose script its handlers follow."""

    def __init__(self, chat: ChatServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.chat = chat
        self.daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout tests) is expected: no traceback in the test output."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """One request: take the script's next step and answer the way it says."""

    protocol_version = "HTTP/1.1"
    server: _ChatHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {}
        with self.server.chat._lock:
            self.server.chat.requests.append(Received(self.path, body, time.monotonic()))
        if not self.path.endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found"}}', {})
            return
        self._run(self.server.chat.next_step(body), body)

    def _run(self, step: Step, body: dict[str, Any]) -> None:
        stream = bool(body.get("stream"))
        if isinstance(step, Sleep):
            if self.server.chat._stopping.wait(step.seconds):
                return
            if step.then is not None:
                self._run(step.then, body)
            return
        if isinstance(step, Status):
            self._send(step.code, step.body.encode(), step.headers)
        elif isinstance(step, Raw):
            self._send(200, step.body.encode(), {"Content-Type": step.content_type})
        elif isinstance(step, Reply) and not stream:
            self._send(200, json.dumps(self.server.chat.completion(step)).encode(), {})
        elif isinstance(step, Reply):
            self._stream(self.server.chat.chunks(step.text, step.chunk_chars), step.finish_reason, finish=True)
        elif isinstance(step, Drop):
            if stream:
                self._stream(self.server.chat.chunks(step.text, step.chunk_chars), None, finish=False)
            else:
                self._drop_body(json.dumps(self.server.chat.completion(Reply(step.text))).encode())

    def _send(self, code: int, payload: bytes, headers: dict[str, str]) -> None:
        self.send_response(code)
        self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, pieces: list[dict[str, Any]], finish_reason: str | None, finish: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in pieces:
            self._chunk(f"data: {json.dumps(piece, ensure_ascii=False)}\n\n".encode())
            time.sleep(0.01)
        if not finish:
            # Abrupt close in the middle of the chunked body: what a proxy reset looks like.
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if finish_reason is not None:
            last = self.server.chat.chunk_dict({}, finish_reason)
            self._chunk(f"data: {json.dumps(last)}\n\n".encode())
            self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")

    def _drop_body(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload[: len(payload) // 2])
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True


def llm_env(server: ChatServer) -> dict[str, str]:
    """Settings that point the CLI (run_cli **env) at this scripted server."""
    return {
        "ASSISTANT_LLM_BASE_URL": server.base_url,
        "ASSISTANT_LLM_MODEL": "scripted-model",
        "ASSISTANT_LLM_API_KEY": "test-key",
        "ASSISTANT_LLM_TIMEOUT_S": "10",
    }
