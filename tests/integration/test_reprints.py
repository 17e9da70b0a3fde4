"""Reprints and reissues over real HTTP: the copy mark, the audit, new codes, the old ones
revoked in the ledger, and two reissues of one ticket at once ending in one."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from boxoffice.server.db.models import AuditEntry, Ticket
from boxoffice.server.db.models.ticket import REVOKED, VALID
from boxoffice.server.services import ledger, wallet
from boxoffice.server.services.ledger_store import SqlLedgerStore
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.helpers.qr import qr_codes_of_pdf
from tests.integration.test_order_rules import assert_error
from tests.integration.test_receipts import sell_cash


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "tickets.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def sold_order(live_server, client, quantity: int = 2) -> tuple[dict[str, str], dict[str, Any]]:
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "cashier")
    staff = f.login(client, "cashier")
    order = sell_cash(
        client,
        staff,
        [{"ticket_config_id": ids["config_ids"][0], "quantity": quantity}],
        100,
        live_server,
    )
    return staff, order


def tickets_of(live_server, order_id: int) -> list[Ticket]:
    with live_server.state.read_sessions() as session:
        rows = list(
            session.scalars(select(Ticket).where(Ticket.order_id == order_id).order_by(Ticket.id))
        )
        for row in rows:
            session.expunge(row)
        return rows


def test_reprint_marks_the_copy_and_is_audited(live_server, client, tmp_path):
    staff, order = sold_order(live_server, client)
    first, second = tickets_of(live_server, order["id"])
    url = f"/event/v1/order/{order['id']}/reprint"
    answer = client.post(url, headers=staff, json={"reason": "Went through the wash"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.content, tmp_path)
    assert text.count("REPRINT 1") >= 2  # both tickets, first copy
    again = client.post(
        url, headers=staff, json={"reason": "Printer jam", "ticket_ids": [second.id]}
    )
    assert again.status_code == 200, again.text
    text = pdf_text(again.content, tmp_path)
    assert "REPRINT 2" in text and "REPRINT 1" not in text
    assert second.code in text and first.code not in text
    # same codes as before: a reprint is the same ticket
    pages = qr_codes_of_pdf(again.content, tmp_path)
    assert pages == [[second.qr_payload]]
    assert [t.reprints for t in tickets_of(live_server, order["id"])] == [1, 2]
    with live_server.state.read_sessions() as session:
        audits = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "order.reprinted", AuditEntry.object_id == order["id"])
                .order_by(AuditEntry.id)
            )
        )
    assert [a.data["copies"] for a in audits] == [
        {first.code: 1, second.code: 1},
        {second.code: 2},
    ]
    assert audits[1].data["reason"] == "Printer jam" and audits[1].user_id is not None
    # staff only, a reason, tickets of this order
    assert_error(
        client.post(url, headers=staff, json={"reason": " "}), 422, "validation_error", "reason"
    )
    assert_error(
        client.post(url, headers=staff, json={"reason": "x", "ticket_ids": [99999]}),
        404,
        "ticket_not_found",
    )
    assert client.post(url, headers=staff, json={}).status_code == 422


def test_reissue_gives_new_codes_and_revokes_the_old(live_server, client, tmp_path):
    staff, order = sold_order(live_server, client)
    old, kept = tickets_of(live_server, order["id"])
    url = f"/event/v1/order/{order['id']}/reissue"
    answer = client.post(url, headers=staff, json={"reason": "Lost", "ticket_ids": [old.id]})
    assert answer.status_code == 200, answer.text
    tickets = [t for item in answer.json()["data"]["order_item"] for t in item["ticket"]]
    by_id = {t["id"]: t for t in tickets}
    assert by_id[old.id]["status"] == "revoked" and by_id[kept.id]["status"] == "valid"
    new = [t for t in tickets if t["id"] not in (old.id, kept.id)]
    assert len(new) == 1 and new[0]["status"] == "valid" and new[0]["code"] != old.code
    rows = {t.id: t for t in tickets_of(live_server, order["id"])}
    assert rows[old.id].status == REVOKED
    assert rows[new[0]["id"]].reissued_from_id == old.id
    with live_server.state.read_sessions() as session:
        entries = list(SqlLedgerStore(session).for_ticket(old.code))
        assert entries[-1].kind == ledger.INVALIDATE
        assert entries[-1].data == {"reason": "reissue", "replaced_by": new[0]["code"]}
        fresh = SqlLedgerStore(session).for_ticket(new[0]["code"])
        assert [e.kind for e in fresh] == [ledger.ISSUE]
        state = ledger.ticket_state(entries, old.code)
        assert state is not None and not state.valid
    # the download now has the kept and the new ticket, not the old one
    pdf = client.get(f"/event/v1/order/{order['id']}/download_tickets", headers=staff)
    assert pdf.status_code == 200, pdf.text
    codes = sorted(page[0] for page in qr_codes_of_pdf(pdf.content, tmp_path))
    assert codes == sorted([rows[kept.id].qr_payload, rows[new[0]["id"]].qr_payload])
    # the old one cannot be reissued or reprinted again
    assert_error(
        client.post(url, headers=staff, json={"reason": "Lost", "ticket_ids": [old.id]}),
        400,
        "ticket_not_valid",
    )
    # the door check (`boxoffice tickets verify`) on the old code and the new one
    with live_server.state.read_sessions() as session:
        check = wallet.check_payload(session, rows[old.id].qr_payload)
        assert not check.ok and check.reason == wallet.REASON_REVOKED, check
        assert "replaced by a reissued ticket" in check.message
        assert wallet.check_payload(session, rows[new[0]["id"]].qr_payload).ok


def test_reissue_is_staff_only(live_server, client):
    ids = f.make_event(live_server.state)
    guest = f.guest(client)
    order = client.post(
        "/event/v1/order",
        headers=guest,
        json={"order_item": [{"ticket_config_id": ids["config_ids"][0], "quantity": 1}]},
    ).json()["data"]
    url = f"/event/v1/order/{order['id']}/reissue"
    assert_error(
        client.post(url, headers=guest, json={"reason": "Lost", "ticket_ids": [1]}),
        403,
        "permission_denied",
    )


@BOTH_DATABASES
def test_two_reissues_of_one_ticket_at_once_make_one(live_server, client):
    staff, order = sold_order(live_server, client, quantity=1)
    (old,) = tickets_of(live_server, order["id"])
    url = f"{live_server.base_url}/event/v1/order/{order['id']}/reissue"
    barrier = threading.Barrier(6)
    answers: list[int] = []

    def reissue() -> None:
        with httpx.Client(timeout=30) as own:
            barrier.wait()
            response = own.post(url, headers=staff, json={"reason": "Lost", "ticket_ids": [old.id]})
            answers.append(response.status_code)

    threads = [threading.Thread(target=reissue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers).count(200) == 1, answers
    assert all(code in (200, 400, 409) for code in answers), answers
    rows = tickets_of(live_server, order["id"])
    assert [t.status for t in rows] == [REVOKED, VALID]
    assert rows[1].reissued_from_id == old.id
