"""An order's status, the named sets of statuses every rule is written with, and how a status
is spelled for Tickethead's clients.

The one place an order status is spelled: the server's rules, its database column, the SDK's
models and the desktop app all use `OrderStatus` and these sets. On the wire an order carries
both: `status` in the vendor's own vocabulary (`bam-ticketing-sdk`'s `OrderStatus`: it has no
`canceled` and no retryable decline) and `box_office_status`, the full `OrderStatus`.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    DRAFT = "draft"  # made, holds its tickets until paid or its hold runs out
    PAYMENT_PROCESSING = "payment_processing"  # a card intent is open
    DECLINED = "declined"  # the card was declined or its intent lapsed; may be paid again
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELED = "canceled"  # by a person, or released when its hold ran out


# May still be paid; until then it holds its inventory, and may be canceled or expire.
PAYABLE = frozenset({OrderStatus.DRAFT, OrderStatus.PAYMENT_PROCESSING, OrderStatus.DECLINED})
EXPIRABLE = PAYABLE
# May be canceled (an open card intent is settled first); the same orders as may expire.
CANCELABLE = PAYABLE
# No payment is under way: a new one may be started (a processing one is reconciled instead).
AWAITING_PAYMENT = frozenset({OrderStatus.DRAFT, OrderStatus.DECLINED})
# Its tickets and seats are taken: unpaid and held, or sold.
HOLDING = PAYABLE | {OrderStatus.PAID}
# Nothing more happens to it.
FINAL = frozenset({OrderStatus.CANCELED, OrderStatus.REFUNDED})


VENDOR_STATUS: dict[OrderStatus, str] = {
    OrderStatus.DRAFT: "draft",
    OrderStatus.PAYMENT_PROCESSING: "payment_processing",
    # A declined card leaves the order payable, with a payment attempt on it: the vendor's
    # `payment_processing` (its `payment_failed` is an end state).
    OrderStatus.DECLINED: "payment_processing",
    OrderStatus.PAID: "paid",
    OrderStatus.PARTIALLY_REFUNDED: "partially_refunded",
    OrderStatus.REFUNDED: "refunded",
    # The vendor's enum names `payment_failed` `Canceled`: the end state of an order not paid.
    OrderStatus.CANCELED: "payment_failed",
}
"""`OrderStatus` → the `status` a Tickethead client reads (`bam-ticketing-sdk` `OrderStatus`)."""

FROM_VENDOR_STATUS: dict[str, OrderStatus] = {
    "draft": OrderStatus.DRAFT,
    "payment_processing": OrderStatus.PAYMENT_PROCESSING,
    "payment_failed": OrderStatus.CANCELED,
    "paid": OrderStatus.PAID,
    "partially_refunded": OrderStatus.PARTIALLY_REFUNDED,
    "refunded": OrderStatus.REFUNDED,
}
"""A vendor `status` → `OrderStatus`, for an order that has no `box_office_status` (Tickethead)."""
