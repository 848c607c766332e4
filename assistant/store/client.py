"""Connecting to Chroma: the embedded PersistentClient in the store directory, or a Chroma server
(`chroma run`) at ASSISTANT_CHROMA_URL; the messages users see when that fails."""

from __future__ import annotations

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


def open_client(settings: Settings, *, reader: bool = False) -> Any:
    """A Chroma client: the server at ASSISTANT_CHROMA_URL, else a PersistentClient on the store dir.

    `reader`: the caller only reads. Chroma writes to its database when it starts, so on a full disk
    it cannot start; a reader then reads a copy of the store elsewhere (store/health.read_only_copy).
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        host, port, ssl = server_address(settings.chroma_url)
        try:
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:  # connection refused, DNS, TLS, timeouts: all "not reachable"
            raise server_unreachable(settings.chroma_url, exc) from exc
        return client
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
