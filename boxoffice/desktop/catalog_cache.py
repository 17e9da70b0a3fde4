"""The catalog kept on disk per venue server and organizer: what a counter or kiosk shows
before its server answers, and while the server is away.

Events (as listed), each event in full (configs, time slots, sectors, discounts) and seat
maps are saved whenever the server gave them, one JSON file each under
`<data dir>/catalog/<server and organizer key>/`, written atomically. Nothing is ever sold
from here: an order always goes to the server, which prices it; the cache only lets the
app start at once and browse while offline ("Offline — showing events as of 14:32").
A file that cannot be read (damaged, another format) counts as not cached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.seating import SeatMap

logger = logging.getLogger(__name__)
FORMAT = "boxoffice-catalog/1"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class CachedEvents:
    """The event list as the server last gave it, and when."""

    saved_at: datetime
    events: list[Event]


class CatalogCache:
    """One server's and organizer's catalog on disk."""

    def __init__(self, folder: Path, *, base_url: str, organizer: str) -> None:
        key = hashlib.sha256(f"{base_url.rstrip('/')}|{organizer}".encode()).hexdigest()[:16]
        slug = re.sub(r"[^a-z0-9]+", "-", organizer.lower()).strip("-")[:32] or "organizer"
        self.folder = folder / f"{slug}-{key}"

    def load_events(self) -> CachedEvents | None:
        """The cached event list, or None when there is none (or it cannot be read)."""
        body = self._read("events.json")
        if body is None:
            return None
        try:
            saved_at = datetime.fromisoformat(str(body["saved_at"])).astimezone(UTC)
            events = [Event.model_validate(item) for item in body["events"]]
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            logger.warning("cached event list ignored: %s", exc)
            return None
        return CachedEvents(saved_at, events)

    def save_events(self, events: list[Event], *, now: datetime) -> None:
        self._write(
            "events.json",
            {"saved_at": now.isoformat(), "events": [e.model_dump(mode="json") for e in events]},
        )

    def load_event(self, event_id: int) -> Event | None:
        """The event in full as last loaded, or None."""
        return self._model(f"event-{event_id}.json", Event)

    def save_event(self, event: Event) -> None:
        self._write(f"event-{event.id}.json", {"data": event.model_dump(mode="json")})

    def load_seat_map(self, event_id: int) -> SeatMap | None:
        """The event's seat map as last loaded (seat states of that moment), or None."""
        return self._model(f"seatmap-{event_id}.json", SeatMap)

    def save_seat_map(self, event_id: int, seat_map: SeatMap) -> None:
        self._write(f"seatmap-{event_id}.json", {"data": seat_map.model_dump(mode="json")})

    def _model(self, name: str, model: type[M]) -> M | None:
        body = self._read(name)
        if body is None:
            return None
        try:
            return model.model_validate(body["data"])
        except (KeyError, TypeError, ValidationError) as exc:
            logger.warning("cached %s ignored: %s", name, exc)
            return None

    def _read(self, name: str) -> dict[str, Any] | None:
        try:
            body = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            logger.warning("cached %s unreadable: %s", name, exc)
            return None
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            return None
        return body

    def _write(self, name: str, body: dict[str, Any]) -> None:
        """Write atomically; a full disk or a read-only folder only costs the cache."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.{os.getpid()}.tmp"
            partial.write_text(json.dumps({"format": FORMAT, **body}), encoding="utf-8")
            partial.replace(self.folder / name)
        except OSError as exc:
            logger.warning("catalog not cached (%s): %s", name, exc)
