"""What every payment provider shares: the request it is given, the result it returns, the base.

A provider takes (cash, free) or starts (card) the payment of one order:
`pay(request)` → `PaymentResult(order, payment, …)`. It is called by `services.payments`
once the order is known to be payable and its seats are claimed, and it records its
`Payment` row; it never marks the order paid. When the returned payment has succeeded, the
caller completes the order: marks it paid exactly once, issues its tickets and queues the
confirmation mail. Refunds and split payments will be further methods of the provider.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from boxoffice.server.db.models import Order, Payment, Shift
from boxoffice.server.services.actors import Actor
from boxoffice.server.stripe.cards import CardPayments
from boxoffice.server.stripe.gateway import IntentInfo, ReaderInfo

SUCCEEDED = "succeeded"  # a payment's status once the money is taken
# The payment types Stripe takes: a card typed on the payment page, a card on a reader.
CARD_TYPES = ("card", "card_present")


@dataclass
class PaymentResult:
    """The order and its payment; for a card, the intent the payment page confirms."""

    order: Order
    payment: Payment
    intent: IntentInfo | None = None
    publishable_key: str | None = None
    stripe_js_url: str | None = None  # where the payment page loads Stripe.js from
    reader: ReaderInfo | None = None  # card_present: the reader asking for the card


@dataclass(frozen=True)
class PaymentRequest:
    """One call to pay an order, as `services.payments` hands it to the provider."""

    session: Session
    actor: Actor
    order: Order
    now: datetime
    cards: CardPayments
    # Makes sure the order's open card intent can no longer take money
    # (`services.payments.settle_open_intent`): True when it cannot, False when it went through
    # after all and the order is paid by card now. A Stripe failure raises a 409.
    settle_card_intent: Callable[[], bool]
    tendered: Decimal | None = None  # the cash handed over
    # What this payment covers (minor units): the whole total, or with split payments a part
    # of what is still due; the caller checked 0 < amount <= due.
    amount: int | None = None
    # The open shift of the counter the request is made at, if any: recorded as the
    # payment's `shift_id`; cash needs it (the caller requires it for cash).
    shift: Shift | None = None
    # card_present: the Terminal reader to take the card on (the caller resolved it).
    reader_id: str | None = None

    @property
    def covers(self) -> int:
        """What this payment is for, in minor units (the order's total unless split)."""
        return self.order.total if self.amount is None else self.amount


class PaymentProvider(ABC):
    """A way to pay an order: `type` and `name` say what its payments record, `pay` pays.

    Providers hold no state: the registry keeps one of each, and everything a payment needs
    comes with its `PaymentRequest`.
    """

    #: The `type` a payment request names, recorded as `Payment.type`: "card", "cash", "free".
    type: ClassVar[str]
    #: Who takes the money, recorded as `Payment.provider`: "stripe", "cash", "free".
    name: ClassVar[str]
    #: Whether a payment request may name it; "free" is never asked for: it pays at once
    #: every order whose total is 0, whatever the request names.
    requestable: ClassVar[bool] = True

    @abstractmethod
    def pay(self, request: PaymentRequest) -> PaymentResult:
        """Take or start the payment of `request.order`, in the request's transaction.

        Contract:
        - The order is payable and its seats are claimed; the caller checked and did that.
        - Records this provider's payment (`record`). It may move the order to a waiting
          status (a card intent is open) but never marks it paid: when the returned payment
          has succeeded, the caller completes the order.
        - Fails with the server's domain errors, with the codes the API documents; the
          transaction is then rolled back (a call already made to Stripe stays made).
        """

    def record(self, request: PaymentRequest, *, status: str, **extra: Any) -> Payment:
        """Write this provider's payment of `request.covers` (the whole total unless split),
        made by the actor at the request's shift."""
        order, actor, now = request.order, request.actor, request.now
        payment = Payment(
            order_id=order.id,
            provider=self.name,
            type=self.type,
            status=status,
            amount=request.covers,
            currency=order.currency,
            shift_id=request.shift.id if request.shift is not None else None,
            user_id=actor.id if actor.id > 0 else None,
            created_at=now,
            updated_at=now,
            **extra,
        )
        request.session.add(payment)
        request.session.flush()
        return payment
