"""The seat map and best available, rewritten for stadium sizes, answer as before on the demo
hall: the same map (statuses and `held_by_you` included) and the same seats chosen."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from fastapi.responses import JSONResponse
from sqlalchemy import Table, delete, update

from boxoffice.paths import resource
from boxoffice.sdk.models import seating as st
from boxoffice.server.db.models import Event, HoldToken, Seat
from boxoffice.server.db.models.seat import BOOKED, FREE, HELD
from boxoffice.server.services import holds
from boxoffice.server.services.actors import SYSTEM
from boxoffice.server.services.catalog_schema import SeatMapSpec, place_seats
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error

pytestmark = BOTH_DATABASES
SEATS = cast(Table, Seat.__table__)


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


def demo_specs() -> list[st.SeatSpec]:
    """The seats of the demo catalog's seated event (the Stadthalle's great hall)."""
    catalog = json.loads(resource("demo", "catalog.json").read_text())
    seat_map = next(e["seat_map"] for e in catalog["events"] if e.get("seat_map"))
    return [
        st.SeatSpec(
            section=s.section,
            row=s.row,
            number=s.number,
            label=s.label,
            category=s.category,
            accessible=s.accessible,
            x=s.x,
            y=s.y,
        )
        for s in place_seats(SeatMapSpec.model_validate(seat_map), "seat_map")
    ]


@pytest.fixture
def hall(live_server) -> dict[str, Any]:
    """The demo hall with some seats held (live and lapsed), ordered and booked."""
    state = live_server.state
    ids = f.make_event(
        state,
        name="Great hall",
        configs=[
            {"name": key.title(), "face_value": "40", "quantity": None, "seat_category": key}
            for key in ("premium", "stalls", "balcony")
        ],
    )
    specs = demo_specs()
    with f.write_session(state) as session:
        event = session.get(Event, ids["event_id"])
        assert event is not None
        holds.put_seat_map(session, SYSTEM, event, specs, state.clock())
    labels = [s.label or f"{s.row}-{s.number}" for s in specs]
    now = state.clock()
    ids["live"] = holds_token(state, "live-token", now + timedelta(minutes=10))
    ids["lapsed"] = holds_token(state, "old-token", now - timedelta(minutes=1))
    with f.write_session(state) as session:
        hold = SEATS.c

        def set_seats(chosen: Sequence[str], **values: Any) -> None:
            session.execute(
                update(SEATS)
                .where(hold.event_id == ids["event_id"], hold.label.in_(chosen))
                .values(**values)
            )

        # Front rows: a live hold in the centre, a lapsed one beside it, booked seats around.
        set_seats(
            labels[8:11],
            status=HELD,
            hold_token="live-token",
            hold_expires_at=now + timedelta(minutes=10),
        )
        set_seats(
            labels[11:13],
            status=HELD,
            hold_token="old-token",
            hold_expires_at=now - timedelta(minutes=1),
        )
        set_seats(labels[3:8] + labels[30:50:3], status=BOOKED)
    ids["labels"] = labels
    return ids


def holds_token(state: Any, token: str, expires: datetime) -> str:
    with f.write_session(state) as session:
        session.add(
            HoldToken(token=token, created_at=expires - timedelta(hours=1), expires_at=expires)
        )
    return token


def reference_map(state: Any, event_id: int, hold_token: str | None) -> list[dict[str, Any]]:
    """The map as the ORM-and-pydantic version built it."""
    now = state.clock()
    with state.read_sessions() as session:
        return [
            st.SeatObject(
                label=s.label,
                section=s.section,
                row=s.row,
                number=s.number,
                category=s.category,
                accessible=s.accessible,
                x=s.x,
                y=s.y,
                status=holds.effective_status(s, now),
                held_by_you=bool(hold_token)
                and s.hold_token == hold_token
                and holds.effective_status(s, now) == HELD,
            ).model_dump(mode="json")
            for s in holds.seats_of(session, event_id)
        ]


def reference_best(
    seats: list[Seat], now: datetime, number: int, categories: list[str] | None, accessible: bool
) -> list[str] | None:
    """Best available as it was: every seat loaded and scanned (None: sold out)."""
    rows: dict[tuple[str, str], list[Seat]] = defaultdict(list)
    for seat in seats:
        if categories and seat.category not in categories:
            continue
        rows[(seat.section, seat.row)].append(seat)
    best: tuple[float, list[str]] | None = None
    singles: list[tuple[float, str]] = []
    for rank, row_seats in enumerate(rows.values()):
        row_seats.sort(key=lambda s: s.x)
        centre = (row_seats[0].x + row_seats[-1].x) / 2
        free = [
            holds.effective_status(s, now) == FREE and (s.accessible or not accessible)
            for s in row_seats
        ]
        for i, seat in enumerate(row_seats):
            if free[i]:
                singles.append((rank * 1000 + abs(seat.x - centre), seat.label))
        for start in range(len(row_seats) - number + 1):
            if all(free[start : start + number]):
                window = row_seats[start : start + number]
                mid = (window[0].x + window[-1].x) / 2
                score = rank * 1000 + abs(mid - centre)
                if best is None or score < best[0]:
                    best = (score, [s.label for s in window])
    if best is not None:
        return best[1]
    if len(singles) >= number:
        return [label for _, label in sorted(singles)[:number]]
    return None


def test_seat_map_answers_as_before(live_server, client, hall):
    event_id = hall["event_id"]
    url = f"/event/v1/event/{event_id}/seat_map"
    for hold_token in (None, "live-token", "old-token", ""):
        params = {"hold_token": hold_token} if hold_token is not None else {}
        answer = client.get(url, params=params)
        assert answer.status_code == 200, answer.text
        data = answer.json()["data"]
        assert data["seats"] == reference_map(live_server.state, event_id, hold_token)
        assert [c["key"] for c in data["categories"]] == ["premium", "stalls", "balcony"]
    statuses = {
        s["label"]: s
        for s in client.get(url, params={"hold_token": "live-token"}).json()["data"]["seats"]
    }
    labels = hall["labels"]
    assert statuses[labels[9]]["status"] == HELD and statuses[labels[9]]["held_by_you"] is True
    assert statuses[labels[11]]["status"] == FREE and statuses[labels[11]]["held_by_you"] is False
    assert statuses[labels[4]]["status"] == BOOKED
    assert isinstance(statuses[labels[0]]["accessible"], bool)
    assert isinstance(statuses[labels[0]]["x"], float)


@pytest.mark.parametrize(
    ("categories", "accessible"),
    [(None, False), (["stalls"], False), (["balcony", "premium"], False), (None, True)],
)
def test_best_available_picks_as_before(live_server, client, hall, categories, accessible):
    state, event_id = live_server.state, hall["event_id"]
    headers = f.guest(client)
    for number in (1, 2, 3, 6, 11, 25):
        with state.read_sessions() as session:
            expected = reference_best(
                holds.seats_of(session, event_id), state.clock(), number, categories, accessible
            )
        token = client.post("/event/v1/hold_token", headers=headers).json()["data"]["hold_token"]
        body: dict[str, Any] = {"number": number, "hold_token": token, "accessible": accessible}
        if categories:
            body["categories"] = categories
        answer = client.post(
            f"/event/v1/event/{event_id}/seat/best_available", headers=headers, json=body
        )
        if expected is None:
            assert_error(answer, 409, "sold_out")
            continue
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["objects"] == expected, (number, categories, accessible)
        # Keep every other pick held, so later picks see a fuller hall.
        if number % 2:
            released = client.post(
                f"/event/v1/event/{event_id}/seat/release",
                headers=headers,
                json={"objects": expected, "hold_token": token},
            )
            assert released.status_code == 200, released.text


def test_a_stadium_map_is_put_and_read_whole(live_server, client):
    ids = f.make_event(live_server.state, name="Stadium")
    f.make_user(live_server.state, "manager", role="admin")
    staff = f.login(client, "manager")
    seats = [
        {
            "section": f"S{k // 2500}",
            "row": f"R{k // 50}",
            "number": str(k % 50 + 1),
            "category": "c",
            "x": float(k % 50),
        }
        for k in range(25_000)
    ]
    url = f"/event/v1/event/{ids['event_id']}/seat_map"
    put = client.put(url, headers=staff, json={"seats": seats})
    assert put.status_code == 200, put.text
    assert put.json()["data"]["seats"] == 25_000
    listed = client.get(url).json()["data"]["seats"]
    assert [s["label"] for s in listed] == [f"{s['row']}-{s['number']}" for s in seats]
    duplicate = client.put(url, headers=staff, json={"seats": seats + seats[7:3:-1]})
    assert_error(duplicate, 422, "duplicate_seat_label")
    assert "R0-5, R0-6, R0-7, R0-8" in duplicate.json()["message"]


def test_seat_map_bytes_are_as_jsonresponse_wrote_them(live_server, client, hall):
    event_id = hall["event_id"]
    for hold_token in (None, "live-token"):
        params = {"hold_token": hold_token} if hold_token else {}
        answer = client.get(f"/event/v1/event/{event_id}/seat_map", params=params)
        assert answer.headers["content-type"] == "application/json"
        data = answer.json()["data"]
        expected = {
            "data": {
                "event_id": event_id,
                "categories": data["categories"],
                "seats": reference_map(live_server.state, event_id, hold_token),
            }
        }
        assert answer.content == JSONResponse(expected).body


def test_the_cached_layout_follows_every_change(live_server, client, hall):
    """Holds, releases, sales and a replaced map (even of the same size) show at once."""
    state, event_id, labels = live_server.state, hall["event_id"], hall["labels"]
    url = f"/event/v1/event/{event_id}/seat_map"

    def seats(**params: str) -> dict[str, dict[str, Any]]:
        answer = client.get(url, params=params)
        assert answer.status_code == 200, answer.text
        return {s["label"]: s for s in answer.json()["data"]["seats"]}

    alice = f.guest(client)
    token = client.post("/event/v1/hold_token", headers=alice).json()["data"]["hold_token"]
    assert seats()[labels[60]]["status"] == FREE
    held = client.post(
        f"/event/v1/event/{event_id}/seat/hold",
        headers=alice,
        json={"objects": labels[60:62], "hold_token": token},
    )
    assert held.status_code == 200, held.text
    assert seats(hold_token=token)[labels[60]] | {} == {
        **seats()[labels[60]],
        "status": HELD,
        "held_by_you": True,
    }
    released = client.post(
        f"/event/v1/event/{event_id}/seat/release",
        headers=alice,
        json={"objects": [labels[61]], "hold_token": token},
    )
    assert released.status_code == 200, released.text
    assert seats()[labels[61]]["status"] == FREE
    with state.read_sessions() as session:
        category = holds.seat_categories(session, event_id, {labels[60]})[labels[60]]
    config = hall["config_ids"][["premium", "stalls", "balcony"].index(category)]
    order = client.post(
        "/event/v1/order",
        headers=alice,
        json={
            "order_item": [
                {"quantity": 1, "ticket_config_id": config, "selected_seats": [labels[60]]}
            ],
            "format": "PDF",
            "hold_token": token,
        },
    )
    assert order.status_code == 201, order.text
    assert seats()[labels[60]]["status"] == HELD  # the order holds it until paid
    client.delete(f"/event/v1/order/{order.json()['data']['id']}", headers=alice)
    assert seats()[labels[60]]["status"] == FREE

    # Replace the map with one of the same size where one label differs.
    specs = demo_specs()
    with f.write_session(state) as session:
        session.execute(
            update(SEATS).values(status=FREE, hold_token=None, hold_expires_at=None, order_id=None)
        )
    specs[0] = specs[0].model_copy(update={"label": "RENAMED"})
    with f.write_session(state) as session:
        event = session.get(Event, event_id)
        assert event is not None
        holds.put_seat_map(session, SYSTEM, event, specs, state.clock())
    after = seats()
    assert "RENAMED" in after and labels[0] not in after
    assert len(after) == len(labels)
    with f.write_session(state) as session:
        session.execute(delete(SEATS))
    assert seats() == {}
