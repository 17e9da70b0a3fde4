"""The cash drawer: a counter's shifts and every movement of cash in and out of its drawer.

A shift belongs to one counter (a named device) and is opened with a float; several cashiers
may work it, and every movement records who. At most one shift per counter is open at a time
(a partial unique index). Closing records the counted cash and the ledger head hash the Z
report carries; a closed shift is never opened again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from boxoffice.server.db.base import Base, UTCDateTime

OPEN = "open"
CLOSED = "closed"

# Kinds of cash movement; amounts are signed minor units, + into the drawer, - out of it.
FLOAT = "float"  # the float the shift was opened with
SALE = "sale"  # cash taken for an order (net of the change given)
REFUND = "refund"  # cash handed back for a refund
PAY_IN = "pay_in"  # petty cash put in, with a reason
PAY_OUT = "pay_out"  # petty cash taken out, with a reason
MOVEMENT_KINDS = (FLOAT, SALE, REFUND, PAY_IN, PAY_OUT)


class Shift(Base):
    __tablename__ = "shift"
    __table_args__ = (
        Index(
            "uq_shift_open_counter",
            "counter",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    counter: Mapped[str] = mapped_column(String(64), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(8), default=OPEN)
    float_amount: Mapped[int] = mapped_column(Integer)  # minor units
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counted_amount: Mapped[int | None] = mapped_column(Integer)  # minor units, at close
    # At close, per denomination when the cashier counted so: {"5000": 2, "200": 3} (minor
    # units of the note or coin → how many).
    counted_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ledger_head: Mapped[str | None] = mapped_column(String(64))  # the ledger's head hash at close


class CashMovement(Base):
    __tablename__ = "cash_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # MOVEMENT_KINDS
    amount: Mapped[int] = mapped_column(Integer)  # signed minor units
    currency: Mapped[str] = mapped_column(String(3))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
