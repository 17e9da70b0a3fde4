"""`sdk.order`: orders, their contact, cancel, and ticket downloads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk._pagination import auto_page
from boxoffice.sdk.models.common import ListInfo
from boxoffice.sdk.models.documents import (
    HistoryEntry,
    HistoryPage,
    ReceiptSize,
    ReissueRequest,
    ReprintRequest,
)
from boxoffice.sdk.models.orders import (
    Language,
    Order,
    OrderContact,
    OrderContactRequest,
    OrderItemRequest,
    OrderRequest,
)
from boxoffice.sdk.models.tickets import TicketFormat
from boxoffice.sdk.services._base import Service, With, render_with

ItemLike = OrderItemRequest | Mapping[str, Any]
DOWNLOAD_TIMEOUT = 30.0  # seconds to wait for a ticket file: a big order's PDF takes a while
ContactLike = OrderContactRequest | Mapping[str, Any]


def _contact(contact: ContactLike) -> OrderContactRequest:
    return OrderContactRequest.model_validate(contact)


class OrderService(Service):
    """Orders of the SDK's organizer (tenant host)."""

    async def create_order(
        self,
        order_item: Sequence[ItemLike],
        *,
        format: TicketFormat = "PDF",
        hold_token: str | None = None,
        order_contact: ContactLike | None = None,
        language: Language | None = None,
        options: RequestOptions | None = None,
    ) -> Order:
        """`POST event/v1/order` → a `draft` order; `language` ("en", "cs", "de") is the
        buyer's: its tickets and mails are written in it (else the request's
        Accept-Language decides, else English)."""
        request = OrderRequest(
            order_item=[OrderItemRequest.model_validate(item) for item in order_item],
            format=format,
            hold_token=hold_token,
            order_contact=None if order_contact is None else _contact(order_contact),
            language=language,
        )
        return await self._requestor.request(
            "POST",
            "event/v1/order",
            Order,
            json=request.model_dump(mode="json", exclude_none=True),
            options=options,
        )

    async def create_order_contact(
        self, order_id: int, contact: ContactLike, *, options: RequestOptions | None = None
    ) -> OrderContact:
        """`POST event/v1/order/{order_id}/order_contact` (replaces the whole contact)."""
        body = _contact(contact).model_dump(mode="json", exclude_none=True)
        return await self._requestor.request(
            "POST",
            f"event/v1/order/{order_id}/order_contact",
            OrderContact,
            json=body,
            options=options,
        )

    async def get_order(
        self, order_id: int, *, with_: With = None, options: RequestOptions | None = None
    ) -> Order:
        """`GET event/v1/order/{order_id}` (`with_="[event]"` embeds the event)."""
        return await self._requestor.request(
            "GET",
            f"event/v1/order/{order_id}",
            Order,
            params={"with": render_with(with_)},
            options=options,
        )

    async def list_orders(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        id: int | None = None,
        event_id: int | None = None,
        organizer_id: str | None = None,
        contact_email: str | None = None,
        include_not_owned: bool | None = None,
        sort_by: str | None = None,
        direction: str | None = None,
        with_: With = None,
        status: str | None = None,
        code: str | None = None,
        query: str | None = None,
        created_at: str | None = None,
        options: RequestOptions | None = None,
    ) -> ListInfo[Order]:
        """`GET event/v1/order` → one page, newest first unless `sort_by` (`field`, or
        `-field` descending; `direction="asc"|"desc"` overrides). The caller's own orders;
        staff pass `include_not_owned=True` for everyone's. `status`, `code`, `query` (words
        of code, name, email) and `created_at` (`d1;d2`) are the venue server's own filters."""
        params = {
            "limit": limit,
            "offset": offset,
            "id": id,
            "event_id": event_id,
            "organizer_id": organizer_id,
            "contact_email": contact_email,
            "include_not_owned": include_not_owned,  # httpx sends true/false
            "sort_by": sort_by,
            "direction": direction,
            "with": render_with(with_),
            "status": status,
            "code": code,
            "query": query,
            "created_at": created_at,
        }
        return await self._requestor.request(
            "GET", "event/v1/order", ListInfo[Order], params=params, options=options
        )

    def iter_orders(
        self,
        *,
        page_size: int = 100,
        event_id: int | None = None,
        include_not_owned: bool | None = None,
        status: str | None = None,
        contact_email: str | None = None,
        created_at: str | None = None,
    ) -> AsyncIterator[Order]:
        """Every order of `GET event/v1/order`, page by page, newest first."""

        async def fetch(limit: int, offset: int) -> ListInfo[Order]:
            return await self.list_orders(
                limit=limit,
                offset=offset,
                event_id=event_id,
                include_not_owned=include_not_owned,
                status=status,
                contact_email=contact_email,
                created_at=created_at,
            )

        return auto_page(fetch, page_size=page_size)

    async def cancel_order(self, order_id: int, *, options: RequestOptions | None = None) -> Order:
        """`DELETE event/v1/order/{order_id}`."""
        return await self._requestor.request(
            "DELETE", f"event/v1/order/{order_id}", Order, options=options
        )

    async def download_tickets(
        self,
        order_id: int,
        *,
        format: str | None = None,
        size: str | None = None,
        options: RequestOptions | None = None,
    ) -> bytes:
        """`GET event/v1/order/{order_id}/download_tickets` → the file (PDF or passes)."""
        return await self._download(
            f"event/v1/order/{order_id}/download_tickets", format, size, options
        )

    async def download_ticket(
        self,
        order_id: int,
        ticket_id: int,
        *,
        format: str | None = None,
        size: str | None = None,
        options: RequestOptions | None = None,
    ) -> bytes:
        """`GET event/v1/order/{order_id}/download_tickets/{ticket_id}` → one ticket's file."""
        return await self._download(
            f"event/v1/order/{order_id}/download_tickets/{ticket_id}", format, size, options
        )

    async def _download(
        self, path: str, format: str | None, size: str | None, options: RequestOptions | None
    ) -> bytes:
        response = await self._requestor.send(
            "GET",
            path,
            params={"format": format, "size": size},
            options={"timeout": DOWNLOAD_TIMEOUT, **(options or {})},
        )
        return response.content

    async def receipt(
        self,
        order_id: int,
        *,
        size: ReceiptSize = "roll",
        refund_id: int | None = None,
        options: RequestOptions | None = None,
    ) -> bytes:
        """`GET event/v1/order/{order_id}/receipt` → the PDF receipt of the sale (80 mm
        `roll` or `a4`), or with `refund_id` the REFUND receipt of that refund."""
        response = await self._requestor.send(
            "GET",
            f"event/v1/order/{order_id}/receipt",
            params={"size": size, "refund_id": refund_id},
            options={"timeout": DOWNLOAD_TIMEOUT, **(options or {})},
        )
        return response.content

    async def reprint(
        self,
        order_id: int,
        *,
        reason: str,
        ticket_ids: Sequence[int] | None = None,
        size: str | None = None,
        options: RequestOptions | None = None,
    ) -> bytes:
        """`POST event/v1/order/{order_id}/reprint` → the PDF of the tickets (all the valid
        ones, or `ticket_ids`) marked "REPRINT n"; recorded in the order's history."""
        body = ReprintRequest(
            reason=reason, ticket_ids=list(ticket_ids) if ticket_ids is not None else None
        )
        response = await self._requestor.send(
            "POST",
            f"event/v1/order/{order_id}/reprint",
            params={"size": size},
            json=body.model_dump(mode="json", exclude_none=True),
            options={"timeout": DOWNLOAD_TIMEOUT, **(options or {})},
        )
        return response.content

    async def reissue(
        self,
        order_id: int,
        *,
        reason: str,
        ticket_ids: Sequence[int],
        options: RequestOptions | None = None,
    ) -> Order:
        """`POST event/v1/order/{order_id}/reissue` → the order with all its tickets: the
        named ones `revoked`, new ones (new codes) in their place."""
        body = ReissueRequest(reason=reason, ticket_ids=list(ticket_ids))
        return await self._requestor.request(
            "POST",
            f"event/v1/order/{order_id}/reissue",
            Order,
            json=body.model_dump(mode="json"),
            options=options,
        )

    async def history(
        self, order_id: int, *, options: RequestOptions | None = None
    ) -> list[HistoryEntry]:
        """`GET event/v1/order/{order_id}/history` → what happened to the order, oldest
        first."""
        response = await self._requestor.send(
            "GET", f"event/v1/order/{order_id}/history", options=options
        )
        return HistoryPage.model_validate(response.json()).data
