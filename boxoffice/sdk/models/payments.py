"""Payments as the SDK reads them: Tickethead's PaymentIntentResponse plus our extensions."""

from __future__ import annotations

from typing import Any, Literal

from boxoffice.sdk.models.common import Amount, RequestModel, WireModel
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.readers import Reader

PaymentType = Literal["card", "card_present", "cash"]


class PaymentRequest(RequestModel):
    """The body of `POST payment/v1/payment`: `tendered` (cash) and `amount` (the part of
    the order this payment covers, for split payments; default: what is still due)."""

    tendered: Amount | None = None
    amount: Amount | None = None


class Payment(WireModel):
    """One payment of an order (`provider` stripe | cash | free)."""

    id: int
    provider: str
    type: str
    status: str
    amount: Amount
    tendered: Amount | None = None
    change: Amount | None = None
    shift_id: int | None = None  # the counter's open shift it was taken at
    reader_id: str | None = None  # card_present: the reader the card is taken on
    livemode: bool = False


class StripeConfig(WireModel):
    """`GET payment/v1/payment/config`: the publishable key card payments are made with."""

    publishable_key: str


class PaymentIntentResponse(WireModel):
    """`publishable_key` and Stripe's `payment_intent` (null for free and cash) + order, payment."""

    publishable_key: str | None = None
    payment_intent: dict[str, Any] | None = None
    stripe_js_url: str | None = None
    order: Order | None = None
    payment: Payment | None = None
    reader: Reader | None = None  # card_present: the reader, its action in progress

    @property
    def client_secret(self) -> str | None:
        """The intent's client secret for the payment page, if there is an intent."""
        secret = (self.payment_intent or {}).get("client_secret")
        return str(secret) if secret else None


class SeatMapReplaced(WireModel):
    """The answer of `PUT …/seat_map`: how many seats the new map has."""

    event_id: int
    seats: int
