"""Catalog import/export: values, relative dates, compact forms, round trip, errors, re-import."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boxoffice.paths import resource
from boxoffice.server.api.state import ServerState
from boxoffice.server.app import prepare_database
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.engine import make_engine
from boxoffice.server.db.models import (
    Discount,
    Event,
    Order,
    Organizer,
    Seat,
    Sector,
    TicketConfig,
    Timeslot,
    Venue,
)
from boxoffice.server.errors import InvalidInput
from boxoffice.server.services import catalog_io, users

# 22:30 UTC is already the next day in Vienna (00:30 CEST): relative dates must use Vienna's day.
NOW = datetime(2025, 6, 10, 22, 30, tzinfo=UTC)


def sample() -> dict[str, Any]:
    return {
        "format": "boxoffice-catalog/1",
        "organizers": [{"name": "hall", "display_name": "The Hall", "currency": "EUR"}],
        "venues": [
            {
                "key": "main",
                "name": "Main Hall",
                "city": "Wien",
                "country": "AT",
                "timezone_name": "Europe/Vienna",
            }
        ],
        "events": [
            {
                "organizer": "hall",
                "venue": "main",
                "name": "Seated Show",
                "status": "published",
                "start_at": "+1d 19:30",
                "end_at": "+1d 22:00",
                "ticket_configs": [
                    {
                        "key": "front",
                        "name": "Front",
                        "face_value": "12.50",
                        "quantity": 40,
                        "max_per_order": 6,
                        "seat_category": "front",
                        "start_sale_at": "-1d 09:00",
                        "end_sale_at": "now+2h",
                    },
                    {"key": "back", "name": "Back", "face_value": 29.9, "seat_category": "back"},
                    {"key": "free", "name": "Free", "face_value": 0},
                ],
                "timeslots": [
                    {
                        "start_at": "2025-07-01T20:00:00+02:00",
                        "end_at": "2025-07-01T21:00:00+02:00",
                        "quantity": 5,
                        "ticket_configs": ["front"],
                    }
                ],
                "timeslot_series": [
                    {
                        "first_day": 2,
                        "days": 3,
                        "times": ["14:00", "10:00"],
                        "duration_minutes": 45,
                        "quantity": 25,
                        "ticket_configs": ["front", "back"],
                    },
                    {
                        "days": 2,
                        "opens": "09:00",
                        "closes": "17:00",
                        "every_minutes": 90,
                        "duration_minutes": 60,
                        "quantity": 10,
                        "ticket_configs": ["free"],
                    },
                ],
                "sectors": [{"name": "Pit", "quantity": 100, "ticket_configs": ["back"]}],
                "discounts": [
                    {
                        "name": "Student",
                        "type": "percentage",
                        "value": 12.5,
                        "ticket_configs": ["front"],
                    },
                    {
                        "name": "Member",
                        "type": "fixed",
                        "value": "5",
                        "ticket_configs": ["front", "back"],
                    },
                ],
                "seat_map": {
                    "sections": [
                        {
                            "name": "Stalls",
                            "rows": [
                                {"label": "A", "count": 4, "category": "front", "accessible": [1]},
                                {
                                    "label": "B",
                                    "count": 6,
                                    "category": "front",
                                    "aisle_after": [3],
                                },
                            ],
                        },
                        {
                            "name": "Box",
                            "rows": [
                                {
                                    "label": "X",
                                    "seats": [
                                        {"number": 1, "category": "back", "x": 20, "y": 5},
                                        {
                                            "number": "2",
                                            "category": "back",
                                            "x": 21.5,
                                            "y": 5,
                                            "label": "Box-2",
                                            "accessible": True,
                                        },
                                    ],
                                }
                            ],
                        },
                    ]
                },
            },
            {
                "organizer": "hall",
                "name": "Draft Talk",
                "start_at": "2025-08-01T18:00:00Z",
                "end_at": "2025-08-01T19:00:00Z",
                "timezone_name": "UTC",
                "visible": False,
            },
        ],
    }


def demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource("demo", "catalog.json").read_text("utf-8"))
    return data


def new_state(data_dir: Path) -> ServerState:
    settings = ServerSettings(data_dir=data_dir, load_demo=False, sweep_interval_seconds=3600)
    return prepare_database(settings, make_engine(settings.resolved_database_url()), lambda: NOW)


@pytest.fixture
def state(tmp_path: Path) -> Iterator[ServerState]:
    st = new_state(tmp_path / "a")
    yield st
    st.engine.dispose()


@pytest.fixture
def other_state(tmp_path: Path) -> Iterator[ServerState]:
    st = new_state(tmp_path / "b")
    yield st
    st.engine.dispose()


def do_import(state: ServerState, data: Any, now: datetime = NOW) -> catalog_io.ImportSummary:
    with state.write_sessions() as session, session.begin():
        return catalog_io.import_catalog(session, data, now=now)


def do_export(state: ServerState) -> dict[str, Any]:
    with state.read_sessions() as session:
        return catalog_io.export_catalog(session)


def count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def counts(state: ServerState) -> dict[str, int]:
    models = (Organizer, Venue, Event, TicketConfig, Timeslot, Sector, Discount, Seat)
    with state.read_sessions() as session:
        return {m.__name__: count(session, m) for m in models}


def vienna(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A Vienna summer wall time (CEST, +02:00) as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=2)


# --- import ------------------------------------------------------------------------------


def test_import_creates_everything_with_the_right_values(state):
    summary = do_import(state, sample())
    assert summary.organizers_created == 1 and summary.venues_created == 1
    assert summary.events_created == 2
    # 1 explicit slot + 3 days × 2 times + 2 days × 5 slots (09:00 … 15:00, 16:30 would end late)
    assert summary.timeslots == 1 + 6 + 10
    assert summary.seats == 4 + 6 + 2
    with state.read_sessions() as session:
        organizer = session.scalars(select(Organizer)).one()
        assert (organizer.name, organizer.display_name, organizer.currency) == (
            "hall",
            "The Hall",
            "EUR",
        )
        event = session.scalars(select(Event).where(Event.name == "Seated Show")).one()
        assert event.status == "published" and event.timezone_name == "Europe/Vienna"
        assert event.venue is not None and event.venue.name == "Main Hall"
        front, back, free = event.ticket_configs
        assert (front.face_value, back.face_value, free.face_value) == (1250, 2990, 0)
        assert front.currency == "EUR" and front.quantity == 40 and back.quantity is None
        assert front.max_per_order == 6 and front.seat_category == "front"
        assert [c.position for c in event.ticket_configs] == [0, 1, 2]
        assert back.start_sale_at == NOW  # no start_sale_at: on sale from the import on
        discounts = {d.name: d for d in event.discounts}
        assert (discounts["Student"].type, discounts["Student"].value) == ("percentage", 1250)
        assert (discounts["Member"].type, discounts["Member"].value) == ("fixed", 500)
        assert {c.name for c in discounts["Member"].ticket_configs} == {"Front", "Back"}
        assert [
            (s.name, s.quantity, [c.name for c in s.ticket_configs]) for s in event.sectors
        ] == [("Pit", 100, ["Back"])]
        slots = event.timeslots
        series = [s for s in slots if s.quantity == 25]
        assert len(series) == 6 and all(
            {c.name for c in s.ticket_configs} == {"Front", "Back"} for s in series
        )
        # first_day 2 from Vienna's today (11 June) is 13 June; times sorted; 45 minutes long
        assert series[0].start_at == vienna(2025, 6, 13, 10, 0)
        assert series[0].end_at == vienna(2025, 6, 13, 10, 45)
        assert series[-1].start_at == vienna(2025, 6, 15, 14, 0)
        opening = [s for s in slots if s.quantity == 10]
        assert [s.start_at for s in opening[:5]] == [
            vienna(2025, 6, 11, h, m) for h, m in [(9, 0), (10, 30), (12, 0), (13, 30), (15, 0)]
        ]

        seats = {s.label: s for s in session.scalars(select(Seat).where(Seat.event_id == event.id))}
        assert set(seats) == {
            "A-1",
            "A-2",
            "A-3",
            "A-4",
            *(f"B-{n}" for n in range(1, 7)),
            "X-1",
            "Box-2",
        }
        assert seats["A-1"].accessible and not seats["A-2"].accessible
        assert (seats["X-1"].x, seats["X-1"].y, seats["X-1"].section) == (20.0, 5.0, "Box")
        assert seats["Box-2"].accessible and seats["Box-2"].number == "2"
        # compact rows: one unit per seat, an aisle is one empty seat, rows centred on the widest
        assert [seats[f"B-{n}"].x for n in range(1, 7)] == [0, 1, 2, 4, 5, 6]
        assert [seats[f"A-{n}"].x for n in range(1, 5)] == [1.5, 2.5, 3.5, 4.5]
        assert (seats["A-1"].y, seats["B-1"].y) == (0.0, 1.0)

        draft = session.scalars(select(Event).where(Event.name == "Draft Talk")).one()
        assert draft.status == "draft" and not draft.visible and draft.venue_id is None
        assert draft.start_at == datetime(2025, 8, 1, 18, tzinfo=UTC)


def test_relative_dates_use_the_injected_now_and_the_event_time_zone(state):
    do_import(state, sample())
    with state.read_sessions() as session:
        event = session.scalars(select(Event).where(Event.name == "Seated Show")).one()
        # Vienna's today is 11 June at NOW (UTC still says 10 June)
        assert event.start_at == vienna(2025, 6, 12, 19, 30)
        assert event.end_at == vienna(2025, 6, 12, 22, 0)
        front = event.ticket_configs[0]
        assert front.start_sale_at == vienna(2025, 6, 10, 9, 0)
        assert front.end_sale_at == NOW + timedelta(hours=2)
        explicit = next(s for s in event.timeslots if s.quantity == 5)
        assert explicit.start_at == datetime(2025, 7, 1, 18, tzinfo=UTC)


def test_relative_forms_resolve():
    from zoneinfo import ZoneInfo

    from boxoffice.server.services.catalog_schema import resolve_date

    tz = ZoneInfo("Europe/Vienna")
    assert resolve_date("now", now=NOW, tz=tz) == NOW
    assert resolve_date("now-30m", now=NOW, tz=tz) == NOW - timedelta(minutes=30)
    assert resolve_date("now+1d2h", now=NOW, tz=tz) == NOW + timedelta(days=1, hours=2)
    assert resolve_date("-1d 09:00", now=NOW, tz=tz) == vienna(2025, 6, 10, 9, 0)
    assert resolve_date("+0d 23:15", now=NOW, tz=ZoneInfo("UTC")) == datetime(
        2025, 6, 10, 23, 15, tzinfo=UTC
    )
    # across the change to winter time the wall clock stays put
    winter = datetime(2025, 10, 20, 12, tzinfo=UTC)
    assert resolve_date("+7d 19:30", now=winter, tz=tz) == datetime(
        2025, 10, 27, 18, 30, tzinfo=UTC
    )


def test_the_demo_catalog_imports(state):
    summary = do_import(state, demo())
    assert summary.events_created == 7
    assert summary.timeslots == 7 * 8  # 09:00–17:00 hourly, for 7 days
    assert 300 <= summary.seats <= 500
    with state.read_sessions() as session:
        statuses = sorted(e.status for e in session.scalars(select(Event)))
        assert statuses == ["draft"] + ["published"] * 6
        premium = session.scalars(select(Seat).where(Seat.category == "premium")).all()
        assert premium and session.scalar(
            select(func.count()).select_from(Seat).where(Seat.accessible.is_(True))
        )


# --- export ------------------------------------------------------------------------------


def test_export_writes_absolute_dates_money_strings_and_explicit_seats(state):
    do_import(state, sample())
    document = do_export(state)
    assert document["format"] == "boxoffice-catalog/1"
    event = next(e for e in document["events"] if e["name"] == "Seated Show")
    assert event["start_at"] == "2025-06-12T19:30:00+02:00"
    assert event["venue"] == document["venues"][0]["key"]
    assert [c["face_value"] for c in event["ticket_configs"]] == ["12.50", "29.90", "0.00"]
    assert {d["name"]: d["value"] for d in event["discounts"]} == {
        "Student": "12.5",
        "Member": "5.00",
    }
    assert len(event["timeslots"]) == 17 and "timeslot_series" not in event
    rows = event["seat_map"]["sections"][0]["rows"]
    assert rows[0]["label"] == "A" and rows[0]["seats"][0] == {
        "number": "1",
        "category": "front",
        "accessible": True,
        "x": 1.5,
        "y": 0.0,
    }
    box = event["seat_map"]["sections"][1]["rows"][0]["seats"]
    assert "label" not in box[0] and box[1]["label"] == "Box-2"
    json.dumps(document)  # plain JSON


@pytest.mark.parametrize("source", [sample, demo])
def test_export_then_import_gives_an_equal_catalog(state, other_state, source):
    do_import(state, source())
    first = do_export(state)
    later = NOW + timedelta(days=3)  # absolute dates: the time of import no longer matters
    do_import(other_state, json.loads(json.dumps(first)), now=later)
    assert do_export(other_state) == first
    assert counts(other_state) == counts(state)


# --- errors ------------------------------------------------------------------------------


def _set(data: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


BAD = [
    (
        ["events", 0, "ticket_configs", 0, "face_value"],
        "12.345",
        "events[0].ticket_configs[0].face_value",
    ),
    (
        ["events", 0, "ticket_configs", 0, "face_value"],
        "abc",
        "events[0].ticket_configs[0].face_value",
    ),
    (["events", 0, "ticket_configs", 1, "colour"], "red", "events[0].ticket_configs[1].colour"),
    (["events", 0, "start_at"], "2025-07-01T20:00:00", "events[0].start_at"),
    (["events", 0, "end_at"], "+1d 18:00", "events[0].end_at"),
    (["events", 0, "timezone_name"], "Mars/Olympus", "events[0].timezone_name"),
    (["events", 0, "venue"], "nowhere", "events[0].venue"),
    (["events", 1, "organizer"], "nobody", "events[1].organizer"),
    (
        ["events", 0, "timeslots", 0, "ticket_configs"],
        ["front", "nope"],
        "events[0].timeslots[0].ticket_configs[1]",
    ),
    (["events", 0, "discounts", 0, "value"], 120, "events[0].discounts[0].value"),
    (["events", 0, "ticket_configs", 2, "key"], "front", "events[0].ticket_configs[2].key"),
    (["events", 0, "timeslot_series", 1, "times"], ["10:00"], "events[0].timeslot_series[1]"),
    (
        ["events", 0, "seat_map", "sections", 1, "rows", 0, "seats", 1, "label"],
        "A-3",
        "events[0].seat_map.sections[1].rows[0].seats[1]",
    ),
    (["format"], "boxoffice-catalog/2", "format"),
]


@pytest.mark.parametrize(("where", "value", "path"), BAD, ids=[b[2] for b in BAD])
def test_errors_name_the_json_path_and_write_nothing(state, where, value, path):
    data = _set(copy.deepcopy(sample()), where, value)
    with pytest.raises(InvalidInput) as caught:
        do_import(state, data)
    assert caught.value.field == path
    assert caught.value.message.startswith(f"{path}: ")
    assert caught.value.code == "invalid_catalog"
    assert set(counts(state).values()) == {0}


def test_a_failed_import_leaves_the_callers_own_writes_alone(state):
    data = sample()
    data["events"][1]["end_at"] = "2025-08-01T17:00:00Z"  # fails after event 0 was written
    with state.write_sessions() as session, session.begin():
        session.add(Organizer(name="kept", display_name="Kept", currency="EUR"))
        session.flush()
        with pytest.raises(InvalidInput, match=r"events\[1\]\.end_at"):
            catalog_io.import_catalog(session, data, now=NOW)
    with state.read_sessions() as session:
        assert session.scalars(select(Organizer.name)).all() == ["kept"]
        assert count(session, Event) == count(session, Seat) == count(session, Venue) == 0


def test_not_a_catalog_at_all(state):
    with pytest.raises(InvalidInput, match=r"^\(top level\): "):
        do_import(state, [1, 2])
    with pytest.raises(InvalidInput, match=r"^format: Field required"):
        do_import(state, {"events": []})


# --- re-import ---------------------------------------------------------------------------


def test_reimport_replaces_instead_of_duplicating(state):
    do_import(state, sample())
    before = counts(state)
    changed = sample()
    changed["organizers"][0]["display_name"] = "The Great Hall"
    changed["venues"][0]["city"] = "Graz"
    changed["events"][0]["ticket_configs"][0]["face_value"] = "15"
    summary = do_import(state, changed)
    assert (summary.organizers_updated, summary.venues_updated) == (1, 1)
    assert (summary.events_created, summary.events_replaced, summary.events_skipped) == (0, 2, 0)
    assert counts(state) == before
    with state.read_sessions() as session:
        assert session.scalars(select(Organizer.display_name)).one() == "The Great Hall"
        assert session.scalars(select(Venue.city)).one() == "Graz"
        face = session.scalar(select(TicketConfig.face_value).where(TicketConfig.name == "Front"))
        assert face == 1500


def test_reimport_skips_events_that_have_orders(state):
    do_import(state, sample())
    with state.write_sessions() as session, session.begin():
        event = session.scalars(select(Event).where(Event.name == "Seated Show")).one()
        config_ids = [c.id for c in event.ticket_configs]
        user = users.create_user(
            session, username="buyer", password="correct horse battery", role="customer", now=NOW
        )
        session.add(
            Order(
                code="ABC123",
                event_id=event.id,
                user_id=user.id,
                status="paid",
                format="PDF",
                currency="EUR",
                total=1250,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    before = counts(state)
    changed = sample()
    changed["events"][0]["ticket_configs"][0]["face_value"] = "99"
    summary = do_import(state, changed)
    assert (summary.events_replaced, summary.events_skipped) == (1, 1)
    assert "Seated Show" in summary.notes[0] and "events[0]" in summary.notes[0]
    assert counts(state) == before
    with state.read_sessions() as session:
        event = session.scalars(select(Event).where(Event.name == "Seated Show")).one()
        assert [c.id for c in event.ticket_configs] == config_ids
        assert event.ticket_configs[0].face_value == 1250


def test_a_moved_start_is_a_new_event(state):
    do_import(state, sample())
    moved = sample()
    moved["events"][1]["start_at"] = "2025-08-01T17:00:00Z"
    summary = do_import(state, moved)
    assert (summary.events_created, summary.events_replaced) == (1, 1)
