"""Orders: the create-order request of the seed, order items, order contact."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import EmailStr, Field

from boxoffice.sdk.models.common import Amount, RequestModel, WireModel
from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.order_status import OrderStatus

TicketFormat = Literal["PDF", "PKPASS", "SECURE"]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Optional200 = Annotated[str | None, Field(default=None, max_length=200)]


class OrderContactRequest(RequestModel):
    first_name: Name
    last_name: Name
    email: EmailStr
    billing_email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    street1: Optional200 = None
    street2: Optional200 = None
    city: str | None = Field(default=None, max_length=100)
    zip: str | None = Field(default=None, max_length=20)
    state: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=2)
    company_name: Optional200 = None
    vat_number: str | None = Field(default=None, max_length=40)


class OrderItemRequest(RequestModel):
    quantity: int = Field(ge=1, le=100)
    ticket_config_id: int = Field(gt=0)
    timeslot_id: int | None = Field(default=None, gt=0)
    sector_id: int | None = Field(default=None, gt=0)
    ticket_discount: list[int] = Field(default_factory=list, max_length=10)
    selected_seats: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = None


class OrderRequest(RequestModel):
    order_item: list[OrderItemRequest] = Field(min_length=1, max_length=50)
    format: TicketFormat = "PDF"
    hold_token: str | None = Field(default=None, min_length=1, max_length=64)
    order_contact: OrderContactRequest | None = None


class OrderContact(WireModel):
    first_name: str
    last_name: str
    email: str
    billing_email: str | None = None
    phone: str | None = None
    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    zip: str | None = None
    state: str | None = None
    country: str | None = None
    company_name: str | None = None
    vat_number: str | None = None


class OrderItem(WireModel):
    id: int
    ticket_config_id: int
    timeslot_id: int | None = None
    sector_id: int | None = None
    quantity: int
    face_value: Amount
    unit_price: Amount
    total: Amount
    ticket_discount: list[int] = []
    selected_seats: list[str] = []
    ticket_config_name: str | None = None


class Order(WireModel):
    id: int
    code: str
    event_id: int
    user_id: int
    status: OrderStatus
    format: TicketFormat
    currency: str
    total: Amount
    hold_token: str | None = None
    expires_at: datetime | None = None
    cancel_reason: str | None = None
    created_at: datetime
    updated_at: datetime
    order_item: list[OrderItem]
    order_contact: OrderContact | None = None
    event: Event | None = None  # with=[event]
    # Extensions of `GET event/v1/order` (the counter's Orders tab); null elsewhere and from
    # Tickethead.
    event_name: str | None = None
    payment_method: str | None = None  # "cash", "card", "free": how it was (or is being) paid
    cashier: str | None = None  # the staff account that sold it: its full name, else user name
