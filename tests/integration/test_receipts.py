"""Receipts over real HTTP: a cash sale, a discount, two tax rates, a split payment and a
refund, read back with pdftotext; the QR on the receipt decodes to the order code."""

from __future__ import annotations

import contextlib
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select

from boxoffice.server.db.models import Order, Organizer, Payment, Ticket
from boxoffice.server.db.models.refund import Refund, refund_ticket
from boxoffice.server.errors import Conflict
from boxoffice.server.services.receipts import tax_included
from tests.helpers import factories as f
from tests.helpers.qr import decode_qr, rasterise, require_tools
from tests.integration.test_order_rules import assert_error


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "receipt.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split())  # one line: easy to look for "TOTAL €55.00"


def setup_event(live_server, configs: list[dict[str, Any]]) -> dict[str, Any]:
    ids = f.make_event(live_server.state, configs=configs)
    with f.write_session(live_server.state) as session:
        org = session.scalar(select(Organizer).where(Organizer.name == "demo"))
        assert org is not None
        org.address = "Stadthalle Demo GmbH\nHauptplatz 1\n1010 Wien"
        org.vat_id = "ATU12345678"
    f.make_user(live_server.state, "cashier")
    return ids


def sell_cash(
    client: httpx.Client,
    staff: dict[str, str],
    items: list[dict[str, Any]],
    tendered: Any,
    live_server: Any = None,
) -> dict[str, Any]:
    """A cash sale at `f.COUNTER` (its shift opened first when `live_server` is given and
    none is open)."""
    if live_server is not None:
        with contextlib.suppress(Conflict):  # open already
            f.open_shift(live_server.state)
    response = client.post(
        "/event/v1/order", headers=staff, json={"order_item": items, "format": "PDF"}
    )
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()["data"]
    paid = client.post(
        "/payment/v1/payment",
        headers=f.at_counter(staff),
        params={"order_id": order["id"], "type": "cash"},
        json={"tendered": tendered},
    )
    assert paid.status_code in (200, 201), paid.text
    return order


def receipt(client, headers, order_id: int, **params: Any) -> httpx.Response:
    return client.get(f"/event/v1/order/{order_id}/receipt", headers=headers, params=params)


def test_tax_included_is_exact_per_rate():
    assert tax_included(12100, 2100) == 2100  # 121.00 incl. 21 % → 21.00
    assert tax_included(2900, 1300) == 334  # 29.00 incl. 13 % → 3.336… → 3.34
    assert tax_included(1000, 0) == 0
    assert tax_included(1, 1000) == 0  # 0.0909… cents


def test_cash_sale_receipt_roll_and_a4(live_server, client, tmp_path):
    ids = setup_event(
        live_server, [{"name": "Standard", "face_value": "29", "quantity": 10, "tax_rate": "13"}]
    )
    staff = f.login(client, "cashier")
    order = sell_cash(
        client, staff, [{"ticket_config_id": ids["config_ids"][0], "quantity": 2}], 60, live_server
    )
    roll = receipt(client, staff, order["id"])
    assert roll.status_code == 200, roll.text
    assert roll.headers["content-type"] == "application/pdf"
    assert f"receipt-{order['code']}" in roll.headers["content-disposition"]
    text = pdf_text(roll.content, tmp_path)
    assert "Stadthalle Demo GmbH" in text and "ATU12345678" in text and "Hauptplatz 1" in text
    assert "2 × Standard" in text and "€58.00" in text
    assert "TOTAL €58.00" in text
    # 58.00 incl. 13 %: 6.672… → 6.67, net 51.33
    assert "incl. VAT 13 % on €58.00 €6.67" in text
    assert "net 13 % €51.33" in text
    assert "Cash €58.00" in text and "Tendered €60.00" in text and "Change €2.00" in text
    assert f"Order {order['code']}" in text
    assert "Cashier cashier" in text and f"Counter {f.COUNTER}" in text
    require_tools()
    (tmp_path / "roll").mkdir()
    pages = rasterise(roll.content, tmp_path / "roll", dpi=200)
    assert decode_qr(pages[0]) == [order["code"]]
    a4 = receipt(client, staff, order["id"], size="a4")
    assert a4.status_code == 200
    assert "TOTAL €58.00" in pdf_text(a4.content, tmp_path)
    (tmp_path / "a4").mkdir()
    assert decode_qr(rasterise(a4.content, tmp_path / "a4")[0]) == [order["code"]]
    assert_error(receipt(client, staff, order["id"], size="letter"), 422, "invalid_size")
    # the owner may, a stranger may not (404: ids do not leak)
    assert_error(receipt(client, f.guest(client), order["id"]), 404, "order_not_found")


def test_discount_and_two_tax_rates_in_one_order(live_server, client, tmp_path):
    ids = setup_event(
        live_server,
        [
            {"name": "Concert", "face_value": "40", "quantity": 10, "tax_rate": "13"},
            {"name": "Dinner", "face_value": "30", "quantity": 10, "tax_rate": "20"},
        ],
    )
    concert, dinner = ids["config_ids"]
    with f.write_session(live_server.state) as session:
        from boxoffice.sdk.models import events as ev
        from boxoffice.server.db.models import Event
        from boxoffice.server.services import catalog
        from boxoffice.server.services.actors import SYSTEM

        event = session.get(Event, ids["event_id"])
        assert event is not None
        discount = catalog.create_discount(
            session,
            SYSTEM,
            event,
            ev.CreateDiscountRequest(
                name="Student", type="percentage", value=25, ticket_config_ids=[concert]
            ),
            live_server.state.clock(),
        )
        discount_id = discount.id
    staff = f.login(client, "cashier")
    order = sell_cash(
        client,
        staff,
        [
            {"ticket_config_id": concert, "quantity": 2, "ticket_discount": [discount_id]},
            {"ticket_config_id": dinner, "quantity": 1},
        ],
        100,
        live_server,
    )
    text = pdf_text(receipt(client, staff, order["id"]).content, tmp_path)
    assert "2 × Concert €60.00" in text
    assert "2 × €40.00, discount −€10.00 each (Student)" in text
    assert "1 × Dinner €30.00" in text
    assert "TOTAL €90.00" in text
    # 60.00 incl. 13 % → 6.90 (6.9026…); 30.00 incl. 20 % → 5.00
    assert "incl. VAT 13 % on €60.00 €6.90" in text
    assert "incl. VAT 20 % on €30.00 €5.00" in text
    assert "VAT total €11.90" in text


def test_split_payment_and_refund_receipts(live_server, client, tmp_path):
    ids = setup_event(
        live_server, [{"name": "Standard", "face_value": "25", "quantity": 10, "tax_rate": "10"}]
    )
    staff = f.login(client, "cashier")
    order = sell_cash(
        client, staff, [{"ticket_config_id": ids["config_ids"][0], "quantity": 2}], 50, live_server
    )
    now = live_server.state.clock()
    # As a split payment stores it: two succeeded payments, 20.00 cash and 30.00 card.
    with f.write_session(live_server.state) as session:
        cash = session.scalar(select(Payment).where(Payment.order_id == order["id"]))
        assert cash is not None
        cash.amount, cash.tendered, cash.change = 2000, 2000, 0
        session.add(
            Payment(
                order_id=order["id"],
                provider="stripe",
                type="card",
                status="succeeded",
                amount=3000,
                currency="EUR",
                intent_id="pi_split_test",
                user_id=cash.user_id,
                created_at=now + timedelta(seconds=1),
                updated_at=now + timedelta(seconds=1),
            )
        )
    text = pdf_text(receipt(client, staff, order["id"]).content, tmp_path)
    assert "Cash €20.00" in text and "Card €30.00" in text and "TOTAL €50.00" in text
    # A refund of one ticket (as services/refunds writes it), by card.
    with f.write_session(live_server.state) as session:
        ticket = session.scalars(
            select(Ticket).where(Ticket.order_id == order["id"]).order_by(Ticket.id)
        ).first()
        assert ticket is not None
        card = session.scalar(select(Payment).where(Payment.intent_id == "pi_split_test"))
        assert card is not None
        refund = Refund(
            order_id=order["id"],
            payment_id=card.id,
            method="card",
            status="succeeded",
            amount=2500,
            currency="EUR",
            reason="Concert moved",
            user_id=card.user_id,
            created_at=now + timedelta(minutes=5),
            updated_at=now + timedelta(minutes=5),
        )
        session.add(refund)
        session.flush()
        session.execute(insert(refund_ticket).values(refund_id=refund.id, ticket_id=ticket.id))
        refund_id = refund.id
        db_order = session.get(Order, order["id"])
        assert db_order is not None
    answer = receipt(client, staff, order["id"], refund_id=refund_id)
    assert answer.status_code == 200, answer.text
    assert f"refund-{order['code']}-R-{refund_id}" in answer.headers["content-disposition"]
    text = pdf_text(answer.content, tmp_path)
    assert "REFUND" in text and "1 × Standard -€25.00" in text.replace("−", "-")
    assert "TOTAL REFUNDED -€25.00" in text.replace("−", "-")
    assert "Card back €25.00" in text and "Reason: Concert moved" in text
    # 25.00 incl. 10 % → 2.27 (2.2727…)
    assert "incl. VAT 10 % on -€25.00 -€2.27" in text.replace("−", "-")
    assert_error(receipt(client, staff, order["id"], refund_id=9999), 404, "refund_not_found")


def test_no_receipt_before_payment(live_server, client):
    ids = setup_event(live_server, [{"name": "Standard", "face_value": "25", "quantity": 10}])
    staff = f.login(client, "cashier")
    response = client.post(
        "/event/v1/order",
        headers=staff,
        json={"order_item": [{"ticket_config_id": ids["config_ids"][0], "quantity": 1}]},
    )
    order = response.json()["data"]
    assert_error(receipt(client, staff, order["id"]), 400, "order_not_paid")


def test_tax_rate_in_the_ticket_config_api(live_server, client):
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "cashier")
    staff = f.login(client, "cashier")
    url = f"/event/v1/event/{ids['event_id']}/ticket_config"
    made = client.post(
        url,
        headers=staff,
        json={
            "name": "Reduced",
            "face_value": 12,
            "tax_rate": 12.5,
            "start_sale_at": "2026-01-01T00:00:00Z",
        },
    )
    assert made.status_code in (200, 201), made.text
    config = made.json()["data"]
    assert config["tax_rate"] == 12.5
    changed = client.patch(
        f"/event/v1/ticket_config/{config['id']}", headers=staff, json={"tax_rate": 21}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["tax_rate"] == 21
    assert_error(
        client.patch(
            f"/event/v1/ticket_config/{config['id']}", headers=staff, json={"tax_rate": 101}
        ),
        422,
        "validation_error",
        "tax_rate",
    )


def test_catalog_round_trips_tax_rate_and_the_organizers_papers(live_server):
    from boxoffice.server.services import catalog_io

    data: dict[str, Any] = {
        "format": "boxoffice-catalog/1",
        "organizers": [
            {
                "name": "hall",
                "display_name": "The Hall",
                "currency": "EUR",
                "address": "The Hall Ltd\nMain Street 1\n1010 Wien",
                "vat_id": "ATU99999999",
            }
        ],
        "events": [
            {
                "organizer": "hall",
                "name": "Talk",
                "start_at": "2027-03-01T19:00:00+01:00",
                "end_at": "2027-03-01T21:00:00+01:00",
                "timezone_name": "Europe/Vienna",
                "ticket_configs": [
                    {"name": "Seat", "face_value": "20", "tax_rate": "13"},
                    {"name": "Dinner", "face_value": "30", "tax_rate": "12.5"},
                    {"name": "Free", "face_value": "0"},
                ],
            }
        ],
    }
    now = live_server.state.clock()
    with f.write_session(live_server.state) as session:
        catalog_io.import_catalog(session, data, now=now)
    with live_server.state.read_sessions() as session:
        exported = catalog_io.export_catalog(session)
    (org,) = [o for o in exported["organizers"] if o["name"] == "hall"]
    assert org["address"] == "The Hall Ltd\nMain Street 1\n1010 Wien"
    assert org["vat_id"] == "ATU99999999"
    (event,) = [e for e in exported["events"] if e["name"] == "Talk"]
    assert [c["tax_rate"] for c in event["ticket_configs"]] == ["13", "12.5", "0"]
    # importing the export again changes nothing
    with f.write_session(live_server.state) as session:
        catalog_io.import_catalog(session, exported, now=now)
    with live_server.state.read_sessions() as session:
        assert catalog_io.export_catalog(session) == exported
    bad = {
        **data,
        "events": [
            {
                **data["events"][0],
                "ticket_configs": [{"name": "Seat", "face_value": "20", "tax_rate": "120"}],
            }
        ],
    }
    with pytest.raises(Exception, match="tax_rate"), f.write_session(live_server.state) as session:
        catalog_io.import_catalog(session, bad, now=now)


def test_refund_receipt_through_the_refund_api(live_server, client, tmp_path):
    ids = setup_event(
        live_server, [{"name": "Standard", "face_value": "29", "quantity": 10, "tax_rate": "13"}]
    )
    staff = f.login(client, "cashier")
    order = sell_cash(
        client, staff, [{"ticket_config_id": ids["config_ids"][0], "quantity": 2}], 60, live_server
    )
    with live_server.state.read_sessions() as session:
        ticket_id = session.scalars(
            select(Ticket.id).where(Ticket.order_id == order["id"]).order_by(Ticket.id)
        ).first()
    refunded = client.post(
        f"/event/v1/order/{order['id']}/refund",
        headers=f.at_counter(staff),
        json={"ticket_ids": [ticket_id], "reason": "Cannot come"},
    )
    assert refunded.status_code == 200, refunded.text
    (refund,) = refunded.json()["data"]["refunds"]
    answer = receipt(client, staff, order["id"], refund_id=refund["id"])
    assert answer.status_code == 200, answer.text
    text = pdf_text(answer.content, tmp_path)
    assert "REFUND" in text and "1 × Standard -€29.00" in text
    assert "TOTAL REFUNDED -€29.00" in text and "Cash back €29.00" in text
    assert "incl. VAT 13 % on -€29.00 -€3.34" in text  # 3.336… → 3.34
    assert f"Counter {f.COUNTER}" in text and "Reason: Cannot come" in text
    # the sale receipt of the partly refunded order is still there, unchanged
    sale = pdf_text(receipt(client, staff, order["id"]).content, tmp_path)
    assert "TOTAL €58.00" in sale
    # and its remaining ticket can be reprinted
    again = client.post(
        f"/event/v1/order/{order['id']}/reprint", headers=staff, json={"reason": "Torn"}
    )
    assert again.status_code == 200, again.text
    history = client.get(f"/event/v1/order/{order['id']}/history", headers=staff).json()["data"]
    actions = [e["action"] for e in history]
    assert actions.index("order.paid") < actions.index("order.refunded")
    assert actions.index("order.refunded") < actions.index("order.reprinted")


def test_split_payment_through_the_payment_api(live_server, client, tmp_path):
    ids = setup_event(live_server, [{"name": "Standard", "face_value": "25", "quantity": 10}])
    f.open_shift(live_server.state)
    staff = f.at_counter(f.login(client, "cashier"))
    made = client.post(
        "/event/v1/order",
        headers=staff,
        json={"order_item": [{"ticket_config_id": ids["config_ids"][0], "quantity": 2}]},
    )
    order = made.json()["data"]
    for body in ({"tendered": 20, "amount": 20}, {"tendered": 40}):
        paid = client.post(
            "/payment/v1/payment",
            headers=staff,
            params={"order_id": order["id"], "type": "cash"},
            json=body,
        )
        assert paid.status_code == 201, paid.text
    text = pdf_text(receipt(client, staff, order["id"]).content, tmp_path)
    assert "TOTAL €50.00" in text
    assert "Cash €20.00 Tendered €20.00 Change €0.00" in text
    assert "Cash €30.00 Tendered €40.00 Change €10.00" in text
    assert "incl. VAT" not in text and "VAT total" not in text  # no rate: no tax lines
    history = client.get(f"/event/v1/order/{order['id']}/history", headers=staff).json()["data"]
    actions = [e["action"] for e in history]
    assert actions[:3] == ["order.created", "order.part_paid", "order.paid"], actions
