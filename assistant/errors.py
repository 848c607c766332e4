"""The one base of every error whose message is meant for the user.

Each error the product raises on purpose (a busy store, a file it cannot read, a model that does
not answer, a bad setting …) subclasses AssistantError and carries its message in Chinese, ready
to show as is: the CLI prints it and exits with `exit_code`, the app shows it in the page.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class AssistantError(Exception):
    """An error with a message (Chinese) for the user; `exit_code` is what the CLI exits with."""

    exit_code = 1

    @property
    def message(self) -> str:
        return str(self)
