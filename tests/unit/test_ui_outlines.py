"""The 起草 tab's outline edits (ui/outlines.py): move, delete and rename the picked heading."""

from __future__ import annotations

import pytest

from assistant.ui.inputs import UserError
from assistant.ui.outlines import deleted, headings_of, moved, outline_text, renamed

HEADINGS = ["甲项工作", "乙项工作", "丙项工作"]


def test_the_outline_box_round_trips_bare_headings() -> None:
    assert headings_of("一、甲项工作\n\n（二）乙项工作\n丙项工作\n") == HEADINGS
    assert headings_of(outline_text(HEADINGS)) == HEADINGS
    assert headings_of(None) == []


def test_move_up_and_down_stop_at_the_ends() -> None:
    assert moved(HEADINGS, "1", -1) == (["乙项工作", "甲项工作", "丙项工作"], 0)
    assert moved(HEADINGS, "1", 1) == (["甲项工作", "丙项工作", "乙项工作"], 2)
    assert moved(HEADINGS, 0, -1) == (HEADINGS, 0)
    assert moved(HEADINGS, "2", 1) == (HEADINGS, 2)


def test_delete_and_rename_the_picked_heading() -> None:
    assert deleted(HEADINGS, "0") == ["乙项工作", "丙项工作"]
    assert renamed(HEADINGS, "2", "三、丁项工作") == ["甲项工作", "乙项工作", "丁项工作"]
    assert HEADINGS == ["甲项工作", "乙项工作", "丙项工作"], "the edits return new lists"


@pytest.mark.parametrize("picked", [None, "", "3", "-1", "x"])
def test_an_edit_needs_a_picked_heading(picked: str | None) -> None:
    with pytest.raises(UserError, match="选中"):
        deleted(HEADINGS, picked)


def test_rename_needs_a_new_name() -> None:
    with pytest.raises(UserError, match="新的标题"):
        renamed(HEADINGS, "0", " 一、 ")
