"""The demo venue: resources/demo/catalog.json, imported on the first start of an empty database."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.paths import resource
from boxoffice.server.db.models import Organizer
from boxoffice.server.services import catalog_io

DEMO_CATALOG = ("demo", "catalog.json")


def load_if_empty(session: Session, *, now: datetime) -> bool:
    """Import the demo catalog when there is no organizer yet; True if it was loaded.

    Its dates are relative (`+5d 20:00`), so the demo is always current as of `now`.
    """
    if session.scalar(select(Organizer.id).limit(1)) is not None:
        return False
    data = json.loads(resource(*DEMO_CATALOG).read_text(encoding="utf-8"))
    catalog_io.import_catalog(session, data, now=now)
    return True


def default_organizer(session: Session) -> str | None:
    """The organizer the server speaks for (the first one), named in access tokens."""
    return session.scalar(select(Organizer.name).order_by(Organizer.id).limit(1))
