"""An unpaid order leaves its unpaid statuses exactly once: paid (`payments`) or released
(`lifecycle`), whichever comes first — one conditional UPDATE, so no two requests can both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from boxoffice.sdk.models.order_status import PAYABLE, OrderStatus
from boxoffice.server.db.models import Order


def claim_unpaid(
    session: Session, order: Order, status: OrderStatus, *, now: datetime, **values: Any
) -> bool:
    """Move an unpaid order to `status` (setting `values` too), exactly once: True if this
    call did, False if the order was paid, canceled or expired meanwhile. `order` is not
    updated; refresh it."""
    claimed = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(PAYABLE))
        .values(status=status, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]
