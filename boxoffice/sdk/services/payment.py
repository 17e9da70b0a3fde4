"""`sdk.payment`: pay an order (free, card or cash) and reconcile a card payment."""

from __future__ import annotations

from decimal import Decimal

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.payments import (
    PaymentIntentResponse,
    PaymentRequest,
    PaymentType,
    StripeConfig,
)
from boxoffice.sdk.services._base import Service


class PaymentService(Service):
    """Payments (tenant host)."""

    async def create_payment_intent(
        self,
        order_id: int,
        *,
        type: PaymentType = "card",
        tendered: Decimal | int | str | None = None,
        amount: Decimal | int | str | None = None,
        reader_id: str | None = None,
        options: RequestOptions | None = None,
    ) -> PaymentIntentResponse:
        """`POST payment/v1/payment?order_id=…&type=card|cash` (cash: staff at a counter with
        an open shift, with `tendered`). `amount` pays a part of the order (split payments;
        default: all that is still due); the order is paid once its payments cover it.
        `type="card_present"` (staff) starts the payment on the card reader `reader_id`
        (default: the counter's reader); follow it with `sdk.reader.check_payment`."""
        body = PaymentRequest.model_validate({"tendered": tendered, "amount": amount})
        return await self._requestor.request(
            "POST",
            "payment/v1/payment",
            PaymentIntentResponse,
            params={"order_id": order_id, "type": type, "reader_id": reader_id},
            json=body.model_dump(mode="json", exclude_none=True),
            options=options,
        )

    async def get_publishable_key(self, *, options: RequestOptions | None = None) -> str:
        """`GET payment/v1/payment/config` → the Stripe publishable key cards are paid with."""
        config = await self._requestor.request(
            "GET", "payment/v1/payment/config", StripeConfig, options=options
        )
        return config.publishable_key

    async def reconcile(self, order_id: int, *, options: RequestOptions | None = None) -> Order:
        """`POST payment/v1/payment/reconcile?order_id=…` → the order after Stripe's verdict."""
        return await self._requestor.request(
            "POST",
            "payment/v1/payment/reconcile",
            Order,
            params={"order_id": order_id},
            options=options,
        )
