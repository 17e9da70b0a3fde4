"""Seat maps and hold tokens, in seats.io's vocabulary (hold, release, best available)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from boxoffice.sdk.models import seating as st
from boxoffice.sdk.models.payments import SeatMapReplaced
from boxoffice.server.api import views
from boxoffice.server.api.deps import CurrentActor, Now, OptionalActor, SessionDep, StateDep
from boxoffice.server.api.query import Id
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.db.models import Event, HoldToken
from boxoffice.server.services import catalog, holds
from boxoffice.server.services.actors import Actor
from boxoffice.server.services.money import to_major

router = APIRouter(prefix="/event/v1", tags=["seating"])


def _token_view(token: HoldToken, now: datetime) -> st.HoldTokenObject:
    left = max(int((token.expires_at - now).total_seconds()), 0)
    return st.HoldTokenObject(
        hold_token=token.token, expires_at=token.expires_at, expires_in_seconds=left
    )


def _seat_action(
    session: SessionDep,
    actor: Actor,
    event: Event,
    action: str,
    labels: list[str],
    token: HoldToken,
    now: datetime,
) -> JSONResponse:
    """Audit what was done to the seats, and answer with them and the token's expiry."""
    holds.audit_hold(session, actor, event, action, labels, now)
    return views.ok(
        st.SeatActionResult(objects=labels, hold_token=token.token, expires_at=token.expires_at)
    )


@router.get("/event/{event_id}/seat_map", response_model=Envelope[st.SeatMap])
def get_seat_map(
    event_id: Id,
    session: SessionDep,
    actor: OptionalActor,
    now: Now,
    hold_token: str | None = None,
) -> Response:
    """Every seat with its status now; `hold_token` marks the seats that token holds."""
    event = catalog.get_event(session, actor, event_id)
    categories = [
        st.SeatCategory(
            key=c.seat_category,
            ticket_config_id=c.id,
            name=c.name,
            color=c.color,
            price=to_major(c.face_value, c.currency),
            currency=c.currency,
        )
        for c in event.ticket_configs
        if c.seat_category
    ]
    seats = holds.seat_map_json(session, event.id, now=now, hold_token=hold_token)
    head = holds.dumps(
        {"event_id": event.id, "categories": [c.model_dump(mode="json") for c in categories]}
    )
    # {"data": {"event_id": …, "categories": […], "seats": […]}}, as JSONResponse writes it
    return Response(f'{{"data":{head[:-1]},"seats":{seats}}}}}', media_type="application/json")


@router.put("/event/{event_id}/seat_map", response_model=Envelope[SeatMapReplaced])
def put_seat_map(
    event_id: Id, body: st.PutSeatMapRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Replace the seat map (staff); refused while seats are booked, ordered or held."""
    event = catalog.get_event(session, actor, event_id)
    count = holds.put_seat_map(session, actor, event, body.seats, now)
    return views.ok({"event_id": event.id, "seats": count})


@router.post("/hold_token", response_model=Envelope[st.HoldTokenObject], status_code=201)
def create_hold_token(
    session: SessionDep,
    actor: CurrentActor,
    state: StateDep,
    now: Now,
    body: st.CreateHoldTokenRequest | None = None,
) -> JSONResponse:
    """A new hold token (15 minutes unless `expires_in_minutes` says otherwise)."""
    minutes = (
        body.expires_in_minutes
        if body and body.expires_in_minutes
        else state.settings.hold_token_minutes
    )
    return views.ok(
        _token_view(holds.create_token(session, actor, now=now, minutes=minutes), now), status=201
    )


@router.get("/hold_token/{token}", response_model=Envelope[st.HoldTokenObject])
def get_hold_token(token: str, session: SessionDep, now: Now) -> JSONResponse:
    """A live hold token; 404 once expired."""
    return views.ok(_token_view(holds.get_token(session, token, now=now), now))


@router.post("/hold_token/{token}", response_model=Envelope[st.HoldTokenObject])
def extend_hold_token(
    token: str, body: st.ExtendHoldTokenRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Set the expiry to now + `expires_in_minutes` (0 expires it); at most 2 h of life."""
    return views.ok(
        _token_view(
            holds.extend_token(session, token, minutes=body.expires_in_minutes, now=now), now
        )
    )


@router.post("/event/{event_id}/seat/hold", response_model=Envelope[st.SeatActionResult])
def hold_seats(
    event_id: Id, body: st.SeatActionRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Hold seats (by label) with a hold token: all of them or none."""
    event = catalog.get_event(session, actor, event_id)
    token = holds.hold_seats(session, event, body.objects, body.hold_token, now=now)
    return _seat_action(session, actor, event, "seats.held", body.objects, token, now)


@router.post("/event/{event_id}/seat/release", response_model=Envelope[st.SeatActionResult])
def release_seats(
    event_id: Id, body: st.SeatActionRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Release seats this hold token holds and no order has taken."""
    event = catalog.get_event(session, actor, event_id)
    token = holds.release_seats(session, event, body.objects, body.hold_token, now=now)
    return _seat_action(session, actor, event, "seats.released", body.objects, token, now)


@router.post("/event/{event_id}/seat/best_available", response_model=Envelope[st.SeatActionResult])
def best_available(
    event_id: Id, body: st.BestAvailableRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Hold the best `number` free seats side by side, front and centre first."""
    event = catalog.get_event(session, actor, event_id)
    labels, token = holds.best_available(
        session,
        event,
        body.number,
        body.hold_token,
        now=now,
        categories=body.categories,
        accessible=body.accessible,
    )
    return _seat_action(session, actor, event, "seats.held", labels, token, now)
