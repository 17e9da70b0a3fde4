"""Seat maps and hold tokens with seats.io's semantics: hold, release, best available, expiry.

A seat is `free`, `reservedByToken` (held until `hold_expires_at`) or `booked`. A seat held
by a hold token alone counts as free once its expiry has passed; every conditional UPDATE
below says so in its WHERE clause, so such a lapsed hold never needs sweeping. A seat that an
order holds is different: it stays held until the order is paid (booked) or released
(canceled, or expired by the sweeper — which first makes sure no card payment can still
complete). Otherwise a card payment finishing late could sell a seat a second time.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from boxoffice.sdk.models.seating import SeatSpec
from boxoffice.server.db.models import Event, HoldToken, Seat
from boxoffice.server.db.models.seat import BOOKED, FREE, HELD
from boxoffice.server.errors import Conflict, InvalidInput, NotFound, RuleViolation
from boxoffice.server.services import audit
from boxoffice.server.services.actors import Actor, require_staff

MAX_TOKEN_LIFE = timedelta(hours=2)


def effective_status(seat: Seat, now: datetime) -> str:
    if (
        seat.status == HELD
        and seat.order_id is None
        and seat.hold_expires_at is not None
        and seat.hold_expires_at <= now
    ):
        return FREE
    return seat.status


def _holdable(now: datetime, token: str | None = None) -> ColumnElement[bool]:
    """Seats that a hold may take: free ones, lapsed holds, and (re-)holds by the same token."""
    lapsed = and_(Seat.status == HELD, Seat.order_id.is_(None), Seat.hold_expires_at <= now)
    clauses = [Seat.status == FREE, lapsed]
    if token is not None:
        clauses.append(and_(Seat.status == HELD, Seat.hold_token == token, Seat.order_id.is_(None)))
    return or_(*clauses)


# --- conditional updates, seat look-ups and their errors ---------------------------------


def _update_seats(session: Session, *where: ColumnElement[bool], **values: object) -> list[str]:
    """Set `values` on the seats matching `where` (one conditional UPDATE); the labels of the
    seats it changed."""
    return list(
        session.scalars(
            update(Seat)
            .where(*where)
            .values(**values)
            .returning(Seat.label)
            .execution_options(synchronize_session=False)
        )
    )


def _update_labelled(
    session: Session,
    event_id: int,
    labels: Iterable[str],
    *where: ColumnElement[bool],
    **values: object,
) -> list[str]:
    """As `_update_seats` for the event's seats with these labels; the labels it did not get
    (not in the event, or not matching `where`), sorted."""
    wanted = set(labels)
    got = _update_seats(
        session, Seat.event_id == event_id, Seat.label.in_(wanted), *where, **values
    )
    return sorted(wanted - set(got))


def seats_by_label(session: Session, event_id: int, labels: Iterable[str]) -> dict[str, Seat]:
    """The event's seats with these labels, by label (unknown labels are left out)."""
    return {
        s.label: s
        for s in session.scalars(
            select(Seat).where(Seat.event_id == event_id, Seat.label.in_(list(labels)))
        )
    }


def _existing_seats(
    session: Session, event_id: int, labels: Iterable[str], field: str
) -> dict[str, Seat]:
    """As `seats_by_label`, but every label must name a seat (else `seat_not_found`)."""
    wanted = set(labels)
    seats = seats_by_label(session, event_id, wanted)
    unknown = sorted(wanted - seats.keys())
    if unknown:
        raise InvalidInput(
            f"No seat {', '.join(unknown)} in this event.",
            code="seat_not_found",
            field=field,
            details={"seats": unknown},
        )
    return seats


def _taken(labels: list[str], field: str, how: str = "was just taken by someone else") -> Conflict:
    return Conflict(
        f"Seat {', '.join(labels)} {how}.",
        code="seat_taken",
        field=field,
        details={"seats": labels},
    )


def _not_held(labels: list[str], field: str) -> RuleViolation:
    return RuleViolation(
        f"Seat {', '.join(labels)} is not held by this hold token.",
        code="seats_not_held",
        field=field,
        details={"seats": labels},
    )


# --- hold tokens -------------------------------------------------------------------------


def create_token(session: Session, actor: Actor, *, now: datetime, minutes: int) -> HoldToken:
    token = HoldToken(
        token=secrets.token_urlsafe(12),
        user_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    session.add(token)
    session.flush()
    return token


def get_token(session: Session, token: str, *, now: datetime) -> HoldToken:
    """A live hold token; 404 once it has expired, as seats.io answers."""
    row = session.get(HoldToken, token)
    if row is None or row.expires_at <= now:
        raise NotFound(
            "This hold token does not exist or has expired.",
            code="hold_token_not_found",
            field="hold_token",
        )
    return row


def extend_token(session: Session, token: str, *, minutes: int, now: datetime) -> HoldToken:
    """Move a token's expiry to `now + minutes` (0 expires it now); its whole life is ≤ 2 h."""
    row = get_token(session, token, now=now)
    expires = now + timedelta(minutes=minutes)
    if expires - row.created_at > MAX_TOKEN_LIFE:
        raise RuleViolation(
            "A hold token lives at most 2 hours.",
            code="hold_token_extension_too_long",
            field="expires_in_minutes",
        )
    row.expires_at = expires
    _update_seats(
        session,
        Seat.hold_token == token,
        Seat.status == HELD,
        Seat.order_id.is_(None),
        hold_expires_at=expires,
    )
    return row


# --- seat maps ---------------------------------------------------------------------------


def has_seat_map(session: Session, event_id: int) -> bool:
    return session.scalar(select(Seat.id).where(Seat.event_id == event_id).limit(1)) is not None


def events_with_seat_maps(session: Session, event_ids: Sequence[int]) -> set[int]:
    """Which of these events have a seat map (one query for a whole list)."""
    if not event_ids:
        return set()
    return set(
        session.scalars(select(Seat.event_id).where(Seat.event_id.in_(event_ids)).distinct())
    )


def put_seat_map(
    session: Session, actor: Actor, event: Event, seats: Sequence[SeatSpec], now: datetime
) -> int:
    """Replace an event's seat map; refused while any seat is booked, ordered or held."""
    require_staff(actor)
    busy = session.scalar(
        select(Seat.id)
        .where(
            Seat.event_id == event.id,
            or_(
                Seat.status == BOOKED,
                Seat.order_id.is_not(None),
                and_(Seat.status == HELD, Seat.hold_expires_at > now),
            ),
        )
        .limit(1)
    )
    if busy is not None:
        raise RuleViolation(
            "Seats of this event are sold, ordered or held right now.", code="seat_map_in_use"
        )
    labels = [s.label or f"{s.row}-{s.number}" for s in seats]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise InvalidInput(
            f"Seat labels must be unique: {', '.join(duplicates[:5])}.",
            code="duplicate_seat_label",
            field="seats",
        )
    session.execute(delete(Seat).where(Seat.event_id == event.id))
    session.add_all(
        Seat(
            event_id=event.id,
            section=s.section,
            row=s.row,
            number=s.number,
            label=label,
            category=s.category,
            accessible=s.accessible,
            x=s.x,
            y=s.y,
            status=FREE,
        )
        for s, label in zip(seats, labels, strict=True)
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="seat_map.replaced",
        object_type="event",
        object_id=event.id,
        now=now,
        data={"seats": len(seats)},
    )
    return len(seats)


def seats_of(session: Session, event_id: int) -> list[Seat]:
    return list(session.scalars(select(Seat).where(Seat.event_id == event_id).order_by(Seat.id)))


# --- hold, release, best available -------------------------------------------------------


def _explain_unavailable(session: Session, event_id: int, missing: list[str], field: str) -> None:
    """Raise the right error for seats that a conditional UPDATE did not get."""
    _existing_seats(session, event_id, missing, field)
    raise _taken(missing, field)


def hold_seats(
    session: Session, event: Event, labels: Sequence[str], token: str, *, now: datetime
) -> HoldToken:
    """Hold every seat in `labels` with `token`, or none of them."""
    hold = get_token(session, token, now=now)
    missing = _update_labelled(
        session,
        event.id,
        labels,
        _holdable(now, token),
        status=HELD,
        hold_token=token,
        hold_expires_at=hold.expires_at,
        order_id=None,
    )
    if missing:
        _explain_unavailable(session, event.id, missing, "objects")
    return hold


def release_seats(
    session: Session, event: Event, labels: Sequence[str], token: str, *, now: datetime
) -> HoldToken:
    """Release seats held by `token` that no order has claimed yet."""
    hold = get_token(session, token, now=now)
    missing = _update_labelled(
        session,
        event.id,
        labels,
        Seat.status == HELD,
        Seat.hold_token == token,
        Seat.order_id.is_(None),
        status=FREE,
        hold_token=None,
        hold_expires_at=None,
    )
    if missing:
        raise _not_held(missing, "objects")
    return hold


def best_available(
    session: Session,
    event: Event,
    number: int,
    token: str,
    *,
    now: datetime,
    categories: Sequence[str] | None = None,
    accessible: bool = False,
) -> tuple[list[str], HoldToken]:
    """Hold the `number` best free seats side by side (front rows, centre first)."""
    get_token(session, token, now=now)
    rows: dict[tuple[str, str], list[Seat]] = defaultdict(list)
    for seat in seats_of(session, event.id):
        if categories and seat.category not in categories:
            continue
        rows[(seat.section, seat.row)].append(seat)
    best: tuple[float, list[str]] | None = None
    singles: list[tuple[float, str]] = []
    for rank, row_seats in enumerate(rows.values()):
        row_seats.sort(key=lambda s: s.x)
        centre = (row_seats[0].x + row_seats[-1].x) / 2
        free = [
            effective_status(s, now) == FREE and (s.accessible or not accessible) for s in row_seats
        ]
        for i, seat in enumerate(row_seats):
            if free[i]:
                singles.append((rank * 1000 + abs(seat.x - centre), seat.label))
        for start in range(len(row_seats) - number + 1):
            if all(free[start : start + number]):
                window = row_seats[start : start + number]
                mid = (window[0].x + window[-1].x) / 2
                score = rank * 1000 + abs(mid - centre)
                if best is None or score < best[0]:
                    best = (score, [s.label for s in window])
    if best is not None:
        labels = best[1]
    elif len(singles) >= number:
        labels = [label for _, label in sorted(singles)[:number]]
    else:
        raise Conflict(f"There are not {number} free seats left.", code="sold_out", field="number")
    return labels, hold_seats(session, event, labels, token, now=now)


# --- seats of orders -----------------------------------------------------------------------


def claim_held_seats(
    session: Session,
    event_id: int,
    labels: set[str],
    token: str,
    order_id: int,
    *,
    now: datetime,
    until: datetime,
) -> None:
    """An order with a hold token takes exactly the seats that token holds in this event."""
    get_token(session, token, now=now)
    held = set(
        session.scalars(
            select(Seat.label).where(
                Seat.event_id == event_id,
                Seat.hold_token == token,
                Seat.status == HELD,
                Seat.hold_expires_at > now,
                Seat.order_id.is_(None),
            )
        )
    )
    if held != labels:
        extra, missing = sorted(held - labels), sorted(labels - held)
        if missing:
            _raise_for_unheld(session, event_id, missing, token, now)
        raise RuleViolation(
            f"The hold token also holds {', '.join(extra)}; order them too or release them.",
            code="hold_token_mismatch",
            field="order_item",
            details={"seats": extra},
        )
    _update_labelled(
        session,
        event_id,
        labels,
        Seat.hold_token == token,
        Seat.status == HELD,
        Seat.order_id.is_(None),
        order_id=order_id,
        hold_expires_at=until,
    )


def _raise_for_unheld(
    session: Session, event_id: int, missing: list[str], token: str, now: datetime
) -> None:
    seats = _existing_seats(session, event_id, missing, "order_item")
    taken = [label for label in missing if effective_status(seats[label], now) != FREE]
    if taken:
        raise _taken(taken, "order_item")
    raise _not_held(missing, "order_item")


def check_seats_free(
    session: Session, event_id: int, labels: set[str], *, now: datetime
) -> dict[str, Seat]:
    """Seats ordered without a hold token must exist and be free now (they are not reserved)."""
    seats = _existing_seats(session, event_id, labels, "order_item")
    taken = sorted(label for label, s in seats.items() if effective_status(s, now) != FREE)
    if taken:
        raise _taken(taken, "order_item", "is already taken")
    return seats


def seat_categories(session: Session, event_id: int, labels: set[str]) -> dict[str, str]:
    rows = session.execute(
        select(Seat.label, Seat.category).where(Seat.event_id == event_id, Seat.label.in_(labels))
    )
    return {label: category for label, category in rows}


def release_order_seats(session: Session, order_id: int) -> None:
    """Give back the seats an order held (not the booked ones)."""
    _update_seats(
        session,
        Seat.order_id == order_id,
        Seat.status == HELD,
        status=FREE,
        hold_token=None,
        hold_expires_at=None,
        order_id=None,
    )


def release_booked_seats(session: Session, order_id: int, labels: Iterable[str]) -> list[str]:
    """Put seats an order had booked back on sale (its tickets were refunded); the labels
    freed."""
    wanted = list(labels)
    if not wanted:
        return []
    return _update_seats(
        session,
        Seat.order_id == order_id,
        Seat.label.in_(wanted),
        Seat.status == BOOKED,
        status=FREE,
        hold_token=None,
        hold_expires_at=None,
        order_id=None,
    )


def audit_hold(
    session: Session, actor: Actor, event: Event, action: str, labels: Sequence[str], now: datetime
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="event",
        object_id=event.id,
        now=now,
        data={"seats": list(labels)},
    )


def claim_free_seats(
    session: Session, event_id: int, order_id: int, *, now: datetime, until: datetime | None
) -> None:
    """Book for an order, at payment time, the seats it chose without a hold token.

    Seats that order already holds are kept; every other one must still be free, or the
    whole payment is refused with `seat_taken` (and nothing is charged).
    """
    from boxoffice.server.db.models import OrderItem

    labels = {
        label
        for seats in session.scalars(
            select(OrderItem.selected_seats).where(OrderItem.order_id == order_id)
        )
        for label in seats
    }
    if not labels:
        return
    mine = set(
        session.scalars(
            select(Seat.label).where(
                Seat.event_id == event_id, Seat.order_id == order_id, Seat.label.in_(labels)
            )
        )
    )
    wanted = labels - mine
    if not wanted:
        return
    missing = _update_labelled(
        session,
        event_id,
        wanted,
        _holdable(now),
        status=HELD,
        hold_token=None,
        hold_expires_at=until,
        order_id=order_id,
    )
    if missing:
        _explain_unavailable(session, event_id, missing, "order_item")
