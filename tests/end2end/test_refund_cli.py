"""`boxoffice refund` against a real venue server: one ticket by its code, then the rest, the
refunded ticket failing `boxoffice tickets verify`, the sentence that says how to open a shift,
and `--event` refunding every paid order until done."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from boxoffice.cli.client import ORGANIZER_ENV, PASSWORD_ENV, USER_ENV
from boxoffice.cli.main import main
from boxoffice.cli.output import ExitCode
from boxoffice.credentials import FILE_ENV
from boxoffice.sdk import API_URL_ENV
from boxoffice.server.db.models import Ticket
from tests.end2end.test_sale_cli import CONTACT, Cli, Result, paid_event, sign_in
from tests.end2end.test_serve import BOXOFFICE
from tests.helpers import factories as f
from tests.helpers.live_server import LiveServer

pytestmark = pytest.mark.end2end


@pytest.fixture
def cli(live_server, tmp_path: Path, monkeypatch, capsys) -> Cli:
    """`boxoffice COMMAND --api <live server> --credentials-file <tmp> ARGS…` in process."""
    for name in (USER_ENV, PASSWORD_ENV, FILE_ENV, API_URL_ENV, ORGANIZER_ENV):
        monkeypatch.delenv(name, raising=False)
    credentials = tmp_path / "credentials.json"

    def run(command: str, *args: str, stdin: str = "") -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        options = ["--api", live_server.base_url, "--credentials-file", str(credentials)]
        code = main([command, *options, *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def sell_cash(cli: Cli, event_id: int, config_id: int, qty: int, out: Path) -> dict[str, Any]:
    sale = cli(
        "sell", str(event_id), str(config_id), "--qty", str(qty), "--pay", "cash",
        "--contact", CONTACT, "--user", "cashier", "--out", str(out), "--json",
        "--counter", f.COUNTER,
    )  # fmt: skip
    assert sale.code == ExitCode.OK, sale.err
    order: dict[str, Any] = sale.json()["order"]
    return order


def codes(live_server: LiveServer, order_id: int) -> list[tuple[str, str]]:
    with live_server.state.read_sessions() as session:
        rows = session.execute(
            select(Ticket.code, Ticket.qr_payload)
            .where(Ticket.order_id == order_id)
            .order_by(Ticket.id)
        )
        return [(code, payload) for code, payload in rows]


def test_refund_a_ticket_by_code_then_the_rest(cli, live_server, tmp_path):
    event_id, config_id = paid_event(live_server)
    sign_in(cli, live_server)
    f.open_shift(live_server.state)
    order = sell_cash(cli, event_id, config_id, 2, tmp_path / "out")
    (first, first_payload), (second, _) = codes(live_server, order["id"])

    # Not at the till with the open shift: the sentence says how to open one.
    away = cli(
        "refund", order["code"], "--tickets", first, "--reason", "moved",
        "--user", "cashier", "--counter", "Till 7",
    )  # fmt: skip
    assert away.code == ExitCode.REFUSED
    assert "boxoffice shift open --counter Till 7 --float AMOUNT" in away.err

    one = cli(
        "refund", order["code"], "--tickets", first.lower(), "--reason", "concert moved",
        "--user", "cashier", "--counter", f.COUNTER,
    )  # fmt: skip
    assert one.code == ExitCode.OK, one.err
    assert f"Order {order['code']}: partially refunded." in one.out
    assert "25.00 EUR back in cash for 1 ticket" in one.out

    verify = cli_tickets_verify(live_server, first_payload)
    assert verify.returncode == 1 and verify.stdout.startswith("invalid: revoked"), verify.stdout

    again = cli(
        "refund", order["code"], "--tickets", first, "--reason", "again",
        "--user", "cashier", "--counter", f.COUNTER,
    )  # fmt: skip
    assert again.code == ExitCode.REFUSED and "refunded already" in again.err

    rest = cli(
        "refund", order["code"], "--reason", "all of it", "--json",
        "--user", "cashier", "--counter", f.COUNTER,
    )  # fmt: skip
    assert rest.code == ExitCode.OK, rest.err
    data = rest.json()
    assert data["order"]["box_office_status"] == "refunded"
    assert data["refunds"][0]["amount"] == 25 and data["refunds"][0]["method"] == "cash"
    unknown = cli("refund", "NOPE99", "--reason", "x", "--user", "cashier", "--counter", f.COUNTER)
    assert unknown.code == ExitCode.REFUSED and "No order NOPE99" in unknown.err
    usage = cli("refund", "--reason", "x", "--user", "cashier")
    assert usage.code == ExitCode.USAGE
    assert codes(live_server, order["id"])[1][0] == second


def cli_tickets_verify(live_server: LiveServer, payload: str) -> subprocess.CompletedProcess[str]:
    """`boxoffice tickets verify PAYLOAD --data-dir …` in a child process, as at the door."""
    data_dir = live_server.state.settings.data_dir
    return subprocess.run(
        [*BOXOFFICE, "tickets", "verify", payload, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refund_a_whole_event_until_done(cli, live_server, tmp_path):
    event_id, config_id = paid_event(live_server)
    sign_in(cli, live_server)
    f.open_shift(live_server.state)
    orders = [sell_cash(cli, event_id, config_id, 1, tmp_path / f"o{i}") for i in range(3)]
    done = cli(
        "refund", "--event", str(event_id), "--reason", "canceled by the organizer",
        "--batch", "1", "--json", "--user", "cashier", "--counter", f.COUNTER,
    )  # fmt: skip
    assert done.code == ExitCode.OK, done.err
    data = done.json()
    assert (data["refunded_orders"], data["remaining_orders"], data["done"]) == (3, 0, True)
    for order in orders:
        with live_server.state.read_sessions() as session:
            statuses = set(
                session.scalars(select(Ticket.status).where(Ticket.order_id == order["id"]))
            )
        assert statuses == {"revoked"}
