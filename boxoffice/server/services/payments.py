"""Paying an order: free at once, cash at the counter, or a Stripe PaymentIntent for cards.

The ways to pay are the providers of `boxoffice.server.payments`; this service checks that
the order may be paid, claims its seats, hands it to the provider its `type` names, and
completes the order once the money is taken. A card payment is never created twice for one
order: a second call returns the same intent. Seats ordered without a hold token are booked
when the payment is created, or the call fails with `seat_taken` before anything is charged.
An order becomes `paid` in one transaction that also issues its tickets and queues the
confirmation mail.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.sdk.models.order_status import PAYABLE, OrderStatus
from boxoffice.server.db.models import Order, Payment
from boxoffice.server.errors import InvalidInput, RuleViolation
from boxoffice.server.payments import registry
from boxoffice.server.payments.base import SUCCEEDED, PaymentRequest, PaymentResult
from boxoffice.server.payments.card import card_payment, current_intent, provider_call
from boxoffice.server.services import audit, holds, issuing, order_claims
from boxoffice.server.services.actors import Actor
from boxoffice.server.stripe.cards import CardPayments
from boxoffice.server.stripe.gateway import IntentInfo


def create_payment(
    session: Session,
    actor: Actor,
    order: Order,
    *,
    type: str,
    now: datetime,
    cards: CardPayments,
    tendered: Decimal | None = None,
) -> PaymentResult:
    """`POST payment/v1/payment`: pay `order` by `type` (card, cash; free orders need none)."""
    _check_payable(order, now)
    holds.claim_free_seats(session, order.event_id, order.id, now=now, until=order.expires_at)
    provider = registry.FREE if order.total == 0 else registry.get_provider(type)
    result = provider.pay(
        PaymentRequest(
            session=session,
            actor=actor,
            order=order,
            now=now,
            cards=cards,
            settle_card_intent=lambda: provider_call(
                lambda: settle_open_intent(session, order, now=now, cards=cards)
            ),
            tendered=tendered,
        )
    )
    if result.payment.status == SUCCEEDED:
        # Once only: if the card went through while cash was offered, it paid the order
        # already (`settle_open_intent`), and this does nothing.
        _complete(session, order, result.payment, now=now, actor=actor)
    return result


def _check_payable(order: Order, now: datetime) -> None:
    if order.status == OrderStatus.PAID:
        raise RuleViolation("This order is already paid.", code="order_already_paid")
    if order.status == OrderStatus.CANCELED:
        raise RuleViolation("This order is canceled; start a new one.", code="order_canceled")
    if order.status not in PAYABLE:
        raise RuleViolation(f"A {order.status} order cannot be paid.", code="order_not_payable")
    if order.expires_at is not None and order.expires_at <= now:
        raise RuleViolation("This order's hold has expired; start a new one.", code="order_expired")


def _complete(
    session: Session, order: Order, payment: Payment, *, now: datetime, actor: Actor | None
) -> None:
    """Mark paid exactly once, issue the tickets and queue the confirmation; an order that
    is paid already is left as it is."""
    if not order_claims.claim_unpaid(session, order, OrderStatus.PAID, now=now, expires_at=None):
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
    session: Session, actor: Actor | None, order: Order, *, now: datetime, cards: CardPayments
) -> Order:
    """Ask Stripe how the order's card payment stands, and act on the answer."""
    payment = card_payment(session, order.id, open_only=False)
    if payment is None or payment.intent_id is None or order.status == OrderStatus.PAID:
        return order
    intent_id = payment.intent_id
    intent = provider_call(lambda: current_intent(cards.gateway(), intent_id))
    apply_intent(session, order, payment, intent, now=now, actor=actor)
    return order


def apply_intent(
    session: Session,
    order: Order,
    payment: Payment,
    intent: IntentInfo | None,
    *,
    now: datetime,
    actor: Actor | None,
) -> None:
    """Move the order along with what Stripe says about its intent (None: it can take no
    money, `card.current_intent`; the order may then be paid another way)."""
    if intent is not None and intent.status == "succeeded":
        payment.status, payment.updated_at = SUCCEEDED, now
        _complete(session, order, payment, now=now, actor=actor)
    elif intent is None or intent.status == "canceled" or intent.last_payment_error is not None:
        payment.status, payment.updated_at = "failed", now
        error = intent.last_payment_error if intent is not None else None
        payment.failure_message = error.message if error is not None else "canceled"
        if order.status in (OrderStatus.DRAFT, OrderStatus.PAYMENT_PROCESSING):
            order.status, order.updated_at = OrderStatus.DECLINED, now


def handle_webhook(session: Session, event: dict[str, Any], *, now: datetime) -> bool:
    """A verified Stripe event; True if it moved an order."""
    kind = event.get("type", "")
    if kind not in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return False
    container = event.get("data")
    data = container.get("object") if isinstance(container, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise InvalidInput("The webhook event carries no payment intent.", field="data.object")
    payment = session.scalar(select(Payment).where(Payment.intent_id == data["id"]))
    if payment is None:
        return False
    try:  # signed by Stripe, and still checked: a missing field is a 4xx, not a crash
        intent = IntentInfo.from_stripe(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            f"The webhook's payment intent is incomplete or malformed ({exc!s}).",
            field="data.object",
        ) from exc
    order = session.get(Order, payment.order_id)
    assert order is not None
    apply_intent(session, order, payment, intent, now=now, actor=None)
    return True


def settle_open_intent(
    session: Session, order: Order, *, now: datetime, cards: CardPayments
) -> bool:
    """Make sure the order's card intent can no longer take money: cancel it, or — if it
    succeeded after all — mark the order paid. True when the order is now free to release
    (no open intent: canceled, or unknown to Stripe), False when it got paid. Raises
    `PaymentProviderError` if Stripe cannot be asked; the caller then must not release the
    order."""
    payment = card_payment(session, order.id, open_only=True)
    if payment is None or not payment.intent_id:
        return True
    gateway = cards.gateway()
    intent = current_intent(gateway, payment.intent_id)
    if intent is not None and intent.status == "succeeded":
        apply_intent(session, order, payment, intent, now=now, actor=None)
        return False
    if intent is not None:
        gateway.cancel_intent(payment.intent_id)
    payment.status, payment.updated_at = "canceled", now
    return True
