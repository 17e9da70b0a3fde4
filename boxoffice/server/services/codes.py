"""Short, printer-safe order codes: no o/0/1/i/l to misread at the counter."""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6


def new_order_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
