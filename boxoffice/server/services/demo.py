"""The demo venue: loaded from resources/demo on the first start of an empty database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.server.db.models import Organizer


def load_if_empty(session: Session, *, now: datetime) -> bool:
    """Load the demo catalog when there is no organizer yet; True if it was loaded."""
    if session.scalar(select(Organizer.id).limit(1)) is not None:
        return False
    from boxoffice.server.services import catalog

    catalog.ensure_organizer(session, "demo", display_name="Demo Venue", currency="EUR")
    return True


def default_organizer(session: Session) -> str | None:
    """The organizer the server speaks for (the first one), named in access tokens."""
    return session.scalar(select(Organizer.name).order_by(Organizer.id).limit(1))
