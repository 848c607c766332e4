"""The local llama.cpp build check (generation/llm/client.py): a build with AMX kernels is refused before
it can crash the app, and the README's test command installs the portable build."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.generation.llm.client import PORTABLE_BUILD, REBUILD, LLMError, check_llama_build

# llama_cpp.llama_print_system_info() of a native build on this machine (Xeon with AMX) and of the
# portable build (PORTABLE_BUILD)
NATIVE = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX_VNNI = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | AVX512 = 1 | "
    "AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | AMX_INT8 = 1 | LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 | "
)
PORTABLE = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | LLAMAFILE = 1 | OPENMP = 1 | "
)


def test_a_llama_build_with_amx_is_refused_with_the_portable_rebuild() -> None:
    check_llama_build(PORTABLE)
    with pytest.raises(LLMError) as caught:
        check_llama_build(NATIVE)
    assert caught.value.kind == "unavailable"
    assert REBUILD in caught.value.message_zh and "崩溃" in caught.value.message_zh


def test_the_test_command_installs_the_portable_build() -> None:
    root = Path(__file__).resolve().parents[2]
    for name in ("README.md", ".ci/run"):
        assert f"{PORTABLE_BUILD} pip install -e '.[dev,local]'" in (root / name).read_text(encoding="utf-8"), name
