"""Cash at the counter (staff only): the cash handed over, and the change, are recorded."""

from __future__ import annotations

from boxoffice.server.errors import InvalidInput
from boxoffice.server.payments.base import (
    SUCCEEDED,
    PaymentProvider,
    PaymentRequest,
    PaymentResult,
)
from boxoffice.server.payments.card import card_payment
from boxoffice.server.services.actors import require_staff
from boxoffice.server.services.money import to_minor


class CashPayment(PaymentProvider):
    """Takes cash for the whole total, once an open card intent can no longer take money."""

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
        if given < order.total:
            raise InvalidInput(
                "The cash handed over is less than the total.",
                code="insufficient_cash",
                field="tendered",
            )
        payment = self.record(request, status=SUCCEEDED, tendered=given, change=given - order.total)
        return PaymentResult(order, payment)
