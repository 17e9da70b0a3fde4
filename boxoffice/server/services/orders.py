"""Orders: every rule of the seed, inventory taken in the creating transaction, reads, contact.

Canceling and expiring an order is `lifecycle`'s; paying it is `payments`'.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    UnaryExpression,
    any_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import OrderContactRequest, OrderItemRequest, OrderRequest
from boxoffice.server.db.models import (
    Discount,
    Event,
    Order,
    OrderContact,
    OrderItem,
    Organizer,
    Payment,
    Sector,
    TicketConfig,
    Timeslot,
    User,
    discount_ticket_config,
    sector_ticket_config,
    timeslot_ticket_config,
)
from boxoffice.server.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
    TryAgain,
)
from boxoffice.server.payments.base import SUCCEEDED
from boxoffice.server.services import audit, catalog, holds, inventory, lifecycle
from boxoffice.server.services.actors import Actor, full_name, staff_name
from boxoffice.server.services.codes import new_order_code
from boxoffice.server.services.pricing import unit_price

_Choice = TypeVar("_Choice", Timeslot, Sector)


@dataclass
class _Line:
    """One validated order item, ready to be written."""

    index: int
    request: OrderItemRequest
    config: TicketConfig
    timeslot: Timeslot | None
    sector: Sector | None
    discounts: list[Discount]
    seats: list[str]


def _field(index: int, name: str) -> str:
    return f"order_item[{index}].{name}"


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d %b %Y %H:%M")


def create_order(
    session: Session,
    actor: Actor,
    body: OrderRequest,
    *,
    now: datetime,
    hold_minutes: int,
    idempotency_key: str | None = None,
    language: str = "en",
    before_inventory: Callable[[Order], None] | None = None,
) -> Order:
    """Validate the whole cart, write a draft order holding its seats, and take its inventory
    (last: see below).

    `idempotency_key` (the request's `Idempotency-Key`) is written on the order in the same
    transaction, unique per caller. If this caller already has an order made under that key,
    that order is returned and nothing is made: a retry whose stored answer is gone (after a
    day). The key names the order: a retry with another body gets the order too (the store's
    fingerprint, which would have answered 422, is gone with the answer). A twin that commits
    while this one runs (PostgreSQL) makes this one `TryAgain`.

    `before_inventory` runs in the order's transaction once the order is written, before its
    inventory is taken: what the caller writes there (the stored answer) commits with the
    order, and the counters' row locks, taken last, are held only from there to the commit,
    which the caller makes at once."""
    configs = _load_configs(session, {item.ticket_config_id for item in body.order_item})
    lines = [_validate_item(session, configs, i, item) for i, item in enumerate(body.order_item)]
    event = _check_event(lines, actor, now)
    _check_sale_windows(lines, event, now)
    _check_limits(lines)
    seat_labels = _check_seats(session, event, lines, body.hold_token, now)

    expires = now + timedelta(minutes=hold_minutes)
    order = Order(
        event_id=event.id,
        user_id=actor.id,
        status=OrderStatus.DRAFT,
        format=body.format,
        currency=lines[0].config.currency,
        total=0,
        # A hold token matters only with seats: it is what keeps them for this order.
        hold_token=body.hold_token if seat_labels else None,
        expires_at=expires,
        created_at=now,
        updated_at=now,
        idempotency_key=idempotency_key,
        language=language,
    )
    for line in lines:
        price = unit_price(line.config, line.discounts)
        order.items.append(
            OrderItem(
                ticket_config_id=line.config.id,
                timeslot_id=line.timeslot.id if line.timeslot else None,
                sector_id=line.sector.id if line.sector else None,
                quantity=line.request.quantity,
                face_value=line.config.face_value,
                unit_price=price,
                total=price * line.request.quantity,
                discount_ids=[d.id for d in line.discounts],
                selected_seats=line.seats,
            )
        )
    order.total = sum(item.total for item in order.items)
    if body.order_contact is not None:
        order.contact = _contact(body.order_contact)
    made = _insert_with_unique_code(session, order)
    if made is not None:  # made under this key before (its stored answer is gone)
        return session.get_one(Order, made)
    # The view of the new order names each item's config and shows the contact. Both are known
    # here, so say so, and it needs no query for them (the configs may even have left the
    # session's identity map, which holds its objects weakly).
    for line, item in zip(lines, order.items, strict=True):
        set_committed_value(item, "ticket_config", line.config)
    if body.order_contact is None:
        set_committed_value(order, "contact", None)
    if body.hold_token is not None and seat_labels:
        holds.claim_held_seats(
            session, event.id, seat_labels, body.hold_token, order.id, now=now, until=expires
        )
    audit.record(
        session,
        actor=actor,
        action="order.created",
        object_type="order",
        object_id=order.id,
        now=now,
        data={"total": order.total, "items": len(order.items)},
    )
    if before_inventory is not None:
        before_inventory(order)
    # Last, so the counters' row locks, which every buyer of these tickets waits for, are
    # held only from here to the commit; if a counter runs short, the whole order rolls back.
    _take_inventory(session, lines, now)
    return order


_CHOICES = ("timeslots", "sectors", "discounts")
_LINKS = {
    "timeslots": timeslot_ticket_config,
    "sectors": sector_ticket_config,
    "discounts": discount_ticket_config,
}
# The configs of a cart with their event, and whether each has timeslots, sectors or discounts
# at all (most have none: then their collections need no query), built once (an ORM statement
# with its options costs more to build than to run).
_CONFIGS = (
    select(
        TicketConfig,
        *(
            select(table.c.ticket_config_id)
            .where(table.c.ticket_config_id == TicketConfig.id)
            .exists()
            .label(name)
            for name, table in _LINKS.items()
        ),
    )
    .where(TicketConfig.id.in_(bindparam("ids", expanding=True)))
    .options(joinedload(TicketConfig.event))
)


@cache
def _choice_loader(names: tuple[str, ...]) -> Select[TicketConfig]:
    """Reloads configs already in the session, filling in the named collections."""
    return (
        select(TicketConfig)
        .where(TicketConfig.id.in_(bindparam("ids", expanding=True)))
        .options(*(selectinload(getattr(TicketConfig, name)) for name in names))
    )


def _load_configs(session: Session, ids: set[int]) -> dict[int, TicketConfig]:
    """The cart's configs with their event, timeslots, sectors and discounts loaded."""
    rows = session.execute(_CONFIGS, {"ids": list(ids)}).all()
    configs = {row[0].id: row[0] for row in rows}
    names = tuple(name for name in _CHOICES if any(row._mapping[name] for row in rows))
    if names:
        session.scalars(_choice_loader(names), {"ids": list(configs)}).all()
    for name in _CHOICES:
        if name not in names:
            for config in configs.values():
                set_committed_value(config, name, [])
    return configs


def _validate_item(
    session: Session, configs: dict[int, TicketConfig], index: int, item: OrderItemRequest
) -> _Line:
    config = configs.get(item.ticket_config_id)
    if config is None:
        raise InvalidInput(
            f"There is no ticket config {item.ticket_config_id}.",
            code="ticket_config_not_found",
            field=_field(index, "ticket_config_id"),
        )
    timeslot = _pick(config.timeslots, item.timeslot_id, index, "timeslot", config)
    sector = _pick(config.sectors, item.sector_id, index, "sector", config)
    by_id = {d.id: d for d in config.discounts}
    if len(set(item.ticket_discount)) != len(item.ticket_discount):
        raise InvalidInput(
            "A discount is listed twice.",
            code="duplicate_discount",
            field=_field(index, "ticket_discount"),
        )
    for discount_id in item.ticket_discount:
        if discount_id not in by_id:
            raise InvalidInput(
                f"Discount {discount_id} does not apply to {config.name!r}.",
                code="discount_not_for_config",
                field=_field(index, "ticket_discount"),
            )
    seats = list(item.selected_seats or [])
    if seats and len(seats) != item.quantity:
        raise InvalidInput(
            f"{len(seats)} seats are selected for {item.quantity} tickets; they must match.",
            code="seat_count_mismatch",
            field=_field(index, "selected_seats"),
        )
    return _Line(
        index, item, config, timeslot, sector, [by_id[i] for i in item.ticket_discount], seats
    )


def _pick(
    options: Sequence[_Choice], wanted: int | None, index: int, kind: str, config: TicketConfig
) -> _Choice | None:
    """The config's timeslot or sector named by the item; required when the config has any."""
    field = _field(index, f"{kind}_id")
    if wanted is None:
        if options:
            raise InvalidInput(
                f"Choose a {kind} for {config.name!r}.", code=f"{kind}_required", field=field
            )
        return None
    for option in options:
        if option.id == wanted:
            return option
    raise InvalidInput(
        f"{kind.capitalize()} {wanted} is not one of {config.name!r}.",
        code=f"{kind}_not_for_config",
        field=field,
    )


def _check_event(lines: list[_Line], actor: Actor, now: datetime) -> Event:
    events = {line.config.event_id for line in lines}
    if len(events) != 1:
        raise InvalidInput(
            "All tickets of one order must be for the same event.",
            code="mixed_events",
            field="order_item",
        )
    event = lines[0].config.event
    if event.status != "published":
        raise RuleViolation(
            f"{event.name!r} is not published, so it cannot be sold.",
            code="event_not_published",
            field=_field(0, "ticket_config_id"),
        )
    if event.end_at <= now:
        raise RuleViolation(
            f"{event.name!r} is over.", code="event_over", field=_field(0, "ticket_config_id")
        )
    if len({line.config.currency for line in lines}) != 1:
        raise InvalidInput(
            "All tickets of one order must be priced in the same currency.",
            code="mixed_currencies",
            field="order_item",
        )
    return event


def _check_sale_windows(lines: list[_Line], event: Event, now: datetime) -> None:
    for line in lines:
        config, field = line.config, _field(line.index, "ticket_config_id")
        if config.start_sale_at > now:
            raise RuleViolation(
                f"The sale of {config.name!r} starts on "
                f"{_local(config.start_sale_at, event.timezone_name)}.",
                code="sale_not_started",
                field=field,
                details={"start_sale_at": config.start_sale_at.isoformat()},
            )
        if config.end_sale_at is not None and config.end_sale_at <= now:
            raise RuleViolation(
                f"The sale of {config.name!r} has ended.", code="sale_ended", field=field
            )
        if line.timeslot is not None and line.timeslot.end_at <= now:
            raise RuleViolation(
                "That timeslot is over.",
                code="timeslot_past",
                field=_field(line.index, "timeslot_id"),
            )


def _check_limits(lines: list[_Line]) -> None:
    per_config: Counter[int] = Counter()
    for line in lines:
        per_config[line.config.id] += line.request.quantity
        limit = line.config.max_per_order
        if limit is not None and per_config[line.config.id] > limit:
            raise InvalidInput(
                f"At most {limit} tickets of {line.config.name!r} fit in one order.",
                code="max_per_order_exceeded",
                field=_field(line.index, "quantity"),
            )


def _check_seats(
    session: Session, event: Event, lines: list[_Line], hold_token: str | None, now: datetime
) -> set[str]:
    labels = [label for line in lines for label in line.seats]
    if len(set(labels)) != len(labels):
        raise InvalidInput("A seat is selected twice.", code="duplicate_seat", field="order_item")
    unseated = [line for line in lines if line.config.seat_category and not line.seats]
    if unseated and holds.has_seat_map(session, event.id):
        raise InvalidInput(
            f"Choose seats for {unseated[0].config.name!r}.",
            code="seats_required",
            field=_field(unseated[0].index, "selected_seats"),
        )
    if not labels:
        return set()
    categories = holds.seat_categories(session, event.id, set(labels))
    for line in lines:
        for label in line.seats:
            category = categories.get(label)
            if category is None:
                raise InvalidInput(
                    f"No seat {label} in this event.",
                    code="seat_not_found",
                    field=_field(line.index, "selected_seats"),
                )
            if category != line.config.seat_category:
                raise InvalidInput(
                    f"Seat {label} is not a {line.config.name!r} seat.",
                    code="seat_not_for_config",
                    field=_field(line.index, "selected_seats"),
                )
    if hold_token is None:
        holds.check_seats_free(session, event.id, set(labels), now=now)
    return set(labels)


def _take_inventory(session: Session, lines: list[_Line], now: datetime) -> None:
    """Take every counter the items touch; if one runs short, sweep expired holds and retry once."""
    swept = False
    for line in lines:
        wanted: list[tuple[type[TicketConfig] | type[Timeslot] | type[Sector], int, str]] = [
            (TicketConfig, line.config.id, "ticket_config_id")
        ]
        if line.timeslot is not None:
            wanted.append((Timeslot, line.timeslot.id, "timeslot_id"))
        if line.sector is not None:
            wanted.append((Sector, line.sector.id, "sector_id"))
        for model, row_id, field in wanted:
            quantity = line.request.quantity
            if inventory.take(session, model, row_id, quantity):
                continue
            if not swept:
                lifecycle.expire_due(session, now=now)
                swept = True
                if inventory.take(session, model, row_id, quantity):
                    continue
            left = inventory.remaining(session, model, row_id)
            what = {
                "ticket_config_id": line.config.name,
                "timeslot_id": "this timeslot",
                "sector_id": "this sector",
            }[field]
            message = (
                f"Sold out: no tickets left for {what}."
                if not left
                else f"Only {left} tickets left for {what}."
            )
            raise Conflict(
                message,
                code="sold_out",
                field=_field(line.index, field),
                details={"available": left or 0},
            )


def _insert_with_unique_code(session: Session, order: Order) -> int | None:
    """Insert the order under a free code; or, when its caller already made an order under
    its idempotency key, insert nothing and return that order's id.

    The code is checked before the insert, which then needs no savepoint (a sixth of the
    order's database work): on SQLite the write gate makes the check exact; on PostgreSQL an insert
    can still meet a twin under the same key that commits at this moment, or, once in a
    billion, an order of the same event drawing the same code at the same instant. Both roll
    the request back with `TryAgain`: its retry finds the twin's order, or draws a new code."""
    if order.idempotency_key is not None:
        made: int | None = session.scalar(
            _MADE_UNDER, {"user": order.user_id, "key": order.idempotency_key}
        )
        if made is not None:
            return made
    for _ in range(10):
        order.code = new_order_code()
        if session.execute(_CODE_TAKEN, {"event": order.event_id, "code": order.code}).first():
            continue
        session.add(order)
        try:
            session.flush()
        except IntegrityError as exc:
            if order.idempotency_key is not None:
                raise TryAgain(
                    "The same request is still being processed; retry in a moment.",
                    code="idempotency_in_progress",
                ) from exc
            raise TryAgain(
                "Another order was written at the same moment; nothing was changed. Try again."
            ) from exc
        return None
    raise RuntimeError("could not find a free order code")


_ORDERS = cast(Table, Order.__table__)
_MADE_UNDER = select(_ORDERS.c.id).where(
    _ORDERS.c.user_id == bindparam("user"), _ORDERS.c.idempotency_key == bindparam("key")
)
_CODE_TAKEN = select(_ORDERS.c.id).where(
    _ORDERS.c.event_id == bindparam("event"), _ORDERS.c.code == bindparam("code")
)


def _contact(body: OrderContactRequest) -> OrderContact:
    return OrderContact(**body.model_dump())


# --- reads ----------------------------------------------------------------------------------


def get_order(session: Session, actor: Actor, order_id: int) -> Order:
    """An order its owner or staff may see; 404 for everyone else, so ids do not leak."""
    order = session.get(Order, order_id, options=[selectinload(Order.items)])
    if order is None or (order.user_id != actor.id and not actor.is_staff):
        raise NotFound(f"No order {order_id}.", code="order_not_found")
    return order


@dataclass
class OrderFilter:
    order_id: int | None = None
    event_id: int | None = None
    status: str | None = None
    code: str | None = None
    email: str | None = None  # the contact's email or billing email
    query: str | None = None  # part of the code, the contact's name or email
    created_from: datetime | None = None
    created_to: datetime | None = None
    include_not_owned: bool = False  # staff only: others' orders too, not only the caller's
    organizer: str | None = None  # the events' organizer, by id or name
    sort: tuple[str, bool] | None = None  # (field of ORDER_SORTS, descending); None: newest first


ORDER_SORTS = ("id", "created_at", "updated_at", "total", "status")
"""The fields `GET event/v1/order?sort_by=` may name."""


SEARCH_REACH = 1000
"""A text search (`query=`) reaches the newest this many matching orders (by id, the order
they were made in); the other filters narrow those, and `paging.total` says at most this. A
broad word over a million orders is then as quick as a narrow one."""


SEARCH_BLOCK = 1_000
"""PostgreSQL's contact search index also holds each order's block of this many ids
(migration 0012: `order_id / 1000`), so a search can read the newest blocks alone."""


SEARCH_WINDOW = 400
"""On PostgreSQL a search reads the newest blocks of ids first: the newest two, then as many
as the matches found there say hold `SEARCH_REACH` (half again to spare). The index
intersects the words' trigrams with those blocks, so only their rows are checked: a first
name shared by a tenth of a million orders reads some 1,500 rows, not 100,000. But building
the blocks' part costs in proportion to their orders, and the whole table's only in
proportion to a word's matches: past this many blocks (400,000 orders) the whole table is
read instead, and so it is when the newest blocks hold no match or too few."""


def _matches(session: Session, query: str) -> tuple[ColumnElement[bool], int | None]:
    """The newest `SEARCH_REACH` orders whose code, contact name or email contain every word
    of `query`, ignoring case, found through the search index of migrations 0010 and 0012,
    and how many they are when that is known: on PostgreSQL their ids are read here, once
    for the page and its count."""
    words = query.lower().split()
    if session.get_bind().dialect.name == "sqlite":
        found = _fts_rows(words).order_by(literal_column("rowid").desc()).limit(SEARCH_REACH)
        return Order.id.in_(found), None
    ids = _newest_trigram_matches(session, words)
    # One array (`= ANY`), not up to SEARCH_REACH parameters each query would spell out again.
    return Order.id == any_(bindparam("found_ids", list(ids), type_=ARRAY(Integer))), len(ids)


def _newest_trigram_matches(session: Session, words: list[str]) -> Sequence[int]:
    """PostgreSQL: the ids of the newest `SEARCH_REACH` orders matching every word, read
    from the newest blocks of ids first (`SEARCH_WINDOW`)."""
    newest = session.scalar(select(func.max(Order.id))) or 0
    blocks = 2
    while blocks <= min(SEARCH_WINDOW, newest // SEARCH_BLOCK):
        first_block = newest // SEARCH_BLOCK - blocks + 1
        found = session.scalars(_trigram_matches(words, from_block=first_block)).all()
        if len(found) == SEARCH_REACH:
            return found
        if not found:
            break  # a rare word, whose matches may be anywhere
        read = newest - first_block * SEARCH_BLOCK + 1
        wanted = read * SEARCH_REACH * 3 // (2 * len(found))
        blocks = max(2 * blocks, wanted // SEARCH_BLOCK + 2)
    return session.scalars(_trigram_matches(words, from_block=None)).all()


_CONTACT_TEXT = literal_column("lower(first_name || ' ' || last_name || ' ' || email)", String)


def _trigram_matches(words: list[str], *, from_block: int | None) -> Select[int]:
    """PostgreSQL: the newest `SEARCH_REACH` ids of orders matching every word (in blocks of
    ids from `from_block` on): those whose contact holds every word, one scan of the
    contact's index (migration 0012: block and trigrams), and those whose code holds a word
    (few, from the code's pg_trgm index) and whose code or contact holds each of the others.
    The contact's expressions are the index's, spelled out: with their constants as
    parameters a prepared statement's generic plan would not match them."""
    patterns = [_containing(word) for word in words]
    code = func.lower(Order.code)
    by_contact = select(OrderContact.order_id.label("id")).where(
        *(_CONTACT_TEXT.like(pattern) for pattern in patterns)
    )
    by_code = (
        select(Order.id)
        .outerjoin(OrderContact, OrderContact.order_id == Order.id)
        .where(or_(*(code.like(pattern) for pattern in patterns)))
        .where(*(or_(code.like(pattern), _CONTACT_TEXT.like(pattern)) for pattern in patterns))
    )
    if from_block is not None:
        block = literal_column(f"order_contact.order_id / {SEARCH_BLOCK}", Integer)
        by_contact = by_contact.where(block >= from_block)
        by_code = by_code.where(Order.id >= from_block * SEARCH_BLOCK)
    found = union(by_contact, by_code).subquery()
    return select(found.c.id).order_by(found.c.id.desc()).limit(SEARCH_REACH)


def _fts_rows(words: list[str]) -> Select[int]:
    """The ids of the orders whose FTS5 trigram row (SQLite) holds every word: a phrase query
    for words of 3 letters or more, LIKE (which reads every row) for shorter ones."""
    rows: Select[int] = select(literal_column("rowid", Integer)).select_from(table("order_search"))
    phrases = ['"' + word.replace('"', '""') + '"' for word in words if len(word) >= 3]
    if phrases:
        rows = rows.where(
            text("order_search MATCH :phrases").bindparams(phrases=" AND ".join(phrases))
        )
    for n, word in enumerate(word for word in words if len(word) < 3):
        pattern = {f"short{n}": _containing(word)}
        rows = rows.where(text(f"text LIKE :short{n} ESCAPE '\\'").bindparams(**pattern))
    return rows


def _containing(word: str) -> str:
    """A LIKE pattern for text holding `word`, whose `%`, `_` and `\\` match themselves,
    escaped with a backslash (PostgreSQL's default; SQLite's with `ESCAPE '\\'`)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _email_is(session: Session, email: str) -> ColumnElement[bool]:
    """The order's contact email or billing email is `email`, ignoring case: one index
    lookup each (migration 0010), whatever the planner thinks of an OR."""
    email = email.lower()
    columns: list[ColumnElement[str]]
    if session.get_bind().dialect.name == "sqlite":  # NOCASE folds ASCII, as lower() does
        columns = [
            OrderContact.email.collate("NOCASE"),
            OrderContact.billing_email.collate("NOCASE"),
        ]
    else:
        columns = [func.lower(OrderContact.email), func.lower(OrderContact.billing_email)]
    return Order.id.in_(
        union_all(*(select(OrderContact.order_id).where(column == email) for column in columns))
    )


def list_orders(
    session: Session, actor: Actor, filters: OrderFilter, *, limit: int, offset: int
) -> tuple[list[Order], int]:
    """The caller's own orders, and with `include_not_owned` (staff only) everyone's; newest
    first unless `filters.sort` says otherwise."""
    stmt = select(Order)
    if filters.include_not_owned and not actor.is_staff:
        raise PermissionDenied(
            "Only staff may list other people's orders.", code="permission_denied"
        )
    if not filters.include_not_owned:
        stmt = stmt.where(Order.user_id == actor.id)
    if filters.order_id is not None:
        stmt = stmt.where(Order.id == filters.order_id)
    if filters.organizer is not None:
        stmt = stmt.where(Order.event_id.in_(_events_of_organizer(filters.organizer)))
    if filters.event_id is not None:
        stmt = stmt.where(Order.event_id == filters.event_id)
    if filters.status:
        stmt = stmt.where(Order.status == filters.status)
    if filters.code:
        stmt = stmt.where(Order.code == filters.code.upper())
    if filters.email:
        stmt = stmt.where(_email_is(session, filters.email))
    if filters.created_from:
        stmt = stmt.where(Order.created_at >= filters.created_from)
    if filters.created_to:
        stmt = stmt.where(Order.created_at < filters.created_to)
    total: int | None = None
    if filters.query and filters.query.strip():
        searched, found = _matches(session, filters.query)
        if stmt.whereclause is None:  # nothing else narrows the search: its matches are all
            total = found
        stmt = stmt.where(searched)
    rows = session.scalars(
        stmt.order_by(*_order_by(filters.sort))
        .limit(limit)
        .offset(offset)
        .options(selectinload(Order.items), selectinload(Order.contact), selectinload(Order.event))
    ).all()
    if len(rows) < limit and (rows or offset == 0):
        return list(rows), offset + len(rows)  # the last page: no need to count
    if total is None:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(rows), total


def _events_of_organizer(id_or_name: str) -> Select[Any]:
    """The ids of the events of the organizer named by numeric id or name (none if unknown)."""
    return (
        select(Event.id)
        .join(Organizer, Event.organizer_id == Organizer.id)
        .where(catalog.organizer_named(id_or_name))
    )


def _order_by(sort: tuple[str, bool] | None) -> list[UnaryExpression[Any]]:
    if sort is None:
        return [Order.created_at.desc(), Order.id.desc()]
    name, descending = sort
    column = getattr(Order, name)
    if descending:
        return [column.desc(), Order.id.desc()]
    return [column.asc(), Order.id.asc()]


@dataclass(frozen=True)
class OrderDetails:
    """What an order's answer says besides its own row: its event's name, its owner's kind
    (`user` or `guest`), its payment (the succeeded payment, else the latest attempt: how —
    `split` when paid by several types —, and its id: the Stripe intent's, else this
    server's payment number), what its payments took and gave back, and who sold it (the
    staff account that created it; None for a customer's or a guest's own order)."""

    event_name: str
    owner_type: str
    payment_method: str | None
    payment_id: str | None
    payment_created_at: datetime | None
    cashier: str | None
    paid: int = 0  # minor units the order's succeeded payments took
    refunded: int = 0  # minor units given back of them


SPLIT = "split"  # `payment_method` of an order paid by payments of several types


_SELLERS = ("staff", "admin")


def list_details(session: Session, rows: Sequence[Order]) -> dict[int, OrderDetails]:
    """The `OrderDetails` of `rows` (orders loaded with their event), by order id: two
    queries, whatever the number of orders."""
    if not rows:
        return {}
    methods: dict[int, tuple[str, str, datetime]] = {}
    succeeded: dict[int, set[str]] = {}  # order → the types of its succeeded payments
    paid: dict[int, int] = {}
    refunded: dict[int, int] = {}
    payments = session.execute(
        select(
            Payment.order_id,
            Payment.id,
            Payment.intent_id,
            Payment.type,
            Payment.status,
            Payment.created_at,
            Payment.amount,
            Payment.refunded,
        )
        .where(Payment.order_id.in_([row.id for row in rows]))
        .order_by(Payment.created_at, Payment.id)
    )
    for order_id, number, intent_id, kind, status, created_at, amount, given_back in payments:
        if order_id not in succeeded:  # the latest attempt, until one succeeded
            methods[order_id] = (kind, intent_id or str(number), created_at)
        if status == SUCCEEDED:
            succeeded.setdefault(order_id, set()).add(kind)
            paid[order_id] = paid.get(order_id, 0) + amount
            refunded[order_id] = refunded.get(order_id, 0) + given_back
    roles: dict[int, str] = {}
    cashiers: dict[int, str | None] = {}
    users = session.execute(
        select(User.id, User.role, User.username, User.first_name, User.last_name).where(
            User.id.in_({row.user_id for row in rows})
        )
    )
    for user_id, role, username, first_name, last_name in users:
        roles[user_id] = role
        cashiers[user_id] = _cashier(user_id, role, username, full_name(first_name, last_name))
    details = {}
    for row in rows:
        payment = methods.get(row.id)
        kinds = succeeded.get(row.id, set())
        details[row.id] = OrderDetails(
            event_name=row.event.name,
            owner_type=_owner_type(roles.get(row.user_id)),
            payment_method=SPLIT if len(kinds) > 1 else payment[0] if payment else None,
            payment_id=payment[1] if payment else None,
            payment_created_at=payment[2] if payment else None,
            cashier=cashiers.get(row.user_id),
            paid=paid.get(row.id, 0),
            refunded=refunded.get(row.id, 0),
        )
    return details


def details_of(session: Session, order: Order) -> OrderDetails:
    """The `OrderDetails` of one order (two small queries)."""
    return list_details(session, [order])[order.id]


def details_of_new(order: Order, actor: Actor) -> OrderDetails:
    """The `OrderDetails` of an order `actor` has just made (no query): no payment yet, and
    its owner is the actor."""
    return OrderDetails(
        event_name=order.event.name,
        owner_type=_owner_type(actor.role),
        payment_method=None,
        payment_id=None,
        payment_created_at=None,
        cashier=_cashier(actor.id, actor.role, actor.username, actor.full_name),
    )


def _owner_type(role: str | None) -> str:
    """An order's `owner_type`: "guest" for a guest's order, else "user"."""
    return "guest" if role == "guest" else "user"


def _cashier(user_id: int, role: str | None, username: str | None, name: str | None) -> str | None:
    """Who sold an order: its owner, named, when a staff account made it; else None."""
    return staff_name(user_id, username, name) if role in _SELLERS else None


# --- changes --------------------------------------------------------------------------------


def set_contact(
    session: Session, actor: Actor, order: Order, body: OrderContactRequest, now: datetime
) -> OrderContact:
    """Add or replace the order contact (optional at the counter)."""
    if order.status == OrderStatus.CANCELED:
        raise RuleViolation("This order is canceled.", code="order_canceled")
    values = body.model_dump()
    if order.contact is None:
        order.contact = OrderContact(**values)
    else:
        for key, value in values.items():
            setattr(order.contact, key, value)
    order.updated_at = now
    audit.record(
        session,
        actor=actor,
        action="order.contact_set",
        object_type="order",
        object_id=order.id,
        now=now,
    )
    session.flush()
    return order.contact
