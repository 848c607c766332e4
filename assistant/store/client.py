"""Connecting to Chroma: the embedded PersistentClient in the store directory, or a Chroma server
(`chroma run`) at ASSISTANT_CHROMA_URL; the messages users see when that fails.

Every call to a server is bounded by ASSISTANT_CHROMA_TIMEOUT_S (connect, read, write): Chroma's
HttpClient waits forever by default, so a server that hangs (stopped, swapped out, a dead network)
would hang the command or the app's request with it. A call that runs out of time raises StoreError
naming the server and the limit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import AssistantError


class StoreError(AssistantError, RuntimeError):
    """The store cannot be opened or used; the message is for the user (Chinese)."""

    exit_code = 2


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of ASSISTANT_CHROMA_URL: `http(s)://host[:port]` or `host:port`."""
    from urllib.parse import urlparse

    raw = url.strip()
    parsed = urlparse(raw if "://" in raw else f"http://{raw}")
    problem = None
    if parsed.scheme not in ("http", "https"):
        problem = f"协议应为 http 或 https，而不是 {parsed.scheme}"
    elif not parsed.hostname:
        problem = "缺少主机名"
    elif parsed.path not in ("", "/") or parsed.query:
        problem = "不能带路径或查询参数"
    try:
        port = parsed.port
    except ValueError:
        problem = problem or "端口不是数字"
        port = None
    if problem:
        raise StoreError(f"ASSISTANT_CHROMA_URL 格式不对（{problem}）：{url!r}；应形如 http://127.0.0.1:8000")
    ssl = parsed.scheme == "https"
    return str(parsed.hostname), port or (443 if ssl else 8000), ssl


def server_unreachable(url: str, exc: BaseException) -> StoreError:
    """The message for a Chroma server that does not answer: which URL, and how to start one."""
    try:
        _, port, _ = server_address(url)
    except StoreError:
        port = 8000
    return StoreError(
        f"无法连接 Chroma 服务器 {url}（{type(exc).__name__}: {exc}）。请确认服务器已启动，例如："
        f"chroma run --path 数据目录 --host 127.0.0.1 --port {port}；"
        "或不设置 ASSISTANT_CHROMA_URL，改用本机内嵌向量库。"
    )


def server_timeout(url: str, timeout_s: float) -> StoreError:
    """The message for a Chroma server that accepted the call but did not answer within the limit."""
    return StoreError(
        f"Chroma 服务器 {url} 在 {timeout_s:g} 秒内没有响应。请检查服务器进程是否卡住或被暂停、"
        "所在机器是否过载、网络是否通畅，必要时重启服务器；服务器只是较慢时可调大 "
        f"ASSISTANT_CHROMA_TIMEOUT_S（当前 {timeout_s:g} 秒）。"
    )


def bound_requests(client: Any, url: str, timeout_s: float) -> None:
    """Give the HTTP session of a chromadb HttpClient a time limit for every call, and turn a call that
    fails on the way (no answer in time, refused, reset) into StoreError.

    chromadb (1.x, api/fastapi.py) builds its httpx.Client with `timeout=None` and offers no setting
    for it; the session is the `_session` of the client's server API, shared by the client and its
    admin client, and every request goes through its `request` method."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):  # another chromadb layout: refuse rather than hang
        raise StoreError(
            f"无法为 Chroma 服务器 {url} 设置请求时限（chromadb 版本不兼容），"
            "请安装 pyproject.toml 中要求的 chromadb 版本。"
        )
    session.timeout = httpx.Timeout(timeout_s)
    send: Callable[..., httpx.Response] = session.request

    def request(*args: Any, **kwargs: Any) -> httpx.Response:
        try:
            return send(*args, **kwargs)
        except httpx.TimeoutException as exc:
            raise server_timeout(url, timeout_s) from exc
        except httpx.TransportError as exc:
            raise server_unreachable(url, exc) from exc

    setattr(session, "request", request)  # noqa: B010 (an instance attribute over the method)


def connect_server(settings: Settings) -> Any:
    """An HttpClient on ASSISTANT_CHROMA_URL, checked with a heartbeat, within the time limit.

    Making the client already talks to the server (identity, tenant, database) before its session can
    be given a limit, so it is made in a thread of its own that is waited for at most the limit; a
    thread left waiting on a hung server is a daemon and ends with the process."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    url, timeout_s = str(settings.chroma_url), settings.chroma_timeout_s
    host, port, ssl = server_address(url)
    outcome: dict[str, Any] = {}

    def connect() -> None:
        try:
            client = chromadb.HttpClient(
                host=host, port=port, ssl=ssl, settings=ChromaSettings(anonymized_telemetry=False)
            )
            bound_requests(client, url, timeout_s)
            client.heartbeat()
            outcome["client"] = client
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=connect, name="chroma-connect", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise server_timeout(url, timeout_s)
    error = outcome.get("error")
    if isinstance(error, StoreError):
        raise error
    if error is not None:  # connection refused, DNS, TLS: all "not reachable"
        raise server_unreachable(url, error) from error
    return outcome["client"]


def open_client(settings: Settings, *, reader: bool = False) -> Any:
    """A Chroma client: the server at ASSISTANT_CHROMA_URL, else a PersistentClient on the store dir.

    `reader`: the caller only reads. Chroma writes to its database when it starts, so on a full disk
    it cannot start; a reader then reads a copy of the store elsewhere (store/health.read_only_copy).
    """
    if settings.chroma_url:
        return connect_server(settings)
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    from assistant.store import health
    from assistant.store.lock import opening

    health.check_on_open(settings)  # a visibly broken database file: one line naming it and the fix
    path = chroma_dir(settings)
    path.mkdir(parents=True, exist_ok=True)
    copy = health.copy_in_use(path)
    if copy is not None:
        return chromadb.PersistentClient(path=str(copy), settings=chroma_settings)
    try:
        with opening(settings):  # a brand-new store: one process runs Chroma's migrations, the others wait
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        if not health.is_disk_full(exc, settings):
            raise
        if not reader:
            raise health.disk_full_error(settings) from exc
        copy = health.read_only_copy(settings, path)
    return chromadb.PersistentClient(path=str(copy), settings=chroma_settings)


def chroma_dir(settings: Settings) -> Path:
    """Where the embedded Chroma database lives inside the store directory."""
    return settings.store_dir / "chroma"
