"""Refunds: money given back for a paid order, in whole or by ticket, by the way it came.

A refund, in one transaction:
1. claims its tickets: `UPDATE ticket SET status = 'revoked' WHERE id = … AND status =
   'valid'`, one ticket at a time, checking the rowcount — of two cashiers refunding the same
   ticket at once, one gets it and the other `409 ticket_already_refunded` (and
   `refund_ticket.ticket_id` is unique besides);
2. invalidates each ticket in the ownership ledger (`invalidate`, data `{"reason": "refund"}`),
   so it fails at the door and in `tickets verify`;
3. puts stock and seats back on sale (`inventory.give_back`, `holds.release_booked_seats`);
4. gives the tickets' prices back by the way they were paid, payment by payment: card first
   and cash last unless the cashier prefers cash; each payment gives back at most what it took
   less what it gave back already (`payment.refunded`, raised by a conditional UPDATE). One
   `refund` row per payment touched, with its tickets; cash comes out of the drawer of the
   request's counter (its open shift, a `refund` cash movement); free tickets give back 0;
5. moves the order to `partially_refunded` or `refunded`, audits it and queues the refund
   mail;
6. last, asks Stripe for the card refunds, each with an idempotency key made of the payment
   and the tickets refunded (a ticket is refunded once, so the key names this refund alone):
   if Stripe fails, the whole request rolls back and nothing is revoked; if something fails
   after Stripe refunded, a retry gets Stripe's first refund back instead of a second one.

`give_back_payments` does step 4 and 6 for a part-paid order that is canceled
(`lifecycle.cancel_unpaid`). `refund_event_orders` refunds every paid order of an event, each
in its own transaction, a batch per call.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.db.models import Order, Payment, Sector, Ticket, TicketConfig, Timeslot
from boxoffice.server.db.models.refund import PENDING, SUCCEEDED, Refund, refund_ticket
from boxoffice.server.db.models.shift import REFUND, Shift
from boxoffice.server.db.models.ticket import REVOKED, VALID
from boxoffice.server.errors import Conflict, InvalidInput, RuleViolation
from boxoffice.server.payments.card import provider_call
from boxoffice.server.services import audit, holds, inventory, ledger, refund_mail, shifts
from boxoffice.server.services.actors import Actor, require_staff
from boxoffice.server.services.ledger_store import SqlLedgerStore
from boxoffice.server.stripe.cards import CardPayments

logger = logging.getLogger(__name__)

REFUNDABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
CASH, CARD, CARD_PRESENT, FREE = "cash", "card", "card_present", "free"
PREFER = (CASH, CARD)
# Money Stripe gives back: a card typed on the payment page or taken on a reader (the
# refund goes to the card either way; no card needs to be present).
STRIPE_METHODS = (CARD, CARD_PRESENT)
MAX_REASON = 500
EVENT_BATCH = 20  # orders an event refund handles per call


@dataclass
class _Part:
    """Money to give back from one payment, and the refund row that records it."""

    payment: Payment | None
    method: str
    amount: int
    refund: Refund | None = None
    tickets: list[Ticket] = field(default_factory=list)


@dataclass
class RefundOutcome:
    """What a refund did: the order as it is now, and its refund rows with their tickets."""

    order: Order
    refunds: list[Refund]
    ticket_ids: dict[int, list[int]]  # refund id → the tickets it revoked


# --- checks ----------------------------------------------------------------------------------


def check_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("Say why the money goes back.", code="reason_required", field="reason")
    if len(text) > MAX_REASON:
        raise InvalidInput(
            f"A reason has at most {MAX_REASON} characters.", code="reason_too_long", field="reason"
        )
    return text


def _check_prefer(prefer: str | None) -> str | None:
    if prefer is not None and prefer not in PREFER:
        raise InvalidInput(
            "prefer is cash or card: the way the money goes back first.",
            code="invalid_prefer",
            field="prefer",
        )
    return prefer


def _check_refundable(order: Order) -> None:
    if order.status in REFUNDABLE:
        return
    if order.status == OrderStatus.REFUNDED:
        raise Conflict(
            "This order is refunded already; nothing is left to give back.",
            code="order_already_refunded",
        )
    raise RuleViolation(
        f"A {order.status.replace('_', ' ')} order has no payment to refund; "
        "cancel an unpaid order instead.",
        code="order_not_refundable",
    )


def _hold_order(session: Session, order: Order, now: datetime) -> None:
    """Take the order's row (a conditional UPDATE: still refundable) before anything is read
    for the refund, so two refunds of one order run one after the other on PostgreSQL and
    the second sees what the first did (which tickets are left, what each payment can still
    give back); SQLite runs one write transaction at a time anyway."""
    held = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(REFUNDABLE))
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(order)
    if held.rowcount != 1:  # type: ignore[attr-defined]
        _check_refundable(order)
        raise Conflict("The order changed meanwhile; look at it again.", code="refund_conflict")


def _already_refunded(ids: list[int]) -> Conflict:
    listed = ", ".join(str(i) for i in ids)
    return Conflict(
        f"Ticket {listed} was refunded already (or just now, by another cashier).",
        code="ticket_already_refunded",
        field="ticket_ids",
        details={"ticket_ids": ids},
    )


def _chosen_tickets(
    session: Session, order: Order, ticket_ids: Sequence[int] | None
) -> list[Ticket]:
    tickets = list(
        session.scalars(select(Ticket).where(Ticket.order_id == order.id).order_by(Ticket.id))
    )
    if ticket_ids is None:
        chosen = [t for t in tickets if t.status == VALID]
        if not chosen:
            raise _already_refunded([t.id for t in tickets])
        return chosen
    wanted = list(dict.fromkeys(ticket_ids))
    if not wanted:
        raise InvalidInput(
            "Name at least one ticket, or none for the whole order.",
            code="ticket_ids_required",
            field="ticket_ids",
        )
    by_id = {t.id: t for t in tickets}
    foreign = [i for i in wanted if i not in by_id]
    if foreign:
        raise InvalidInput(
            f"Ticket {', '.join(str(i) for i in foreign)} is not a ticket of order {order.code}.",
            code="ticket_not_in_order",
            field="ticket_ids",
            details={"ticket_ids": foreign},
        )
    revoked = [i for i in wanted if by_id[i].status == REVOKED]
    if revoked:
        raise _already_refunded(revoked)
    invalid = [i for i in wanted if by_id[i].status != VALID]
    if invalid:
        raise RuleViolation(
            f"Ticket {', '.join(str(i) for i in invalid)} is no longer valid; it cannot be "
            "refunded.",
            code="ticket_not_valid",
            field="ticket_ids",
            details={"ticket_ids": invalid},
        )
    return [by_id[i] for i in wanted]


# --- the steps -------------------------------------------------------------------------------


def _claim_tickets(session: Session, tickets: Sequence[Ticket]) -> None:
    """Revoke each ticket by a conditional UPDATE; a ticket someone else claimed first makes
    the whole refund `409 ticket_already_refunded` (the caller's transaction rolls back)."""
    lost = []
    for ticket in tickets:
        claimed = session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.status == VALID)
            .values(status=REVOKED)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            lost.append(ticket.id)
    if lost:
        raise _already_refunded(lost)
    for ticket in tickets:
        session.refresh(ticket)


def _invalidate(session: Session, tickets: Sequence[Ticket], order: Order, now: datetime) -> None:
    """A ledger `invalidate` entry per ticket: it leaves the door list."""
    store = SqlLedgerStore(session)
    for ticket in tickets:
        state = ledger.ticket_state(store.for_ticket(ticket.code), ticket.code)
        owner = state.owner if state is not None else ticket.owner_id
        ledger.append(
            store,
            ledger.INVALIDATE,
            ticket.code,
            owner,
            None,
            at=now,
            data={"reason": "refund", "order": order.code},
        )


def _back_on_sale(session: Session, order: Order, tickets: Sequence[Ticket]) -> None:
    """Stock (ticket config, timeslot, sector) and seats of the tickets go back on sale."""
    counts: Counter[tuple[str, int]] = Counter()
    for ticket in tickets:
        counts[("config", ticket.ticket_config_id)] += 1
        if ticket.timeslot_id is not None:
            counts[("timeslot", ticket.timeslot_id)] += 1
        if ticket.sector_id is not None:
            counts[("sector", ticket.sector_id)] += 1
    models = {"config": TicketConfig, "timeslot": Timeslot, "sector": Sector}
    for (kind, row_id), quantity in sorted(counts.items()):
        inventory.give_back(session, models[kind], row_id, quantity)  # type: ignore[arg-type]
    holds.release_booked_seats(session, order.id, [t.seat_label for t in tickets if t.seat_label])


def _method(payment: Payment) -> str:
    return payment.type if payment.type in (CASH, CARD, CARD_PRESENT, FREE) else CARD


def _allocate(session: Session, order: Order, amount: int, prefer: str | None) -> list[_Part]:
    """Split `amount` over the order's succeeded payments: card first, cash last (or cash
    first when preferred), each at most what it can still give back."""
    payments = list(
        session.scalars(
            select(Payment)
            .where(Payment.order_id == order.id, Payment.status == SUCCEEDED)
            .order_by(Payment.id)
        )
    )
    if amount == 0:
        free = next((p for p in payments if p.type == FREE), payments[0] if payments else None)
        return [_Part(free, FREE, 0)]
    rank = (
        {CASH: 0, CARD: 1, CARD_PRESENT: 1, FREE: 2}
        if prefer == CASH
        else {CARD: 0, CARD_PRESENT: 0, CASH: 1, FREE: 2}
    )
    ordered = sorted(payments, key=lambda p: (rank.get(_method(p), 1), p.id))
    parts: list[_Part] = []
    left = amount
    for payment in ordered:
        can = payment.amount - payment.refunded
        if left <= 0 or can <= 0 or _method(payment) == FREE:
            continue
        take = min(can, left)
        parts.append(_Part(payment, _method(payment), take))
        left -= take
    if left > 0:
        raise RuleViolation(
            "The order's payments have less left to give back than these tickets cost.",
            code="refund_exceeds_payments",
        )
    return parts


def _link_tickets(parts: list[_Part], tickets: Sequence[Ticket]) -> None:
    """Each ticket goes under the part its price (its first unit) came back from."""
    if len(parts) == 1:
        parts[0].tickets = list(tickets)
        return
    bounds, start = [], 0
    for part in parts:
        bounds.append((start, start + part.amount, part))
        start += part.amount
    position = 0
    for ticket in tickets:
        part = next((p for lo, hi, p in bounds if lo <= position < hi), bounds[-1][2])
        part.tickets.append(ticket)
        position += ticket.price


def _book_parts(
    session: Session,
    actor: Actor | None,
    order: Order,
    parts: list[_Part],
    *,
    reason: str,
    counter: str | None,
    now: datetime,
) -> None:
    """A refund row per part (card ones `pending` until Stripe answers), `payment.refunded`
    raised by conditional UPDATE, cash out of the counter's open shift."""
    drawer: Shift | None = None
    if any(p.method == CASH and p.amount > 0 for p in parts):
        drawer = shifts.require_open_shift(session, counter)
        if drawer.currency != order.currency:
            raise RuleViolation(
                f"The drawer of counter {drawer.counter} is in {drawer.currency}; this order "
                f"is in {order.currency}.",
                code="shift_currency_mismatch",
            )
    here = drawer or shifts.current_shift(session, counter)
    user_id = actor.id if actor is not None and actor.id > 0 else None
    for part in parts:
        payment = part.payment
        if payment is not None and part.amount > 0:
            raised = session.execute(
                update(Payment)
                .where(Payment.id == payment.id, Payment.refunded + part.amount <= Payment.amount)
                .values(refunded=Payment.refunded + part.amount, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if raised.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict(
                    "Another refund of this order was just made; look at the order again.",
                    code="refund_conflict",
                )
            session.refresh(payment)
        refund = Refund(
            order_id=order.id,
            payment_id=payment.id if payment is not None else None,
            method=part.method,
            status=PENDING if part.method in STRIPE_METHODS else SUCCEEDED,
            amount=part.amount,
            currency=order.currency,
            reason=reason,
            shift_id=here.id if here is not None else None,
            user_id=user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(refund)
        session.flush()
        part.refund = refund
        if part.tickets:
            session.execute(
                insert(refund_ticket),
                [{"refund_id": refund.id, "ticket_id": t.id} for t in part.tickets],
            )
        if part.method == CASH and part.amount > 0:
            assert drawer is not None
            shifts.record_movement(
                session,
                drawer,
                REFUND,
                -part.amount,
                actor=actor,
                now=now,
                order_id=order.id,
                payment_id=payment.id if payment is not None else None,
                refund_id=refund.id,
                reason=reason,
            )


def _card_refunds(
    parts: list[_Part], order: Order, cards: CardPayments, key: str, now: datetime
) -> None:
    """Ask Stripe for the card parts, last of all; a failure is `409 payment_provider_error`
    and the caller's transaction rolls back (nothing revoked)."""
    card_parts = [p for p in parts if p.method in STRIPE_METHODS and p.amount > 0]
    if not card_parts:
        return
    gateway = cards.gateway()
    for part in card_parts:
        payment, refund = part.payment, part.refund
        assert payment is not None and refund is not None
        if not payment.intent_id:
            raise RuleViolation(
                f"Card payment {payment.id} has no Stripe payment to refund.",
                code="card_payment_unknown",
            )
        info = provider_call(
            partial(
                gateway.create_refund,
                payment.intent_id,
                part.amount,
                idempotency_key=f"boxoffice-refund-{payment.id}-{key}",
                metadata={"order_id": str(order.id), "order_code": order.code},
            )
        )
        refund.provider_refund_id = info.id
        refund.status = SUCCEEDED if info.status == "succeeded" else PENDING
        refund.failure_message = info.failure_reason
        refund.updated_at = now


def _ticket_key(tickets: Sequence[Ticket]) -> str:
    """Names this refund alone: a ticket is refunded once."""
    ids = sorted(t.id for t in tickets)
    text = "-".join(str(i) for i in ids)
    if len(text) <= 150:
        return f"t{text}"
    return "h" + hashlib.sha256(text.encode()).hexdigest()


# --- refunding an order ----------------------------------------------------------------------


def refund_order(
    session: Session,
    actor: Actor,
    order: Order,
    *,
    reason: str,
    ticket_ids: Sequence[int] | None = None,
    prefer: str | None = None,
    counter: str | None,
    now: datetime,
    cards: CardPayments,
    mail_sender: str,
) -> RefundOutcome:
    """Refund `ticket_ids` of a paid order (None: every valid ticket), staff only."""
    require_staff(actor)
    reason = check_reason(reason)
    prefer = _check_prefer(prefer)
    _check_refundable(order)
    _hold_order(session, order, now)
    tickets = _chosen_tickets(session, order, ticket_ids)
    amount = sum(t.price for t in tickets)
    parts = _allocate(session, order, amount, prefer)
    if any(p.method == CASH for p in parts):
        shifts.require_open_shift(session, counter)  # before anything changes
    _claim_tickets(session, tickets)
    _invalidate(session, tickets, order, now)
    _back_on_sale(session, order, tickets)
    _link_tickets(parts, tickets)
    _book_parts(session, actor, order, parts, reason=reason, counter=counter, now=now)
    left = session.scalar(
        select(func.count(Ticket.id)).where(Ticket.order_id == order.id, Ticket.status == VALID)
    )
    status = OrderStatus.PARTIALLY_REFUNDED if left else OrderStatus.REFUNDED
    moved = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(REFUNDABLE))
        .values(status=status, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("The order changed meanwhile; look at it again.", code="refund_conflict")
    by_method: Counter[str] = Counter()
    for part in parts:
        by_method[part.method] += part.amount
    audit.record(
        session,
        actor=actor,
        action="order.refunded",
        object_type="order",
        object_id=order.id,
        now=now,
        data={
            "tickets": [t.id for t in tickets],
            "codes": [t.code for t in tickets],
            "amount": amount,
            "amounts": dict(by_method),
            "refunds": [p.refund.id for p in parts if p.refund is not None],
            "reason": reason,
            "status": status.value,
            "counter": counter,
        },
    )
    session.refresh(order)
    refund_mail.queue_refund_mail(
        session,
        order,
        tickets,
        [refund_mail.RefundedPart(m, a) for m, a in by_method.items()],
        reason=reason,
        whole=not left,
        sender=mail_sender,
        now=now,
    )
    _card_refunds(parts, order, cards, _ticket_key(tickets), now)  # last: see the module doc
    session.flush()
    refunds = [p.refund for p in parts if p.refund is not None]
    return RefundOutcome(
        order, refunds, {p.refund.id: [t.id for t in p.tickets] for p in parts if p.refund}
    )


# --- giving back what a part-paid order took (it is being canceled) --------------------------


def give_back_payments(
    session: Session,
    actor: Actor | None,
    order: Order,
    *,
    reason: str,
    counter: str | None,
    now: datetime,
    cards: CardPayments,
) -> list[Refund]:
    """Refund every succeeded payment of an unpaid order in full (the order is being
    canceled): cash from the counter's open shift, card through Stripe (last). No tickets
    were issued, so the refund rows carry none."""
    payments = list(
        session.scalars(
            select(Payment)
            .where(
                Payment.order_id == order.id,
                Payment.status == SUCCEEDED,
                Payment.refunded < Payment.amount,
            )
            .order_by(Payment.id)
        )
    )
    parts = [_Part(p, _method(p), p.amount - p.refunded) for p in payments if _method(p) != FREE]
    if not parts:
        return []
    parts.sort(key=lambda p: (p.method == CASH, p.payment.id if p.payment else 0))
    _book_parts(session, actor, order, parts, reason=reason, counter=counter, now=now)
    by_method: Counter[str] = Counter()
    for part in parts:
        by_method[part.method] += part.amount
    audit.record(
        session,
        actor=actor,
        action="order.payments_refunded",
        object_type="order",
        object_id=order.id,
        now=now,
        data={
            "amounts": dict(by_method),
            "refunds": [p.refund.id for p in parts if p.refund is not None],
            "reason": reason,
        },
    )
    _card_refunds(parts, order, cards, f"cancel-{order.id}", now)
    return [p.refund for p in parts if p.refund is not None]


# --- reading ---------------------------------------------------------------------------------


def refunds_of(session: Session, order_id: int) -> list[tuple[Refund, list[int]]]:
    """The order's refunds, oldest first, each with the ids of the tickets it revoked."""
    rows = list(
        session.scalars(select(Refund).where(Refund.order_id == order_id).order_by(Refund.id))
    )
    links: dict[int, list[int]] = {r.id: [] for r in rows}
    if rows:
        for refund_id, ticket_id in session.execute(
            select(refund_ticket.c.refund_id, refund_ticket.c.ticket_id)
            .where(refund_ticket.c.refund_id.in_(list(links)))
            .order_by(refund_ticket.c.ticket_id)
        ):
            links[refund_id].append(ticket_id)
    return [(r, links[r.id]) for r in rows]


# --- refunding every paid order of an event --------------------------------------------------


@dataclass
class EventProgress:
    event_id: int
    refunded_orders: int
    remaining_orders: int
    refunded_now: int = 0
    failed: list[tuple[int, str, str | None]] = field(default_factory=list)


def event_progress(session: Session, event_id: int) -> EventProgress:
    counts = dict(
        session.execute(
            select(Order.status, func.count(Order.id))
            .where(
                Order.event_id == event_id, Order.status.in_((*REFUNDABLE, OrderStatus.REFUNDED))
            )
            .group_by(Order.status)
        ).all()
    )
    remaining = sum(counts.get(s, 0) for s in REFUNDABLE)
    return EventProgress(event_id, counts.get(OrderStatus.REFUNDED, 0), remaining)


def orders_to_refund(
    session: Session, event_id: int, *, skip: Sequence[int], limit: int
) -> list[int]:
    query = (
        select(Order.id)
        .where(Order.event_id == event_id, Order.status.in_(REFUNDABLE))
        .order_by(Order.id)
        .limit(limit)
    )
    if skip:
        query = query.where(Order.id.not_in(list(skip)))
    return list(session.scalars(query))


def refund_event_order(
    session: Session,
    actor: Actor,
    event_id: int,
    order_id: int,
    *,
    reason: str,
    counter: str | None,
    now: datetime,
    cards: CardPayments,
    mail_sender: str,
) -> bool:
    """Refund what is left of one paid order of the event (its own transaction: the
    caller's session); False when it is not (or no longer) there to refund."""
    order = session.get(Order, order_id)
    if order is None or order.event_id != event_id or order.status not in REFUNDABLE:
        return False
    refund_order(
        session,
        actor,
        order,
        reason=reason,
        counter=counter,
        now=now,
        cards=cards,
        mail_sender=mail_sender,
    )
    audit.record(
        session,
        actor=actor,
        action="event.order_refunded",
        object_type="event",
        object_id=event_id,
        now=now,
        data={"order": order_id, "reason": reason},
    )
    return True
