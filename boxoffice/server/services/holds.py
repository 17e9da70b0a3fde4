"""Seat maps and hold tokens with seats.io's semantics: hold, release, best available, expiry.

A seat is `free`, `reservedByToken` (held until `hold_expires_at`) or `booked`. A seat held
by a hold token alone counts as free once its expiry has passed; every conditional UPDATE
below says so in its WHERE clause, so such a lapsed hold never needs sweeping. A seat that an
order holds is different: it stays held until the order is paid (booked) or released
(canceled, or expired by the sweeper — which first makes sure no card payment can still
complete). Otherwise a card payment finishing late could sell a seat a second time.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, case, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from boxoffice.sdk.models.seating import SeatSpec
from boxoffice.server.db.models import AuditEntry, Event, HoldToken, Seat
from boxoffice.server.db.models.seat import BOOKED, FREE, HELD
from boxoffice.server.errors import Conflict, InvalidInput, NotFound, RuleViolation
from boxoffice.server.services import audit
from boxoffice.server.services.actors import Actor, require_staff

MAX_TOKEN_LIFE = timedelta(hours=2)
MAP_REPLACED = "seat_map.replaced"  # the audit action of `put_seat_map`
_SEATS = cast(Table, Seat.__table__)  # for Core statements, without the ORM's row handling


def effective_status(seat: Seat, now: datetime) -> str:
    if (
        seat.status == HELD
        and seat.order_id is None
        and seat.hold_expires_at is not None
        and seat.hold_expires_at <= now
    ):
        return FREE
    return seat.status


def _lapsed(now: datetime) -> ColumnElement[bool]:
    """Seats held by a hold token alone whose hold has run out (they count as free)."""
    return and_(Seat.status == HELD, Seat.order_id.is_(None), Seat.hold_expires_at <= now)


def _status_now(now: datetime) -> ColumnElement[str]:
    """`effective_status` in SQL."""
    return case((_lapsed(now), FREE), else_=Seat.status)


def _holdable(now: datetime, token: str | None = None) -> ColumnElement[bool]:
    """Seats that a hold may take: free ones, lapsed holds, and (re-)holds by the same token."""
    clauses = [Seat.status == FREE, _lapsed(now)]
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
    duplicates = sorted(label for label, n in Counter(labels).items() if n > 1)
    if duplicates:
        raise InvalidInput(
            f"Seat labels must be unique: {', '.join(duplicates[:5])}.",
            code="duplicate_seat_label",
            field="seats",
        )
    session.execute(delete(Seat).where(Seat.event_id == event.id))
    session.execute(
        insert(_SEATS),
        [
            {
                "event_id": event.id,
                "section": s.section,
                "row": s.row,
                "number": s.number,
                "label": label,
                "category": s.category,
                "accessible": s.accessible,
                "x": s.x,
                "y": s.y,
                "status": FREE,
            }
            for s, label in zip(seats, labels, strict=True)
        ],
    )
    audit.record(
        session,
        actor=actor,
        action=MAP_REPLACED,
        object_type="event",
        object_id=event.id,
        now=now,
        data={"seats": len(seats)},
    )
    return len(seats)


def seats_of(session: Session, event_id: int) -> list[Seat]:
    return list(session.scalars(select(Seat).where(Seat.event_id == event_id).order_by(Seat.id)))


# --- the seat map answer ---------------------------------------------------------------
#
# A stadium's layout (labels, places, categories) changes only when its map is replaced, its
# seats' states all the time. The layout is kept here, each seat's JSON up to its status made
# once, under a key that every change of the layout changes: the audit entry of the event's
# last map replacement (every `put_seat_map` writes one; audit entries are never deleted), and
# its seats' count and first and last id (a catalog import may clear them). Each process has
# its own cache; the key is read from the database, so workers and the `catalog import` command
# never leave a stale layout behind. A request then reads only that key and the seats that are
# not free, and joins the parts.

_MAP_FIELDS = ("label", "section", "row", "number", "category", "accessible", "x", "y")
_CACHED_SEATS = 200_000  # ~50 MB of layouts at most (a 50,000-seat map takes ~13 MB)


def dumps(value: object) -> str:
    """JSON as the API's JSONResponse writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


_LayoutKey = tuple[int | None, int, int | None, int | None]


@dataclass(frozen=True)
class _Layout:
    key: _LayoutKey
    labels: list[str]
    heads: list[str]  # each seat's JSON object up to and with `"status":`


_layouts: OrderedDict[tuple[str, int], _Layout] = OrderedDict()  # by database and event
_layouts_lock = threading.Lock()


def _layout_key(session: Session, event_id: int) -> _LayoutKey:
    replaced = session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.object_type == "event",
            AuditEntry.object_id == event_id,
            AuditEntry.action == MAP_REPLACED,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    count, first, last = session.execute(
        select(func.count(), func.min(Seat.id), func.max(Seat.id)).where(Seat.event_id == event_id)
    ).one()
    return replaced, int(count), first, last


def _layout(session: Session, event_id: int) -> _Layout:
    key = _layout_key(session, event_id)
    where = (str(session.get_bind().engine.url), event_id)
    with _layouts_lock:
        cached = _layouts.get(where)
        if cached is not None and cached.key == key:
            _layouts.move_to_end(where)
            return cached
    table = _SEATS.c
    rows = session.execute(
        select(*(table[name] for name in _MAP_FIELDS))
        .where(table.event_id == event_id)
        .order_by(table.id)
    )
    labels, heads = [], []
    for label, section, row, number, category, accessible, x, y in rows:
        labels.append(label)
        seat = {
            "label": label,
            "section": section,
            "row": row,
            "number": number,
            "category": category,
            "accessible": bool(accessible),
            "x": float(x),
            "y": float(y),
        }
        heads.append(dumps(seat)[:-1] + ',"status":')
    layout = _Layout(key, labels, heads)
    if _layout_key(session, event_id) == key:  # not replaced meanwhile
        with _layouts_lock:
            _layouts[where] = layout
            _layouts.move_to_end(where)
            while sum(len(cached.labels) for cached in _layouts.values()) > _CACHED_SEATS:
                if len(_layouts) == 1:
                    break  # a map bigger than the budget is still worth keeping
                _layouts.popitem(last=False)
    return layout


def seat_map_json(
    session: Session, event_id: int, *, now: datetime, hold_token: str | None = None
) -> str:
    """Every seat of an event as the wire's JSON array of `SeatObject`s, in map order: its
    status now, and whether `hold_token` holds it (byte for byte what JSONResponse writes)."""
    for _ in range(3):
        layout = _layout(session, event_id)
        states = {
            label: (status, token)
            for label, status, token in session.execute(
                select(Seat.label, _status_now(now), Seat.hold_token).where(
                    Seat.event_id == event_id, Seat.status != FREE
                )
            )
        }
        if _layout_key(session, event_id) == layout.key:
            break  # the states are of this layout
    tails = {
        (status, held): f'{dumps(status)},"held_by_you":{"true" if held else "false"}}}'
        for status in (FREE, HELD, BOOKED)
        for held in (False, True)
    }
    free = tails[(FREE, False)]
    mine = hold_token or None
    parts = []
    for label, head in zip(layout.labels, layout.heads, strict=True):
        state = states.get(label)
        if state is None:
            parts.append(head + free)
        else:
            status, token = state
            held = mine is not None and token == mine and status == HELD
            tail = tails.get((status, held)) or f'{dumps(status)},"held_by_you":false}}'
            parts.append(head + tail)
    return "[" + ",".join(parts) + "]"


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
    """Hold the `number` best free seats side by side (front rows, centre first).

    Rows rank in map order (of the seats in `categories`); a window of seats side by side
    scores `rank * 1000 + its distance from the row's centre`, the lowest wins. Failing any
    window, the best single seats. One grouped query ranks the rows and counts their free
    seats; only rows with room for `number` are read, front first, until no later row can win.
    """
    get_token(session, token, now=now)
    in_scope = [Seat.event_id == event.id]
    if categories:
        in_scope.append(Seat.category.in_(list(categories)))
    usable = _usable(now, accessible)
    ranked = session.execute(
        select(
            Seat.section,
            Seat.row,
            func.min(Seat.x),
            func.max(Seat.x),
            func.count(case((usable, 1))),
        )
        .where(*in_scope)
        .group_by(Seat.section, Seat.row)
        .order_by(func.min(Seat.id))
    ).all()
    best: tuple[float, list[str]] | None = None
    for rank, (section, row, low, high, free_count) in enumerate(ranked):
        if best is not None and best[0] <= rank * 1000:
            break  # every later row scores at least rank * 1000
        if free_count < number:
            continue
        centre = (low + high) / 2
        seats = session.execute(
            select(Seat.x, Seat.label, usable)
            .where(*in_scope, Seat.section == section, Seat.row == row)
            .order_by(Seat.x, Seat.id)
        ).all()
        free = [bool(ok) for _, _, ok in seats]
        for start in range(len(seats) - number + 1):
            if all(free[start : start + number]):
                mid = (seats[start][0] + seats[start + number - 1][0]) / 2
                score = rank * 1000 + abs(mid - centre)
                if best is None or score < best[0]:
                    best = (score, [label for _, label, _ in seats[start : start + number]])
    if best is not None:
        labels = best[1]
    else:
        labels = _best_singles(session, in_scope, usable, ranked, number)
    return labels, hold_seats(session, event, labels, token, now=now)


def _usable(now: datetime, accessible: bool) -> ColumnElement[bool]:
    """Seats best available may take: free now (and accessible, when asked for)."""
    free = or_(Seat.status == FREE, _lapsed(now))
    return and_(free, Seat.accessible.is_(True)) if accessible else free


def _best_singles(
    session: Session,
    in_scope: list[ColumnElement[bool]],
    usable: ColumnElement[bool],
    ranked: Sequence[Any],
    number: int,
) -> list[str]:
    """No `number` seats side by side: the best single free seats, or `sold_out`."""
    rows = {
        (section, row): (rank, (low + high) / 2)
        for rank, (section, row, low, high, _) in enumerate(ranked)
    }
    singles = []
    for section, row, x, label in session.execute(
        select(Seat.section, Seat.row, Seat.x, Seat.label).where(*in_scope, usable)
    ):
        rank, centre = rows[(section, row)]
        singles.append((rank * 1000 + abs(x - centre), label))
    if len(singles) < number:
        raise Conflict(f"There are not {number} free seats left.", code="sold_out", field="number")
    return [label for _, label in sorted(singles)[:number]]


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
