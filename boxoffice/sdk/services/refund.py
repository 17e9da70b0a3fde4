"""`sdk.refund`: give money back for a paid order, in whole or by ticket, and refund every
paid order of a canceled event."""

from __future__ import annotations

from collections.abc import Sequence

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk.models.refunds import (
    EventRefundProgress,
    EventRefundRequest,
    Prefer,
    Refund,
    RefundRequest,
    RefundResult,
)
from boxoffice.sdk.services._base import Service


class RefundService(Service):
    """Refunds (tenant host, staff). Cash goes back from the drawer of the SDK's counter
    (`SDK.counter`, sent as `X-Counter`), which needs an open shift."""

    async def refund_order(
        self,
        order_id: int,
        *,
        reason: str,
        ticket_ids: Sequence[int] | None = None,
        prefer: Prefer | None = None,
        options: RequestOptions | None = None,
    ) -> RefundResult:
        """`POST event/v1/order/{order_id}/refund`: refund `ticket_ids` (None: every valid
        ticket of the order) for `reason`. The money goes back by the way it came, card first
        and cash last unless `prefer="cash"`. Errors: `ticket_already_refunded` /
        `order_already_refunded` / `payment_provider_error` (409), `no_open_shift` /
        `order_not_refundable` (400), `ticket_not_in_order` / `reason_required` (422)."""
        body = RefundRequest(
            ticket_ids=list(ticket_ids) if ticket_ids is not None else None,
            reason=reason,
            prefer=prefer,
        )
        return await self._requestor.request(
            "POST",
            f"event/v1/order/{order_id}/refund",
            RefundResult,
            json=body.model_dump(mode="json", exclude_none=True),
            options=options,
        )

    async def list_refunds(
        self, order_id: int, *, options: RequestOptions | None = None
    ) -> list[Refund]:
        """`GET event/v1/order/{order_id}/refund`: the order's refunds, oldest first."""
        return await self._requestor.request(
            "GET", f"event/v1/order/{order_id}/refund", list[Refund], options=options
        )

    async def refund_event(
        self,
        event_id: int,
        *,
        reason: str,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> EventRefundProgress:
        """`POST event/v1/event/{event_id}/refund`: refund the next batch (`limit`, default
        20) of the event's paid orders, each on its own; call again until `done`. Orders that
        failed this time are in `failed` and stay to be refunded."""
        body = EventRefundRequest(reason=reason, limit=limit)
        return await self._requestor.request(
            "POST",
            f"event/v1/event/{event_id}/refund",
            EventRefundProgress,
            json=body.model_dump(mode="json", exclude_none=True),
            options=options,
        )

    async def event_refund_progress(
        self, event_id: int, *, options: RequestOptions | None = None
    ) -> EventRefundProgress:
        """`GET event/v1/event/{event_id}/refund`: how far the event's refund has come."""
        return await self._requestor.request(
            "GET", f"event/v1/event/{event_id}/refund", EventRefundProgress, options=options
        )
