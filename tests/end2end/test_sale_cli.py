"""The sale command line against a real venue server: sign in, sell, pay, download, and the
exit code of each kind of failure."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from boxoffice.cli.client import ORGANIZER_ENV, PASSWORD_ENV, USER_ENV
from boxoffice.cli.main import main
from boxoffice.cli.output import ExitCode
from boxoffice.credentials import FILE_ENV, open_store
from boxoffice.sdk import API_URL_ENV
from boxoffice.server.db.models import Ticket
from tests.end2end.test_serve import BOXOFFICE
from tests.helpers import factories as f
from tests.helpers.live_server import LiveServer
from tests.helpers.processes import free_port
from tests.helpers.qr import qr_codes_of_pdf

pytestmark = pytest.mark.end2end

CONTACT = "John Doe <john@example.com>"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Cli = Callable[..., Result]


@pytest.fixture
def credentials_file(tmp_path: Path) -> Path:
    return tmp_path / "credentials.json"


@pytest.fixture
def cli(live_server, credentials_file, monkeypatch, capsys) -> Cli:
    """`boxoffice COMMAND --api <live server> --credentials-file <tmp> ARGS…` in process."""
    for name in (USER_ENV, PASSWORD_ENV, FILE_ENV, API_URL_ENV, ORGANIZER_ENV):
        monkeypatch.delenv(name, raising=False)

    def run(command: str, *args: str, stdin: str = "", api: str | None = None) -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        options = [
            "--api",
            api or live_server.base_url,
            "--credentials-file",
            str(credentials_file),
        ]
        code = main([command, *options, *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def issued_payloads(live_server: LiveServer, order_id: int) -> list[str]:
    with live_server.state.read_sessions() as session:
        query = select(Ticket.qr_payload).where(Ticket.order_id == order_id).order_by(Ticket.id)
        return list(session.scalars(query))


def paid_event(live_server: LiveServer, **config: Any) -> tuple[int, int]:
    spec = {"name": "Standard", "face_value": "25", "quantity": 10, **config}
    ids = f.make_event(live_server.state, configs=[spec])
    return ids["event_id"], ids["config_ids"][0]


def sign_in(cli: Cli, live_server: LiveServer, user: str = "cashier") -> None:
    f.make_user(live_server.state, user, role="staff")
    login = cli("login", "--user", user, stdin=f.PASSWORD + "\n")
    assert login.code == ExitCode.OK, login.err
    assert f"Signed in as {user}" in login.out and "plain-text file" in login.out


def test_staff_cash_sale_makes_a_pdf_whose_qr_codes_decode(
    cli, live_server, credentials_file, tmp_path
):
    event_id, config_id = paid_event(live_server)
    sign_in(cli, live_server)
    f.open_shift(live_server.state)
    kept = open_store(credentials_file).load(live_server.base_url, "cashier")
    out = tmp_path / "out"
    sale = cli(
        "sell", str(event_id), str(config_id), "--qty", "2", "--pay", "cash",
        "--contact", CONTACT, "--user", "cashier", "--out", str(out), "--json",
        "--counter", f.COUNTER,
    )  # fmt: skip
    assert sale.code == ExitCode.OK, sale.err
    result = sale.json()
    order = result["order"]
    assert order["status"] == "paid" and order["total"] == 50 and result["paid_by"] == "cash"
    assert result["change"] == "0"
    pdf = Path(result["files"][0])
    assert pdf == out.resolve() / f"tickets-{order['code']}.pdf"
    pages = qr_codes_of_pdf(pdf.read_bytes(), tmp_path)
    assert [code for page in pages for code in page] == issued_payloads(live_server, order["id"])
    assert len(pages) == 2
    # The refresh token is single-use: the CLI kept the rotated one, so the next command works.
    rotated = open_store(credentials_file).load(live_server.base_url, "cashier")
    assert rotated and rotated != kept
    orders = cli("orders", "--user", "cashier")
    assert orders.code == ExitCode.OK, orders.err
    assert order["code"] in orders.out and "paid" in orders.out
    again = cli("download", str(order["id"]), "--user", "cashier", "--out", str(tmp_path / "dl"))
    assert again.code == ExitCode.OK, again.err
    assert Path(again.out.strip()).read_bytes().startswith(b"%PDF")


def test_logout_forgets_the_sign_in(cli, live_server, credentials_file):
    paid_event(live_server)
    sign_in(cli, live_server, "anna")
    out = cli("logout")
    assert out.code == ExitCode.OK and "Signed out anna" in out.out
    assert open_store(credentials_file).load(live_server.base_url, "anna") is None
    refused = cli("orders", "--user", "anna")
    assert refused.code == ExitCode.NOT_AUTHORIZED
    assert "boxoffice login --user anna" in refused.err
    with_password = cli("orders", "--user", "anna", "--password-stdin", stdin=f.PASSWORD + "\n")
    assert with_password.code == ExitCode.OK and with_password.out.strip() == "No orders."


def test_events_lists_the_catalog(cli, live_server):
    event_id, config_id = paid_event(live_server, name="Adult", face_value="12.50")
    listed = cli("events")
    assert listed.code == ExitCode.OK, listed.err
    assert "Concert" in listed.out and "Adult  12.50 EUR  10 left" in listed.out
    data = cli("events", "--json").json()
    assert [e["id"] for e in data] == [event_id]
    assert data[0]["ticket_config"][0]["id"] == config_id


def test_guest_cash_is_refused_with_the_servers_words(cli, live_server):
    _, config_id = paid_event(live_server)
    event_id = f.get_config(live_server.state, config_id).event_id
    refused = cli("sell", str(event_id), str(config_id), "--pay", "cash")
    assert refused.code == ExitCode.NOT_AUTHORIZED
    assert "Only box-office staff may do this." in refused.err
    assert "was canceled; nothing was charged" in refused.err
    assert "Traceback" not in refused.err
    assert f.get_config(live_server.state, config_id).taken == 0


def test_sold_out_exits_1(cli, live_server):
    event_id, config_id = paid_event(live_server, face_value="0", quantity=2)
    sold_out = cli("sell", str(event_id), str(config_id), "--qty", "3")
    assert sold_out.code == ExitCode.REFUSED
    assert sold_out.err.strip() == "boxoffice: Only 2 tickets left for Standard."


def test_an_unreachable_server_exits_3(cli):
    down = cli("events", api=f"http://127.0.0.1:{free_port()}")
    assert down.code == ExitCode.UNREACHABLE
    assert "Cannot reach the server" in down.err and "Traceback" not in down.err


def test_usage_errors_exit_2(cli, live_server, tmp_path):
    event_id, config_id = paid_event(live_server)
    with pytest.raises(SystemExit) as bad_contact:
        cli("sell", str(event_id), str(config_id), "--contact", "John")
    assert bad_contact.value.code == ExitCode.USAGE
    costly = cli("sell", str(event_id), str(config_id), "--pay", "free", "--out", str(tmp_path))
    assert costly.code == ExitCode.USAGE and "--pay free is only for free orders" in costly.err
    assert f.get_config(live_server.state, config_id).taken == 0
    wrong_event = cli("sell", str(event_id + 1), str(config_id))
    assert wrong_event.code == ExitCode.USAGE and "belongs to event" in wrong_event.err


def test_guest_card_sale_with_a_test_card_in_training_mode(cli, live_server, tmp_path):
    event_id, config_id = paid_event(live_server)
    sale = cli(
        "sell", str(event_id), str(config_id), "--qty", "2", "--test-card", "4242424242424242",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert sale.code == ExitCode.OK, sale.err
    assert "paid, 2 ticket(s), total 50.00 EUR (card)" in sale.out
    assert len(list(tmp_path.glob("tickets-*.pdf"))) == 1


def test_card_without_test_card_leaves_the_payment_to_a_page(cli, live_server, tmp_path):
    event_id, config_id = paid_event(live_server)
    pending = cli("sell", str(event_id), str(config_id), "--out", str(tmp_path / "out"))
    assert pending.code == ExitCode.PAYMENT_INCOMPLETE
    assert "client_secret: pi_" in pending.out and "publishable_key: pk_test_" in pending.out
    assert "complete the card payment on a payment page" in pending.err
    assert not (tmp_path / "out").exists()


def test_a_declined_test_card_exits_5(cli, live_server, tmp_path):
    event_id, config_id = paid_event(live_server)
    declined = cli(
        "sell", str(event_id), str(config_id), "--test-card", "4000000000000002",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert declined.code == ExitCode.PAYMENT_INCOMPLETE
    assert "was not completed: Your card was declined." in declined.err


def test_wallet_passes_and_secure_tickets(cli, live_server, tmp_path):
    event_id, config_id = paid_event(live_server, face_value="0")
    passes = cli(
        "sell", str(event_id), str(config_id), "--qty", "2", "--format", "pkpass",
        "--out", str(tmp_path), "--json",
    )  # fmt: skip
    assert passes.code == ExitCode.OK, passes.err
    bundle = Path(passes.json()["files"][0])
    assert bundle.suffix == ".pkpasses" and len(zipfile.ZipFile(bundle).namelist()) == 2
    secure = cli(
        "sell", str(event_id), str(config_id), "--format", "SECURE", "--contact", CONTACT,
        "--out", str(tmp_path / "secure"),
    )  # fmt: skip
    assert secure.code == ExitCode.OK, secure.err
    assert "SECURE tickets go to the wallet of john@example.com" in secure.out
    assert not (tmp_path / "secure").exists()


def test_the_installed_command_runs_as_a_process(live_server):
    paid_event(live_server)
    done = subprocess.run(
        [*BOXOFFICE, "events", "--api", live_server.base_url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Standard  25.00 EUR  10 left" in done.stdout
