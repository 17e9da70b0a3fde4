"""`boxoffice shift open|cash|report|close` and `boxoffice pay` against the live server:
a day at one counter from the command line, and what `sell --pay cash` says with no shift."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest

from boxoffice.cli.main import main
from boxoffice.cli.output import ExitCode
from boxoffice.sdk import API_URL_ENV
from tests.end2end.test_sale_cli import Result, paid_event
from tests.helpers import factories as f

COUNTER = "Box 2"


@pytest.fixture
def run(live_server, tmp_path, monkeypatch, capsys) -> Any:
    """`boxoffice WORDS… --api <live> --credentials-file <tmp> --user cashier` in process."""
    monkeypatch.delenv(API_URL_ENV, raising=False)
    monkeypatch.delenv("BOXOFFICE_COUNTER", raising=False)
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


def test_a_day_at_the_counter_from_the_command_line(run, live_server, tmp_path):
    event_id, config_id = paid_event(live_server)  # 25.00 EUR each
    refused = run("sell", str(event_id), str(config_id), "--pay", "cash")
    assert refused.code == ExitCode.REFUSED, refused.err
    assert "boxoffice shift open --counter NAME --float AMOUNT" in refused.err

    opened = run("shift", "open", "--float", "100.00", "--json")
    assert opened.code == ExitCode.OK, opened.err
    assert opened.json()["counter"] == COUNTER and opened.json()["float"] == 100
    again = run("shift", "open", "--float", "1")
    assert again.code == ExitCode.REFUSED and "already has an open shift" in again.err

    sold = run("sell", str(event_id), str(config_id), "--pay", "cash", "--out", str(tmp_path))
    assert sold.code == ExitCode.OK, sold.err

    # Split from the command line: a card order paid 20 cash + the rest by test card.
    pending = run("sell", str(event_id), str(config_id), "--qty", "2", "--json")
    assert pending.code == ExitCode.PAYMENT_INCOMPLETE
    code = pending.json()["order"]["code"]
    part = run("pay", code, "--cash", "20", "--tendered", "50")
    assert part.code == ExitCode.OK, part.err
    assert "30.00 EUR of 50.00 EUR left to pay" in part.out and "Change: 30.00 EUR" in part.out
    rest = run("pay", code, "--card", "--test-card", "4242424242424242", "--json")
    assert rest.code == ExitCode.OK, rest.err
    assert rest.json()["order"]["status"] == "paid"
    assert rest.json()["order"]["payment_method"] == "split"

    out = run("shift", "cash", "--amount", "-5.00", "--reason", "Stamps", "--json")
    assert out.code == ExitCode.OK, out.err
    assert out.json()["kind"] == "pay_out" and out.json()["expected_cash"] == 140
    with pytest.raises(SystemExit) as no_reason:
        run("shift", "cash", "--amount", "5")
    assert no_reason.value.code == ExitCode.USAGE

    x = run("shift", "report", "--json")
    assert x.code == ExitCode.OK, x.err
    data = x.json()
    assert (data["kind"], data["cash_sales"], data["pay_outs"], data["expected_cash"]) == (
        "X",
        45,
        5,
        140,
    )
    roll = tmp_path / "x.pdf"
    text = run("shift", "report", "--pdf", str(roll))
    assert text.code == ExitCode.OK and "Expected cash" in text.out and "140.00 EUR" in text.out
    assert roll.read_bytes().startswith(b"%PDF")

    a4 = tmp_path / "z-a4.pdf"
    closed = run(
        "shift",
        "close",
        "--denominations",
        "100=1,20=2",
        "--pdf",
        str(a4),
        "--size",
        "a4",
        "--json",
    )
    assert closed.code == ExitCode.OK, closed.err
    z = closed.json()
    assert (z["kind"], z["counted_cash"], z["difference"]) == ("Z", 140, 0)
    read = subprocess.run(
        ["pdftotext", "-layout", str(a4), "-"], capture_output=True, text=True, check=True
    ).stdout
    for line in ("Z REPORT", "Expected cash", "140.00 EUR", "Difference", "0.00 EUR", "-5.00 EUR"):
        assert line in read, (line, read)
    assert z["ledger_head"] in read.replace(" ", "").replace("\n", "")
    gone = run("shift", "report")
    assert gone.code == ExitCode.REFUSED and "shift open --counter NAME" in gone.err
    again = run("shift", "report", "--shift", str(z["shift"]["id"]), "--json")
    assert again.code == ExitCode.OK and again.json()["kind"] == "Z"


def test_open_needs_a_counter(run, live_server):
    refused = run("shift", "open", "--float", "10", counter=None)
    assert refused.code == ExitCode.USAGE and "--counter NAME" in refused.err


def test_pay_an_unknown_code(run, live_server):
    f.open_shift(live_server.state, COUNTER)
    refused = run("pay", "NOPE123", "--cash", "5")
    assert refused.code == ExitCode.REFUSED and "No order with code NOPE123" in refused.err
