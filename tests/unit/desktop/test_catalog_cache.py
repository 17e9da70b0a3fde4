"""The catalog cache on disk: events, an event in full and a seat map come back as saved,
per server and organizer; a damaged or foreign file counts as not cached."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from boxoffice.desktop.catalog_cache import CatalogCache
from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.seating import SeatMap

NOW = datetime(2026, 12, 4, 13, 32, tzinfo=UTC)


def event(event_id: int = 7, **extra: object) -> Event:
    return Event.model_validate(
        {
            "id": event_id,
            "name": "Pop & Soul Night",
            "status": "published",
            "start_at": "2026-12-07T19:00:00Z",
            "end_at": "2026-12-07T22:00:00Z",
            "timezone_name": "Europe/Prague",
            "visible": True,
            "organizer_id": "1",
            "created_at": "2026-11-01T10:00:00Z",
            "updated_at": "2026-11-01T10:00:00Z",
            "ticket_config": [
                {
                    "id": 3,
                    "event_id": event_id,
                    "name": "Standard",
                    "face_value": 25,
                    "currency": "EUR",
                    "start_sale_at": "2026-11-01T10:00:00Z",
                    "quantity": 100,
                    "available": 98,
                    **extra,
                }
            ],
        }
    )


def test_events_and_an_event_in_full_come_back_as_saved(tmp_path: Path) -> None:
    cache = CatalogCache(tmp_path, base_url="http://127.0.0.1:8765/", organizer="demo")
    assert cache.load_events() is None and cache.load_event(7) is None
    cache.save_events([event(7), event(8)], now=NOW)
    cache.save_event(event(7))
    again = CatalogCache(tmp_path, base_url="http://127.0.0.1:8765", organizer="demo")
    cached = again.load_events()
    assert cached is not None and cached.saved_at == NOW
    assert [e.id for e in cached.events] == [7, 8]
    assert cached.events[0] == event(7)
    assert again.load_event(7) == event(7)


def test_each_server_and_organizer_has_its_own(tmp_path: Path) -> None:
    one = CatalogCache(tmp_path, base_url="http://a:1", organizer="demo")
    one.save_events([event(7)], now=NOW)
    assert CatalogCache(tmp_path, base_url="http://b:1", organizer="demo").load_events() is None
    assert CatalogCache(tmp_path, base_url="http://a:1", organizer="other").load_events() is None


def test_a_seat_map_comes_back(tmp_path: Path) -> None:
    cache = CatalogCache(tmp_path, base_url="http://a:1", organizer="demo")
    seat_map = SeatMap.model_validate(
        {
            "event_id": 7,
            "categories": [{"key": "main", "name": "Main", "color": "#123456"}],
            "seats": [
                {
                    "label": "A-1",
                    "section": "Stalls",
                    "row": "A",
                    "number": "1",
                    "category": "main",
                    "status": "free",
                }
            ],
        }
    )
    cache.save_seat_map(7, seat_map)
    assert cache.load_seat_map(7) == seat_map


def test_a_damaged_or_foreign_file_is_not_cached(tmp_path: Path) -> None:
    cache = CatalogCache(tmp_path, base_url="http://a:1", organizer="demo")
    cache.save_events([event(7)], now=NOW)
    (cache.folder / "events.json").write_text("{not json", encoding="utf-8")
    assert cache.load_events() is None
    (cache.folder / "events.json").write_text('{"format": "other/9"}', encoding="utf-8")
    assert cache.load_events() is None
    (cache.folder / "event-7.json").write_text(
        '{"format": "boxoffice-catalog/1", "data": {"id": "x"}}', encoding="utf-8"
    )
    assert cache.load_event(7) is None


def test_a_folder_that_cannot_be_written_only_costs_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    cache = CatalogCache(blocker, base_url="http://a:1", organizer="demo")
    cache.save_events([event(7)], now=NOW)  # no exception
    assert cache.load_events() is None
