"""Orders: the create-order request of the seed, order items, order contact.

The answer's shape is `bam-ticketing-sdk`'s `Order` (`owner_id`, `owner_type`, `payment_id`,
`order_item[].price`, `order_item[].ticket` with `with=[order_item.[ticket]]`, the vendor's
`status`), plus this server's extensions (`box_office_status`, `code`, `total`…).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    EmailStr,
    Field,
    computed_field,
    field_serializer,
    model_validator,
)

from boxoffice.sdk.models.common import Amount, RequestModel, WireModel
from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.order_status import FROM_VENDOR_STATUS, VENDOR_STATUS, OrderStatus
from boxoffice.sdk.models.tickets import Ticket, TicketFormat

# The vendor's name of the contact's company, and the name this server used before.
BUSINESS_NAME = AliasChoices("business_name", "businessName", "company_name", "companyName")
Name = Annotated[str, Field(min_length=1, max_length=100)]
Optional200 = Annotated[str | None, Field(default=None, max_length=200)]
# The languages this server writes tickets and mails in (an extension of the vendor's order).
Language = Literal["en", "cs", "de"]


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
    business_name: Optional200 = Field(default=None, validation_alias=BUSINESS_NAME)
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
    # The buyer's language for the order's tickets and mails; without it, the request's
    # Accept-Language decides (else English).
    language: Language | None = None


class OrderContact(WireModel):
    id: int | None = None  # the vendor's contact id: here the order's (one contact per order)
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
    business_name: str | None = Field(default=None, validation_alias=BUSINESS_NAME)
    vat_number: str | None = None


class OrderItem(WireModel):
    id: int
    ticket_config_id: int
    timeslot_id: int | None = None
    sector_id: int | None = None
    quantity: int
    face_value: Amount
    price: Amount  # of one ticket, after discounts (the vendor's name)
    total: Amount
    ticket_discount: list[int] = []
    selected_seats: list[str] = []
    ticket_config_name: str | None = None
    ticket: list[Ticket] | None = None  # with=[order_item.[ticket]]: its issued tickets


class Order(WireModel):
    """An order. In Python `status` is the full `OrderStatus`; on the wire it is the vendor's
    status (`VENDOR_STATUS`) and the full one is `box_office_status`."""

    id: int
    code: str
    event_id: int
    owner_id: str  # the account that made it (the vendor's owner: a string id)
    owner_type: str = "user"  # "user" or "guest"
    payment_id: str | None = None  # the Stripe intent's id, else this server's payment number
    payment_created_at: datetime | None = None  # when that payment was started
    refunded_amount: Amount = Decimal(0)  # given back by refunds
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
    # Extensions of this server, in every order answer (the counter's Orders tab shows them);
    # null from Tickethead.
    event_name: str | None = None
    payment_method: str | None = None  # "cash", "card", "free", "split": how it was paid
    paid_amount: Amount = Decimal(0)  # what its payments took so far (split: the parts)
    amount_due: Amount = Decimal(0)  # what is left to pay: total - paid_amount, never < 0
    cashier: str | None = None  # the staff account that sold it: its full name, else user name
    language: str = "en"  # the buyer's language: its tickets and mails are written in it

    @model_validator(mode="before")
    @classmethod
    def _full_status(cls, data: Any) -> Any:
        """Read `box_office_status` where the server sends it, else the vendor's `status`."""
        if not isinstance(data, dict):
            return data
        full = data.get("box_office_status")
        if full is None:
            vendor = data.get("status")
            full = FROM_VENDOR_STATUS.get(vendor, vendor) if isinstance(vendor, str) else vendor
        return {**data, "status": full} if full is not None else data

    @field_serializer("status", when_used="json")
    def _vendor_status(self, status: OrderStatus) -> str:
        return VENDOR_STATUS[status]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def box_office_status(self) -> OrderStatus:
        """The full status (the vendor's `status` has no `canceled` and no `declined`)."""
        return self.status
