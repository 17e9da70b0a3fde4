"""Seat maps and hold tokens, with seats.io's statuses: free, reservedByToken, booked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boxoffice.server.db.base import Base, UTCDateTime

FREE = "free"
HELD = "reservedByToken"
BOOKED = "booked"


class HoldToken(Base):
    __tablename__ = "hold_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Seat(Base):
    __tablename__ = "seat"
    __table_args__ = (
        UniqueConstraint("event_id", "label"),
        Index("ix_seat_hold_token", "hold_token"),
        Index("ix_seat_order_id", "order_id"),
        Index("ix_seat_event_row", "event_id", "section", "row"),  # best available, row by row
        Index("ix_seat_event_status", "event_id", "status"),  # the map: seats not free
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(64))
    row: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    x: Mapped[float] = mapped_column(Float, default=0.0)
    y: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default=FREE)
    hold_token: Mapped[str | None] = mapped_column(String(64))
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id", ondelete="SET NULL"))
