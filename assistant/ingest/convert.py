"""Old office formats (.doc, .wps, .xls) converted by LibreOffice in headless mode, then read as .docx/.xlsx.

Each conversion runs `soffice --headless --convert-to docx|xlsx` in a temporary folder with a user
profile of its own (-env:UserInstallation), so it never touches or waits for a LibreOffice the user has
open, and within the file's parse time limit: past it the conversion is killed (its whole process
group: soffice starts soffice.bin as a child). In the parse worker (ingest.sandbox) the limit is a little
shorter than the worker's own, so the worker ends soffice itself before it is ended.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assistant.ingest.loaders import LoadError

SOFFICE = "soffice"
DEFAULT_LIMIT_S = 300.0  # a conversion outside the parse worker (no time limit given)
MARGIN_S = 2.0  # kept from the worker's limit to end soffice and report
# What an old-format file may start with: the OLE2 container (.doc, .xls, Kingsoft .wps), RTF saved as
# .doc, or a zip (a .docx/.xlsx renamed). Anything else is refused before LibreOffice sees it (it would
# import unknown bytes as plain text).
_MAGIC = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf", b"PK\x03\x04")
MISSING = (
    "读取 {suffix} 文件需要 LibreOffice：请安装 libreoffice-writer-nogui"
    "（Debian/Ubuntu：apt-get install libreoffice-writer-nogui{calc}），或用 Word/WPS 另存为 {target} 后再导入"
)


def soffice_path() -> str | None:
    """The soffice executable on PATH, or None when LibreOffice is not installed."""
    return shutil.which(SOFFICE)


@contextlib.contextmanager
def converted_copy(path: Path, target: str, time_limit_s: float | None = None) -> Iterator[Path]:
    """A converted copy of `path` in the `target` format (".docx" | ".xlsx"), removed afterwards."""
    soffice = soffice_path()
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
    if not head.startswith(_MAGIC):
        raise LoadError(f"不是有效的 {suffix} 文件（文件头不是 Office 97-2003/WPS 格式），可能已损坏或扩展名不对")
    if soffice is None:
        calc = " libreoffice-calc-nogui" if target == ".xlsx" else ""
        raise LoadError(MISSING.format(suffix=suffix, calc=calc, target=target))
    limit = DEFAULT_LIMIT_S if not time_limit_s else max(1.0, time_limit_s - MARGIN_S)
    with tempfile.TemporaryDirectory(prefix="assistant-convert-") as tmp:
        work = Path(tmp)
        source = work / f"source{suffix}"  # a plain name: soffice names its output after its input
        try:
            shutil.copyfile(path, source)
        except OSError as exc:
            raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
        args = [
            soffice,
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            target.lstrip("."),
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        _run(args, limit, work)
        out = work / "out" / f"source{target}"
        if not out.is_file() or out.stat().st_size == 0:
            raise LoadError(f"LibreOffice 无法转换该 {suffix} 文件（文件可能已损坏、设有密码或不是 {suffix} 格式）")
        yield out


def _run(args: list[str], limit: float, work: Path) -> None:
    env = {**os.environ, "HOME": str(work)}  # LibreOffice writes under HOME too
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group, killed as one
        )
    except OSError as exc:
        raise LoadError(f"无法启动 LibreOffice（soffice）：{exc}") from exc
    try:
        proc.wait(timeout=limit)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise LoadError(f"LibreOffice 转换超时（超过 {limit:g} 秒），已跳过") from exc
    except BaseException:
        _kill_group(proc)
        raise
    finally:
        _kill_group(proc)  # soffice.bin may outlive its launcher


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
