"""`boxoffice refund ORDER_CODE`: give the money back for a paid order, whole or by ticket."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """Register this module's commands (none yet)."""
