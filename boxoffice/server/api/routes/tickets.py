"""Ticket service: the wallet (`getTickets`, `getTicket`) and transfers (`transferTickets`)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from boxoffice.sdk.models import tickets as tk
from boxoffice.sdk.models.common import MAX_ID
from boxoffice.server.api import views
from boxoffice.server.api.deps import CurrentActor, Now, SessionDep
from boxoffice.server.api.query import Id, OptionalQueryId
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.errors import InvalidInput
from boxoffice.server.services import wallet

router = APIRouter(prefix="/event/v1/ticket", tags=["ticket"])

MAX_IDS = 500


def _parse_ids(text: str | None) -> list[int] | None:
    """`1,2,3` (the SDK joins arrays with commas) → [1, 2, 3]; None when absent."""
    if text is None or not text.strip():
        return None
    ids: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or not 1 <= int(part) <= MAX_ID:
            raise InvalidInput(
                f"ids: {part!r} is not a ticket id; send ids=1,2,3.",
                code="validation_error",
                field="ids",
            )
        ids.append(int(part))
    if len(ids) > MAX_IDS:
        raise InvalidInput(
            f"ids: at most {MAX_IDS} ids at a time.", code="validation_error", field="ids"
        )
    return ids


@router.get("", response_model=Envelope[list[tk.Ticket]])
def list_tickets(
    session: SessionDep,
    actor: CurrentActor,
    format: str | None = None,
    status: str | None = None,
    ids: str | None = None,
    owner_id: OptionalQueryId = None,
) -> JSONResponse:
    """Your tickets (the wallet), oldest first; filter by `format`, `status`, `ids=1,2,3`.
    Staff may pass `owner_id` to see another account's."""
    rows = wallet.list_tickets(
        session, actor, format=format, status=status, ids=_parse_ids(ids), owner_id=owner_id
    )
    return JSONResponse(
        {"data": [views.ticket(t, viewer_id=actor.id).model_dump(mode="json") for t in rows]}
    )


@router.post("/transfer", response_model=Envelope[list[tk.Ticket]])
def transfer_tickets(
    body: tk.TransferRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Give your SECURE tickets to another account (by id or email), all or none; answers
    the transferred tickets as they now are."""
    rows = wallet.transfer_tickets(
        session,
        actor,
        body.ids,
        new_owner_id=body.new_owner_id,
        new_owner_email=str(body.new_owner_email) if body.new_owner_email else None,
        now=now,
    )
    return JSONResponse(
        {"data": [views.ticket(t, viewer_id=actor.id).model_dump(mode="json") for t in rows]}
    )


@router.get("/{ticket_id}", response_model=Envelope[tk.Ticket])
def get_ticket(ticket_id: Id, session: SessionDep, actor: CurrentActor) -> JSONResponse:
    """One of your tickets (any ticket for staff)."""
    return views.ok(views.ticket(wallet.get_ticket(session, actor, ticket_id), viewer_id=actor.id))
