"""The lexical index's table: chunk ids, filter columns and token ids as numpy arrays, saved as files.

At 100,000 chunks, one Python record per chunk (a tuple of token strings and a metadata dict) took
1.15 GB and 16 s to load from JSON lines, and every filtered search scanned all of them. As arrays
the same table takes tens of MB, loads in about a second, and a filter is a vectorised comparison.

Filters are Chroma-style conditions, the same ones the dense store gets (`Filters.conditions`):
{key: value}, {key: {"$in": [...]}}, {key: {"$lte": n}}, {key: {"$gte": n}}; a missing value
matches none of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FILTER_KEYS = ("doc", "township", "kind", "part", "part_kind", "year_min", "year_max")
NUMBER_KEYS = ("year_min", "year_max")
_FILES = ("ids.json", "columns.json", "vocab.json", "tokens.npy", "offsets.npy", "post_ptr.npy", "post_rows.npy")


@dataclass
class LexicalTable:
    """One row per chunk, in chunk-id order."""

    ids: list[str]
    values: dict[str, list[Any]]  # string key -> its distinct values (a row's code indexes them)
    codes: dict[str, np.ndarray]  # string key -> int32 code per row, -1 when the chunk has no value
    numbers: dict[str, np.ndarray]  # year_min / year_max per row (float64, NaN when missing)
    vocab: list[str]
    tokens: np.ndarray  # int32 token ids of every row, concatenated, in text order (repeats kept)
    offsets: np.ndarray  # int64, len(ids) + 1: row i's tokens are tokens[offsets[i]:offsets[i + 1]]
    post_ptr: np.ndarray  # int64, len(vocab) + 1: the rows holding token t are post_rows[post_ptr[t]:…]
    post_rows: np.ndarray  # int32, each token's rows once, ascending

    @classmethod
    def build(cls, rows: Sequence[tuple[str, Sequence[str], dict[str, Any]]]) -> LexicalTable:
        """From (chunk id, tokens, metadata) rows, already in chunk-id order."""
        vocab_index: dict[str, int] = {}
        token_ids: list[int] = []
        lengths = np.zeros(len(rows), dtype=np.int64)
        for i, (_, tokens, _) in enumerate(rows):
            token_ids.extend(vocab_index.setdefault(t, len(vocab_index)) for t in tokens)
            lengths[i] = len(tokens)
        values: dict[str, list[Any]] = {}
        codes: dict[str, np.ndarray] = {}
        for key in FILTER_KEYS:
            if key in NUMBER_KEYS:
                continue
            index: dict[Any, int] = {}
            codes[key] = np.array(
                [index.setdefault(meta[key], len(index)) if meta.get(key) is not None else -1 for _, _, meta in rows],
                dtype=np.int32,
            )
            values[key] = list(index)
        numbers = {
            key: np.array([_number(meta.get(key)) for _, _, meta in rows], dtype=np.float64) for key in NUMBER_KEYS
        }
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        all_tokens = np.asarray(token_ids, dtype=np.int32)
        post_ptr, post_rows = _postings(all_tokens, offsets, len(vocab_index))
        return cls([cid for cid, _, _ in rows], values, codes, numbers, list(vocab_index), all_tokens, offsets,
                   post_ptr, post_rows)  # fmt: skip

    def __len__(self) -> int:
        return len(self.ids)

    # --- rows ---------------------------------------------------------------------------------------

    def row_tokens(self, row: int) -> list[str]:
        return [self.vocab[t] for t in self.tokens[self.offsets[row] : self.offsets[row + 1]]]

    def meta(self, row: int) -> dict[str, Any]:
        """The filter metadata of one row (keys with no value left out)."""
        out: dict[str, Any] = {}
        for key, codes in self.codes.items():
            if codes[row] >= 0:
                out[key] = self.values[key][codes[row]]
        for key, numbers in self.numbers.items():
            if not np.isnan(numbers[row]):
                out[key] = int(numbers[row])
        return out

    # --- filters ------------------------------------------------------------------------------------

    def mask(self, conditions: Sequence[dict[str, Any]]) -> np.ndarray:
        """Rows meeting every condition (Chroma `where` terms), as a boolean array."""
        keep = np.ones(len(self.ids), dtype=bool)
        for cond in conditions:
            ((key, want),) = cond.items()
            keep &= self._condition(key, want)
        return keep

    def _condition(self, key: str, want: Any) -> np.ndarray:
        op, bound = next(iter(want.items())) if isinstance(want, dict) else ("$eq", want)
        if key in self.numbers:
            column = self.numbers[key]
            with np.errstate(invalid="ignore"):
                if op == "$lte":
                    return column <= bound
                if op == "$gte":
                    return column >= bound
                if op == "$in":
                    return np.isin(column, [float(b) for b in bound])
                return column == float(want)
        if key not in self.codes:
            return np.zeros(len(self.ids), dtype=bool)
        lookup = self._code_of(key)
        wanted = [lookup[b] for b in (bound if op == "$in" else [bound]) if b in lookup]
        if op not in ("$eq", "$in"):
            raise ValueError(f"unsupported filter operator {op!r} on {key}")
        return np.isin(self.codes[key], np.asarray(wanted, dtype=np.int32))

    def _code_of(self, key: str) -> dict[Any, int]:
        """A string key's value -> code, built once per key (12,500 reports: 1 ms a filter otherwise)."""
        if not hasattr(self, "_codes_by_value"):
            self._codes_by_value: dict[str, dict[Any, int]] = {}
        if key not in self._codes_by_value:
            self._codes_by_value[key] = {v: i for i, v in enumerate(self.values[key])}
        return self._codes_by_value[key]

    # --- tokens -------------------------------------------------------------------------------------

    def token_id(self, token: str) -> int | None:
        if not hasattr(self, "_vocab_index"):
            self._vocab_index = {t: i for i, t in enumerate(self.vocab)}
        return self._vocab_index.get(token)

    def rows_with(self, token: str) -> np.ndarray:
        """Rows whose tokens include `token`, ascending."""
        t = self.token_id(token)
        if t is None:
            return np.zeros(0, dtype=np.int32)
        return self.post_rows[self.post_ptr[t] : self.post_ptr[t + 1]]

    def document_frequency(self, token: str) -> int:
        return len(self.rows_with(token))

    def rows_of(self, key: str, value: Any) -> np.ndarray:
        """Rows whose string key equals value."""
        return np.flatnonzero(self._condition(key, value))

    def tokens_of_rows(self, rows: np.ndarray) -> set[str]:
        if len(rows) == 0:
            return set()
        parts = [self.tokens[self.offsets[r] : self.offsets[r + 1]] for r in rows.tolist()]
        return {self.vocab[t] for t in np.unique(np.concatenate(parts)).tolist()}

    # --- files --------------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "ids.json").write_text(json.dumps(self.ids, ensure_ascii=False), encoding="utf-8")
        columns = {
            "values": self.values,
            "codes": {k: v.tolist() for k, v in self.codes.items()},
            "numbers": {k: [None if np.isnan(x) else int(x) for x in v.tolist()] for k, v in self.numbers.items()},
        }
        (directory / "columns.json").write_text(json.dumps(columns, ensure_ascii=False), encoding="utf-8")
        (directory / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        for name in ("tokens", "offsets", "post_ptr", "post_rows"):
            np.save(directory / f"{name}.npy", getattr(self, name), allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalTable:
        """Raises OSError / ValueError / KeyError when the files are missing or do not fit together."""
        ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        columns = json.loads((directory / "columns.json").read_text(encoding="utf-8"))
        vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        arrays = {
            name: np.load(directory / f"{name}.npy", allow_pickle=False)
            for name in ("tokens", "offsets", "post_ptr", "post_rows")
        }
        codes = {k: np.asarray(v, dtype=np.int32) for k, v in columns["codes"].items()}
        numbers = {
            k: np.array([np.nan if x is None else x for x in v], dtype=np.float64)
            for k, v in columns["numbers"].items()
        }
        table = cls(ids, columns["values"], codes, numbers, vocab, **arrays)
        n = len(ids)
        if (
            len(table.offsets) != n + 1
            or len(table.post_ptr) != len(vocab) + 1
            or any(len(c) != n for c in codes.values())
            or any(len(c) != n for c in numbers.values())
        ):
            raise ValueError("lexical table files do not fit together")
        return table


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else np.nan


def _postings(tokens: np.ndarray, offsets: np.ndarray, vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """For each token, the rows that hold it (once each, ascending): a CSC layout of (row, token)."""
    rows = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    pairs = np.unique(tokens.astype(np.int64) * (len(offsets)) + rows)  # sorted by token, then row
    post_tokens = pairs // len(offsets)
    post_rows = (pairs % len(offsets)).astype(np.int32)
    post_ptr = np.zeros(vocab_size + 1, dtype=np.int64)
    np.cumsum(np.bincount(post_tokens, minlength=vocab_size), out=post_ptr[1:])
    return post_ptr, post_rows
