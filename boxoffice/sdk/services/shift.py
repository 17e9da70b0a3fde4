"""`sdk.shift`: the counter's shift and cash drawer (open, pay-ins and pay-outs, reports,
close)."""

from __future__ import annotations

from boxoffice.sdk.services._base import Service


class ShiftService(Service):
    """Shifts of the counter the SDK is built for (`SDK.counter`, sent as `X-Counter`)."""
