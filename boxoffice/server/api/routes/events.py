"""Event service: public catalog reads, and staff set-up of events and what they sell."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from boxoffice.sdk.models import events as ev
from boxoffice.sdk.models.common import ListInfo
from boxoffice.server.api import views
from boxoffice.server.api.deps import CurrentActor, Now, OptionalActor, SessionDep
from boxoffice.server.api.expansion import parse_with
from boxoffice.server.api.query import (
    Direction,
    Id,
    Limit,
    Offset,
    SortBy,
    WithParam,
    date_range,
    sort_order,
)
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.db.models import Event, Organizer
from boxoffice.server.services import catalog, holds
from boxoffice.server.services.actors import Actor

router = APIRouter(tags=["event"])
EVENT_RELATIONS = "ticket_config,timeslot,sector,ticket_discount,venue"


def _event_view(session: SessionDep, event: Event, with_: str | None) -> ev.Event:
    return views.event(event, parse_with(with_), has_seat_map=holds.has_seat_map(session, event.id))


@router.get("/event/v1/event", response_model=ListInfo[ev.Event])
def list_all_events(
    session: SessionDep,
    actor: OptionalActor,
    now: Now,
    limit: Limit = 20,
    offset: Offset = 0,
    with_: WithParam = None,
    q: str | None = None,
    name: str | None = None,
    organizer_id: str | None = None,
    start_at: str | None = None,
    future_events: bool = False,
    public: bool = False,
    include_occurrences: bool = False,
    sort_by: SortBy = None,
    direction: Direction = None,
) -> JSONResponse:
    """Events of every organizer (the vendor SDK's `listEvents`), soonest first: `q` (part
    of the name or description), `name` (part of the name), `organizer_id` (an unknown one
    lists nothing, as the orders filter), `start_at=d1;d2`, `future_events` (not yet over),
    `sort_by`/`direction`; `public=true` lists as an anonymous visitor sees (published and
    visible). `include_occurrences` changes nothing: no event recurs here."""
    org = catalog.find_organizer(session, organizer_id) if organizer_id else None
    if organizer_id and org is None:
        return views.page([], limit=limit, offset=offset, total=0)
    return _event_page(
        session,
        None if public else actor,
        org,
        limit=limit,
        offset=offset,
        with_=with_,
        query=q,
        name=name,
        start_at=start_at,
        ends_after=now if future_events else None,
        sort=sort_order(sort_by, direction, catalog.EVENT_SORTS),
    )


@router.get("/event/v1/organizer/{organizer}/event", response_model=ListInfo[ev.Event])
def list_events(
    organizer: str,
    session: SessionDep,
    actor: OptionalActor,
    limit: Limit = 20,
    offset: Offset = 0,
    with_: WithParam = None,
    query: str | None = None,
    name: str | None = None,
    status: str | None = None,
    start_at: str | None = None,
    sort_by: SortBy = None,
    direction: Direction = None,
) -> JSONResponse:
    """Events of an organizer, soonest first. `start_at=d1;d2` keeps those running then."""
    return _event_page(
        session,
        actor,
        catalog.get_organizer(session, organizer),
        limit=limit,
        offset=offset,
        with_=with_,
        query=query,
        name=name,
        status=status,
        start_at=start_at,
        sort=sort_order(sort_by, direction, catalog.EVENT_SORTS),
    )


def _event_page(
    session: SessionDep,
    actor: Actor | None,
    organizer: Organizer | None,
    *,
    limit: int,
    offset: int,
    with_: str | None,
    start_at: str | None,
    query: str | None = None,
    name: str | None = None,
    status: str | None = None,
    ends_after: datetime | None = None,
    sort: tuple[str, bool] | None = None,
) -> JSONResponse:
    start, stop = date_range(start_at, "start_at")
    tree = parse_with(with_)
    rows, total = catalog.list_events(
        session,
        actor,
        organizer,
        limit=limit,
        offset=offset,
        query=query,
        name=name,
        status=status,
        start_from=start,
        start_to=stop,
        ends_after=ends_after,
        sort=sort,
        load=catalog.event_loads(tree),
    )
    seated = holds.events_with_seat_maps(session, [e.id for e in rows])
    return views.page(
        [views.event(e, tree, has_seat_map=e.id in seated) for e in rows],
        limit=limit,
        offset=offset,
        total=total,
    )


@router.get("/event/v1/organizer/{organizer}/event/{event_id}", response_model=Envelope[ev.Event])
def get_organizer_event(
    organizer: str,
    event_id: Id,
    session: SessionDep,
    actor: OptionalActor,
    with_: WithParam = None,
) -> JSONResponse:
    """One event of an organizer, with `with=[ticket_config.[ticket_discount],timeslot,…]`."""
    org = catalog.get_organizer(session, organizer)
    load = catalog.event_loads(parse_with(with_))
    event = catalog.get_event(session, actor, event_id, org, load=load)
    return views.ok(_event_view(session, event, with_))


@router.get("/event/v1/event/{event_id}", response_model=Envelope[ev.Event])
def get_event(
    event_id: Id,
    session: SessionDep,
    actor: OptionalActor,
    with_: WithParam = None,
    public: bool = False,
) -> JSONResponse:
    """One event; `public=true` reads it as an anonymous visitor would."""
    load = catalog.event_loads(parse_with(with_))
    event = catalog.get_event(session, None if public else actor, event_id, load=load)
    return views.ok(_event_view(session, event, with_))


@router.post(
    "/event/v1/organizer/{organizer}/event", response_model=Envelope[ev.Event], status_code=201
)
def create_event(
    organizer: str, body: ev.CreateEventRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Create a draft event (staff)."""
    org = catalog.get_organizer(session, organizer)
    event = catalog.create_event(session, actor, org, body, now)
    return views.ok(_event_view(session, event, EVENT_RELATIONS), status=201)


@router.patch("/event/v1/event/{event_id}", response_model=Envelope[ev.Event])
def update_event(
    event_id: Id, body: ev.UpdateEventRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Change an event's fields (staff)."""
    event = catalog.update_event(
        session, actor, catalog.get_event(session, actor, event_id), body, now
    )
    return views.ok(_event_view(session, event, EVENT_RELATIONS))


def _set_status(
    event_id: Id, status: str, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    event = catalog.get_event(session, actor, event_id)
    catalog.set_event_status(session, actor, event, status, now)
    return views.ok(_event_view(session, event, EVENT_RELATIONS))


@router.post("/event/v1/event/{event_id}/publish", response_model=Envelope[ev.Event])
def publish_event(event_id: Id, session: SessionDep, actor: CurrentActor, now: Now) -> JSONResponse:
    """Publish: the event can now be sold (staff)."""
    return _set_status(event_id, "published", session, actor, now)


@router.post("/event/v1/event/{event_id}/unpublish", response_model=Envelope[ev.Event])
def unpublish_event(
    event_id: Id, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Back to draft: hidden and not for sale (staff)."""
    return _set_status(event_id, "draft", session, actor, now)


@router.post("/event/v1/event/{event_id}/cancel", response_model=Envelope[ev.Event])
def cancel_event(event_id: Id, session: SessionDep, actor: CurrentActor, now: Now) -> JSONResponse:
    """Cancel the event for good (staff)."""
    return _set_status(event_id, "canceled", session, actor, now)


@router.post(
    "/event/v1/event/{event_id}/ticket_config",
    response_model=Envelope[ev.TicketConfig],
    status_code=201,
)
def create_ticket_config(
    event_id: Id,
    body: ev.CreateTicketConfigRequest,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> JSONResponse:
    """Add a ticket config (staff); `face_value` in major units, `quantity` null = unlimited."""
    event = catalog.get_event(session, actor, event_id)
    return views.ok(
        views.ticket_config(catalog.create_ticket_config(session, actor, event, body, now)),
        status=201,
    )


@router.get("/event/v1/ticket_config/{config_id}", response_model=Envelope[ev.TicketConfig])
def get_ticket_config(
    config_id: Id, session: SessionDep, actor: OptionalActor, with_: WithParam = None
) -> JSONResponse:
    """One ticket config with what is left of it."""
    config = catalog.get_ticket_config(session, config_id)
    catalog.get_event(session, actor, config.event_id)
    return views.ok(views.ticket_config(config, parse_with(with_)))


@router.patch("/event/v1/ticket_config/{config_id}", response_model=Envelope[ev.TicketConfig])
def update_ticket_config(
    config_id: Id,
    body: ev.UpdateTicketConfigRequest,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> JSONResponse:
    """Change price, quantity, sale dates… (staff); quantity never below what is taken."""
    config = catalog.get_ticket_config(session, config_id)
    return views.ok(
        views.ticket_config(catalog.update_ticket_config(session, actor, config, body, now))
    )


@router.post(
    "/event/v1/event/{event_id}/timeslot", response_model=Envelope[ev.Timeslot], status_code=201
)
def create_timeslot(
    event_id: Id,
    body: ev.CreateTimeslotRequest,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> JSONResponse:
    """Add a timeslot with its own capacity, for the listed ticket configs (staff)."""
    event = catalog.get_event(session, actor, event_id)
    return views.ok(
        views.timeslot(catalog.create_timeslot(session, actor, event, body, now)), status=201
    )


@router.post(
    "/event/v1/event/{event_id}/sector", response_model=Envelope[ev.Sector], status_code=201
)
def create_sector(
    event_id: Id, body: ev.CreateSectorRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Add a sector with its own capacity, for the listed ticket configs (staff)."""
    event = catalog.get_event(session, actor, event_id)
    return views.ok(
        views.sector(catalog.create_sector(session, actor, event, body, now)), status=201
    )


@router.post(
    "/event/v1/event/{event_id}/ticket_discount",
    response_model=Envelope[ev.TicketDiscount],
    status_code=201,
)
def create_discount(
    event_id: Id,
    body: ev.CreateDiscountRequest,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> JSONResponse:
    """Add a percentage or fixed discount for the listed ticket configs (staff)."""
    event = catalog.get_event(session, actor, event_id)
    return views.ok(
        views.discount(catalog.create_discount(session, actor, event, body, now)), status=201
    )
