"""The public API and the import graph: the exact `__all__` of the top level and of every package,
`import assistant` and `import assistant.cli` stay light, core never imports the UI, and every
error class the product defines is an AssistantError.

A change to a list below is a change of the public API: make it on purpose, in both places.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "assistant"

PUBLIC = {
    "assistant": [
        "Answer",
        "AnswerPath",
        "AssistantError",
        "Citation",
        "DocRecord",
        "DraftPath",
        "Filters",
        "IngestReport",
        "Passage",
        "Services",
        "Settings",
        "SettingsError",
        "__version__",
    ],
    "assistant.bench": ["ingest", "llm", "ocr", "process", "rgb_sentences", "run", "scale_corpus"],
    "assistant.eval": ["dataset", "metrics", "report", "rgb", "runner"],
    "assistant.feedback": ["export", "payload", "recheck", "store"],
    "assistant.generation": [
        "answer",
        "chat_export",
        "citations",
        "compare",
        "corpus",
        "draft",
        "evidence",
        "export",
        "extractive",
        "gongwen",
        "llm",
        "outline",
        "paths",
        "question",
        "sanitize",
        "sections",
    ],
    "assistant.generation.llm": ["answer", "client", "draft", "llama", "outline", "prompts"],
    "assistant.ledger": ["evaluate", "extract", "lookup", "names", "plan", "query", "store", "table_rows"],
    "assistant.ingest": [
        "chunking",
        "clean",
        "convert",
        "document",
        "loaders",
        "metadata",
        "ocr",
        "pipeline",
        "sandbox",
        "sheets",
        "structure",
        "tables",
        "vectors",
        "walk",
    ],
    "assistant.store": [
        "ChunkSource",
        "PassageStore",
        "Store",
        "client",
        "collection",
        "conversations",
        "exact",
        "health",
        "journal",
        "lexical",
        "lexical_table",
        "lock",
        "rows",
    ],
    "assistant.ui": [
        "answers",
        "api",
        "app",
        "catalog",
        "chat_tab",
        "conversations",
        "doc_tab",
        "doc_view",
        "draft_tab",
        "drafts",
        "feedback_panel",
        "feedback_tab",
        "handlers",
        "history",
        "inputs",
        "kb_tab",
        "ledger_tab",
        "locale",
        "outline_tab",
        "outlines",
        "page_js",
        "reader",
        "render",
        "retrieval_tab",
        "server",
        "users",
        "widgets",
        "writer",
    ],
}
HEAVY = ("gradio", "langchain", "langchain_core", "langchain_openai")


def packages() -> list[str]:
    found = [".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")]
    # assistant.prompts and assistant.seeds are data (installed from prompts/ and seeds/), not code.
    return sorted(found)


def test_every_package_is_pinned() -> None:
    assert packages() == sorted(PUBLIC)


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_the_public_api_is_exactly_this(package: str) -> None:
    assert importlib.import_module(package).__all__ == PUBLIC[package]


@pytest.mark.parametrize("package", sorted(set(PUBLIC) - {"assistant"}))
def test_a_package_exports_its_modules_and_what_it_defines(package: str) -> None:
    """Every name is a module of the package or defined in its __init__ (nothing is imported to check)."""
    module = importlib.import_module(package)
    folder = ROOT.joinpath(*package.split("."))
    for name in module.__all__:
        is_module = (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()
        assert is_module or name in vars(module), f"{package}.{name}"
    modules = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    subpackages = sorted(p.parent.name for p in folder.glob("*/__init__.py"))
    assert set(modules + subpackages) <= set(module.__all__), "a module that is not listed"


def test_every_top_level_name_resolves_to_its_home() -> None:
    import assistant

    for name in assistant.__all__:
        value = getattr(assistant, name)
        if name != "__version__":
            assert value.__name__ == name and value.__module__.startswith("assistant.")
    missing = "not_a_public_name"
    with pytest.raises(AttributeError):
        getattr(assistant, missing)


def loaded_after(statement: str) -> list[str]:
    code = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout))


def test_import_assistant_is_cheap() -> None:
    loaded = loaded_after("import assistant")
    assert not [m for m in loaded if m.split(".")[0] in (*HEAVY, "numpy", "chromadb", "jieba", "torch")]


def test_import_assistant_cli_pulls_in_neither_gradio_nor_langchain() -> None:
    loaded = loaded_after("import assistant.cli")
    assert "assistant.cli" in loaded
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def _core_modules() -> list[Path]:
    """Everything but the UI package and the CLI (cli.py may start the app)."""
    ui = PACKAGE / "ui"
    return sorted(p for p in PACKAGE.rglob("*.py") if ui not in p.parents and p != PACKAGE / "cli.py")


def _imported(path: Path, code: str | None = None) -> set[str]:
    """Absolute names of the modules (and `from` targets) a file imports; `code`: as if it held that."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(code if code is not None else path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _ui(names: set[str]) -> list[str]:
    return sorted(n for n in names if n == "assistant.ui" or n.startswith("assistant.ui."))


def test_no_core_module_imports_the_ui() -> None:
    offenders = {str(path.relative_to(ROOT)): _ui(_imported(path)) for path in _core_modules()}
    assert len(offenders) > 40
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize(
    "code",
    ["import assistant.ui.app", "from assistant.ui import app", "from assistant import ui", "from ..ui import app"],
)
def test_the_ui_check_sees_every_spelling_of_an_import(code: str) -> None:
    assert _ui(_imported(PACKAGE / "store" / "probe.py", code)), "the path only places the code in a package"


def _error_classes() -> dict[str, tuple[str, list[str]]]:
    """Every class in the package named *Error / *Exception: name -> (file, base names)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
                found[node.name] = (str(path.relative_to(ROOT)), bases)
    return found


def test_every_error_class_is_an_assistant_error() -> None:
    classes = _error_classes()

    def is_assistant_error(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name == "AssistantError":
            return True
        if name not in classes or name in seen:
            return False
        return any(is_assistant_error(base, seen | {name}) for base in classes[name][1])

    errors = {n: f for n, (f, _) in classes.items() if n.endswith(("Error", "Exception")) and n != "AssistantError"}
    assert len(errors) >= 10
    assert {n: f for n, f in errors.items() if not is_assistant_error(n)} == {}
