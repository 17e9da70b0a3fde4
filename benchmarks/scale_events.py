"""Many-events benchmark: a page of the event list, and the desktop list's first rows.

    .venv/bin/python benchmarks/scale_events.py [--events 2000] [--pages 30] [--starts 5]

What it does, over 127.0.0.1 only, in a fresh data folder:

1. creates a staff account, starts `boxoffice serve` once (database created, demo loaded),
   stops it and inserts `--events` published events straight into its SQLite file, each
   with two ticket configs, two timeslots and two sectors linked to both configs (as the
   demo's timed and seated events have them); then starts the server again;
2. server: `GET /event/v1/organizer/demo/event?limit=100&with=ticket_config,venue` (what the
   desktop's events pane asks for) as staff, `--pages` times at offsets spread over the list,
   one warm-up first; and the same with `q=` (a server-side search);
3. desktop: `EventsPresenter.load_list` (the real presenter, offscreen Qt, on the SDK), from
   the call to the first `events_changed` (the list shown) and to the whole list loaded,
   `--starts` times;
4. prints a table of median, p95 and max in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, select
from venue_server import (
    PASSWORD,
    USERNAME,
    add_staff_account,
    body_of,
    latency_row,
    login,
    markdown_table,
    running_server,
    scratch_folder,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from boxoffice.server.db.models import Event, Organizer, Sector, TicketConfig, Timeslot
from boxoffice.server.db.models.catalog import sector_ticket_config, timeslot_ticket_config

ORGANIZER = "demo"
PAGE = 100
LIST_WITH = "ticket_config,venue"


def build_events(data_dir: Path, count: int) -> None:
    """`count` published events, each with 2 configs, 2 timeslots and 2 sectors (bulk SQL)."""
    engine = create_engine(f"sqlite:///{data_dir / 'boxoffice.sqlite3'}")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        organizer_id = conn.scalar(select(Organizer.id).where(Organizer.name == ORGANIZER))
        first = (conn.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0) + 1
        ids = range(first, first + count)
        events: list[dict[str, Any]] = []
        configs: list[dict[str, Any]] = []
        slots: list[dict[str, Any]] = []
        sectors: list[dict[str, Any]] = []
        slot_links: list[dict[str, int]] = []
        sector_links: list[dict[str, int]] = []
        for n, event_id in enumerate(ids):
            start = now + timedelta(days=1 + n % 365, hours=n % 12)
            events.append(
                {
                    "id": event_id,
                    "organizer_id": organizer_id,
                    "name": f"Scale show {n:05d}",
                    "description": f"Benchmark event number {n}",
                    "status": "published",
                    "start_at": start,
                    "end_at": start + timedelta(hours=3),
                    "timezone_name": "Europe/Amsterdam",
                    "visible": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for k in range(2):
                config_id = event_id * 2 + k
                configs.append(
                    {
                        "id": config_id,
                        "event_id": event_id,
                        "name": ("Standard", "Reduced")[k],
                        "face_value": 2500 - 1000 * k,
                        "currency": "EUR",
                        "tax_rate": 900,
                        "quantity": 200,
                        "taken": 0,
                        "start_sale_at": now - timedelta(days=1),
                        "position": k,
                    }
                )
                slot_id = sector_id = event_id * 2 + k
                slots.append(
                    {
                        "id": slot_id,
                        "event_id": event_id,
                        "start_at": start + timedelta(hours=k),
                        "end_at": start + timedelta(hours=k + 1),
                        "quantity": 100,
                        "taken": 0,
                    }
                )
                sectors.append(
                    {
                        "id": sector_id,
                        "event_id": event_id,
                        "name": ("Floor", "Balcony")[k],
                        "quantity": 100,
                        "taken": 0,
                    }
                )
            for k in range(2):
                for j in range(2):
                    slot_links.append(
                        {"timeslot_id": event_id * 2 + k, "ticket_config_id": event_id * 2 + j}
                    )
                    sector_links.append(
                        {"sector_id": event_id * 2 + k, "ticket_config_id": event_id * 2 + j}
                    )
        offset = 10_000_000  # clear of the demo's own ids
        for rows, key in ((configs, "id"), (slots, "id"), (sectors, "id")):
            for row in rows:
                row[key] += offset
        for link in slot_links:
            link["timeslot_id"] += offset
            link["ticket_config_id"] += offset
        for link in sector_links:
            link["sector_id"] += offset
            link["ticket_config_id"] += offset
        conn.execute(insert(Event), events)
        conn.execute(insert(TicketConfig), configs)
        conn.execute(insert(Timeslot), slots)
        conn.execute(insert(Sector), sectors)
        conn.execute(insert(timeslot_ticket_config), slot_links)
        conn.execute(insert(sector_ticket_config), sector_links)
    engine.dispose()


def time_pages(base_url: str, total: int, pages: int) -> tuple[list[float], list[float]]:
    """ms per page of 100 events (spread offsets), and per server-side search (`q=`)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        client.headers["authorization"] = f"Bearer {login(client)}"
        url = f"/event/v1/organizer/{ORGANIZER}/event"
        params: dict[str, str | int] = {"limit": PAGE, "with": LIST_WITH}
        body = body_of(client.get(url, params=params))
        assert len(body["data"]) == PAGE, body["paging"]
        listed: list[float] = []
        for i in range(pages):
            offset = (i * 997) % max(1, total - PAGE)
            started = time.perf_counter()
            body_of(client.get(url, params={**params, "offset": offset}))
            listed.append((time.perf_counter() - started) * 1000)
        searched: list[float] = []
        for i in range(pages):
            started = time.perf_counter()
            found = body_of(client.get(url, params={**params, "query": f"show {i * 37:05d}"}))
            searched.append((time.perf_counter() - started) * 1000)
            assert found["data"], f"nothing found for show {i * 37:05d}"
    return listed, searched


def time_desktop(base_url: str, starts: int) -> tuple[list[float], list[float]]:
    """ms from `EventsPresenter.load_list` to its first rows shown, and to the whole list."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication

    from boxoffice.sdk import SDK, PasswordCredentials
    from boxoffice.ui.presenters.events import EventsPresenter

    app = QCoreApplication.instance() or QCoreApplication([])
    shown: list[float] = []
    loaded: list[float] = []

    async def one() -> None:
        sdk = await SDK.build(base_url, organizer=ORGANIZER)
        await sdk.authorize(PasswordCredentials(USERNAME, PASSWORD))
        presenter = EventsPresenter(sdk)
        firsts: list[float] = []
        presenter.events_changed.connect(lambda: firsts.append(time.perf_counter()))
        started = time.perf_counter()
        await presenter.load_list()
        await presenter.tasks.wait_all()
        done = time.perf_counter()
        shown.append((firsts[0] - started) * 1000)
        loaded.append((done - started) * 1000)
        await presenter.aclose()
        await sdk.aclose()

    for _ in range(starts):
        asyncio.run(one())
    del app
    return shown, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=30, help="timed list requests per kind")
    parser.add_argument("--starts", type=int, default=5, help="timed desktop list loads")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()
    with scratch_folder("boxoffice-scale-events-", keep=args.keep) as folder:
        data_dir = folder / "data"
        add_staff_account(data_dir)
        with running_server(data_dir, folder / "server.log"):
            pass  # creates the database and the demo organizer
        started = time.perf_counter()
        build_events(data_dir, args.events)
        print(f"built {args.events} events in {time.perf_counter() - started:.1f} s")
        with running_server(data_dir, folder / "server.log") as server:
            listed, searched = time_pages(server.url, args.events, args.pages)
            shown, loaded = time_desktop(server.url, args.starts)
    print(f"\n{args.events} events; page of {PAGE} with={LIST_WITH}\n")
    print(
        markdown_table(
            ["ms", "median", "p95", "max"],
            [
                latency_row(f"GET page of {PAGE}", listed),
                latency_row("GET search (query=)", searched),
                latency_row("desktop: first rows shown", shown),
                latency_row("desktop: whole list loaded", loaded),
            ],
        )
    )


if __name__ == "__main__":
    main()
