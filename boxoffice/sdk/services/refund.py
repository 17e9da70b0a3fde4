"""`sdk.refund`: give money back for a paid order, in whole or by ticket."""

from __future__ import annotations

from boxoffice.sdk.services._base import Service


class RefundService(Service):
    """Refunds (tenant host)."""
