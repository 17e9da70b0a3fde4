"""Prices of order items: face value less the item's discounts, never below zero."""

from __future__ import annotations

from collections.abc import Sequence

from boxoffice.server.db.models import Discount, TicketConfig
from boxoffice.server.services.money import percent_of


def unit_price(config: TicketConfig, discounts: Sequence[Discount]) -> int:
    """Price of one ticket in minor units; each discount is taken off the face value."""
    off = 0
    for discount in discounts:
        if discount.type == "percentage":
            off += percent_of(config.face_value, discount.value)
        else:
            off += discount.value
    return max(config.face_value - off, 0)
