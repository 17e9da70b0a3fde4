"""Catalog rules: organizers, venues, events, ticket configs, timeslots, sectors, discounts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from boxoffice.sdk.models import events as wire
from boxoffice.sdk.models.common import MAX_ID
from boxoffice.server.db.models import (
    Discount,
    Event,
    Organizer,
    Sector,
    TicketConfig,
    Timeslot,
    Venue,
)
from boxoffice.server.errors import Conflict, InvalidInput, NotFound, RuleViolation
from boxoffice.server.services import audit
from boxoffice.server.services.actors import Actor, require_staff
from boxoffice.server.services.money import to_minor


def check_timezone(name: str, field: str = "timezone_name") -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"Unknown time zone {name!r}.", code="invalid_timezone", field=field
        ) from exc
    return name


def organizer_named(id_or_name: str) -> ColumnElement[bool]:
    """The condition on `Organizer` of a numeric id or a name, as Tickethead accepts either."""
    numeric = id_or_name.isascii() and id_or_name.isdigit() and int(id_or_name) <= MAX_ID
    return Organizer.id == int(id_or_name) if numeric else Organizer.name == id_or_name


def find_organizer(session: Session, id_or_name: str) -> Organizer | None:
    """An organizer by numeric id or by name, or None."""
    return session.scalar(select(Organizer).where(organizer_named(id_or_name)))


def get_organizer(session: Session, id_or_name: str) -> Organizer:
    """An organizer by numeric id or by name; `404 organizer_not_found` if there is none."""
    organizer = find_organizer(session, id_or_name)
    if organizer is None:
        raise NotFound(f"No organizer {id_or_name!r}.", code="organizer_not_found")
    return organizer


def ensure_organizer(session: Session, name: str, *, display_name: str, currency: str) -> Organizer:
    organizer = session.scalar(select(Organizer).where(Organizer.name == name))
    if organizer is None:
        organizer = Organizer(name=name, display_name=display_name, currency=currency.upper())
        session.add(organizer)
        session.flush()
    return organizer


def create_venue(session: Session, actor: Actor, body: wire.CreateVenueRequest) -> Venue:
    require_staff(actor)
    check_timezone(body.timezone_name)
    venue = Venue(**body.model_dump())
    session.add(venue)
    session.flush()
    return venue


def get_venue(session: Session, venue_id: int) -> Venue:
    venue = session.get(Venue, venue_id)
    if venue is None:
        raise NotFound("No such venue.", code="venue_not_found")
    return venue


def visible_to(actor: Actor | None, event: Event) -> bool:
    """Staff see every event; everyone else only published, visible ones."""
    if actor is not None and actor.is_staff:
        return True
    return event.status == "published" and event.visible


Relations = Mapping[str, "Relations"]
"""The relations an answer shows, as `with=` names them: `{"ticket_config": {"ticket_discount":
{}}, "venue": {}}`."""


def event_loads(relations: Relations) -> list[LoaderOption]:
    """Loader options that fetch what the event view of `relations` reads, a few queries for
    a whole page instead of lazy loads per event and per ticket config."""
    loads: list[LoaderOption] = []
    if "ticket_config" in relations:
        config_parts = [selectinload(TicketConfig.timeslots), selectinload(TicketConfig.sectors)]
        if "ticket_discount" in relations["ticket_config"]:
            config_parts.append(
                selectinload(TicketConfig.discounts).selectinload(Discount.ticket_configs)
            )
        loads.append(selectinload(Event.ticket_configs).options(*config_parts))
    if "timeslot" in relations:
        loads.append(selectinload(Event.timeslots).selectinload(Timeslot.ticket_configs))
    if "sector" in relations:
        loads.append(selectinload(Event.sectors).selectinload(Sector.ticket_configs))
    if "ticket_discount" in relations:
        loads.append(selectinload(Event.discounts).selectinload(Discount.ticket_configs))
    return loads


def get_event(
    session: Session,
    actor: Actor | None,
    event_id: int,
    organizer: Organizer | None = None,
    *,
    load: Sequence[LoaderOption] = (),
) -> Event:
    """An event the actor may see (`404 event_not_found` otherwise); `load`: loader options
    (`event_loads`) applied when the event is read from the database."""
    event = session.get(Event, event_id, options=load)
    if (
        event is None
        or not visible_to(actor, event)
        or (organizer is not None and event.organizer_id != organizer.id)
    ):
        raise NotFound(f"No event {event_id}.", code="event_not_found")
    return event


EVENT_SORTS = ("start_at", "end_at", "name", "id", "created_at")
"""The fields an event list may be sorted by (`sort_by=`)."""


def list_events(
    session: Session,
    actor: Actor | None,
    organizer: Organizer | None,
    *,
    limit: int,
    offset: int,
    query: str | None = None,
    name: str | None = None,
    status: str | None = None,
    start_from: datetime | None = None,
    start_to: datetime | None = None,
    ends_after: datetime | None = None,
    sort: tuple[str, bool] | None = None,
    load: Sequence[LoaderOption] = (),
) -> tuple[list[Event], int]:
    """Events of one organizer (every organizer's with None), soonest first unless `sort`
    (a field of `EVENT_SORTS`, descending) says otherwise, with the total for paging. Staff
    see drafts too; everyone else (`actor` None) published, visible events only. `load`:
    loader options for what the caller reads of each event (`event_loads`)."""
    stmt = select(Event)
    if organizer is not None:
        stmt = stmt.where(Event.organizer_id == organizer.id)
    if actor is None or not actor.is_staff:
        stmt = stmt.where(Event.status == "published", Event.visible.is_(True))
    if status:
        stmt = stmt.where(Event.status == status)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Event.name).like(like),
                func.lower(func.coalesce(Event.description, "")).like(like),
            )
        )
    if name:
        stmt = stmt.where(func.lower(Event.name).like(f"%{name.lower()}%"))
    if start_from:
        stmt = stmt.where(Event.end_at >= start_from)
    if start_to:
        stmt = stmt.where(Event.start_at < start_to)
    if ends_after:
        stmt = stmt.where(Event.end_at >= ends_after)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order_by: list[Any] = [Event.start_at, Event.id]
    if sort is not None:
        column = getattr(Event, sort[0])
        order_by = [column.desc(), Event.id.desc()] if sort[1] else [column.asc(), Event.id]
    rows = session.scalars(
        stmt.order_by(*order_by).limit(limit).offset(offset).options(*load)
    ).all()
    return list(rows), total


def create_event(
    session: Session,
    actor: Actor,
    organizer: Organizer,
    body: wire.CreateEventRequest,
    now: datetime,
) -> Event:
    require_staff(actor)
    _check_times(body.start_at, body.end_at)
    check_timezone(body.timezone_name)
    if body.venue_id is not None:
        _venue_in_body(session, body.venue_id)
    event = Event(
        organizer_id=organizer.id,
        status="draft",
        created_at=now,
        updated_at=now,
        **body.model_dump(),
    )
    return _added(session, actor, event, "event", now)


def update_event(
    session: Session, actor: Actor, event: Event, body: wire.UpdateEventRequest, now: datetime
) -> Event:
    require_staff(actor)
    changes = _changes(body, _EVENT_NOT_NULL)
    if "timezone_name" in changes:
        check_timezone(changes["timezone_name"])
    if changes.get("venue_id") is not None:
        _venue_in_body(session, changes["venue_id"])
    for key, value in changes.items():
        setattr(event, key, value)
    _check_times(event.start_at, event.end_at)
    event.updated_at = now
    _audit(session, actor, "event", event.id, "updated", now, _jsonable(changes))
    return event


def set_event_status(
    session: Session, actor: Actor, event: Event, status: str, now: datetime
) -> Event:
    """Publish or cancel an event (a canceled event cannot be published again)."""
    require_staff(actor)
    if event.status == "canceled" and status != "canceled":
        raise RuleViolation("A canceled event cannot be published again.", code="event_canceled")
    if status == "published" and not event.ticket_configs:
        raise RuleViolation(
            "Add at least one ticket config before publishing.", code="event_has_no_ticket_configs"
        )
    event.status = status
    event.updated_at = now
    _audit(session, actor, "event", event.id, status, now)
    return event


def create_ticket_config(
    session: Session,
    actor: Actor,
    event: Event,
    body: wire.CreateTicketConfigRequest,
    now: datetime,
) -> TicketConfig:
    require_staff(actor)
    currency = (body.currency or event.organizer.currency).upper()
    _check_sale_window(body.start_sale_at, body.end_sale_at)
    config = TicketConfig(
        event_id=event.id,
        name=body.name,
        description=body.description,
        face_value=to_minor(body.face_value, currency, field="face_value"),
        currency=currency,
        tax_rate=tax_basis_points(body.tax_rate),
        quantity=body.quantity,
        taken=0,
        start_sale_at=body.start_sale_at,
        end_sale_at=body.end_sale_at,
        max_per_order=body.max_per_order,
        seat_category=body.seat_category,
        color=body.color,
        position=body.position,
    )
    return _added(session, actor, config, "ticket_config", now)


def get_ticket_config(session: Session, config_id: int) -> TicketConfig:
    config = session.get(TicketConfig, config_id)
    if config is None:
        raise NotFound(f"No ticket config {config_id}.", code="ticket_config_not_found")
    return config


def update_ticket_config(
    session: Session,
    actor: Actor,
    config: TicketConfig,
    body: wire.UpdateTicketConfigRequest,
    now: datetime,
) -> TicketConfig:
    require_staff(actor)
    changes = _changes(body, _CONFIG_NOT_NULL)
    if "face_value" in changes:
        changes["face_value"] = to_minor(changes["face_value"], config.currency, field="face_value")
    if "tax_rate" in changes:
        changes["tax_rate"] = tax_basis_points(changes["tax_rate"])
    if changes.get("quantity") is not None and changes["quantity"] < config.taken:
        raise RuleViolation(
            f"{config.taken} tickets are already sold or held; the quantity cannot go below that.",
            code="quantity_below_sold",
            field="quantity",
        )
    for key, value in changes.items():
        setattr(config, key, value)
    _check_sale_window(config.start_sale_at, config.end_sale_at)
    _audit(session, actor, "ticket_config", config.id, "updated", now, _jsonable(changes))
    return config


def _configs_of(session: Session, event: Event, ids: list[int], field: str) -> list[TicketConfig]:
    configs = [c for c in event.ticket_configs if c.id in set(ids)]
    if len(configs) != len(set(ids)):
        raise InvalidInput(
            "A ticket config named here does not belong to this event.",
            code="ticket_config_not_found",
            field=field,
        )
    return configs


def create_timeslot(
    session: Session, actor: Actor, event: Event, body: wire.CreateTimeslotRequest, now: datetime
) -> Timeslot:
    require_staff(actor)
    _check_times(body.start_at, body.end_at)
    slot = Timeslot(
        event_id=event.id,
        start_at=body.start_at,
        end_at=body.end_at,
        quantity=body.quantity,
        taken=0,
        ticket_configs=_configs_of(session, event, body.ticket_config_ids, "ticket_config_ids"),
    )
    return _added(session, actor, slot, "timeslot", now)


def create_sector(
    session: Session, actor: Actor, event: Event, body: wire.CreateSectorRequest, now: datetime
) -> Sector:
    require_staff(actor)
    sector = Sector(
        event_id=event.id,
        name=body.name,
        quantity=body.quantity,
        taken=0,
        ticket_configs=_configs_of(session, event, body.ticket_config_ids, "ticket_config_ids"),
    )
    return _added(session, actor, sector, "sector", now)


def create_discount(
    session: Session, actor: Actor, event: Event, body: wire.CreateDiscountRequest, now: datetime
) -> Discount:
    require_staff(actor)
    configs = _configs_of(session, event, body.ticket_config_ids, "ticket_config_ids")
    if any(d.name == body.name for d in event.discounts):
        raise Conflict(
            f"This event already has a discount called {body.name!r}.",
            code="discount_name_taken",
            field="name",
        )
    if body.type == "percentage":
        if body.value > 100:
            raise InvalidInput(
                "A percentage discount is at most 100.", code="invalid_discount", field="value"
            )
        value = int(body.value * 100)
    else:
        currencies = {c.currency for c in configs}
        if len(currencies) != 1:
            raise InvalidInput(
                "A fixed discount needs ticket configs of one currency.",
                code="invalid_discount",
                field="ticket_config_ids",
            )
        value = to_minor(body.value, currencies.pop(), field="value")
    discount = Discount(
        event_id=event.id, name=body.name, type=body.type, value=value, ticket_configs=configs
    )
    return _added(session, actor, discount, "discount", now)


# What the catalog adds: each is audited as `<kind>.created` with object type `<kind>`.
_Added = TypeVar("_Added", Event, TicketConfig, Timeslot, Sector, Discount)


def _added(session: Session, actor: Actor, row: _Added, kind: str, now: datetime) -> _Added:
    """Insert `row` (it gets its id) and audit `<kind>.created`."""
    session.add(row)
    session.flush()
    _audit(session, actor, kind, row.id, "created", now)
    return row


def _audit(
    session: Session,
    actor: Actor,
    kind: str,
    object_id: int,
    what: str,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """Audit `<kind>.<what>` of the `<kind>` with this id."""
    audit.record(
        session,
        actor=actor,
        action=f"{kind}.{what}",
        object_type=kind,
        object_id=object_id,
        now=now,
        data=data,
    )


_EVENT_NOT_NULL = frozenset({"name", "start_at", "end_at", "timezone_name", "visible"})
_CONFIG_NOT_NULL = frozenset({"name", "face_value", "tax_rate", "start_sale_at", "position"})


def tax_basis_points(percent: Decimal) -> int:
    """A VAT rate in percent (`21`, `12.5`) as stored: basis points (2100, 1250)."""
    return int((percent * 100).to_integral_value())


def _changes(body: BaseModel, not_null: frozenset[str]) -> dict[str, Any]:
    """The fields a PATCH sets; `null` is refused for fields that must have a value."""
    changes = body.model_dump(exclude_unset=True)
    for key in sorted(not_null & changes.keys()):
        if changes[key] is None:
            raise InvalidInput(f"{key} cannot be null.", code="validation_error", field=key)
    return changes


def _venue_in_body(session: Session, venue_id: int) -> None:
    if session.get(Venue, venue_id) is None:
        raise InvalidInput(
            f"There is no venue {venue_id}.", code="venue_not_found", field="venue_id"
        )


def _check_times(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidInput(
            "The end must come after the start.", code="end_before_start", field="end_at"
        )


def _check_sale_window(start: datetime, end: datetime | None) -> None:
    if end is not None and end <= start:
        raise InvalidInput(
            "The sale must end after it starts.", code="end_before_start", field="end_sale_at"
        )


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v.isoformat() if isinstance(v, datetime) else str(v) if v is not None else None
        for k, v in changes.items()
    }
