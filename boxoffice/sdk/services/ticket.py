"""`sdk.ticket`: the wallet and ticket transfers."""

from __future__ import annotations

from collections.abc import Sequence

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk.models.tickets import Ticket, TicketFormat, TicketStatus, TransferRequest
from boxoffice.sdk.services._base import Service


class TicketService(Service):
    """Issued tickets (tenant host)."""

    async def list_tickets(
        self,
        *,
        format: TicketFormat | None = None,
        status: TicketStatus | None = None,
        ids: Sequence[int] | None = None,
        owner_id: int | None = None,
        options: RequestOptions | None = None,
    ) -> list[Ticket]:
        """`GET event/v1/ticket` → the caller's tickets (staff: `owner_id`'s)."""
        params = {
            "format": format,
            "status": status,
            "ids": None if ids is None else ",".join(str(i) for i in ids),
            "owner_id": owner_id,
        }
        return await self._requestor.request(
            "GET", "event/v1/ticket", list[Ticket], params=params, options=options
        )

    async def get_ticket(self, ticket_id: int, *, options: RequestOptions | None = None) -> Ticket:
        """`GET event/v1/ticket/{ticket_id}`."""
        return await self._requestor.request(
            "GET", f"event/v1/ticket/{ticket_id}", Ticket, options=options
        )

    async def transfer_tickets(
        self,
        ids: Sequence[int],
        *,
        new_owner_id: int | None = None,
        new_owner_email: str | None = None,
        options: RequestOptions | None = None,
    ) -> list[Ticket]:
        """`POST event/v1/ticket/transfer` → the moved tickets (SECURE only)."""
        request = TransferRequest(
            ids=list(ids), new_owner_id=new_owner_id, new_owner_email=new_owner_email
        )
        return await self._requestor.request(
            "POST",
            "event/v1/ticket/transfer",
            list[Ticket],
            json=request.model_dump(mode="json", exclude_none=True),
            options=options,
        )
