"""Catalog wire models: venue, event, ticket config, timeslot, sector, discount."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from boxoffice.sdk.models.common import Amount, RequestModel, WireModel

EventStatus = Literal["draft", "published", "canceled"]
DiscountType = Literal["percentage", "fixed"]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
NonNegativeAmount = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
TaxRate = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
"""A VAT rate in percent (`21`, `12.5`), included in the price; 0: no tax shown."""


class Venue(WireModel):
    id: int
    name: str
    description: str | None = None
    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    zip: str | None = None
    state: str | None = None
    country: str | None = None
    timezone_name: str = "UTC"


class TicketDiscount(WireModel):
    id: int
    event_id: int
    name: str
    type: DiscountType
    value: Amount  # percent (10 = 10 %) or an amount in major units
    ticket_config_ids: list[int] = []


class TicketConfig(WireModel):
    id: int
    event_id: int
    name: str
    description: str | None = None
    face_value: Amount
    currency: str
    tax_rate: Amount = Decimal(0)  # percent (21 = 21 %), VAT included in the price
    quantity: int | None = None
    available: int | None = None  # what is left; None when only seats or slots limit it
    start_sale_at: datetime
    end_sale_at: datetime | None = None
    max_per_order: int | None = None
    seat_category: str | None = None
    color: str | None = None
    timeslot_ids: list[int] = []
    sector_ids: list[int] = []
    ticket_discount: list[TicketDiscount] | None = None


class Timeslot(WireModel):
    id: int
    event_id: int
    start_at: datetime
    end_at: datetime
    quantity: int | None = None
    available: int | None = None
    ticket_config_ids: list[int] = []


class Sector(WireModel):
    id: int
    event_id: int
    name: str
    quantity: int | None = None
    available: int | None = None
    ticket_config_ids: list[int] = []


class Event(WireModel):
    id: int
    name: str
    description: str | None = None
    status: EventStatus
    start_at: datetime
    end_at: datetime
    gate_time: datetime | None = None
    timezone_name: str
    visible: bool
    organizer_id: str
    venue_id: str | None = None
    chart_key: str | None = None
    has_seat_map: bool = False
    main_image_uri: str | None = None
    contact_email: str | None = None
    created_at: datetime
    updated_at: datetime
    venue: Venue | None = None
    ticket_config: list[TicketConfig] | None = None
    timeslot: list[Timeslot] | None = None
    sector: list[Sector] | None = None
    ticket_discount: list[TicketDiscount] | None = None


class CreateVenueRequest(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    street1: str | None = Field(default=None, max_length=200)
    street2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    zip: str | None = Field(default=None, max_length=20)
    state: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    timezone_name: str = "UTC"


class CreateEventRequest(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    start_at: AwareDatetime
    end_at: AwareDatetime
    gate_time: AwareDatetime | None = None
    timezone_name: str = "UTC"
    visible: bool = True
    venue_id: int | None = None
    chart_key: str | None = Field(default=None, max_length=100)
    main_image_uri: str | None = Field(default=None, max_length=500)
    contact_email: str | None = Field(default=None, max_length=200)


class UpdateEventRequest(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    start_at: AwareDatetime | None = None
    end_at: AwareDatetime | None = None
    gate_time: AwareDatetime | None = None
    timezone_name: str | None = None
    visible: bool | None = None
    venue_id: int | None = None
    chart_key: str | None = Field(default=None, max_length=100)
    main_image_uri: str | None = Field(default=None, max_length=500)
    contact_email: str | None = Field(default=None, max_length=200)


class CreateTicketConfigRequest(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    face_value: NonNegativeAmount
    currency: Currency | None = None
    tax_rate: TaxRate = Decimal(0)
    quantity: int | None = Field(default=None, ge=0)
    start_sale_at: AwareDatetime
    end_sale_at: AwareDatetime | None = None
    max_per_order: int | None = Field(default=None, ge=1)
    seat_category: str | None = Field(default=None, max_length=64)
    color: str | None = Field(default=None, max_length=16)
    position: int = 0


class UpdateTicketConfigRequest(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    face_value: NonNegativeAmount | None = None
    tax_rate: TaxRate | None = None
    quantity: int | None = Field(default=None, ge=0)
    start_sale_at: AwareDatetime | None = None
    end_sale_at: AwareDatetime | None = None
    max_per_order: int | None = Field(default=None, ge=1)
    seat_category: str | None = Field(default=None, max_length=64)
    color: str | None = Field(default=None, max_length=16)
    position: int | None = None


class CreateTimeslotRequest(RequestModel):
    start_at: AwareDatetime
    end_at: AwareDatetime
    quantity: int | None = Field(default=None, ge=0)
    ticket_config_ids: list[int] = []


class CreateSectorRequest(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    quantity: int | None = Field(default=None, ge=0)
    ticket_config_ids: list[int] = []


class CreateDiscountRequest(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    type: DiscountType
    value: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
    ticket_config_ids: list[int] = Field(min_length=1)
