"""Safe defaults of the launched app, probed over HTTP: the file route serves nothing it should not, and
the server listens on 127.0.0.1 only."""

from __future__ import annotations

import socket
from urllib.parse import quote, urlparse

import httpx
import pytest

from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

UP = "../" * 8
PROBES = [
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    UP.replace("/", "%2F") + "etc%2Fpasswd",
    UP.replace("../", "%2e%2e%2f") + "etc%2fpasswd",
    UP.replace("../", "..%2f") + "etc/passwd",
    UP.replace("../", "%2e%2e/") + "etc/passwd",
    UP.replace("../", "%252e%252e%252f") + "etc%252fpasswd",
    UP.replace("../", "..%5c") + "etc%5cpasswd",
    "file:///etc/passwd",
]


def _assert_refused(r: httpx.Response) -> None:
    assert r.status_code in {403, 404}, (r.status_code, r.text[:200])
    assert "root:" not in r.text
    assert "SQLite format" not in r.text


@pytest.mark.parametrize("target", PROBES)
def test_file_route_refuses_system_files(app_url: str, target: str) -> None:
    # Sent exactly as written (no client-side normalisation of the encoded ../).
    with httpx.Client() as http:
        r = http.send(http.build_request("GET", f"{app_url}gradio_api/file={target}"))
    _assert_refused(r)


@pytest.mark.parametrize("prefix", ["gradio_api/file=", "file="])
def test_file_route_refuses_raw_dot_dot(app_url: str, prefix: str) -> None:
    host = urlparse(app_url)
    with socket.create_connection((host.hostname, host.port), timeout=10) as s:
        s.sendall(f"GET /{prefix}{UP}etc/passwd HTTP/1.1\r\nHost: {host.netloc}\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    status = int(raw.split(b" ", 2)[1])
    assert status in {403, 404}, raw[:300]
    assert b"root:" not in raw


@pytest.mark.parametrize(
    "relative", ["chroma/chroma.sqlite3", "chroma", ".", "lexical", "uploads"], ids=lambda p: p.replace("/", "_")
)
def test_file_route_refuses_the_store(app: RunningApp, relative: str) -> None:
    target = (app.store / relative).resolve()
    assert target.exists()
    for form in (str(target), quote(str(target), safe="")):
        _assert_refused(httpx.get(f"{app.url}gradio_api/file={form}"))


def test_store_sqlite_is_refused_even_via_dot_dot(app: RunningApp) -> None:
    sqlite = (app.store / "chroma" / "chroma.sqlite3").resolve()
    assert sqlite.read_bytes()[:13] == b"SQLite format"
    detour = f"{app.store.resolve()}/uploads/../chroma/chroma.sqlite3"
    _assert_refused(httpx.get(f"{app.url}gradio_api/file={quote(detour, safe='')}"))


def _non_loopback_ipv4() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # UDP connect sends nothing; it only picks the outgoing address
            ip = str(s.getsockname()[0])
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


def test_app_binds_loopback_only_and_shares_nothing(app: RunningApp) -> None:
    url = urlparse(app.url)
    assert url.hostname == "127.0.0.1"
    assert app.settings.host == "127.0.0.1"
    assert getattr(app.demo, "share_url", None) is None
    assert httpx.get(app.url).status_code == 200
    ip = _non_loopback_ipv4()
    if ip is not None:
        with pytest.raises(OSError):
            socket.create_connection((ip, url.port), timeout=3).close()
