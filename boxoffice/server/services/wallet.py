"""The wallet: the tickets an account holds, and transfers of SECURE tickets to another account.

Who holds a ticket is written twice: in `Ticket.owner_id`, which the wallet queries, and in the
hash-chained ownership ledger (`services/ledger.py`), which is the record of truth. A transfer
checks both, then appends a `transfer` entry per ticket and moves `owner_id`, all in the
caller's transaction: if any ticket cannot go, none does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.server.db.models import Event, EventSigningKey, Ticket, Timeslot, User
from boxoffice.server.db.models.refund import refund_ticket
from boxoffice.server.db.models.ticket import INVALIDATED, REVOKED, VALID
from boxoffice.server.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from boxoffice.server.services import audit, ledger, ticket_codes, users
from boxoffice.server.services.actors import Actor
from boxoffice.server.services.ledger_store import SqlLedgerStore

logger = logging.getLogger(__name__)

FORMATS = ("PDF", "PKPASS", "SECURE")
STATUSES = (VALID, INVALIDATED, REVOKED)
TRANSFERABLE_FORMAT = "SECURE"

# Why a ticket cannot be transferred, in `details.reason` of `ticket_not_transferable`.
NOT_SECURE = "not_secure"
REASON_INVALIDATED = "invalidated"
EVENT_OVER = "event_over"


def _not_found(ticket_id: int) -> NotFound:
    return NotFound(
        f"No ticket {ticket_id} in your wallet.",
        code="ticket_not_found",
        field="ids",
        details={"ids": [ticket_id]},
    )


# --- reading ---------------------------------------------------------------------------------


def list_tickets(
    session: Session,
    actor: Actor,
    *,
    format: str | None = None,
    status: str | None = None,
    ids: Iterable[int] | None = None,
    owner_id: int | None = None,
) -> list[Ticket]:
    """The caller's own tickets, by id; staff may pass `owner_id` to see another account's."""
    owner = actor.id if owner_id is None else owner_id
    if owner != actor.id and not actor.is_staff:
        raise PermissionDenied("Only box-office staff may look into another account's wallet.")
    query = select(Ticket).where(Ticket.owner_id == owner)
    if format is not None:
        query = query.where(Ticket.format == _one_of(format.strip().upper(), FORMATS, "format"))
    if status is not None:
        query = query.where(Ticket.status == _one_of(status.strip().lower(), STATUSES, "status"))
    if ids is not None:
        query = query.where(Ticket.id.in_(list(ids)))
    return list(session.scalars(query.order_by(Ticket.id)))


def tickets_of_orders(session: Session, order_ids: Iterable[int]) -> list[Ticket]:
    """The issued tickets of orders the caller may already see (`orders.get_order`), by id."""
    return list(
        session.scalars(
            select(Ticket).where(Ticket.order_id.in_(list(order_ids))).order_by(Ticket.id)
        )
    )


def _one_of(value: str, allowed: tuple[str, ...], field: str) -> str:
    """`value` if it is one of `allowed`, else `invalid_<field>`."""
    if value not in allowed:
        raise InvalidInput(
            f"{field} must be one of {', '.join(allowed)}.", code=f"invalid_{field}", field=field
        )
    return value


def get_ticket(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    """A ticket its owner or staff may see; 404 for everyone else, so ids do not leak."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or (ticket.owner_id != actor.id and not actor.is_staff):
        raise NotFound(f"No ticket {ticket_id}.", code="ticket_not_found")
    return ticket


# --- transferring ----------------------------------------------------------------------------


def _not_transferable(ticket: Ticket, reason: str, message: str) -> RuleViolation:
    return RuleViolation(
        message,
        code="ticket_not_transferable",
        field="ids",
        details={"ids": [ticket.id], "reason": reason},
    )


def _check_transferable(
    session: Session, store: SqlLedgerStore, actor: Actor, ticket: Ticket, now: datetime
) -> None:
    """Raise unless `actor` may give `ticket` away now (its row was checked to be theirs)."""
    if ticket.format != TRANSFERABLE_FORMAT:
        raise _not_transferable(
            ticket,
            NOT_SECURE,
            f"Ticket {ticket.id} is a {ticket.format} ticket; only SECURE tickets can be "
            "transferred.",
        )
    if ticket.status != VALID:
        raise _not_transferable(
            ticket, REASON_INVALIDATED, f"Ticket {ticket.id} is no longer valid."
        )
    event = session.get(Event, ticket.event_id)
    ends = event.end_at if event is not None else now
    if ticket.timeslot_id is not None:
        slot = session.get(Timeslot, ticket.timeslot_id)
        if slot is not None:
            ends = min(ends, slot.end_at)
    if ends <= now:
        raise _not_transferable(ticket, EVENT_OVER, f"Ticket {ticket.id} is for a past event.")
    try:
        state = ledger.ticket_state(store.for_ticket(ticket.code), ticket.code)
    except ledger.InvalidLedger as exc:
        logger.error("ledger history of ticket %s is broken: %s", ticket.code, exc)
        state = None
    if state is not None and not state.valid:
        raise _not_transferable(
            ticket, REASON_INVALIDATED, f"Ticket {ticket.id} is no longer valid."
        )
    if state is None or state.owner != actor.id:
        # The row says the caller holds it, the ledger does not: a bug or tampering.
        logger.error(
            "ticket %s: row owner %s, ledger owner %s",
            ticket.code,
            ticket.owner_id,
            state.owner if state else None,
        )
        raise Conflict(
            f"Ticket {ticket.id}'s ownership record is inconsistent; ask the box office.",
            code="ticket_owner_mismatch",
            field="ids",
            details={"ids": [ticket.id]},
        )


def _recipient(
    session: Session,
    actor: Actor,
    *,
    new_owner_id: int | None,
    new_owner_email: str | None,
    now: datetime,
) -> User:
    if new_owner_id is not None:
        if new_owner_id == actor.id:
            raise _to_self("new_owner_id")
        user = session.get(User, new_owner_id)
        if user is None or user.type != "registered":
            raise InvalidInput(
                f"No account {new_owner_id} to transfer to.",
                code="recipient_not_found",
                field="new_owner_id",
            )
        return user
    assert new_owner_email is not None
    email = new_owner_email.strip().lower()
    existing = session.scalar(select(User.id).where(User.email == email))
    if existing == actor.id:
        raise _to_self("new_owner_email")
    user, created = users.customer_for_email(session, email, now=now)
    if created:
        users.audit_created(session, user, actor=actor, now=now, via="ticket_transfer")
    return user


def _to_self(field: str) -> InvalidInput:
    return InvalidInput(
        "These tickets are already yours; name another account.",
        code="transfer_to_self",
        field=field,
    )


def transfer_tickets(
    session: Session,
    actor: Actor,
    ids: Iterable[int],
    *,
    new_owner_email: str | None = None,
    new_owner_id: int | None = None,
    now: datetime,
) -> list[Ticket]:
    """Give the caller's SECURE tickets `ids` to another account, all or none.

    The recipient is an existing account by `new_owner_id`, or by `new_owner_email` (a
    customer account is made for an email that has none, as when SECURE tickets are issued).
    Errors: `recipient_required` / `recipient_ambiguous` / `transfer_to_self` /
    `recipient_not_found` (422), `ticket_not_found` (404: no such ticket, or not the
    caller's), `ticket_not_transferable` (400: not SECURE, invalidated, or the event is over),
    `ticket_owner_mismatch` (409: the ledger disagrees with the ticket row).
    """
    if new_owner_id is None and not (new_owner_email and new_owner_email.strip()):
        raise InvalidInput(
            "Name the recipient: new_owner_id or new_owner_email.",
            code="recipient_required",
            field="new_owner_email",
        )
    if new_owner_id is not None and new_owner_email:
        raise InvalidInput(
            "Name the recipient by new_owner_id or by new_owner_email, not both.",
            code="recipient_ambiguous",
            field="new_owner_email",
        )
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise InvalidInput("Name at least one ticket.", code="ids_required", field="ids")
    # Locked on PostgreSQL, so two transfers of one ticket run one after the other.
    found = {
        t.id: t
        for t in session.scalars(select(Ticket).where(Ticket.id.in_(wanted)).with_for_update())
    }
    tickets: list[Ticket] = []
    for ticket_id in wanted:
        ticket = found.get(ticket_id)
        if ticket is None or ticket.owner_id != actor.id:
            raise _not_found(ticket_id)
        tickets.append(ticket)
    store = SqlLedgerStore(session)
    for ticket in tickets:
        _check_transferable(session, store, actor, ticket, now)
    recipient = _recipient(
        session, actor, new_owner_id=new_owner_id, new_owner_email=new_owner_email, now=now
    )
    for ticket in tickets:
        ledger.append(
            store,
            ledger.TRANSFER,
            ticket.code,
            actor.id,
            recipient.id,
            at=now,
            data={"by": actor.id},
        )
        ticket.owner_id = recipient.id
        audit.record(
            session,
            actor=actor,
            action="ticket.transferred",
            object_type="ticket",
            object_id=ticket.id,
            now=now,
            data={"code": ticket.code, "from": actor.id, "to": recipient.id},
        )
    session.flush()
    return tickets


# --- checking a scanned code -----------------------------------------------------------------

# Reasons `check_payload` gives besides `ticket_codes`' malformed / unknown_event / bad_signature.
NOT_ISSUED = "not_issued"
OWNER_MISMATCH = "owner_mismatch"
LEDGER_BROKEN = "ledger_broken"
REASON_REVOKED = "revoked"  # refunded, or replaced by a reissue


@dataclass(frozen=True)
class PayloadCheck:
    """What a scanned QR payload is: `ok`, or the `reason` it is refused, with a message."""

    ok: bool
    reason: str | None
    message: str
    code: str | None = None
    event_id: int | None = None
    event_name: str | None = None
    owner_id: int | None = None
    owner_name: str | None = None


def check_payload(session: Session, payload: str) -> PayloadCheck:
    """Verify a scanned payload against the event key in the database (as a scanner would
    offline), then what the ledger says of the ticket: still valid, and held by whom."""

    def public_key(event_id: int) -> Ed25519PublicKey | None:
        row = session.get(EventSigningKey, event_id)
        return ticket_codes.load_public_key(row.public_pem) if row is not None else None

    try:
        verified = ticket_codes.verify_payload(payload, public_key)
    except ticket_codes.InvalidTicketCode as exc:
        return PayloadCheck(False, exc.reason, exc.message)
    code, event_id = verified.code, verified.event_id
    event = session.get(Event, event_id)
    found = PayloadCheck(
        False, None, "", code=code, event_id=event_id, event_name=event.name if event else None
    )
    ticket = session.scalar(select(Ticket).where(Ticket.code == code, Ticket.event_id == event_id))
    try:
        state = ledger.ticket_state(SqlLedgerStore(session).for_ticket(code), code)
    except ledger.InvalidLedger as exc:
        return replace(found, reason=LEDGER_BROKEN, message=str(exc))
    if ticket is None or state is None:
        return replace(
            found, reason=NOT_ISSUED, message=f"Ticket {code} is signed but was never issued."
        )
    if ticket.status == REVOKED:
        refunded = session.scalar(
            select(refund_ticket.c.refund_id).where(refund_ticket.c.ticket_id == ticket.id)
        )
        why = "refunded" if refunded is not None else "replaced by a reissued ticket"
        return replace(
            found,
            reason=REASON_REVOKED,
            message=f"Ticket {code} was revoked ({why}); it is not valid for entry.",
        )
    if not state.valid or ticket.status != VALID:
        return replace(
            found, reason=REASON_INVALIDATED, message=f"Ticket {code} has been invalidated."
        )
    if state.owner != ticket.owner_id:
        return replace(
            found,
            reason=OWNER_MISMATCH,
            message=f"Ticket {code}: the ledger names owner {state.owner}, "
            f"the ticket row {ticket.owner_id}.",
        )
    owner = session.get(User, state.owner) if state.owner is not None else None
    name = (owner.email or owner.username or owner.role) if owner is not None else None
    return replace(
        found,
        ok=True,
        message=f"Ticket {code} is valid.",
        owner_id=state.owner,
        owner_name=name,
    )
