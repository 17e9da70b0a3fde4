"""Issued tickets (one per unit of a paid order) and each event's ticket-signing key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from boxoffice.server.db.base import Base, UTCDateTime

VALID = "valid"
INVALIDATED = "invalidated"
REVOKED = "revoked"  # refunded, or replaced by a reissue: fails at the door


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (Index("ix_ticket_owner_id", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    qr_payload: Mapped[str] = mapped_column(String(200))
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_item.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    ticket_config_id: Mapped[int] = mapped_column(ForeignKey("ticket_config.id"))
    timeslot_id: Mapped[int | None] = mapped_column(ForeignKey("timeslot.id"))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id"))
    seat_label: Mapped[str | None] = mapped_column(String(64))
    price: Mapped[int] = mapped_column(Integer)  # minor units
    format: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=VALID)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    holder_name: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Copies printed after the first (a reprint is marked "REPRINT n" with n = this + 1).
    reprints: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The ticket this one replaced (a plain id, as `payment.shift_id`: no rebuild of the table).
    reissued_from_id: Mapped[int | None] = mapped_column(Integer)


class EventSigningKey(Base):
    """The Ed25519 key that signs an event's ticket codes; scanners hold the public half."""

    __tablename__ = "event_signing_key"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    private_pem: Mapped[str] = mapped_column(Text)
    public_pem: Mapped[str] = mapped_column(Text)
