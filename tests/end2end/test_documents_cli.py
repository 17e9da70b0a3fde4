"""`boxoffice receipt`, `reprint`, `reissue` and `history` against a real venue server."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from boxoffice.cli.output import ExitCode
from boxoffice.server.db.models import Ticket
from boxoffice.server.db.models.ticket import REVOKED
from boxoffice.server.services import wallet
from tests.end2end.test_sale_cli import CONTACT, cli, credentials_file, paid_event, sign_in  # noqa: F401
from tests.helpers import factories as f
from tests.helpers.qr import decode_qr, rasterise, require_tools

pytestmark = pytest.mark.end2end


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split())


def test_receipt_reprint_reissue_and_history(cli, live_server, tmp_path):  # noqa: F811
    event_id, config_id = paid_event(live_server, tax_rate="13")
    sign_in(cli, live_server)
    f.open_shift(live_server.state)
    user = ("--user", "cashier", "--counter", f.COUNTER)
    sale = cli(
        "sell", str(event_id), str(config_id), "--qty", "2", "--pay", "cash",
        "--contact", CONTACT, "--out", str(tmp_path / "sale"), "--json", *user,
    )  # fmt: skip
    assert sale.code == ExitCode.OK, sale.err
    code = sale.json()["order"]["code"]

    receipt = cli("receipt", code, "--out", str(tmp_path / "r.pdf"), "--json", *user)
    assert receipt.code == ExitCode.OK, receipt.err
    text = pdf_text(tmp_path / "r.pdf")
    assert "TOTAL €50.00" in text and "incl. VAT 13 % on €50.00 €5.75" in text
    require_tools()
    (tmp_path / "png").mkdir()
    assert decode_qr(rasterise((tmp_path / "r.pdf").read_bytes(), tmp_path / "png")[0]) == [code]
    a4 = cli("receipt", code, "--size", "a4", "--out", str(tmp_path / "a4.pdf"), *user)
    assert a4.code == ExitCode.OK, a4.err
    assert "saved to" in a4.out

    with live_server.state.read_sessions() as session:
        tickets = list(session.scalars(select(Ticket).order_by(Ticket.id)))
        first, second = tickets[0].code, tickets[1].code
    reprint = cli(
        "reprint", code, "--reason", "Wet", "--tickets", first, "--out", str(tmp_path / "rp"),
        "--json", *user,
    )  # fmt: skip
    assert reprint.code == ExitCode.OK, reprint.err
    assert reprint.json()["copies"] == {first: 1}
    assert "REPRINT 1" in pdf_text(Path(reprint.json()["file"]))

    reissue = cli(
        "reissue", code, "--tickets", second, "--reason", "Lost", "--out", str(tmp_path / "new"),
        "--json", *user,
    )  # fmt: skip
    assert reissue.code == ExitCode.OK, reissue.err
    result = reissue.json()
    assert result["revoked"] == [second] and len(result["new"]) == 1
    assert Path(result["files"][0]).read_bytes().startswith(b"%PDF")
    with live_server.state.read_sessions() as session:
        old = session.scalar(select(Ticket).where(Ticket.code == second))
        assert old is not None and old.status == REVOKED
        assert wallet.check_payload(session, old.qr_payload).reason == wallet.REASON_REVOKED

    unknown = cli("reissue", code, "--tickets", "NOPE", "--reason", "Lost", *user)
    assert unknown.code == ExitCode.REFUSED and "not a ticket of order" in unknown.err

    history = cli("history", code, *user)
    assert history.code == ExitCode.OK, history.err
    for action in ("order.created", "order.paid", "order.reprinted", "order.reissued"):
        assert action in history.out
    as_json = cli("history", code, "--json", *user).json()
    assert as_json["history"][0]["action"] == "order.created"

    missing = cli("receipt", "ZZZZZZ", "--out", str(tmp_path / "x.pdf"), *user)
    assert missing.code == ExitCode.REFUSED and "No order ZZZZZZ" in missing.err
