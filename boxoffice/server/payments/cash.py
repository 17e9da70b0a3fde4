"""Cash at the counter (staff only, at a counter with an open shift): the cash handed over and
the change are recorded, and the cash kept goes into the shift's drawer as a `sale`."""

from __future__ import annotations

from boxoffice.server.db.models.shift import SALE
from boxoffice.server.errors import InvalidInput
from boxoffice.server.payments.base import (
    SUCCEEDED,
    PaymentProvider,
    PaymentRequest,
    PaymentResult,
)
from boxoffice.server.payments.card import card_payment
from boxoffice.server.services import shifts
from boxoffice.server.services.actors import require_staff
from boxoffice.server.services.money import to_minor


class CashPayment(PaymentProvider):
    """Takes cash for the whole total (or the part a split payment names), once an open card
    intent can no longer take money."""

    type = "cash"
    name = "cash"

    def pay(self, request: PaymentRequest) -> PaymentResult:
        order = request.order
        require_staff(request.actor)
        if not request.settle_card_intent():
            # The card went through after all: the order is paid now, and no cash is due.
            card = card_payment(request.session, order.id, open_only=False)
            assert card is not None
            return PaymentResult(order, card)
        if request.tendered is None:
            raise InvalidInput(
                "Say how much cash was handed over.", code="tendered_required", field="tendered"
            )
        given = to_minor(request.tendered, order.currency, field="tendered")
        due = request.covers
        if given < due:
            raise InvalidInput(
                "The cash handed over is less than the total."
                if request.amount is None or due == order.total
                else "The cash handed over is less than the amount to pay in cash.",
                code="insufficient_cash",
                field="tendered",
            )
        shift = request.shift
        assert shift is not None, "services.payments requires the open shift for cash"
        payment = self.record(request, status=SUCCEEDED, tendered=given, change=given - due)
        shifts.record_movement(
            request.session,
            shift,
            SALE,
            due,
            actor=request.actor,
            now=request.now,
            order_id=order.id,
            payment_id=payment.id,
        )
        return PaymentResult(order, payment)
