"""What happens when an order is paid: seats booked, tickets issued and signed, ownership
recorded in the ledger, the confirmation mail queued — all in the paying transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from boxoffice.server.db.locking import insert_if_absent
from boxoffice.server.db.models import (
    EventSigningKey,
    MailJob,
    Order,
    OrderItem,
    Seat,
    Sector,
    Ticket,
    Timeslot,
)
from boxoffice.server.db.models.seat import BOOKED
from boxoffice.server.services import holds, ledger, ticket_codes, users
from boxoffice.server.services.ledger_store import SqlLedgerStore
from boxoffice.server.services.mail import (
    OrderSummary,
    TicketLine,
    build_confirmation,
    confirmation_subject,
)
from boxoffice.server.services.money import to_major
from boxoffice.server.ticketoutput.base import OutputFile, SeatLabel, TicketView, TimeslotView

if TYPE_CHECKING:
    from boxoffice.server.ticketoutput.certificates import PassSigner


class Issuing:
    """What ticket files and the confirmation mail need besides the database: the Wallet pass
    signer and the mail sender. Used by downloads and the mail deliverer, never by paying
    itself (which only queues the mail).

    The pass certificate is loaded (or, the first time, generated) on first use.
    """

    def __init__(self, signer: Callable[[], PassSigner], sender: str) -> None:
        self._load_signer = signer
        self._signer: PassSigner | None = None
        self._lock = threading.Lock()
        self.sender = sender

    @property
    def signer(self) -> PassSigner:
        with self._lock:
            if self._signer is None:
                self._signer = self._load_signer()
            return self._signer


def event_private_key(session: Session, event_id: int) -> Ed25519PrivateKey:
    """The event's ticket-signing key, created the first time the event sells.

    Two servers may sell an event's first tickets at once: each offers a new key with
    `INSERT … ON CONFLICT DO NOTHING` and then reads the one that was stored first.
    """
    row = session.get(EventSigningKey, event_id)
    if row is None:
        private_pem, public_pem = ticket_codes.new_event_keypair()
        values = {"event_id": event_id, "private_pem": private_pem, "public_pem": public_pem}
        insert_if_absent(session, cast(Table, EventSigningKey.__table__), values)
        row = session.get(EventSigningKey, event_id, populate_existing=True)
        if row is None:
            raise RuntimeError(f"the signing key of event {event_id} was not stored")
    return ticket_codes.load_private_key(row.private_pem)


def _wallet_owner(session: Session, order: Order, now: datetime) -> int:
    """SECURE tickets belong to the contact's account (made if missing); others to the buyer."""
    if order.format != "SECURE" or order.contact is None:
        return order.user_id
    user, _ = users.customer_for_email(
        session,
        order.contact.email,
        now=now,
        first_name=order.contact.first_name,
        last_name=order.contact.last_name,
    )
    return user.id


def issue_tickets(session: Session, order: Order, *, now: datetime) -> list[Ticket]:
    """Book the order's seats and issue one signed ticket per unit, recorded in the ledger."""
    session.execute(
        update(Seat)
        .where(Seat.order_id == order.id)
        .values(status=BOOKED, hold_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    key = event_private_key(session, order.event_id)
    owner = _wallet_owner(session, order, now)
    holder = f"{order.contact.first_name} {order.contact.last_name}" if order.contact else None
    store = SqlLedgerStore(session)
    tickets: list[Ticket] = []
    for item in order.items:
        seats: list[str | None] = list(item.selected_seats) or [None] * item.quantity
        for seat in seats:
            tickets.append(
                new_ticket(
                    session,
                    store,
                    key,
                    order,
                    item,
                    seat=seat,
                    owner=owner,
                    holder=holder,
                    now=now,
                )
            )
    session.flush()
    return tickets


def new_ticket(
    session: Session,
    store: SqlLedgerStore,
    key: Ed25519PrivateKey,
    order: Order,
    item: OrderItem,
    *,
    seat: str | None,
    owner: int | None,
    holder: str | None,
    now: datetime,
    reissued_from: Ticket | None = None,
) -> Ticket:
    """One ticket of `item` with a new code, signed with the event's `key`, added to the
    session and recorded in the ledger (`issue`). A reissue names the ticket it replaces."""
    code = _unique_code(session)
    ticket = Ticket(
        code=code,
        qr_payload=ticket_codes.sign_ticket(key, order.event_id, code),
        order_id=order.id,
        order_item_id=item.id,
        event_id=order.event_id,
        ticket_config_id=item.ticket_config_id,
        timeslot_id=item.timeslot_id,
        sector_id=item.sector_id,
        seat_label=seat,
        price=item.unit_price,
        format=order.format,
        owner_id=owner,
        holder_name=holder,
        issued_at=now,
        reissued_from_id=reissued_from.id if reissued_from is not None else None,
    )
    session.add(ticket)
    data: dict[str, object] = {"order": order.code, "event": order.event_id}
    if reissued_from is not None:
        data["replaces"] = reissued_from.code
    ledger.append(store, ledger.ISSUE, code, None, owner, at=now, data=data)
    return ticket


def _unique_code(session: Session) -> str:
    while True:
        code = ticket_codes.new_ticket_code()
        if session.scalar(select(Ticket.id).where(Ticket.code == code)) is None:
            return code


def ticket_views(
    session: Session, order: Order, tickets: list[Ticket], *, reprint: bool = False
) -> list[TicketView]:
    """What the ticket outputs print for each ticket of `order`; with `reprint`, each is
    marked as the copy its `reprints` count says ("REPRINT 2")."""
    event = order.event
    venue = event.venue
    address = ", ".join(p for p in (venue.street1, venue.zip, venue.city) if p) if venue else None
    seats = holds.seats_by_label(session, event.id, [t.seat_label for t in tickets if t.seat_label])
    configs = {item.ticket_config_id: item.ticket_config for item in order.items}
    views = []
    for ticket in tickets:
        seat = seats.get(ticket.seat_label or "")
        slot = session.get(Timeslot, ticket.timeslot_id) if ticket.timeslot_id else None
        sector = session.get(Sector, ticket.sector_id) if ticket.sector_id else None
        views.append(
            TicketView(
                ticket_id=ticket.id,
                code=ticket.code,
                qr_payload=ticket.qr_payload,
                event_name=event.name,
                event_start=event.start_at,
                event_end=event.end_at,
                timezone_name=event.timezone_name,
                venue_name=venue.name if venue else None,
                venue_address=address or None,
                ticket_config_name=configs[ticket.ticket_config_id].name,
                sector_name=sector.name if sector else None,
                seat=SeatLabel(section=seat.section, row=seat.row, seat=seat.number)
                if seat
                else None,
                price=to_major(ticket.price, order.currency),
                currency=order.currency,
                order_code=order.code,
                holder_name=ticket.holder_name,
                organizer_name=event.organizer.display_name,
                timeslot=TimeslotView(start=slot.start_at, end=slot.end_at) if slot else None,
                doors_open=event.gate_time,
                reprint=ticket.reprints if reprint and ticket.reprints else None,
                language=order.language,
            )
        )
    return views


def render_pdf(views: list[TicketView], *, size: str = "a4") -> OutputFile:
    """The tickets as one PDF, one per page, on A4 or ticket stock."""
    from boxoffice.server.ticketoutput.pdf import PdfOutput  # reportlab: on first download

    pdf = PdfOutput()
    return pdf.render(views, options=pdf.parse_options({"size": size}))


def render_pkpass(views: list[TicketView], signer: PassSigner) -> OutputFile:
    """The tickets as a Wallet pass, or a `.pkpasses` bundle of several."""
    from boxoffice.server.ticketoutput.pkpass import PkpassOutput  # PIL: on first download

    return PkpassOutput(signer).render(views)


def _summary(order: Order, tickets: list[Ticket], names: dict[int, str]) -> OrderSummary:
    event = order.event
    return OrderSummary(
        order_code=order.code,
        event_name=event.name,
        event_start=event.start_at,
        timezone_name=event.timezone_name,
        currency=order.currency,
        total=order.total,
        tickets=[
            TicketLine(
                code=t.code, name=names[t.ticket_config_id], price=t.price, seat=t.seat_label
            )
            for t in tickets
        ],
        venue_name=event.venue.name if event.venue else None,
        buyer_name=f"{order.contact.first_name} {order.contact.last_name}"
        if order.contact
        else None,
        language=order.language,
    )


def queue_confirmation(
    session: Session, order: Order, tickets: list[Ticket], *, now: datetime
) -> MailJob | None:
    """Queue the confirmation mail of a paid order (none without a contact email).

    Only the job is written here, in the paying transaction; the message with its ticket
    files is composed by the mail deliverer after the commit (`compose_confirmation`), so
    rendering never holds up or undoes a sale.
    """
    if order.contact is None:
        return None
    names = {item.ticket_config_id: item.ticket_config.name for item in order.items}
    job = MailJob(
        order_id=order.id,
        recipient=order.contact.email,
        subject=confirmation_subject(_summary(order, tickets, names)),
        message=b"",  # composed on first delivery
        status="queued",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(job)
    return job


def compose_confirmation(
    session: Session, order_id: int, *, signer: Callable[[], PassSigner], sender: str, now: datetime
) -> bytes:
    """The whole confirmation message of a paid order, with the PDF (and, for PKPASS
    orders, the Wallet passes) attached."""
    order = session.get(Order, order_id)
    if order is None or order.contact is None:
        raise LookupError(f"order {order_id} has no confirmation to send")
    tickets = list(
        session.scalars(select(Ticket).where(Ticket.order_id == order.id).order_by(Ticket.id))
    )
    views = ticket_views(session, order, tickets)
    attachments = [render_pdf(views)]
    if order.format == "PKPASS" and len(views) <= 10:
        attachments.append(render_pkpass(views, signer()))
    names = {v.ticket_id: v.ticket_config_name for v in views}
    summary = _summary(order, tickets, {t.ticket_config_id: names[t.id] for t in tickets})
    message = build_confirmation(
        summary,
        [(a.filename, a.mimetype, a.data) for a in attachments],
        sender=sender,
        recipient=order.contact.email,
        now=now,
    )
    return message.as_bytes()
