"""`boxoffice tickets verify` and `boxoffice ledger verify` as real processes, over a data
folder a server filled: tickets sold, one transferred, one invalidated."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.models import Ticket
from boxoffice.server.db.models.ticket import INVALIDATED
from boxoffice.server.services import ledger
from boxoffice.server.services.ledger_store import SqlLedgerStore
from tests.end2end.test_serve import BOXOFFICE
from tests.helpers import factories as f
from tests.helpers.live_server import serve_in_thread

pytestmark = pytest.mark.end2end


def boxoffice(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BOXOFFICE, *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def sell_tickets(data_dir: Path) -> dict[str, Any]:
    """Three SECURE tickets for ada@example.org, the first given to bob, the third
    invalidated; returns their payloads and the owners' ids."""
    app = create_app(ServerSettings(data_dir=data_dir, load_demo=False))
    state = app.state.server
    try:
        ids = f.make_event(
            state, configs=[{"name": "Free entry", "face_value": "0", "quantity": 10}]
        )
        with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as client:
            owners = {}
            for name in ("ada", "bob"):
                created = client.post(
                    "/account/v1/user",
                    json={"username": name, "email": f"{name}@example.org", "password": f.PASSWORD},
                )
                assert created.status_code == 201, created.text
                owners[name] = created.json()["data"]["id"]
            buyer = f.guest(client)
            order = client.post(
                "/event/v1/order",
                headers=buyer,
                json={
                    "order_item": [{"quantity": 3, "ticket_config_id": ids["config_ids"][0]}],
                    "format": "SECURE",
                    "order_contact": {
                        "first_name": "Ada",
                        "last_name": "L",
                        "email": "ada@example.org",
                    },
                },
            )
            assert order.status_code == 201, order.text
            paid = client.post(
                "/payment/v1/payment",
                headers=buyer,
                params={"order_id": order.json()["data"]["id"], "type": "card"},
                json={},
            )
            assert paid.status_code == 201, paid.text
            ada = f.login(client, "ada")
            tickets = client.get("/event/v1/ticket", headers=ada).json()["data"]
            assert len(tickets) == 3
            moved = client.post(
                "/event/v1/ticket/transfer",
                headers=ada,
                json={"ids": [tickets[0]["id"]], "new_owner_id": owners["bob"]},
            )
            assert moved.status_code == 200, moved.text
        with f.write_session(state) as session:
            third = session.scalar(select(Ticket).where(Ticket.id == tickets[2]["id"]))
            assert third is not None
            third.status = INVALIDATED
            ledger.append(
                SqlLedgerStore(session),
                ledger.INVALIDATE,
                third.code,
                owners["ada"],
                None,
                at=state.clock(),
            )
    finally:
        state.engine.dispose()
    return {
        "event_id": ids["event_id"],
        "tickets": tickets,
        "owners": owners,
    }


def test_tickets_verify_and_ledger_verify(tmp_path):
    data_dir = tmp_path / "venue"
    sold = sell_tickets(data_dir)
    first, second, third = sold["tickets"]

    good = boxoffice(data_dir, "tickets", "verify", second["qr_payload"])
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.startswith(
        f"valid: ticket {second['code']}, event {sold['event_id']} (Concert), "
        f"owner {sold['owners']['ada']} (ada@example.org)"
    )
    moved = boxoffice(data_dir, "tickets", "verify", first["qr_payload"])
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert f"owner {sold['owners']['bob']} (bob@example.org)" in moved.stdout

    # One character of the signature changed (mid-signature: every bit there is signed).
    payload = second["qr_payload"]
    at = len(payload) - 40
    forged = payload[:at] + ("A" if payload[at] != "A" else "B") + payload[at + 1 :]
    bad = boxoffice(data_dir, "tickets", "verify", forged)
    assert bad.returncode == 1 and "bad_signature" in bad.stdout, bad.stdout + bad.stderr
    assert not bad.stdout.startswith("valid")

    prefix, _, rest = payload.partition(".")
    _, _, code_and_signature = rest.partition(".")
    for text, reason in (
        ("hello", "malformed"),
        (f"{prefix}.999999.{code_and_signature}", "unknown_event"),
        (third["qr_payload"], "invalidated"),
    ):
        refused = boxoffice(data_dir, "tickets", "verify", text)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert refused.stdout.startswith(f"invalid: {reason}"), refused.stdout

    # 3 issued + 1 transfer + 1 invalidation.
    ok = boxoffice(data_dir, "ledger", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("ledger OK: 5 entries, head ")
    head = ok.stdout.split("head ")[1].strip()
    assert len(head) == 64
    pinned = boxoffice(data_dir, "ledger", "verify", "--expect-head", head)
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr

    with closing(sqlite3.connect(data_dir / "boxoffice.sqlite3")) as db, db:
        db.execute("UPDATE ledger_entry SET to_owner=999 WHERE seq=1")
    broken = boxoffice(data_dir, "ledger", "verify")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert broken.stdout.startswith("ledger BROKEN at seq 1: "), broken.stdout


def test_ledger_verify_notices_cut_off_entries(tmp_path):
    data_dir = tmp_path / "venue"
    sell_tickets(data_dir)
    ok = boxoffice(data_dir, "ledger", "verify")
    head = ok.stdout.split("head ")[1].strip()
    with closing(sqlite3.connect(data_dir / "boxoffice.sqlite3")) as db, db:
        db.execute("DELETE FROM ledger_entry WHERE seq=5")
    still = boxoffice(data_dir, "ledger", "verify")
    assert still.returncode == 0 and "4 entries" in still.stdout, still.stdout
    cut = boxoffice(data_dir, "ledger", "verify", "--expect-head", head)
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert cut.stdout.startswith("ledger BROKEN at seq 5: "), cut.stdout
