"""Venue service: create (staff) and read venues."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from boxoffice.sdk.models import events as ev
from boxoffice.server.api import views
from boxoffice.server.api.deps import CurrentActor, SessionDep
from boxoffice.server.api.query import Id
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.services import catalog

router = APIRouter(prefix="/venue/v1", tags=["venue"])


@router.post("/venue", response_model=Envelope[ev.Venue], status_code=201)
def create_venue(
    body: ev.CreateVenueRequest, session: SessionDep, actor: CurrentActor
) -> JSONResponse:
    """Create a venue (staff)."""
    return views.ok(views.venue(catalog.create_venue(session, actor, body)), status=201)


@router.get("/venue/{venue_id}", response_model=Envelope[ev.Venue])
def get_venue(venue_id: Id, session: SessionDep) -> JSONResponse:
    """A venue with its address."""
    return views.ok(views.venue(catalog.get_venue(session, venue_id)))
