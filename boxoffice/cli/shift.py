"""`boxoffice shift open|cash|report|close` and `boxoffice pay`: the counter's cash drawer
and paying an order in parts (split payments)."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """Register this module's commands (none yet)."""
