"""Payments of orders (free, cash, Stripe card) and the confirmation-mail queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from boxoffice.server.db.base import Base, UTCDateTime


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_intent_id", "intent_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))  # free | cash | stripe
    type: Mapped[str] = mapped_column(String(16))  # card | card_present | cash | free
    status: Mapped[str] = mapped_column(String(24))  # pending | succeeded | failed | canceled
    amount: Mapped[int] = mapped_column(Integer)  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    intent_id: Mapped[str | None] = mapped_column(String(100))
    refunded: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # minor units
    # The shift of the counter it was taken at. A plain id, no foreign key: a constraint on a
    # column added to this table would make SQLite rebuild it, and a downgrade impossible.
    shift_id: Mapped[int | None] = mapped_column(Integer)
    tendered: Mapped[int | None] = mapped_column(Integer)
    change: Mapped[int | None] = mapped_column(Integer)
    failure_message: Mapped[str | None] = mapped_column(Text)
    # card_present: the Terminal reader the card is taken on (Stripe's tmr_…), and why the
    # last attempt ended without the money (a decline code, `canceled`, `timed_out`).
    reader_id: Mapped[str | None] = mapped_column(String(64))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MailJob(Base):
    __tablename__ = "mail_job"
    __table_args__ = (Index("ix_mail_job_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    message: Mapped[bytes] = mapped_column(LargeBinary)  # the whole RFC 5322 message
    status: Mapped[str] = mapped_column(String(16))  # queued | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
