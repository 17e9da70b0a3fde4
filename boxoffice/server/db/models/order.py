"""Orders, their items (n tickets of one kind) and the order contact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.db.base import Base, UTCDateTime
from boxoffice.server.db.models.catalog import Event, TicketConfig

# The status column stays a VARCHAR(24) holding the status's value (`declined`, not the
# name): no database enum type and no CHECK constraint, so a new status needs no migration.
# SQLAlchemy converts both ways itself (rows read give `OrderStatus`), so no driver has to
# adapt the enum (psycopg would write a plain `Enum` by its name).
ORDER_STATUS = Enum(
    OrderStatus,
    native_enum=False,
    create_constraint=False,
    length=24,
    values_callable=lambda statuses: [status.value for status in statuses],
)


class Order(Base):
    __tablename__ = "order"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        # The request that made the order: its retry finds it (see services.orders).
        UniqueConstraint("user_id", "idempotency_key", name="uq_order_user_id_idempotency_key"),
        Index("ix_order_status_expires_at", "status", "expires_at"),
        Index("ix_order_user_id", "user_id"),
        # `code=` names no event. `query=` (part of a code, name or email) has its own index:
        # see migration 0010 (FTS5 on SQLite, pg_trgm on PostgreSQL; not modelled here).
        Index("ix_order_code", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[OrderStatus] = mapped_column(ORDER_STATUS, default=OrderStatus.DRAFT)
    format: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[int] = mapped_column(Integer)  # minor units
    hold_token: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(32))
    # The buyer's language ("en", "cs", "de"): its tickets and mails are written in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", order_by="OrderItem.id", cascade="all, delete-orphan"
    )
    contact: Mapped[OrderContact | None] = relationship(
        back_populates="order", cascade="all, delete-orphan"
    )


class OrderItem(Base):
    __tablename__ = "order_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    ticket_config_id: Mapped[int] = mapped_column(ForeignKey("ticket_config.id"))
    timeslot_id: Mapped[int | None] = mapped_column(ForeignKey("timeslot.id"))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)  # after discounts, minor units
    face_value: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    discount_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    selected_seats: Mapped[list[str]] = mapped_column(JSON, default=list)

    order: Mapped[Order] = relationship(back_populates="items")
    ticket_config: Mapped[TicketConfig] = relationship()


class OrderContact(Base):
    __tablename__ = "order_contact"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("order.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), index=True)
    billing_email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    street1: Mapped[str | None] = mapped_column(String(200))
    street2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    zip: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    business_name: Mapped[str | None] = mapped_column(String(200))
    vat_number: Mapped[str | None] = mapped_column(String(40))
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    order: Mapped[Order] = relationship(back_populates="contact")
