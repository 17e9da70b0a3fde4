"""Free orders: an order whose total is 0 is paid at once, whatever the request names."""

from __future__ import annotations

from boxoffice.server.payments.base import (
    SUCCEEDED,
    PaymentProvider,
    PaymentRequest,
    PaymentResult,
)


class FreePayment(PaymentProvider):
    """Records a succeeded payment of nothing."""

    type = "free"
    name = "free"
    requestable = False

    def pay(self, request: PaymentRequest) -> PaymentResult:
        return PaymentResult(request.order, self.record(request, status=SUCCEEDED))
