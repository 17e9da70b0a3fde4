"""The demo venue over HTTP on a fresh server, and `boxoffice catalog import|export` as commands."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from boxoffice.paths import resource
from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings
from tests.helpers.factories import guest
from tests.helpers.live_server import FakeClock, serve_in_thread

BOXOFFICE = str(Path(sys.executable).parent / "boxoffice")
DEMO = resource("demo", "catalog.json")


@pytest.fixture
def demo_client(tmp_path: Path) -> Iterator[httpx.Client]:
    settings = ServerSettings(
        data_dir=tmp_path / "data", load_demo=True, sweep_interval_seconds=3600
    )
    app = create_app(settings, clock=FakeClock())
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url) as client:
        yield client
    app.state.server.engine.dispose()


def demo_events(client: httpx.Client) -> list[dict[str, Any]]:
    response = client.get(
        "/event/v1/organizer/demo/event", params={"with": "ticket_config", "limit": 100}
    )
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["data"]
    return events


@pytest.mark.integration
def test_the_demo_venue_is_served(demo_client):
    events = {e["name"]: e for e in demo_events(demo_client)}
    assert "Jazz Brunch (in planning)" not in events  # the draft stays hidden
    assert len(events) == 6
    assert all(e["status"] == "published" and e["ticket_config"] for e in events.values())

    concert = events["Pop & Soul Night"]
    standard = next(c for c in concert["ticket_config"] if c["name"] == "Standard")
    assert (standard["face_value"], standard["currency"], standard["quantity"]) == (29, "EUR", 300)
    assert standard["max_per_order"] == 10
    companion = next(c for c in concert["ticket_config"] if c["name"] == "Companion (free)")
    assert companion["face_value"] == 0

    seated = events["Symphony Evening: Dvořák & Brahms"]
    seat_map = demo_client.get(f"/event/v1/event/{seated['id']}/seat_map").json()["data"]
    assert 300 <= len(seat_map["seats"]) <= 500
    assert {c["key"] for c in seat_map["categories"]} == {"premium", "stalls", "balcony"}
    assert {s["category"] for s in seat_map["seats"]} == {"premium", "stalls", "balcony"}
    assert any(s["accessible"] for s in seat_map["seats"])
    assert all(s["status"] == "free" for s in seat_map["seats"])

    museum = events["Museum of Sound: Exhibition"]
    detail = demo_client.get(
        f"/event/v1/event/{museum['id']}", params={"with": "timeslot,ticket_config"}
    ).json()["data"]
    assert len(detail["timeslot"]) == 56 and {t["quantity"] for t in detail["timeslot"]} == {25}
    festival = events["Open Air Festival"]
    detail = demo_client.get(f"/event/v1/event/{festival['id']}", params={"with": "sector"})
    sectors = {s["name"]: s["quantity"] for s in detail.json()["data"]["sector"]}
    assert sectors == {"Front of stage": 150, "Back": 600}


@pytest.mark.integration
def test_the_demo_sells_and_refuses_a_sale_that_has_not_started(demo_client):
    events = {e["name"]: e for e in demo_events(demo_client)}
    headers = guest(demo_client)

    def order(config: dict[str, Any]) -> httpx.Response:
        response: httpx.Response = demo_client.post(
            "/event/v1/order",
            headers=headers,
            json={
                "order_item": [{"quantity": 1, "ticket_config_id": config["id"]}],
                "format": "PDF",
            },
        )
        return response

    gala = events["Gala Night"]["ticket_config"][0]
    refused = order(gala)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errorCode"] == "sale_not_started"

    standard = next(
        c for c in events["Pop & Soul Night"]["ticket_config"] if c["name"] == "Standard"
    )
    accepted = order(standard)
    assert accepted.status_code in (200, 201), accepted.text


# --- the command line --------------------------------------------------------------------


def boxoffice(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BOXOFFICE, *map(str, args)], capture_output=True, text=True, encoding="utf-8", timeout=120
    )


@pytest.mark.end2end
def test_catalog_import_and_export_commands(tmp_path):
    data_dir = tmp_path / "data"
    imported = boxoffice("catalog", "import", DEMO, "--data-dir", data_dir)
    assert imported.returncode == 0, imported.stderr
    assert "7 created" in imported.stdout and "362 seats" in imported.stdout

    exported = boxoffice("catalog", "export", "--data-dir", data_dir)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert document["format"] == "boxoffice-catalog/1"
    assert [o["name"] for o in document["organizers"]] == ["demo"]
    assert len(document["events"]) == 7

    out = tmp_path / "catalog.json"
    written = boxoffice("catalog", "export", "--out", out, "--data-dir", data_dir)
    assert written.returncode == 0, written.stderr
    assert json.loads(out.read_text("utf-8")) == document

    # the export re-imports onto itself without duplicating
    again = boxoffice("catalog", "import", out, "--data-dir", data_dir)
    assert again.returncode == 0, again.stderr
    assert "events: 0 created, 7 replaced, 0 skipped" in again.stdout


@pytest.mark.end2end
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ('{"format": ', "is not valid JSON"),
        ('{"format": "boxoffice-catalog/1", "events": [{"organizer": "x"}]}', "events[0].name"),
        (
            '{"format": "boxoffice-catalog/1", "events": [{"organizer": "nobody", "name": "A",'
            ' "start_at": "now", "end_at": "now+1h"}]}',
            "events[0].organizer: no organizer 'nobody'",
        ),
    ],
    ids=["missing", "not-json", "invalid", "unknown-organizer"],
)
def test_catalog_import_reports_bad_files_in_one_line(tmp_path, content, expected):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = boxoffice("catalog", "import", path, "--data-dir", tmp_path / "data")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("boxoffice: ") and expected in result.stderr
