"""ASSISTANT_AUTH users and the user of a request (assistant/ui/users.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.config import Settings, SettingsError
from assistant.ui.server import login
from assistant.ui.users import ANONYMOUS, parse_auth, user_of


def test_one_and_several_users() -> None:
    assert parse_auth(None) == []
    assert parse_auth("  ") == []
    assert parse_auth("clerk:secret") == [("clerk", "secret")]
    assert parse_auth("张三:pw1, 李四:p:w2") == [("张三", "pw1"), ("李四", "p:w2")]


@pytest.mark.parametrize("raw", ["clerk", "clerk:", ":pw", "a:1,,b:2", "a:1,a:2", f"{ANONYMOUS}:pw"])
def test_bad_auth_is_refused_in_chinese(raw: str) -> None:
    with pytest.raises(SettingsError, match="ASSISTANT_AUTH"):
        parse_auth(raw)


def test_login_gives_gradio_its_pairs(tmp_path) -> None:
    assert login(Settings(store_dir=tmp_path)) is None
    assert login(Settings(store_dir=tmp_path, auth="a:1,b:2")) == [("a", "1"), ("b", "2")]


def test_user_of_request() -> None:
    assert user_of(None) == ANONYMOUS
    assert user_of(SimpleNamespace(username=None)) == ANONYMOUS
    assert user_of(SimpleNamespace(username="李四")) == "李四"
