"""Paying an order: free at once, cash at the counter, or a Stripe PaymentIntent for cards.

A card payment is never created twice for one order: a second call returns the same intent.
Seats ordered without a hold token are booked when the payment is created, or the call fails
with `seat_taken` before anything is charged. An order becomes `paid` in one transaction that
also issues its tickets and queues the confirmation mail.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from boxoffice.server.db.models import Order, Payment
from boxoffice.server.db.models.order import CANCELED, DRAFT, PAID, PAYMENT_FAILED
from boxoffice.server.errors import Conflict, InvalidInput, RuleViolation
from boxoffice.server.services import audit, holds, issuing, orders
from boxoffice.server.services.actors import Actor, require_staff
from boxoffice.server.services.money import to_minor
from boxoffice.server.stripe.cards import CardPayments
from boxoffice.server.stripe.gateway import IntentInfo, PaymentProviderError
from boxoffice.server.ticketoutput.certificates import PassSigner

logger = logging.getLogger(__name__)
T = TypeVar("T")
PAYMENT_PROCESSING = "payment_processing"
STRIPE_JS_URL = "https://js.stripe.com/v3/"
PAYABLE = (DRAFT, PAYMENT_PROCESSING, PAYMENT_FAILED)


class Issuing:
    """What paying needs besides the database: Wallet signing and the mail sender.

    The pass certificate is loaded (or, the first time, generated) on first use.
    """

    def __init__(self, signer: Callable[[], PassSigner], sender: str) -> None:
        self._load_signer = signer
        self._signer: PassSigner | None = None
        self._lock = threading.Lock()
        self.sender = sender

    @property
    def signer(self) -> PassSigner:
        with self._lock:
            if self._signer is None:
                self._signer = self._load_signer()
            return self._signer


@dataclass
class PaymentResult:
    order: Order
    payment: Payment
    intent: IntentInfo | None = None
    publishable_key: str | None = None
    stripe_js_url: str | None = None  # where the payment page loads Stripe.js from


def create_payment(
    session: Session,
    actor: Actor,
    order: Order,
    *,
    type: str,
    now: datetime,
    cards: CardPayments,
    issuing_with: Issuing,
    tendered: Decimal | None = None,
) -> PaymentResult:
    """`POST payment/v1/payment`: pay `order` by `type` (card, cash; free orders need none)."""
    _check_payable(order, now)
    holds.claim_free_seats(session, order.event_id, order.id, now=now, until=order.expires_at)
    if order.total == 0:
        payment = _record(
            session, order, provider="free", type="free", status="succeeded", actor=actor, now=now
        )
        _complete(session, order, payment, now=now, issuing_with=issuing_with, actor=actor)
        return PaymentResult(order, payment)
    if type == "cash":
        return _pay_cash(
            session, actor, order, tendered, now=now, cards=cards, issuing_with=issuing_with
        )
    if type != "card":
        raise InvalidInput(
            f"Payment type {type!r} is not offered here; use card or cash.",
            code="unsupported_payment_type",
            field="type",
        )
    return _pay_card(session, actor, order, now=now, cards=cards)


def _check_payable(order: Order, now: datetime) -> None:
    if order.status == PAID:
        raise RuleViolation("This order is already paid.", code="order_already_paid")
    if order.status == CANCELED:
        raise RuleViolation("This order is canceled; start a new one.", code="order_canceled")
    if order.status not in PAYABLE:
        raise RuleViolation(f"A {order.status} order cannot be paid.", code="order_not_payable")
    if order.expires_at is not None and order.expires_at <= now:
        raise RuleViolation("This order's hold has expired; start a new one.", code="order_expired")


def _record(
    session: Session,
    order: Order,
    *,
    provider: str,
    type: str,
    status: str,
    actor: Actor | None,
    now: datetime,
    **extra: Any,
) -> Payment:
    payment = Payment(
        order_id=order.id,
        provider=provider,
        type=type,
        status=status,
        amount=order.total,
        currency=order.currency,
        user_id=actor.id if actor and actor.id > 0 else None,
        created_at=now,
        updated_at=now,
        **extra,
    )
    session.add(payment)
    session.flush()
    return payment


def _pay_cash(
    session: Session,
    actor: Actor,
    order: Order,
    tendered: Decimal | None,
    *,
    now: datetime,
    cards: CardPayments,
    issuing_with: Issuing,
) -> PaymentResult:
    require_staff(actor)
    settled = _provider_call(
        lambda: settle_open_intent(session, order, now=now, cards=cards, issuing_with=issuing_with)
    )
    if not settled:
        # The card went through after all: the order is paid now, and no cash is due.
        card = _card_payment(session, order.id, open_only=False)
        assert card is not None
        return PaymentResult(order, card)
    if tendered is None:
        raise InvalidInput(
            "Say how much cash was handed over.", code="tendered_required", field="tendered"
        )
    given = to_minor(tendered, order.currency, field="tendered")
    if given < order.total:
        raise InvalidInput(
            "The cash handed over is less than the total.",
            code="insufficient_cash",
            field="tendered",
        )
    payment = _record(
        session,
        order,
        provider="cash",
        type="cash",
        status="succeeded",
        actor=actor,
        now=now,
        tendered=given,
        change=given - order.total,
    )
    _complete(session, order, payment, now=now, issuing_with=issuing_with, actor=actor)
    return PaymentResult(order, payment)


def _pay_card(
    session: Session, actor: Actor, order: Order, *, now: datetime, cards: CardPayments
) -> PaymentResult:
    gateway = cards.gateway()
    payment = _card_payment(session, order.id, open_only=True)
    intent: IntentInfo | None = None
    if payment is not None and payment.intent_id:
        intent_id = payment.intent_id
        intent = _provider_call(lambda: gateway.retrieve_intent(intent_id))
        if intent.status == "canceled":
            intent = None
    if intent is None:
        attempt = (
            session.scalar(
                select(Payment.id)
                .where(Payment.order_id == order.id)
                .order_by(Payment.id.desc())
                .limit(1)
            )
            or 0
        )
        intent = _provider_call(
            lambda: gateway.create_intent(
                order.total,
                order.currency,
                metadata={"order_id": str(order.id), "order_code": order.code},
                idempotency_key=f"boxoffice-order-{order.id}-{attempt}",
            )
        )
        payment = _record(
            session,
            order,
            provider="stripe",
            type="card",
            status="pending",
            actor=actor,
            now=now,
            intent_id=intent.id,
        )
    assert payment is not None
    if intent.status == "succeeded":
        raise RuleViolation(
            "This order's card payment already went through; reconcile it.",
            code="payment_already_succeeded",
        )
    order.status = PAYMENT_PROCESSING
    order.updated_at = now
    audit.record(
        session,
        actor=actor,
        action="payment.intent_created",
        object_type="order",
        object_id=order.id,
        now=now,
        data={"intent": intent.id},
    )
    emulator = cards.emulator
    return PaymentResult(
        order,
        payment,
        intent,
        gateway.publishable_key,
        emulator.js_url if emulator is not None else STRIPE_JS_URL,
    )


def _card_payment(session: Session, order_id: int, *, open_only: bool) -> Payment | None:
    """The order's latest Stripe payment (only a pending or failed one, if `open_only`)."""
    query = select(Payment).where(Payment.order_id == order_id, Payment.provider == "stripe")
    if open_only:
        query = query.where(Payment.status.in_(("pending", "failed")))
    return session.scalar(query.order_by(Payment.id.desc()).limit(1))


def _provider_call(call: Callable[[], T]) -> T:
    """Run a call to Stripe; its failure becomes a 409 the cashier can retry."""
    try:
        return call()
    except PaymentProviderError as exc:
        raise Conflict(f"The card service said: {exc}", code="payment_provider_error") from exc


def _complete(
    session: Session,
    order: Order,
    payment: Payment,
    *,
    now: datetime,
    issuing_with: Issuing,
    actor: Actor | None,
) -> None:
    """Mark paid exactly once, issue the tickets and queue the confirmation."""
    claimed = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(PAYABLE))
        .values(status=PAID, expires_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return
    session.refresh(order)
    tickets = issuing.issue_tickets(session, order, now=now)
    issuing.queue_confirmation(session, order, tickets, now=now)
    audit.record(
        session,
        actor=actor,
        action="order.paid",
        object_type="order",
        object_id=order.id,
        now=now,
        data={"payment": payment.id, "provider": payment.provider},
    )


def reconcile(
    session: Session,
    actor: Actor | None,
    order: Order,
    *,
    now: datetime,
    cards: CardPayments,
    issuing_with: Issuing,
) -> Order:
    """Ask Stripe how the order's card payment stands, and act on the answer."""
    payment = _card_payment(session, order.id, open_only=False)
    if payment is None or payment.intent_id is None or order.status == PAID:
        return order
    intent = _provider_call(lambda: cards.gateway().retrieve_intent(payment.intent_id or ""))
    apply_intent(session, order, payment, intent, now=now, issuing_with=issuing_with, actor=actor)
    return order


def apply_intent(
    session: Session,
    order: Order,
    payment: Payment,
    intent: IntentInfo,
    *,
    now: datetime,
    issuing_with: Issuing,
    actor: Actor | None,
) -> None:
    """Move the order along with what Stripe says about its intent."""
    if intent.status == "succeeded":
        payment.status, payment.updated_at = "succeeded", now
        _complete(session, order, payment, now=now, issuing_with=issuing_with, actor=actor)
    elif intent.status == "canceled" or intent.last_payment_error is not None:
        payment.status, payment.updated_at = "failed", now
        payment.failure_message = (
            intent.last_payment_error.message if intent.last_payment_error else "canceled"
        )
        if order.status in (DRAFT, PAYMENT_PROCESSING):
            order.status, order.updated_at = PAYMENT_FAILED, now


def handle_webhook(
    session: Session, event: dict[str, Any], *, now: datetime, issuing_with: Issuing
) -> bool:
    """A verified Stripe event; True if it moved an order."""
    kind = event.get("type", "")
    if kind not in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return False
    data = event.get("data", {}).get("object", {})
    payment = session.scalar(select(Payment).where(Payment.intent_id == data.get("id")))
    if payment is None:
        return False
    order = session.get(Order, payment.order_id)
    assert order is not None
    apply_intent(
        session,
        order,
        payment,
        IntentInfo.from_stripe(data),
        now=now,
        issuing_with=issuing_with,
        actor=None,
    )
    return True


def settle_open_intent(
    session: Session, order: Order, *, now: datetime, cards: CardPayments, issuing_with: Issuing
) -> bool:
    """Make sure the order's card intent can no longer take money: cancel it, or — if it
    succeeded after all — mark the order paid. True when the order is now free to release
    (no open intent), False when it got paid. Raises `PaymentProviderError` if Stripe cannot
    be asked; the caller then must not release the order."""
    payment = _card_payment(session, order.id, open_only=True)
    if payment is None or not payment.intent_id:
        return True
    gateway = cards.gateway()
    intent = gateway.retrieve_intent(payment.intent_id)
    if intent.status == "succeeded":
        apply_intent(
            session, order, payment, intent, now=now, issuing_with=issuing_with, actor=None
        )
        return False
    if intent.status != "canceled":
        gateway.cancel_intent(payment.intent_id)
    payment.status, payment.updated_at = "canceled", now
    return True


def expire_card_payments(
    session: Session, *, now: datetime, cards: CardPayments, issuing_with: Issuing
) -> int:
    """Before unpaid orders with a card payment are released, cancel their intents.

    An intent that succeeded after all makes the order paid instead. If Stripe cannot be
    reached, the order is left for the next round: it is never released while its intent
    could still take the money (`orders.expire_due` skips orders with an open intent).
    """
    due = session.scalars(
        select(Order)
        .where(Order.status.in_((PAYMENT_PROCESSING, PAYMENT_FAILED)), Order.expires_at <= now)
        .order_by(Order.expires_at)
        .limit(100)
    ).all()
    handled = 0
    for order in due:
        try:
            if not settle_open_intent(
                session, order, now=now, cards=cards, issuing_with=issuing_with
            ):
                continue
        except PaymentProviderError:
            continue  # try again next round; the order keeps its hold meanwhile
        order.status, order.updated_at = PAYMENT_FAILED, now  # now released like a draft
        handled += 1
    session.flush()
    return handled


def cancel_unpaid(
    session: Session,
    actor: Actor,
    order: Order,
    *,
    now: datetime,
    cards: CardPayments,
    issuing_with: Issuing,
) -> Order:
    """Cancel an unpaid order; an open card intent is canceled first, so it cannot take money
    for a canceled order. If the card went through after all, the order is now paid and is
    returned so (not canceled): the caller sees `status: "paid"`."""
    settled = _provider_call(
        lambda: settle_open_intent(session, order, now=now, cards=cards, issuing_with=issuing_with)
    )
    if not settled:
        return order
    return orders.cancel_order(session, actor, order, now=now)
