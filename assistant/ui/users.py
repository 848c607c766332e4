"""Who is asking: the app's users from ASSISTANT_AUTH, and the user of a Gradio request.

ASSISTANT_AUTH holds one or more `user:password` pairs separated by commas
(`alice:pw1,bob:pw2`). Without it there is no login and every request is the one anonymous user.
Saved conversations and feedback are kept per user under this name.
"""

from __future__ import annotations

from typing import Any

from assistant.config import SettingsError

ANONYMOUS = "anonymous"


def parse_auth(raw: str | None) -> list[tuple[str, str]]:
    """The (user, password) pairs of ASSISTANT_AUTH; [] when unset. A pair without both parts, or a
    user named twice, is refused with one Chinese line."""
    if not raw or not raw.strip():
        return []
    pairs: list[tuple[str, str]] = []
    for item in raw.split(","):
        user, _, password = item.strip().partition(":")
        user = user.strip()
        if not user or not password:
            raise SettingsError("ASSISTANT_AUTH 应为 user:password，多个用户用英文逗号分隔（user1:pw1,user2:pw2）")
        if user == ANONYMOUS:
            raise SettingsError(f"ASSISTANT_AUTH 的用户名不能是保留名 {ANONYMOUS}")
        if any(user == u for u, _ in pairs):
            raise SettingsError(f"ASSISTANT_AUTH 中用户 {user} 出现了两次")
        pairs.append((user, password))
    return pairs


def user_of(request: Any) -> str:
    """The logged-in user of a Gradio request (gr.Request), or ANONYMOUS without a login."""
    name = getattr(request, "username", None) if request is not None else None
    return str(name) if name else ANONYMOUS
