"""Order service: create (the seed's request), read, list, order contact, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from boxoffice import i18n
from boxoffice.sdk.models import orders as od
from boxoffice.sdk.models.common import ListInfo
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.api import idempotency, views
from boxoffice.server.api.deps import CounterName, CurrentActor, Now, SessionDep, StateDep
from boxoffice.server.api.expansion import Tree, parse_with
from boxoffice.server.api.query import (
    Direction,
    Id,
    Limit,
    Offset,
    OptionalQueryId,
    SortBy,
    WithParam,
    date_range,
    sort_order,
)
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.db.models import Order, Ticket
from boxoffice.server.errors import InvalidInput
from boxoffice.server.services import downloads, holds, lifecycle, orders, wallet
from boxoffice.server.services.actors import Actor

router = APIRouter(prefix="/event/v1/order", tags=["order"])


def valid_order(order_id: Id, session: SessionDep, actor: CurrentActor) -> Order:
    """The order named in the path, if the caller may see it (its owner, or staff)."""
    return orders.get_order(session, actor, order_id)


OrderDep = Annotated[Order, Depends(valid_order)]


@router.post("", response_model=Envelope[od.Order], status_code=201)
def create_order(
    body: od.OrderRequest,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    now: Now,
) -> Response:
    """Create a draft order holding its tickets (and seats) until paid or expired. Under an
    `Idempotency-Key` the order remembers the key, and its answer is stored in the order's own
    transaction (`idempotency.FOLDED`): a retry gets the same answer, and so, or a 409 to
    retry, does a twin running at the same moment."""
    keyed = idempotency.keyed_request(request)
    if keyed is not None and (kept := idempotency.answer_kept(session, keyed, now=now)) is not None:
        return kept
    answers: list[Response] = []

    def answer(order: Order) -> None:  # before the inventory: see orders.create_order
        details = orders.details_of_new(order, actor)
        answers.append(views.ok(views.order(order, details), status=201))
        if keyed is not None:
            idempotency.keep(session, keyed, answers[0], now=now)

    order = orders.create_order(
        session,
        actor,
        body,
        now=now,
        hold_minutes=state.settings.order_hold_minutes,
        idempotency_key=request.headers.get("idempotency-key", "").strip() or None,
        language=body.language or i18n.negotiate(request.headers.get("accept-language")),
        before_inventory=answer,
    )
    # At once, on this thread: every buyer of these tickets waits for the counters' row locks
    # (PostgreSQL), which the order holds from taking its inventory to here.
    session.commit()
    if not answers:  # made under this key before its stored answer was dropped
        return views.ok(views.order(order, orders.details_of(session, order)), status=201)
    return answers[0]


@router.get("", response_model=ListInfo[od.Order])
def list_orders(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 20,
    offset: Offset = 0,
    id: OptionalQueryId = None,
    event_id: OptionalQueryId = None,
    organizer_id: str | None = None,
    contact_email: str | None = None,
    include_not_owned: bool = False,
    sort_by: SortBy = None,
    direction: Direction = None,
    with_: WithParam = None,
    status: str | None = None,
    code: str | None = None,
    email: str | None = None,
    query: str | None = None,
    created_at: str | None = None,
) -> JSONResponse:
    """The caller's orders; staff add `include_not_owned=true` for everyone's (the vendor
    SDK's `listOrders`). Filters: `id`, `event_id`, `organizer_id`, `contact_email` (or
    `email`), and this server's `status` (a `box_office_status`), `code`, `query` (words of the
    code, the contact's name or email) and `created_at=d1;d2`; `sort_by=field` or `-field`
    (`direction=asc|desc`), else newest first; `with=[order_item.[ticket],event]`. Each order
    also says its event's name, its payment method and its cashier (extensions)."""
    start, stop = date_range(created_at, "created_at")
    if status is not None and status not in OrderStatus.__members__.values():
        raise InvalidInput(
            f"{status!r} is not an order status.", code="invalid_status", field="status"
        )
    rows, total = orders.list_orders(
        session,
        actor,
        orders.OrderFilter(
            order_id=id,
            event_id=event_id,
            status=status,
            code=code,
            email=contact_email or email,
            query=query,
            created_from=start,
            created_to=stop,
            include_not_owned=include_not_owned,
            organizer=organizer_id,
            sort=sort_order(sort_by, direction, orders.ORDER_SORTS),
        ),
        limit=limit,
        offset=offset,
    )
    tree = parse_with(with_)
    details = orders.list_details(session, rows)
    tickets = _tickets_if_asked(session, tree, rows)
    return views.page(
        [views.order(o, details[o.id], tree, tickets=tickets, viewer_id=actor.id) for o in rows],
        limit=limit,
        offset=offset,
        total=total,
    )


def _tickets_if_asked(
    session: SessionDep, tree: Tree, rows: Sequence[Order]
) -> Sequence[Ticket] | None:
    """The issued tickets of `rows` when `with` asks for `order_item.[ticket]`, else None."""
    if "ticket" not in tree.get("order_item", {}):
        return None
    return wallet.tickets_of_orders(session, [row.id for row in rows])


@router.get("/{order_id}", response_model=Envelope[od.Order])
def get_order(
    order: OrderDep, session: SessionDep, actor: CurrentActor, with_: WithParam = None
) -> JSONResponse:
    """One order with its items and contact; `with=[event.[venue]]` embeds the event and
    `with=[order_item.[ticket]]` each item's issued tickets."""
    tree = parse_with(with_)
    seated = "event" in tree and holds.has_seat_map(session, order.event_id)
    return views.ok(
        views.order(
            order,
            orders.details_of(session, order),
            tree,
            has_seat_map=seated,
            tickets=_tickets_if_asked(session, tree, [order]),
            viewer_id=actor.id,
        )
    )


@router.post("/{order_id}/order_contact", response_model=Envelope[od.OrderContact])
def create_order_contact(
    order: OrderDep,
    body: od.OrderContactRequest,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> JSONResponse:
    """Set the order contact: first and last name and email (more fields optional)."""
    return views.ok(views.order_contact(orders.set_contact(session, actor, order, body, now)))


@router.delete("/{order_id}", response_model=Envelope[od.Order])
@router.post("/{order_id}/cancel", response_model=Envelope[od.Order])
def cancel_order(
    order: OrderDep,
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    now: Now,
    counter: CounterName,
) -> JSONResponse:
    """Cancel an unpaid order (its card intent first); tickets and seats go back on sale.
    What a part-paid order took goes back the way it came (cash from `X-Counter`'s drawer)."""
    canceled = lifecycle.cancel_unpaid(
        session, actor, order, now=now, cards=state.cards, counter=counter
    )
    return views.ok(views.order(canceled, orders.details_of(session, canceled)))


def _download(
    session: SessionDep,
    state: StateDep,
    actor: Actor,
    order: Order,
    ticket_id: int | None,
    format: str | None,
    size: str,
) -> Response:
    output = downloads.order_file(
        session,
        actor,
        order,
        signer=lambda: state.issuing.signer,
        ticket_id=ticket_id,
        format=format,
        size=size,
    )
    return Response(
        output.data,
        media_type=output.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{output.filename}"'},
    )


# What the downloads send: files, not JSON (ticketoutput/pdf.py, ticketoutput/pkpass.py).
TICKET_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The tickets as a file (Content-Disposition: attachment)",
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.apple.pkpass": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.apple.pkpasses": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get("/{order_id}/download_tickets", response_class=Response, responses=TICKET_FILES)
def download_tickets(
    order: OrderDep,
    session: SessionDep,
    state: StateDep,
    actor: CurrentActor,
    format: str | None = None,
    size: str = "a4",
) -> Response:
    """The paid order's tickets: a PDF (`size=a4` or `ticket` stock), or for PKPASS orders
    the Wallet pass (`.pkpasses` for several); `format=pdf|pkpass` overrides."""
    return _download(session, state, actor, order, None, format, size)


@router.get(
    "/{order_id}/download_tickets/{ticket_id}", response_class=Response, responses=TICKET_FILES
)
def download_ticket(
    order: OrderDep,
    ticket_id: Id,
    session: SessionDep,
    state: StateDep,
    actor: CurrentActor,
    format: str | None = None,
    size: str = "a4",
) -> Response:
    """One ticket of the paid order, as `download_tickets`."""
    return _download(session, state, actor, order, ticket_id, format, size)
