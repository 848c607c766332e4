"""The five seed reports for unit tests, and helpers to look into their text and section trees."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.clean import clean_text
from assistant.ingest.document import parse_file
from assistant.types import ParsedDocument, Section

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS_DIR.glob("*.txt"))
SEED_IDS = [p.name[:3] for p in SEED_FILES]
# The title line of each seed (the root heading of its section tree).
SEED_TITLES = {
    "000": "XX县XX乡2023年工作总结暨2024年重点工作安排",
    "001": "X乡2023年工作总结及2024年工作计划",
    "002": "安民乡2023年工作总结和2024年工作思路要点",
    "003": "XX乡2023年工作总结及2024年工作思路",
    "004": "2023年乡镇领导班子工作情况总结（述职）",
}


def seed_doc(prefix: str) -> ParsedDocument:
    """The parsed seed report whose file name starts with `prefix` (000 … 004)."""
    (path,) = SEEDS_DIR.glob(f"{prefix}_*.txt")
    return parse_file(path)


def seed_text(prefix: str) -> str:
    """The cleaned text of a seed report."""
    (path,) = SEEDS_DIR.glob(f"{prefix}_*.txt")
    return clean_text(path.read_text(encoding="utf-8"))


def seed_line(prefix: str, start: str) -> str:
    """The full cleaned line of a seed that starts with `start` (exactly one must exist)."""
    matches = [line for line in seed_text(prefix).split("\n") if line.startswith(start)]
    assert len(matches) == 1, (prefix, start, len(matches))
    return matches[0]


def tree_nodes(root: Section, level: int | None = None) -> list[Section]:
    """Every node below the root (of one level if given), in document order."""
    return [node for _, node in root.walk() if node.level > 0 and (level is None or node.level == level)]


def find_node(root: Section, heading: str) -> Section:
    """The one node with this heading."""
    found = [node for _, node in root.walk() if node.heading == heading]
    assert len(found) == 1, (heading, len(found))
    return found[0]


def node_bodies(text: str, node: Section) -> list[str]:
    """The body text of a node, span by span."""
    return [text[s:e] for s, e in node.body_spans]
