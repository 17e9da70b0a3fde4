"""An order's papers and story: reprint and reissue requests, and its history entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from boxoffice.sdk.models.common import RequestModel, WireModel

ReceiptSize = Literal["roll", "a4"]
"""An 80 mm receipt roll (the default) or A4."""


class ReprintRequest(RequestModel):
    """Print tickets again: why, and which (default: all the order's valid tickets)."""

    reason: str = Field(min_length=1, max_length=500)
    ticket_ids: list[int] | None = Field(default=None, max_length=500)


class ReissueRequest(RequestModel):
    """Replace tickets with new codes (the old ones are revoked): why, and which."""

    reason: str = Field(min_length=1, max_length=500)
    ticket_ids: list[int] = Field(min_length=1, max_length=500)


class HistoryEntry(WireModel):
    """One thing that happened to an order: `action` such as `order.created`, `order.paid`,
    `order.refunded`, `order.reprinted`, `order.reissued`, `mail.queued`, `mail.sent`."""

    at: datetime
    action: str
    who: str | None = None  # "First Last (username)", null for the system
    details: dict[str, Any] = {}


class HistoryPage(WireModel):
    """`GET event/v1/order/{id}/history`: the entries, oldest first (not paged)."""

    data: list[HistoryEntry]
