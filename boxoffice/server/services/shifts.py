"""Shifts and the cash drawer: open a counter's shift with a float, find the open shift, and
record every movement of cash against it.

A shift belongs to one counter (a named till, the `X-Counter` of a request); at most one is
open per counter (the database's partial unique index settles two cashiers opening at once).
Cash is never taken or given back without an open shift: `require_open_shift` says so in a
sentence the cashier can act on.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from boxoffice.server.db.models import CashMovement, Shift
from boxoffice.server.db.models.shift import FLOAT, MOVEMENT_KINDS, OPEN
from boxoffice.server.errors import Conflict, InvalidInput, NotFound, RuleViolation
from boxoffice.server.services import audit
from boxoffice.server.services.actors import Actor, require_staff
from boxoffice.server.services.money import to_minor

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
    if shift.status != OPEN:
        raise RuleViolation(f"Shift {shift.id} is closed.", code="shift_closed")
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
