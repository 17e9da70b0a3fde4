"""Printing tickets again, and replacing them: reprints and reissues of a paid order.

A **reprint** prints the same tickets (same codes) once more, marked "REPRINT n": each
ticket's `reprints` count goes up by a conditional UPDATE (`reprints = reprints + 1`, only
while the ticket is valid) and the audit says who, why, which tickets and which copy.

A **reissue** replaces lost or stolen tickets: each named ticket moves from `valid` to
`revoked` by a conditional UPDATE (of two reissues at once, one wins; the other finds it
revoked and is refused), gets a ledger `invalidate` entry naming its replacement, and a new
ticket with a new code and signature takes its place (`issuing.new_ticket`, the same code
path as paying). The old code then fails at the door.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.db.models import Order, OrderItem, Ticket
from boxoffice.server.db.models.ticket import REVOKED, VALID
from boxoffice.server.errors import Conflict, InvalidInput, NotFound, RuleViolation
from boxoffice.server.services import audit, issuing, ledger
from boxoffice.server.services.actors import Actor, require_staff
from boxoffice.server.services.ledger_store import SqlLedgerStore
from boxoffice.server.ticketoutput.base import OutputFile

REPRINTABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
"""The statuses whose valid tickets may be printed again or reissued."""


def _check_order(order: Order, what: str) -> None:
    if order.status not in REPRINTABLE:
        raise RuleViolation(
            f"Only a paid order's tickets can be {what}; this order is {order.status.value}.",
            code="order_not_paid",
        )


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidInput("Say why (a reason).", code="reason_required", field="reason")
    return text


def _tickets(session: Session, order: Order, ticket_ids: Sequence[int] | None) -> list[Ticket]:
    """The order's named tickets (all its valid ones if none named); each must be valid."""
    query = select(Ticket).where(Ticket.order_id == order.id)
    if ticket_ids is None:
        tickets = list(session.scalars(query.where(Ticket.status == VALID).order_by(Ticket.id)))
        if not tickets:
            raise RuleViolation("This order has no valid tickets.", code="no_valid_tickets")
        return tickets
    wanted = list(dict.fromkeys(ticket_ids))
    if not wanted:
        raise InvalidInput("Name at least one ticket.", code="ticket_ids_empty", field="ticket_ids")
    tickets = list(session.scalars(query.where(Ticket.id.in_(wanted)).order_by(Ticket.id)))
    found = {t.id for t in tickets}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(
            f"Ticket {missing[0]} is not in this order.",
            code="ticket_not_found",
            field="ticket_ids",
        )
    for ticket in tickets:
        if ticket.status != VALID:
            raise RuleViolation(
                f"Ticket {ticket.code} is {ticket.status}, not valid: it cannot be printed "
                "or replaced.",
                code="ticket_not_valid",
                field="ticket_ids",
            )
    return tickets


def reprint(
    session: Session,
    actor: Actor,
    order: Order,
    *,
    reason: str,
    ticket_ids: Sequence[int] | None,
    now: datetime,
    size: str = "a4",
) -> OutputFile:
    """Count one more copy of each ticket, audit it, and answer the PDF marked "REPRINT n"."""
    require_staff(actor)
    _check_order(order, "printed again")
    text = _reason(reason)
    tickets = _tickets(session, order, ticket_ids)
    copies: dict[str, int] = {}
    for ticket in tickets:
        row = session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.status == VALID)
            .values(reprints=Ticket.reprints + 1)
            .returning(Ticket.reprints)
            .execution_options(synchronize_session=False)
        ).first()
        if row is None:
            raise Conflict(
                f"Ticket {ticket.code} was revoked meanwhile; it cannot be printed.",
                code="ticket_not_valid",
                field="ticket_ids",
            )
        copies[ticket.code] = int(row[0])
    for ticket in tickets:
        session.refresh(ticket)
    audit.record(
        session,
        actor=actor,
        action="order.reprinted",
        object_type="order",
        object_id=order.id,
        now=now,
        data={
            "tickets": [t.id for t in tickets],
            "codes": [t.code for t in tickets],
            "copies": copies,
            "reason": text,
        },
    )
    views = issuing.ticket_views(session, order, tickets, reprint=True)
    return issuing.render_pdf(views, size=size)


def reissue(
    session: Session,
    actor: Actor,
    order: Order,
    *,
    reason: str,
    ticket_ids: Sequence[int],
    now: datetime,
) -> list[Ticket]:
    """Revoke the named tickets and issue new ones (new codes) in their place."""
    require_staff(actor)
    _check_order(order, "reissued")
    text = _reason(reason)
    old_tickets = _tickets(session, order, ticket_ids)
    key = issuing.event_private_key(session, order.event_id)
    store = SqlLedgerStore(session)
    items = {item.id: item for item in order.items}
    replaced: list[tuple[Ticket, Ticket]] = []
    for old in old_tickets:
        moved = session.execute(
            update(Ticket)
            .where(Ticket.id == old.id, Ticket.status == VALID)
            .values(status=REVOKED)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                f"Ticket {old.code} was just revoked or replaced by someone else.",
                code="ticket_not_valid",
                field="ticket_ids",
            )
        item: OrderItem = items[old.order_item_id]
        new = issuing.new_ticket(
            session,
            store,
            key,
            order,
            item,
            seat=old.seat_label,
            owner=old.owner_id,
            holder=old.holder_name,
            now=now,
            reissued_from=old,
        )
        new.price = old.price
        ledger.append(
            store,
            ledger.INVALIDATE,
            old.code,
            old.owner_id,
            None,
            at=now,
            data={"reason": "reissue", "replaced_by": new.code},
        )
        replaced.append((old, new))
    session.flush()
    for old, _ in replaced:
        session.refresh(old)
    audit.record(
        session,
        actor=actor,
        action="order.reissued",
        object_type="order",
        object_id=order.id,
        now=now,
        data={
            "tickets": [old.id for old, _ in replaced],
            "new_tickets": [new.id for _, new in replaced],
            "replaced": {old.code: new.code for old, new in replaced},
            "reason": text,
        },
    )
    return [new for _, new in replaced]
