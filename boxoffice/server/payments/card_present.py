"""A card on a reader (Stripe Terminal, server-driven): the customer taps or inserts it.

The server makes a PaymentIntent for `card_present` and tells the counter's reader to
collect it (`process_payment_intent`); the answer comes at once with the reader's action
`in_progress`, and the order waits in `payment_processing`. What the reader did is read
later — by a status read or Stripe's webhooks (`services.reader_payments`) — and the server
alone decides the order is paid.

Every attempt has its own intent: a call while the same reader already asks for this
order's card returns that attempt; any other open card payment of the order (a declined
tap, a typed card, another amount) is settled first, and if it went through after all the
order is paid by it and no new attempt starts.
"""

from __future__ import annotations

import logging
import uuid

from boxoffice.sdk.declines import decline_sentence
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.db.models import Payment
from boxoffice.server.errors import Conflict
from boxoffice.server.payments.base import PaymentProvider, PaymentRequest, PaymentResult
from boxoffice.server.payments.card import card_payment, new_intent, provider_call
from boxoffice.server.services import audit
from boxoffice.server.stripe.gateway import PaymentProviderError, ReaderInfo, StripeGateway

logger = logging.getLogger(__name__)
READER_ERRORS = ("terminal_reader_offline", "terminal_reader_busy")
PENDING = "pending"


class CardPresentPayment(PaymentProvider):
    """Starts a card payment on the Terminal reader the request names."""

    type = "card_present"
    name = "stripe"

    def pay(self, request: PaymentRequest) -> PaymentResult:
        session, order, now = request.session, request.order, request.now
        reader_id = request.reader_id
        assert reader_id, "services.payments resolves the reader of a card_present payment"
        gateway = request.cards.gateway()
        payment = card_payment(session, order.id, open_only=True)
        if payment is not None:
            waiting = self._same_attempt(gateway, payment, request, reader_id)
            if waiting is not None:
                return PaymentResult(order, payment, reader=waiting)
            if not request.settle_card_intent():  # it went through after all: paid by it
                paid = card_payment(session, order.id, open_only=False)
                assert paid is not None
                return PaymentResult(order, paid)
        # A new key for every attempt: a refused start rolls back, and its (canceled) intent
        # must not come back for the next try; the library's own retries reuse it.
        attempt = f"reader-{uuid.uuid4().hex}"
        intent = new_intent(gateway, request, attempt, ("card_present",))
        try:
            reader = gateway.process_payment_intent(reader_id, intent.id)
        except PaymentProviderError as exc:
            _drop_intent(gateway, intent.id)
            raise reader_refused(exc) from exc
        payment = self.record(request, status=PENDING, intent_id=intent.id, reader_id=reader_id)
        order.status, order.updated_at = OrderStatus.PAYMENT_PROCESSING, now
        audit.record(
            session,
            actor=request.actor,
            action="payment.reader_started",
            object_type="order",
            object_id=order.id,
            now=now,
            data={"intent": intent.id, "reader": reader_id, "amount": request.covers},
        )
        return PaymentResult(order, payment, intent, reader=reader)

    def _same_attempt(
        self, gateway: StripeGateway, payment: Payment, request: PaymentRequest, reader_id: str
    ) -> ReaderInfo | None:
        """The reader, if it is still asking for this very payment (a repeated call)."""
        if (
            payment.type != self.type
            or payment.status != PENDING
            or payment.reader_id != reader_id
            or payment.amount != request.covers
        ):
            return None
        reader = provider_call(lambda: gateway.retrieve_reader(reader_id))
        action = reader.action
        if (
            action is not None
            and action.payment_intent == payment.intent_id
            and action.status == "in_progress"
        ):
            return reader
        return None


def _drop_intent(gateway: StripeGateway, intent_id: str) -> None:
    """The reader refused to start: the new intent must take no money."""
    try:
        gateway.cancel_intent(intent_id)
    except PaymentProviderError as exc:  # it can take none anyway: no reader collects it
        logger.warning("Intent %s not canceled after the reader refused: %s", intent_id, exc)


def reader_refused(exc: PaymentProviderError) -> Conflict:
    """A reader that cannot start: offline or busy, in the cashier's words; else Stripe's."""
    if exc.code in READER_ERRORS:
        code = "reader_offline" if exc.code == "terminal_reader_offline" else "reader_busy"
        return Conflict(decline_sentence(exc.code), code=code)
    return Conflict(f"The card service said: {exc}", code="payment_provider_error")
