"""An order's status on the wire, and the named sets of statuses every rule is written with.

The one place an order status is spelled: the server's rules, its database column, the SDK's
models and the desktop app all use `OrderStatus` and these sets.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    DRAFT = "draft"  # made, holds its tickets until paid or its hold runs out
    PAYMENT_PROCESSING = "payment_processing"  # a card intent is open
    PAYMENT_FAILED = "payment_failed"  # the card was declined; may be paid again
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELED = "canceled"  # by a person, or released when its hold ran out


# May still be paid; until then it holds its inventory, and may be canceled or expire.
PAYABLE = frozenset({OrderStatus.DRAFT, OrderStatus.PAYMENT_PROCESSING, OrderStatus.PAYMENT_FAILED})
EXPIRABLE = PAYABLE
# May be canceled (an open card intent is settled first); the same orders as may expire.
CANCELABLE = PAYABLE
# No payment is under way: a new one may be started (a processing one is reconciled instead).
AWAITING_PAYMENT = frozenset({OrderStatus.DRAFT, OrderStatus.PAYMENT_FAILED})
# Its tickets and seats are taken: unpaid and held, or sold.
HOLDING = PAYABLE | {OrderStatus.PAID}
# Nothing more happens to it.
FINAL = frozenset({OrderStatus.CANCELED, OrderStatus.REFUNDED})
