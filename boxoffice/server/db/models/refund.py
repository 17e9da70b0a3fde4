"""Refunds: money given back for a paid order, in whole or by ticket, by the way it came.

One refund row per payment it gives money back to (a split payment is refunded by its
parts), each with the tickets it revoked. A ticket is refunded at most once
(`refund_ticket.ticket_id` is unique), which is what makes two cashiers refunding the same
ticket at once end in one refund.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from boxoffice.server.db.base import Base, UTCDateTime

SUCCEEDED = "succeeded"
PENDING = "pending"  # asked of Stripe, not answered yet
FAILED = "failed"


class Refund(Base):
    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    method: Mapped[str] = mapped_column(String(16))  # cash | card | free (the payment's type)
    status: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)  # minor units, > 0 (0 for free tickets)
    currency: Mapped[str] = mapped_column(String(3))
    provider_refund_id: Mapped[str | None] = mapped_column(String(100))  # Stripe's re_…
    reason: Mapped[str] = mapped_column(Text)
    failure_message: Mapped[str | None] = mapped_column(Text)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))  # cash back: the drawer
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


refund_ticket = Table(
    "refund_ticket",
    Base.metadata,
    Column("refund_id", ForeignKey("refund.id", ondelete="CASCADE"), primary_key=True),
    Column("ticket_id", ForeignKey("ticket.id"), primary_key=True, unique=True),
)
"""Which tickets a refund revoked; a ticket is refunded once."""
