"""Build catalog rows and accounts through the real services, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from boxoffice.sdk.models import events as ev
from boxoffice.sdk.models.seating import SeatSpec
from boxoffice.server.api.state import ServerState
from boxoffice.server.db.models import Event, TicketConfig, User
from boxoffice.server.services import catalog, holds, shifts, users
from boxoffice.server.services.actors import SYSTEM

PASSWORD = "correct horse battery"
COUNTER = "Till 1"  # the counter tests take cash at (`open_shift`, `at_counter`)


@contextmanager
def write_session(state: ServerState) -> Iterator[Session]:
    with state.write_sessions() as session, session.begin():
        yield session


def make_event(
    state: ServerState,
    *,
    name: str = "Concert",
    status: str = "published",
    configs: list[dict[str, Any]] | None = None,
    organizer: str = "demo",
    start_in: timedelta = timedelta(days=7),
) -> dict[str, Any]:
    """An event with ticket configs (default: one of 10 at 25 EUR, on sale since yesterday).

    Returns plain ids: {"event_id": …, "config_ids": [...]}.
    """
    now = state.clock()
    with write_session(state) as session:
        org = catalog.ensure_organizer(
            session, organizer, display_name=organizer.title(), currency="EUR"
        )
        event = catalog.create_event(
            session,
            SYSTEM,
            org,
            ev.CreateEventRequest(
                name=name,
                start_at=now + start_in,
                end_at=now + start_in + timedelta(hours=3),
                timezone_name="Europe/Vienna",
            ),
            now,
        )
        ids = []
        for spec in configs or [{"name": "Standard", "face_value": "25", "quantity": 10}]:
            spec = {"start_sale_at": now - timedelta(days=1), **spec}
            config = catalog.create_ticket_config(
                session, SYSTEM, event, ev.CreateTicketConfigRequest.model_validate(spec), now
            )
            ids.append(config.id)
        session.refresh(event)
        if status != "draft":
            catalog.set_event_status(session, SYSTEM, event, status, now)
        return {"event_id": event.id, "config_ids": ids}


def add_seats(
    state: ServerState,
    event_id: int,
    *,
    rows: str = "AB",
    per_row: int = 10,
    category: str = "stalls",
) -> list[str]:
    """A simple seat map: rows × seats numbered from 1, labels like `A-1`."""
    specs = [
        SeatSpec(
            section="Stalls", row=row, number=str(n), category=category, x=float(n), y=float(i)
        )
        for i, row in enumerate(rows)
        for n in range(1, per_row + 1)
    ]
    with write_session(state) as session:
        event = session.get(Event, event_id)
        assert event is not None
        holds.put_seat_map(session, SYSTEM, event, specs, state.clock())
    return [f"{s.row}-{s.number}" for s in specs]


def get_config(state: ServerState, config_id: int) -> TicketConfig:
    with state.read_sessions() as session:
        config = session.get(TicketConfig, config_id)
        assert config is not None
        session.expunge(config)
        return config


def make_user(state: ServerState, username: str, role: str = "staff") -> str:
    with write_session(state) as session:
        users.create_user(
            session, username=username, password=PASSWORD, role=role, now=state.clock()
        )
    return username


def user_exists(state: ServerState, username: str) -> bool:
    with state.read_sessions() as session:
        return session.scalar(select(User.id).where(User.username == username)) is not None


def login(client: httpx.Client, username: str) -> dict[str, str]:
    response = client.post(
        "/account/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}


def guest(client: httpx.Client) -> dict[str, str]:
    response = client.post("/account/v1/guest/login")
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}


def money(value: Any) -> Decimal:
    return Decimal(str(value))


def open_shift(
    state: ServerState, counter: str = COUNTER, float_amount: Any = "100.00", currency: str = "EUR"
) -> int:
    """Open `counter`'s shift with a float (as the system account), so cash can be taken
    there; returns the shift's id."""
    with write_session(state) as session:
        shift = shifts.open_shift(
            session, SYSTEM, counter, money(float_amount), currency=currency, now=state.clock()
        )
        return shift.id


def at_counter(headers: dict[str, str], counter: str = COUNTER) -> dict[str, str]:
    """`headers` naming `counter` (`X-Counter`), where cash is taken."""
    return {**headers, "X-Counter": counter}
