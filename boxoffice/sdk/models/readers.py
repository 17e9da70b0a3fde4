"""Card readers (Stripe Terminal) and card-present payments as the SDK reads them.

A reader is registered once with the code it shows, picked for a counter, and then takes
the counter's card payments: `POST payment/v1/payment?type=card_present` starts one, the
reader asks the customer for the card, and `GET payment/v1/payment/reader` says how it
stands (`ReaderPaymentStatus.state`) until it is over.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from boxoffice.sdk.models.common import Amount, RequestModel, WireModel
from boxoffice.sdk.models.orders import Order

# waiting: the reader asks for the card; succeeded: paid (the order may still have more to
# pay when split); declined: the card was refused, the order is payable again; canceled /
# timed_out: nobody paid on the reader, nothing was charged; reader_offline: the reader
# cannot be reached while the payment waits (it may still finish when it is back).
ReaderPaymentState = Literal[
    "waiting", "succeeded", "declined", "canceled", "timed_out", "reader_offline"
]
FINAL_STATES: frozenset[str] = frozenset({"succeeded", "declined", "canceled", "timed_out"})


class ReaderAction(WireModel):
    """What the reader is doing (Stripe's `reader.action`)."""

    type: str
    status: str  # in_progress | succeeded | failed
    payment_intent: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    decline_code: str | None = None


class Reader(WireModel):
    """A card reader: Stripe's status and action, and the counter the venue picked it for.

    `registered` is False for a reader Stripe knows (registered in the Dashboard) that this
    venue server has not taken on yet; picking it for a counter takes it on."""

    id: str
    label: str
    device_type: str
    status: str | None = None  # online | offline; None when Stripe could not be asked
    location: str | None = None
    serial_number: str | None = None
    counter: str | None = None
    livemode: bool = False
    registered: bool = True
    action: ReaderAction | None = None


class ReaderRegistration(RequestModel):
    """`POST payment/v1/reader`: pair a reader by the code it shows (`simulated-wpe` or
    `simulated-s700` in training mode), with a label; optionally pick it for a counter."""

    registration_code: str = Field(min_length=1, max_length=100)
    label: str = Field(min_length=1, max_length=100)
    counter: str | None = Field(default=None, max_length=64)
    location: str | None = Field(default=None, max_length=64)


class ReaderUpdate(RequestModel):
    """`PATCH payment/v1/reader/{id}`: pick the reader for `counter` (null: for none), or
    rename it. A field left out is left as it is."""

    counter: str | None = Field(default=None, max_length=64)
    label: str | None = Field(default=None, min_length=1, max_length=100)


class ReaderCard(RequestModel):
    """`POST payment/v1/reader/{id}/present` (training and Stripe test mode only): the card
    the customer taps, a card_present test number (default: an approved card)."""

    card_number: str | None = Field(default=None, max_length=32)


class ReaderPaymentStatus(WireModel):
    """How the order's card payment on a reader stands; `message` is the sentence for the
    cashier when it did not pay (or the reader cannot be reached)."""

    order_id: int
    payment_id: int
    reader_id: str
    state: ReaderPaymentState
    message: str | None = None
    decline_code: str | None = None
    amount: Amount
    currency: str
    order: Order
    reader: Reader | None = None

    @property
    def final(self) -> bool:
        """True once nothing more will happen on the reader for this payment."""
        return self.state in FINAL_STATES
