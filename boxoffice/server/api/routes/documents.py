"""An order's papers and story: receipts, reprints, reissues and its history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from boxoffice.sdk.models import documents as dm
from boxoffice.sdk.models import orders as od
from boxoffice.server.api import views
from boxoffice.server.api.deps import CurrentActor, Now, SessionDep
from boxoffice.server.api.query import Id, OptionalQueryId
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.db.models import Order
from boxoffice.server.errors import InvalidInput
from boxoffice.server.services import (
    downloads,
    order_history,
    orders,
    reprints,
    wallet,
)
from boxoffice.server.ticketoutput.base import OutputFile

router = APIRouter(prefix="/event/v1/order", tags=["order documents"])

PDF_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A PDF (Content-Disposition: attachment; filename=…)",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _pdf(output: OutputFile) -> Response:
    return Response(
        output.data,
        media_type=output.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{output.filename}"'},
    )


@router.get("/{order_id}/receipt", response_class=Response, responses=PDF_FILE)
def receipt(
    order_id: Id,
    session: SessionDep,
    actor: CurrentActor,
    size: str = "roll",
    refund_id: OptionalQueryId = None,
) -> Response:
    """The receipt of a paid (or since refunded) order: `size=roll` (80 mm, the default) or
    `a4`; with `refund_id` the REFUND receipt of that refund. Staff, or the order's owner."""
    from boxoffice.server.services import receipts  # reportlab: on the first receipt

    order = orders.get_order(session, actor, order_id)
    return _pdf(receipts.receipt(session, order, size=size, refund_id=refund_id))


@router.post("/{order_id}/reprint", response_class=Response, responses=PDF_FILE)
def reprint(
    order_id: Id,
    body: dm.ReprintRequest,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
    size: str = "a4",
) -> Response:
    """Print the order's tickets (or the named ones) again, marked "REPRINT n"; who, why,
    which and the copy numbers go into the order's history. Staff only."""
    order = orders.get_order(session, actor, order_id)
    if size not in downloads.SIZES:
        raise InvalidInput(
            f"size must be one of {', '.join(downloads.SIZES)}.", code="invalid_size", field="size"
        )
    output = reprints.reprint(
        session, actor, order, reason=body.reason, ticket_ids=body.ticket_ids, now=now, size=size
    )
    return _pdf(output)


@router.post("/{order_id}/reissue", response_model=Envelope[od.Order])
def reissue(
    order_id: Id,
    body: dm.ReissueRequest,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> JSONResponse:
    """Replace the named tickets with new ones (new codes); the old ones are revoked and
    fail at the door. Answers the order with all its tickets. Staff only."""
    order = orders.get_order(session, actor, order_id)
    reprints.reissue(session, actor, order, reason=body.reason, ticket_ids=body.ticket_ids, now=now)
    return _order_with_tickets(session, order, actor.id)


def _order_with_tickets(session: SessionDep, order: Order, viewer_id: int) -> JSONResponse:
    tickets = wallet.tickets_of_orders(session, [order.id])
    return views.ok(
        views.order(
            order,
            orders.details_of(session, order),
            {"order_item": {"ticket": {}}},
            tickets=tickets,
            viewer_id=viewer_id,
        )
    )


@router.get("/{order_id}/history", response_model=dm.HistoryPage)
def history(order_id: Id, session: SessionDep, actor: CurrentActor) -> JSONResponse:
    """The order's story, oldest first: created, payments, refunds, reprints, reissues,
    mails — with who and when. Staff, or the order's owner."""
    order = orders.get_order(session, actor, order_id)
    entries = [
        dm.HistoryEntry(at=e.at, action=e.action, who=e.who, details=e.details)
        for e in order_history.history(session, order)
    ]
    return JSONResponse(dm.HistoryPage(data=entries).model_dump(mode="json"))
