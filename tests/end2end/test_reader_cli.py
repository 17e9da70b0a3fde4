"""`boxoffice readers register|list|use` and `boxoffice sell --pay reader` against the live
server's simulated Stripe Terminal readers: an approved tap sells, a decline and Ctrl+C cancel
the order (unless the card went through first), and a counter without a reader says how to
pick one."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from boxoffice.cli.client import COUNTER_ENV, PASSWORD_ENV, USER_ENV
from boxoffice.cli.main import main
from boxoffice.cli.output import ExitCode
from boxoffice.credentials import FILE_ENV
from boxoffice.sdk import API_URL_ENV
from boxoffice.sdk.declines import decline_sentence
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.services.reader import ReaderService
from boxoffice.server.db.models import Order
from tests.end2end.test_sale_cli import Result, issued_payloads, paid_event
from tests.end2end.test_serve import BOXOFFICE
from tests.helpers import factories as f
from tests.helpers.live_server import LiveServer

pytestmark = pytest.mark.end2end

COUNTER = "Front desk"
APPROVED = "4242424242424242"
DECLINED = "4000000000000002"
WAITING = "Waiting for the customer to tap or insert the card… 25.00 EUR"


@pytest.fixture
def run(live_server, tmp_path, monkeypatch, capsys) -> Any:
    """`boxoffice WORDS… --api <live> --user cashier --counter "Front desk"` in process."""
    for name in (API_URL_ENV, COUNTER_ENV, USER_ENV, PASSWORD_ENV, FILE_ENV):
        monkeypatch.delenv(name, raising=False)
    f.make_user(live_server.state, "cashier", role="staff")
    credentials = tmp_path / "credentials.json"

    def call(*words: str, counter: str | None = COUNTER) -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(f.PASSWORD + "\n"))
        options = ["--api", live_server.base_url, "--credentials-file", str(credentials)]
        options += ["--user", "cashier", "--password-stdin"]
        if counter is not None:
            options += ["--counter", counter]
        code = main([*words, *options])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


def order_status(live_server: LiveServer, code: str) -> OrderStatus:
    with live_server.state.read_sessions() as session:
        status = session.scalar(select(Order.status).where(Order.code == code))
    assert status is not None, code
    return OrderStatus(status)


def latest_order(live_server: LiveServer) -> tuple[int, str]:
    with live_server.state.read_sessions() as session:
        row = session.execute(select(Order.id, Order.code).order_by(Order.id.desc())).first()
    assert row is not None
    return row[0], row[1]


def test_register_list_and_pick_a_reader_for_the_counter(run):
    desk = run("readers", "register", "simulated-wpe", "--label", "Desk reader", "--json")
    assert desk.code == ExitCode.OK, desk.err
    first = desk.json()
    assert (first["device_type"], first["status"], first["counter"]) == (
        "simulated_wisepos_e",
        "online",
        COUNTER,
    )
    spare = run("readers", "register", "simulated-s700", "--label", "Spare", counter=None)
    assert spare.code == ExitCode.OK, spare.err
    assert spare.out.startswith("Registered tmr_") and "Spare" in spare.out
    assert "no counter" in spare.out
    spare_id = spare.out.split()[1]

    picked = run("readers", "use", spare_id)
    assert picked.code == ExitCode.OK, picked.err
    assert f"Counter {COUNTER} takes cards on reader {spare_id} (Spare)." in picked.out
    listed = run("readers", "list")
    assert listed.code == ExitCode.OK, listed.err
    lines = {line.split()[0]: line for line in listed.out.splitlines()}
    assert set(lines) == {first["id"], spare_id}
    assert lines[spare_id].endswith(f"online  counter {COUNTER}")  # a counter has one reader
    assert lines[first["id"]].endswith("Desk reader  simulated_wisepos_e  online  no counter")

    freed = run("readers", "use", "--none", "--json")
    assert freed.code == ExitCode.OK, freed.err
    assert [(r["id"], r["counter"]) for r in freed.json()] == [(spare_id, None)]
    no_counter = run("readers", "use", spare_id, counter=None)
    assert no_counter.code == ExitCode.USAGE and "--counter NAME" in no_counter.err


def test_sell_on_the_counters_reader(run, live_server, tmp_path):
    event_id, config_id = paid_event(live_server)  # 25.00 EUR; no shift: cards need none
    sell = ("sell", str(event_id), str(config_id), "--pay", "reader")

    nothing = run(*sell, "--test-card", APPROVED)
    assert nothing.code == ExitCode.REFUSED, nothing.err
    assert "No card reader is set for this counter." in nothing.err
    assert "boxoffice readers use READER_ID --counter NAME" in nothing.err
    _, code = latest_order(live_server)
    assert f"Order {code} was canceled; nothing was charged." in nothing.err
    assert order_status(live_server, code) == OrderStatus.CANCELED

    assert run("readers", "register", "simulated-wpe", "--label", "Desk").code == ExitCode.OK
    sold = run(*sell, "--test-card", APPROVED, "--out", str(tmp_path), "--json")
    assert sold.code == ExitCode.OK, sold.err
    assert WAITING in sold.err
    result = sold.json()
    assert result["order"]["status"] == "paid" and result["paid_by"] == "card_present"
    pdf = Path(result["files"][0])
    assert pdf.name == f"tickets-{result['order']['code']}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert len(issued_payloads(live_server, result["order"]["id"])) == 1

    declined = run(*sell, "--test-card", DECLINED)
    assert declined.code == ExitCode.PAYMENT_INCOMPLETE, declined.err
    assert decline_sentence("generic_decline") in declined.err
    order_id, code = latest_order(live_server)
    assert f"Order {code} was canceled; nothing was charged." in declined.err
    assert order_status(live_server, code) == OrderStatus.CANCELED
    assert issued_payloads(live_server, order_id) == []
    assert declined.out == ""


def test_ctrl_c_while_waiting_stops_the_reader_and_cancels_the_order(live_server, tmp_path):
    event_id, config_id = paid_event(live_server)
    _register_over_http(live_server)
    env = {**os.environ, PASSWORD_ENV: f.PASSWORD, "PYTHONUNBUFFERED": "1"}
    for name in (API_URL_ENV, COUNTER_ENV, USER_ENV, FILE_ENV):
        env.pop(name, None)
    command = [
        *BOXOFFICE, "sell", str(event_id), str(config_id), "--pay", "reader",
        "--api", live_server.base_url, "--user", "cashier", "--counter", COUNTER,
        "--credentials-file", str(tmp_path / "credentials.json"), "--out", str(tmp_path),
    ]  # fmt: skip
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None
        first = process.stderr.readline()  # nobody taps: the command waits
        assert WAITING in first, first
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == ExitCode.PAYMENT_INCOMPLETE, err
    assert decline_sentence("canceled") in err and "Traceback" not in err
    _, code = latest_order(live_server)
    assert f"Order {code} was canceled; nothing was charged." in err
    assert order_status(live_server, code) == OrderStatus.CANCELED
    assert out == ""


def _register_over_http(live_server: LiveServer, *, make_user: bool = True) -> str:
    """A training reader picked for the counter, registered as the desk app does; its id."""
    if make_user:
        f.make_user(live_server.state, "cashier", role="staff")
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        answer = http.post(
            "/payment/v1/reader",
            headers=f.login(http, "cashier"),
            json={"registration_code": "simulated-wpe", "label": "Desk", "counter": COUNTER},
        )
    assert answer.status_code == 201, answer.text
    reader_id: str = answer.json()["data"]["id"]
    return reader_id


def test_a_card_tapped_before_the_cancel_is_a_sale(run, live_server, tmp_path, monkeypatch):
    """Ctrl+C just after the customer tapped: the cancel answers `succeeded`, the sale goes on."""
    event_id, config_id = paid_event(live_server)
    reader = _register_over_http(live_server, make_user=False)

    async def tapped_then_interrupted(self: ReaderService, order_id: int) -> None:
        with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
            headers = f.login(http, "cashier")
            tap = http.post(f"/payment/v1/reader/{reader}/present", headers=headers, json={})
            assert tap.status_code == 200, tap.text
        raise asyncio.CancelledError  # what asyncio.run delivers on Ctrl+C

    monkeypatch.setattr(ReaderService, "check_payment", tapped_then_interrupted)
    sold = run("sell", str(event_id), str(config_id), "--pay", "reader", "--out", str(tmp_path))
    assert sold.code == ExitCode.OK, sold.err
    assert "Canceling the payment on the card reader" in sold.err
    assert "paid, 1 ticket(s), total 25.00 EUR (card on a reader)" in sold.out
    _, code = latest_order(live_server)
    assert order_status(live_server, code) == OrderStatus.PAID
    assert (tmp_path / f"tickets-{code}.pdf").is_file()
