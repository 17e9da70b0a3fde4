"""`boxoffice receipt`, `reprint`, `reissue` and `history`: an order's papers and its story."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """Register this module's commands (none yet)."""
