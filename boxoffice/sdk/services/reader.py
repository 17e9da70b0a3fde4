"""`sdk.reader`: card readers (Stripe Terminal) and card payments taken on them.

A payment on a reader starts with `sdk.payment.create_payment_intent(order_id,
type="card_present", reader_id=…)`; `check_payment` then says how it stands (call it until
`.final`, or until the desk gives up and calls `cancel_payment`).
"""

from __future__ import annotations

from urllib.parse import quote

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk.models.common import ListInfo
from boxoffice.sdk.models.readers import (
    Reader,
    ReaderCard,
    ReaderPaymentStatus,
    ReaderRegistration,
    ReaderUpdate,
)
from boxoffice.sdk.services._base import Service

UNCHANGED = object()  # `update(counter=…)` left out: the counter stays as it is


class ReaderService(Service):
    """Card readers of the venue (staff)."""

    async def list(self, *, options: RequestOptions | None = None) -> ListInfo[Reader]:
        """`GET payment/v1/reader` → every reader, with Stripe's status and its counter."""
        return await self._requestor.request(
            "GET", "payment/v1/reader", ListInfo[Reader], options=options
        )

    async def register(
        self,
        registration_code: str,
        label: str,
        *,
        counter: str | None = None,
        location: str | None = None,
        options: RequestOptions | None = None,
    ) -> Reader:
        """`POST payment/v1/reader`: pair a reader by the code it shows (`simulated-wpe` in
        training mode), label it, and pick it for `counter` if named."""
        body = ReaderRegistration(
            registration_code=registration_code, label=label, counter=counter, location=location
        )
        return await self._requestor.request(
            "POST",
            "payment/v1/reader",
            Reader,
            json=body.model_dump(mode="json", exclude_none=True),
            options=options,
        )

    async def update(
        self,
        reader_id: str,
        *,
        counter: str | object | None = UNCHANGED,
        label: str | None = None,
        options: RequestOptions | None = None,
    ) -> Reader:
        """`PATCH payment/v1/reader/{id}`: pick it for `counter` (None: for no counter) and/or
        rename it."""
        fields: dict[str, object] = {}
        if counter is not UNCHANGED:
            fields["counter"] = counter
        if label is not None:
            fields["label"] = label
        body = ReaderUpdate.model_validate(fields)
        return await self._requestor.request(
            "PATCH",
            f"payment/v1/reader/{quote(reader_id, safe='')}",
            Reader,
            json=body.model_dump(mode="json", exclude_unset=True),
            options=options,
        )

    async def present_card(
        self,
        reader_id: str,
        card_number: str | None = None,
        *,
        options: RequestOptions | None = None,
    ) -> Reader:
        """Training (and Stripe test mode) only: the customer taps a test card on the reader
        (default: an approved card)."""
        body = ReaderCard(card_number=card_number)
        return await self._requestor.request(
            "POST",
            f"payment/v1/reader/{quote(reader_id, safe='')}/present",
            Reader,
            json=body.model_dump(mode="json", exclude_none=True),
            options=options,
        )

    async def check_payment(
        self, order_id: int, *, options: RequestOptions | None = None
    ) -> ReaderPaymentStatus:
        """`POST payment/v1/payment/reader/check?order_id=…`: how the order's payment on the
        reader stands (the server asks Stripe and completes the order when it paid)."""
        return await self._requestor.request(
            "POST",
            "payment/v1/payment/reader/check",
            ReaderPaymentStatus,
            params={"order_id": order_id},
            options=options,
        )

    async def cancel_payment(
        self, order_id: int, *, options: RequestOptions | None = None
    ) -> ReaderPaymentStatus:
        """`POST payment/v1/payment/reader/cancel?order_id=…`: the reader stops asking; the
        answer is `succeeded` if the card went through first."""
        return await self._requestor.request(
            "POST",
            "payment/v1/payment/reader/cancel",
            ReaderPaymentStatus,
            params={"order_id": order_id},
            options=options,
        )
