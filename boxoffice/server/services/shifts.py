"""Shifts and the cash drawer: open a counter's shift with a float, find the open shift, and
record every movement of cash against it.

A shift belongs to one counter (a named till, the `X-Counter` of a request); at most one is
open per counter (the database's partial unique index settles two cashiers opening at once).
Cash is never taken or given back without an open shift: `require_open_shift` says so in a
sentence the cashier can act on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from boxoffice.server.db.models import CashMovement, LedgerEntryRow, Shift
from boxoffice.server.db.models.shift import CLOSED, FLOAT, MOVEMENT_KINDS, OPEN, PAY_IN, PAY_OUT
from boxoffice.server.errors import Conflict, InvalidInput, NotFound, RuleViolation
from boxoffice.server.services import audit, denominations
from boxoffice.server.services.actors import Actor, require_staff
from boxoffice.server.services.ledger import GENESIS_HASH
from boxoffice.server.services.money import to_major, to_minor

MAX_COUNTER_NAME = 64


def check_counter(counter: str | None) -> str:
    """The counter's name, or `422 counter_required` when the request names none."""
    name = (counter or "").strip()
    if not name:
        raise InvalidInput(
            "Name the counter (the X-Counter header, or `counter` in the body).",
            code="counter_required",
            field="counter",
        )
    if len(name) > MAX_COUNTER_NAME:
        raise InvalidInput(
            f"A counter name has at most {MAX_COUNTER_NAME} characters.",
            code="counter_required",
            field="counter",
        )
    return name


def current_shift(session: Session, counter: str | None) -> Shift | None:
    """The counter's open shift, or None (also when no counter is named)."""
    if not counter:
        return None
    return session.scalar(select(Shift).where(Shift.counter == counter, Shift.status == OPEN))


def require_open_shift(session: Session, counter: str | None) -> Shift:
    """The counter's open shift; `400 no_open_shift` when there is none, with what to do."""
    shift = current_shift(session, counter)
    if shift is None:
        where = f"at counter {counter}" if counter else "at this counter"
        raise RuleViolation(
            f"No shift is open {where}: open one with its float before taking or giving back cash.",
            code="no_open_shift",
        )
    return shift


def get_shift(session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(f"No shift {shift_id}.", code="shift_not_found")
    return shift


def open_shift(
    session: Session,
    actor: Actor,
    counter: str | None,
    float_amount: Decimal,
    *,
    currency: str,
    now: datetime,
) -> Shift:
    """Open the counter's shift with `float_amount` in the drawer (staff). A counter with an
    open shift gets `409 shift_already_open`, also when two cashiers open it at once."""
    require_staff(actor)
    name = check_counter(counter)
    if current_shift(session, name) is not None:
        raise _already_open(name)
    amount = to_minor(float_amount, currency, field="float")
    if amount < 0:
        raise InvalidInput("The float cannot be negative.", code="invalid_amount", field="float")
    shift = Shift(
        counter=name,
        currency=currency,
        status=OPEN,
        float_amount=amount,
        opened_by=actor.id if actor.id > 0 else None,
        opened_at=now,
    )
    try:
        with session.begin_nested():
            session.add(shift)
            session.flush()
    except IntegrityError as exc:  # another cashier opened this counter's shift just now
        raise _already_open(name) from exc
    record_movement(session, shift, FLOAT, amount, actor=actor, now=now)
    audit.record(
        session,
        actor=actor,
        action="shift.opened",
        object_type="shift",
        object_id=shift.id,
        now=now,
        data={"counter": name, "float": amount},
    )
    return shift


def _already_open(counter: str) -> Conflict:
    return Conflict(
        f"Counter {counter} already has an open shift; close it first.",
        code="shift_already_open",
    )


def record_movement(
    session: Session,
    shift: Shift,
    kind: str,
    amount: int,
    *,
    actor: Actor | None,
    now: datetime,
    order_id: int | None = None,
    payment_id: int | None = None,
    refund_id: int | None = None,
    reason: str | None = None,
) -> CashMovement:
    """Book `amount` (signed minor units: + into the drawer, - out of it) against the open
    `shift`, made by `actor`."""
    assert kind in MOVEMENT_KINDS, kind
    lock_open(session, shift)
    movement = CashMovement(
        shift_id=shift.id,
        kind=kind,
        amount=amount,
        currency=shift.currency,
        order_id=order_id,
        payment_id=payment_id,
        refund_id=refund_id,
        reason=reason,
        user_id=actor.id if actor is not None and actor.id > 0 else None,
        created_at=now,
    )
    session.add(movement)
    session.flush()
    return movement


def lock_open(session: Session, shift: Shift) -> None:
    """Make sure `shift` is still open, holding its row until the transaction ends: a close
    running at the same time waits for this transaction (and counts its movement), or closed
    the shift first and this one fails with `409 shift_closed`."""
    touched = session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.status == OPEN)
        .values(status=OPEN)
        .execution_options(synchronize_session=False)
    )
    if touched.rowcount != 1:  # type: ignore[attr-defined]
        raise _closed(shift)


def _closed(shift: Shift) -> Conflict:
    return Conflict(
        f"Shift {shift.id} at counter {shift.counter} is closed; open a new one.",
        code="shift_closed",
    )


def expected_cash(session: Session, shift: Shift) -> int:
    """What the drawer should hold now (minor units): the sum of the shift's movements."""
    total = session.scalar(
        select(func.coalesce(func.sum(CashMovement.amount), 0)).where(
            CashMovement.shift_id == shift.id
        )
    )
    return int(total or 0)


MAX_REASON = 500


def move_cash(
    session: Session,
    actor: Actor,
    shift: Shift,
    amount: Decimal,
    reason: str | None,
    *,
    now: datetime,
) -> CashMovement:
    """A pay-in (`amount` > 0) or pay-out (< 0) of petty cash, with a reason (staff). A pay-out
    never takes the drawer below nothing (`400 drawer_short`)."""
    require_staff(actor)
    text_reason = (reason or "").strip()
    if not text_reason:
        raise InvalidInput(
            "Say why the cash goes in or out (a reason).", code="reason_required", field="reason"
        )
    if len(text_reason) > MAX_REASON:
        raise InvalidInput(
            f"A reason has at most {MAX_REASON} characters.", code="reason_required", field="reason"
        )
    minor = to_minor(amount, shift.currency, field="amount")
    if minor == 0:
        raise InvalidInput(
            "Enter an amount: positive to put cash in, negative to take it out.",
            code="invalid_amount",
            field="amount",
        )
    lock_open(session, shift)
    if minor < 0:
        in_drawer = expected_cash(session, shift)
        if in_drawer + minor < 0:
            raise RuleViolation(
                f"The drawer should hold only {to_major(in_drawer, shift.currency)} "
                f"{shift.currency}; a pay-out of {to_major(-minor, shift.currency)} "
                "would take it below nothing.",
                code="drawer_short",
            )
    kind = PAY_IN if minor > 0 else PAY_OUT
    movement = record_movement(
        session, shift, kind, minor, actor=actor, now=now, reason=text_reason
    )
    audit.record(
        session,
        actor=actor,
        action=f"shift.{kind}",
        object_type="shift",
        object_id=shift.id,
        now=now,
        data={"amount": minor, "reason": text_reason, "movement": movement.id},
    )
    return movement


def ledger_head(session: Session) -> str:
    """The hash of the ledger's newest entry, or the genesis hash of an empty ledger."""
    head = session.scalar(select(LedgerEntryRow.hash).order_by(LedgerEntryRow.seq.desc()).limit(1))
    return head or GENESIS_HASH


def close_shift(
    session: Session,
    actor: Actor,
    shift: Shift,
    *,
    counted: Decimal | None,
    pieces: Mapping[str, int] | None,
    now: datetime,
) -> Shift:
    """Close `shift` for good with the counted cash: a total, or per note and coin (their sum;
    both given must agree). Exactly once: of two closes at once one gets `409 shift_closed`."""
    require_staff(actor)
    detail: dict[str, int] | None = None
    if pieces is not None:
        total, detail = denominations.count(shift.currency, pieces)
        if counted is not None and to_minor(counted, shift.currency, field="counted") != total:
            raise InvalidInput(
                f"The notes and coins add up to {to_major(total, shift.currency)}, not {counted}.",
                code="count_mismatch",
                field="counted",
            )
    elif counted is not None:
        total = to_minor(counted, shift.currency, field="counted")
    else:
        raise InvalidInput(
            "Enter the counted cash: a total, or the notes and coins.",
            code="counted_required",
            field="counted",
        )
    if total < 0:
        raise InvalidInput(
            "Counted cash cannot be negative.", code="invalid_amount", field="counted"
        )
    closed = session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.status == OPEN)
        .values(
            status=CLOSED,
            counted_amount=total,
            counted_detail=detail,
            closed_by=actor.id if actor.id > 0 else None,
            closed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        raise _closed(shift)
    session.refresh(shift)
    shift.ledger_head = ledger_head(session)
    session.flush()
    expected = expected_cash(session, shift)
    audit.record(
        session,
        actor=actor,
        action="shift.closed",
        object_type="shift",
        object_id=shift.id,
        now=now,
        data={
            "counted": total,
            "expected": expected,
            "difference": total - expected,
            "ledger_head": shift.ledger_head,
        },
    )
    return shift


def list_shifts(
    session: Session,
    actor: Actor,
    *,
    counter: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Shift], int]:
    """Shifts, newest first, optionally of one counter and/or status (staff)."""
    require_staff(actor)
    if status is not None and status not in (OPEN, CLOSED):
        raise InvalidInput(
            "A shift's status is open or closed.", code="invalid_status", field="status"
        )
    query = select(Shift)
    if counter:
        query = query.where(Shift.counter == counter.strip())
    if status:
        query = query.where(Shift.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Shift.id.desc()).limit(limit).offset(offset)).all()
    return rows, int(total)
