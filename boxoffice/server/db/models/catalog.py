"""Catalog tables: organizer, venue, event, ticket configs, timeslots, sectors, discounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boxoffice.server.db.base import Base, UTCDateTime

timeslot_ticket_config = Table(
    "timeslot_ticket_config",
    Base.metadata,
    Column("timeslot_id", ForeignKey("timeslot.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "ticket_config_id", ForeignKey("ticket_config.id", ondelete="CASCADE"), primary_key=True
    ),
)
sector_ticket_config = Table(
    "sector_ticket_config",
    Base.metadata,
    Column("sector_id", ForeignKey("sector.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "ticket_config_id", ForeignKey("ticket_config.id", ondelete="CASCADE"), primary_key=True
    ),
)
discount_ticket_config = Table(
    "discount_ticket_config",
    Base.metadata,
    Column("discount_id", ForeignKey("discount.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "ticket_config_id", ForeignKey("ticket_config.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Organizer(Base):
    __tablename__ = "organizer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    address: Mapped[str | None] = mapped_column(Text)  # as printed on receipts, lines by \n
    vat_id: Mapped[str | None] = mapped_column(String(40))


class Venue(Base):
    __tablename__ = "venue"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    street1: Mapped[str | None] = mapped_column(String(200))
    street2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    zip: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    timezone_name: Mapped[str] = mapped_column(String(64), default="UTC")


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("organizer.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    gate_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone_name: Mapped[str] = mapped_column(String(64), default="UTC")
    visible: Mapped[bool] = mapped_column(default=True)
    chart_key: Mapped[str | None] = mapped_column(String(100))
    main_image_uri: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organizer: Mapped[Organizer] = relationship(lazy="joined")
    venue: Mapped[Venue | None] = relationship(lazy="joined")
    ticket_configs: Mapped[list[TicketConfig]] = relationship(
        back_populates="event", order_by="TicketConfig.position, TicketConfig.id"
    )
    timeslots: Mapped[list[Timeslot]] = relationship(order_by="Timeslot.start_at, Timeslot.id")
    sectors: Mapped[list[Sector]] = relationship(order_by="Sector.id")
    discounts: Mapped[list[Discount]] = relationship(order_by="Discount.id")


class TicketConfig(Base):
    __tablename__ = "ticket_config"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    face_value: Mapped[int] = mapped_column(Integer, default=0)  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    # VAT included in the price, in basis points (2100 = 21 %); 0: no tax shown.
    tax_rate: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quantity: Mapped[int | None] = mapped_column(Integer)  # None: limited only by seats/slots
    taken: Mapped[int] = mapped_column(Integer, default=0)
    start_sale_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_sale_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_per_order: Mapped[int | None] = mapped_column(Integer)
    seat_category: Mapped[str | None] = mapped_column(String(64))
    color: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="ticket_configs")
    timeslots: Mapped[list[Timeslot]] = relationship(
        secondary=timeslot_ticket_config, back_populates="ticket_configs"
    )
    sectors: Mapped[list[Sector]] = relationship(
        secondary=sector_ticket_config, back_populates="ticket_configs"
    )
    discounts: Mapped[list[Discount]] = relationship(
        secondary=discount_ticket_config, back_populates="ticket_configs"
    )


class Timeslot(Base):
    __tablename__ = "timeslot"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    quantity: Mapped[int | None] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)

    ticket_configs: Mapped[list[TicketConfig]] = relationship(
        secondary=timeslot_ticket_config, back_populates="timeslots"
    )


class Sector(Base):
    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int | None] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)

    ticket_configs: Mapped[list[TicketConfig]] = relationship(
        secondary=sector_ticket_config, back_populates="sectors"
    )


class Discount(Base):
    __tablename__ = "discount"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))  # "percentage" | "fixed"
    value: Mapped[int] = mapped_column(Integer)  # basis points, or minor units

    ticket_configs: Mapped[list[TicketConfig]] = relationship(
        secondary=discount_ticket_config, back_populates="discounts"
    )
