"""Traditional Chinese, matched as Simplified: `fold(text)` is the text in Simplified characters.

Reports and questions may be written in Traditional script (鄉鎮工作總結); every rule, word list,
the jieba dictionary and the place names of this project are Simplified. So wherever text is
*compared* (metadata detection, place names, lexical tokens, question terms against sentences, the
embedded text) it is compared folded; wherever text is *shown* (chunk text, quotes, citations, the
document view, titles) it stays as written.

`fold` keeps the length: character i of the folded text is character i of the source, so a span
found in the folded text (a sentence, a quote) is the same span of the source. OpenCC's t2s
converts by phrase and character, and for the rare phrase that changes the length the text is
converted character by character instead. Text without any Traditional-only character (one outside
GB2312, the Simplified character set) is returned as it is, without conversion: Simplified reports
cost one set test.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

# Names what `fold` does; text.TOKENIZER_VERSION includes it (tokens are of folded text).
FOLD_VERSION = "opencc-t2s-v1"
# The CJK blocks searched for Traditional characters (Extension A and the Unified Ideographs).
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000))
_lock = threading.Lock()


@functools.cache
def _converter() -> Any:
    import opencc  # the `opencc` wheel: the dictionaries are built in, nothing is downloaded

    return opencc.OpenCC("t2s")


def _convert(text: str) -> str:
    with _lock:  # one converter shared by threads (ingest writer, app workers)
        return str(_converter().convert(text))


@functools.cache
def traditional_chars() -> frozenset[str]:
    """The characters t2s changes that are not in GB2312: a text holding one is Traditional (鄉, 總,
    經); 後, 於, 乾 … are left out, being Simplified characters too (乾隆, 於姓)."""
    found = set()
    for lo, hi in _CJK_RANGES:
        chars = "".join(chr(cp) for cp in range(lo, hi))
        converted = _convert(chars)
        if len(converted) != len(chars):  # a phrase in the run of code points: one by one
            converted = "".join(_char(ch) for ch in chars)
        for ch, simple in zip(chars, converted, strict=True):
            if ch != simple and not _in_gb2312(ch):
                found.add(ch)
    return frozenset(found)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def has_traditional(text: str) -> bool:
    """The text holds a Traditional-only character (one set test: cheap on any length)."""
    return not traditional_chars().isdisjoint(text)


@functools.lru_cache(maxsize=65536)
def _char(ch: str) -> str:
    converted = _convert(ch)
    return converted if len(converted) == 1 else ch


def fold(text: str) -> str:
    """The text in Simplified characters, of the same length; the text itself when it has no
    Traditional character (see the module docstring)."""
    if not text or not has_traditional(text):
        return text
    converted = _convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_char(ch) for ch in text)
