"""Card payments through Stripe PaymentIntents (`boxoffice.server.stripe`).

A card payment is never created twice for one order: a second call returns the same intent,
unless it can no longer take money (`current_intent`). The order waits in `payment_processing`
until the payment page (Stripe.js) confirms the intent and Stripe's answer is applied
(`services.payments`).

An intent Stripe says it does not know (`resource_missing`: the training emulator restarted
and lost it, a test-mode object was deleted) can take no money, just like a canceled one:
it never keeps an order from being paid another way, canceled or expired.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.db.models import Payment
from boxoffice.server.errors import Conflict, RuleViolation
from boxoffice.server.payments.base import PaymentProvider, PaymentRequest, PaymentResult
from boxoffice.server.services import audit
from boxoffice.server.stripe.gateway import IntentInfo, PaymentProviderError, StripeGateway

logger = logging.getLogger(__name__)
T = TypeVar("T")
STRIPE_JS_URL = "https://js.stripe.com/v3/"
# A card payment whose intent may still take money: waiting, or declined and payable again.
OPEN = ("pending", "failed")
INTENT_MISSING = "resource_missing"  # Stripe's error code for an intent it does not know


class CardPayment(PaymentProvider):
    """Starts a card payment: a Stripe PaymentIntent the payment page confirms."""

    type = "card"
    name = "stripe"

    def pay(self, request: PaymentRequest) -> PaymentResult:
        session, order, now = request.session, request.order, request.now
        gateway = request.cards.gateway()
        payment = card_payment(session, order.id, open_only=True)
        intent: IntentInfo | None = None
        if payment is not None and payment.intent_id:
            intent_id = payment.intent_id
            intent = provider_call(lambda: current_intent(gateway, intent_id))
            if (
                intent is not None
                and intent.status != "succeeded"
                and (payment.amount != request.covers or payment.type != self.type)
            ):  # another amount (split) or a card on a reader: this intent must take no money
                open_payment = payment
                provider_call(lambda: cancel_open(gateway, open_payment))
                intent = None
            if intent is None:  # that payment is over; a new intent makes a new one
                payment.status, payment.updated_at = "canceled", now
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
            intent = new_intent(gateway, request, f"{attempt}")
            payment = self.record(request, status="pending", intent_id=intent.id)
        assert payment is not None
        if intent.status == "succeeded":
            raise RuleViolation(
                "This order's card payment already went through; reconcile it.",
                code="payment_already_succeeded",
            )
        order.status = OrderStatus.PAYMENT_PROCESSING
        order.updated_at = now
        audit.record(
            session,
            actor=request.actor,
            action="payment.intent_created",
            object_type="order",
            object_id=order.id,
            now=now,
            data={"intent": intent.id},
        )
        emulator = request.cards.emulator
        return PaymentResult(
            order,
            payment,
            intent,
            gateway.publishable_key,
            emulator.js_url if emulator is not None else STRIPE_JS_URL,
        )


def new_intent(
    gateway: StripeGateway,
    request: PaymentRequest,
    attempt: str,
    payment_method_types: tuple[str, ...] = ("card",),
) -> IntentInfo:
    """A new intent for what the request covers, tagged with the order; its Stripe
    idempotency key is `boxoffice-order-<order id>-<attempt>`."""
    order = request.order
    return provider_call(
        lambda: gateway.create_intent(
            request.covers,
            order.currency,
            metadata={"order_id": str(order.id), "order_code": order.code},
            idempotency_key=f"boxoffice-order-{order.id}-{attempt}",
            payment_method_types=payment_method_types,
        )
    )


def card_payment(session: Session, order_id: int, *, open_only: bool) -> Payment | None:
    """The order's latest Stripe payment (only a pending or failed one, if `open_only`)."""
    query = select(Payment).where(
        Payment.order_id == order_id, Payment.provider == CardPayment.name
    )
    if open_only:
        query = query.where(Payment.status.in_(OPEN))
    return session.scalar(query.order_by(Payment.id.desc()).limit(1))


def current_intent(gateway: StripeGateway, intent_id: str) -> IntentInfo | None:
    """The intent as Stripe has it now, or None when it can no longer take money: canceled,
    or unknown to Stripe (`resource_missing`). Any other failure raises
    `PaymentProviderError`."""
    try:
        intent = gateway.retrieve_intent(intent_id)
    except PaymentProviderError as exc:
        if exc.code != INTENT_MISSING:
            raise
        logger.warning("Payment intent %s is unknown to Stripe: taken as canceled", intent_id)
        return None
    return None if intent.status == "canceled" else intent


def cancel_open(gateway: StripeGateway, payment: Payment) -> None:
    """Cancel the payment's intent; on a reader, stop the reader asking for the card first
    (a reader with nothing in progress, or gone offline, is no reason not to cancel)."""
    if payment.reader_id:
        try:
            gateway.cancel_reader_action(payment.reader_id)
        except PaymentProviderError as exc:
            logger.info("Reader %s action not canceled: %s", payment.reader_id, exc.code)
    if payment.intent_id:
        gateway.cancel_intent(payment.intent_id)


def provider_call(call: Callable[[], T]) -> T:
    """Run a call to Stripe; its failure becomes a 409 the cashier can retry."""
    try:
        return call()
    except PaymentProviderError as exc:
        raise Conflict(f"The card service said: {exc}", code="payment_provider_error") from exc
