"""The event list at scale: a page costs the same few SQL statements however many events,
ticket configs, timeslots and sectors there are; paging and the server-side search."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event as sa_event

from boxoffice.sdk.models import events as ev
from boxoffice.server.db.models import Event
from boxoffice.server.services import catalog
from boxoffice.server.services.actors import SYSTEM
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.helpers.live_server import LiveServer

LIST = "/event/v1/organizer/demo/event"
DESKTOP_WITH = "ticket_config,venue"
DETAIL_WITH = "[ticket_config.[ticket_discount],timeslot,sector,ticket_discount,venue]"


@pytest.fixture
def staff_client(live_server: LiveServer) -> Iterator[httpx.Client]:
    f.make_event(live_server.state, name="Existing")  # creates the `demo` organizer
    f.make_user(live_server.state, "manager", role="admin")
    with httpx.Client(base_url=live_server.base_url, timeout=10) as client:
        client.headers.update(f.login(client, "manager"))
        yield client


def add_events(live_server: LiveServer, count: int, *, configs: int = 2) -> list[int]:
    """`count` events named "Show 000"…, each with `configs` ticket configs, two timeslots
    and two sectors that every config of the event uses, and a discount."""
    ids = []
    specs = [{"name": f"Tier {k}", "face_value": "20", "quantity": 50} for k in range(configs)]
    for n in range(count):
        made = f.make_event(
            live_server.state,
            name=f"Show {n:03d}",
            configs=specs,
            start_in=timedelta(days=1 + n),
        )
        now = live_server.clock()
        with f.write_session(live_server.state) as session:
            event = session.get(Event, made["event_id"])
            assert event is not None
            for k in range(2):
                catalog.create_timeslot(
                    session,
                    SYSTEM,
                    event,
                    ev.CreateTimeslotRequest(
                        start_at=event.start_at + timedelta(hours=k),
                        end_at=event.start_at + timedelta(hours=k + 1),
                        quantity=20,
                        ticket_config_ids=made["config_ids"],
                    ),
                    now,
                )
                catalog.create_sector(
                    session,
                    SYSTEM,
                    event,
                    ev.CreateSectorRequest(
                        name=f"Sector {k}", quantity=20, ticket_config_ids=made["config_ids"]
                    ),
                    now,
                )
            catalog.create_discount(
                session,
                SYSTEM,
                event,
                ev.CreateDiscountRequest(
                    name="Student",
                    type="percentage",
                    value=10,
                    ticket_config_ids=made["config_ids"],
                ),
                now,
            )
        ids.append(made["event_id"])
    return ids


@contextmanager
def counted(live_server: LiveServer) -> Iterator[list[str]]:
    """The SQL statements the live server runs inside the block."""
    statements: list[str] = []
    engine = live_server.state.engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


def statements_for(client: httpx.Client, live_server: LiveServer, url: str, **params: Any) -> int:
    with counted(live_server) as statements:
        response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return len(statements)


@BOTH_DATABASES
def test_a_page_costs_the_same_statements_whatever_the_configs(live_server, staff_client):
    add_events(live_server, 2, configs=1)
    few = statements_for(staff_client, live_server, LIST, limit=100, **{"with": DESKTOP_WITH})
    few_full = statements_for(staff_client, live_server, LIST, limit=100, **{"with": DETAIL_WITH})
    add_events(live_server, 6, configs=3)
    many = statements_for(staff_client, live_server, LIST, limit=100, **{"with": DESKTOP_WITH})
    many_full = statements_for(staff_client, live_server, LIST, limit=100, **{"with": DETAIL_WITH})
    assert many == few
    assert many_full == few_full
    # And every relation arrived: two timeslots and two sectors per config, the discount.
    body = staff_client.get(LIST, params={"limit": 100, "with": DETAIL_WITH}).json()
    shows = [e for e in body["data"] if e["name"].startswith("Show")]
    assert len(shows) == 8
    for show in shows:
        assert len(show["timeslot"]) == 2 and len(show["sector"]) == 2
        for config in show["ticket_config"]:
            assert len(config["timeslot_ids"]) == 2 and len(config["sector_ids"]) == 2
            assert [d["name"] for d in config["ticket_discount"]] == ["Student"]
        assert show["ticket_discount"][0]["ticket_config_ids"] == [
            c["id"] for c in show["ticket_config"]
        ]


def test_one_event_reads_its_relations_in_a_fixed_number_of_statements(live_server, staff_client):
    small, big = add_events(live_server, 1, configs=1) + add_events(live_server, 1, configs=4)
    counts = [
        statements_for(staff_client, live_server, f"/event/v1/event/{i}", **{"with": DETAIL_WITH})
        for i in (small, big)
    ]
    assert counts[0] == counts[1]
    body = staff_client.get(f"/event/v1/event/{big}", params={"with": DETAIL_WITH}).json()
    assert len(body["data"]["ticket_config"]) == 4
    assert all(len(c["timeslot_ids"]) == 2 for c in body["data"]["ticket_config"])


def test_paging_walks_every_event_once_in_order(live_server, staff_client):
    ids = add_events(live_server, 7, configs=1)
    seen: list[int] = []
    offset = 0
    while True:
        body = staff_client.get(
            LIST, params={"limit": 3, "offset": offset, "with": DESKTOP_WITH}
        ).json()
        seen += [e["id"] for e in body["data"] if e["name"].startswith("Show")]
        assert body["paging"]["total"] == 8  # and "Existing"
        offset += 3
        if offset >= body["paging"]["total"]:
            break
    assert seen == ids


@pytest.mark.parametrize("text", ["show 005", "SHOW 005", "w 00"])
def test_the_server_searches_names_beyond_the_first_page(live_server, staff_client, text):
    add_events(live_server, 7, configs=1)
    body = staff_client.get(LIST, params={"limit": 2, "query": text}).json()
    names = [e["name"] for e in body["data"]]
    if text == "w 00":
        assert body["paging"]["total"] == 7 and len(names) == 2
    else:
        assert names == ["Show 005"] and body["paging"]["total"] == 1
