"""Paying orders over real HTTP: free, cash, and card through the Stripe emulator; tickets
issued, downloaded as PDF and Wallet passes, their QR codes decoded."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx
import pytest

from boxoffice.server.services import ticket_codes
from boxoffice.server.stripe.emulator import EMULATED_PUBLISHABLE_KEY
from tests.helpers import factories as f
from tests.helpers.qr import qr_codes_of_pdf
from tests.integration.test_order_rules import assert_error


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


def make_order(
    client: httpx.Client, headers: dict[str, str], config: int, quantity: int = 2, **extra: Any
) -> dict[str, Any]:
    response = client.post(
        "/event/v1/order",
        headers=headers,
        json={
            "order_item": [{"quantity": quantity, "ticket_config_id": config}],
            "format": "PDF",
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def pay(
    client: httpx.Client,
    headers: dict[str, str],
    order_id: int,
    type: str = "card",
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    return client.post(
        "/payment/v1/payment",
        headers=headers,
        params={"order_id": order_id, "type": type},
        json=body or {},
    )


def confirm_card(live_server, intent: dict[str, Any], number: str) -> httpx.Response:
    """What Stripe.js does on the payment page: publishable key + client secret + card."""
    emulator = live_server.state.cards.emulator
    assert emulator is not None
    return httpx.post(
        f"{emulator.base_url}/v1/payment_intents/{intent['id']}/confirm",
        data={
            "key": EMULATED_PUBLISHABLE_KEY,
            "client_secret": intent["client_secret"],
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": number,
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": "34",
            "payment_method_data[card][cvc]": "123",
        },
        timeout=10,
    )


def test_free_order_is_paid_at_once_and_its_pdf_decodes(live_server, client, tmp_path):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Free entry", "face_value": "0", "quantity": 10}]
    )
    headers = f.guest(client)
    order = make_order(
        client,
        headers,
        ids["config_ids"][0],
        order_contact={"first_name": "Ada", "last_name": "L", "email": "ada@example.org"},
    )
    assert_error(
        client.get(f"/event/v1/order/{order['id']}/download_tickets", headers=headers),
        400,
        "order_not_paid",
    )
    paid = pay(client, headers, order["id"])
    assert paid.status_code == 201, paid.text
    body = paid.json()["data"]
    assert body["payment_intent"] is None and body["order"]["status"] == "paid"
    assert body["payment"]["provider"] == "free"
    pdf = client.get(f"/event/v1/order/{order['id']}/download_tickets", headers=headers)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].endswith('.pdf"')
    pages = qr_codes_of_pdf(pdf.content, tmp_path)
    assert len(pages) == 2 and all(len(codes) == 1 for codes in pages)
    with live_server.state.read_sessions() as session:
        from boxoffice.server.db.models import Ticket

        issued = [t.qr_payload for t in session.query(Ticket).order_by(Ticket.id)]
    assert [codes[0] for codes in pages] == issued
    # Each code verifies offline with the event's public key.
    from boxoffice.server.db.models import EventSigningKey

    with live_server.state.read_sessions() as session:
        key = session.get(EventSigningKey, ids["event_id"])
        assert key is not None
        public = ticket_codes.load_public_key(key.public_pem)
    verified = ticket_codes.verify_payload(issued[0], lambda _: public)
    assert verified.event_id == ids["event_id"]
    assert_error(pay(client, headers, order["id"]), 400, "order_already_paid")
    # Someone else may not download them.
    assert_error(
        client.get(f"/event/v1/order/{order['id']}/download_tickets", headers=f.guest(client)),
        404,
        "order_not_found",
    )


def test_cash_at_the_counter(live_server, client):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Adult", "face_value": "12.50", "quantity": 10}]
    )
    f.make_user(live_server.state, "cashier", role="staff")
    staff = f.at_counter(f.login(client, "cashier"))
    f.open_shift(live_server.state)
    order = make_order(client, staff, ids["config_ids"][0])
    assert_error(
        pay(client, f.guest(client), order["id"], "cash", {"tendered": 50}), 404, "order_not_found"
    )
    assert_error(
        pay(client, staff, order["id"], "cash", {"tendered": 20}),
        422,
        "insufficient_cash",
        "tendered",
    )
    assert_error(pay(client, staff, order["id"], "cash"), 422, "tendered_required")
    paid = pay(client, staff, order["id"], "cash", {"tendered": 30})
    assert paid.status_code == 201, paid.text
    payment = paid.json()["data"]["payment"]
    assert (payment["amount"], payment["tendered"], payment["change"]) == (25.0, 30.0, 5.0)
    assert paid.json()["data"]["order"]["status"] == "paid"


def test_only_card_and_cash_may_be_asked_for_and_a_free_order_needs_neither(live_server, client):
    ids = f.make_event(
        live_server.state,
        configs=[
            {"name": "Adult", "face_value": "12.50", "quantity": 10},
            {"name": "Free entry", "face_value": "0", "quantity": 10},
        ],
    )
    headers = f.guest(client)
    order = make_order(client, headers, ids["config_ids"][0])
    for type in ("free", "bogus", "CARD"):
        body = assert_error(
            pay(client, headers, order["id"], type), 422, "unsupported_payment_type", "type"
        )
        offered = "use card, card_present or cash."
        assert body["message"] == f"Payment type {type!r} is not offered here; {offered}"
    free = make_order(client, headers, ids["config_ids"][1])
    paid = pay(client, headers, free["id"], "bogus")
    assert paid.status_code == 201, paid.text
    data = paid.json()["data"]
    assert data["order"]["status"] == "paid"
    assert (data["payment"]["provider"], data["payment"]["type"]) == ("free", "free")


def test_guests_cannot_pay_cash(live_server, client):
    ids = f.make_event(live_server.state)
    headers = f.guest(client)
    order = make_order(client, headers, ids["config_ids"][0])
    assert_error(
        pay(client, headers, order["id"], "cash", {"tendered": 100}), 403, "permission_denied"
    )


def test_card_payment_through_the_emulator(live_server, client):
    ids = f.make_event(live_server.state)
    headers = f.guest(client)
    order = make_order(client, headers, ids["config_ids"][0])
    first = pay(client, headers, order["id"])
    assert first.status_code == 200, first.text
    body = first.json()["data"]
    assert body["publishable_key"] == EMULATED_PUBLISHABLE_KEY
    assert body["stripe_js_url"].endswith("/js.stripe.com/v3/")  # the emulator's Stripe.js
    intent = body["payment_intent"]
    assert intent["amount"] == 5000 and intent["currency"] == "eur"
    assert intent["livemode"] is False and intent["client_secret"].startswith(intent["id"])
    assert body["order"]["status"] == "payment_processing"
    # Asking again never makes a second intent.
    again = pay(client, headers, order["id"]).json()["data"]["payment_intent"]
    assert again["id"] == intent["id"]
    # A declined card: the order can be paid again.
    declined = confirm_card(live_server, intent, "4000000000000341")
    assert declined.status_code == 402
    state = client.post(
        "/payment/v1/payment/reconcile", headers=headers, params={"order_id": order["id"]}
    ).json()["data"]
    assert (state["status"], state["box_office_status"]) == ("payment_processing", "declined")
    retry = pay(client, headers, order["id"]).json()["data"]["payment_intent"]
    assert retry["id"] == intent["id"]
    assert confirm_card(live_server, retry, "4242424242424242").status_code == 200
    done = client.post(
        "/payment/v1/payment/reconcile", headers=headers, params={"order_id": order["id"]}
    )
    assert done.json()["data"]["status"] == "paid"
    pdf = client.get(
        f"/event/v1/order/{order['id']}/download_tickets",
        headers=headers,
        params={"size": "ticket"},
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_pkpass_download(live_server, client):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Free", "face_value": "0", "quantity": 5}]
    )
    headers = f.guest(client)
    response = client.post(
        "/event/v1/order",
        headers=headers,
        json={
            "order_item": [{"quantity": 2, "ticket_config_id": ids["config_ids"][0]}],
            "format": "PKPASS",
        },
    )
    order = response.json()["data"]
    pay(client, headers, order["id"])
    bundle = client.get(f"/event/v1/order/{order['id']}/download_tickets", headers=headers)
    assert bundle.headers["content-type"] == "application/vnd.apple.pkpasses"
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert len(archive.namelist()) == 2
    tickets = client.get(f"/event/v1/order/{order['id']}", headers=headers)
    assert tickets.json()["data"]["status"] == "paid"


def test_seats_without_a_hold_token_are_booked_at_payment(live_server, client):
    ids = f.make_event(
        live_server.state,
        name="Hall",
        configs=[
            {"name": "Stalls", "face_value": "0", "quantity": None, "seat_category": "stalls"}
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="A", per_row=4)
    alice, bob = f.guest(client), f.guest(client)
    seats = {"selected_seats": ["A-1", "A-2"]}
    first = client.post(
        "/event/v1/order",
        headers=alice,
        json={"order_item": [{"quantity": 2, "ticket_config_id": ids["config_ids"][0], **seats}]},
    ).json()["data"]
    second = client.post(
        "/event/v1/order",
        headers=bob,
        json={"order_item": [{"quantity": 2, "ticket_config_id": ids["config_ids"][0], **seats}]},
    ).json()["data"]
    assert pay(client, alice, first["id"]).status_code == 201
    assert_error(pay(client, bob, second["id"]), 409, "seat_taken")
    seat_map = client.get(f"/event/v1/event/{ids['event_id']}/seat_map").json()["data"]
    status = {s["label"]: s["status"] for s in seat_map["seats"]}
    assert status["A-1"] == status["A-2"] == "booked" and status["A-3"] == "free"


def test_a_failing_confirmation_never_undoes_the_sale(live_server, client):
    from boxoffice.server.services.issuing import Issuing

    def broken_signer():  # e.g. an unreadable pass certificate
        raise OSError("pass certificate unreadable")

    live_server.state.issuing = Issuing(broken_signer, "Box Office <t@example.org>")
    ids = f.make_event(
        live_server.state, configs=[{"name": "Free", "face_value": "0", "quantity": 5}]
    )
    headers = f.guest(client)
    order = client.post(
        "/event/v1/order",
        headers=headers,
        json={
            "order_item": [{"quantity": 1, "ticket_config_id": ids["config_ids"][0]}],
            "format": "PKPASS",
            "order_contact": {"first_name": "A", "last_name": "B", "email": "a@example.org"},
        },
    ).json()["data"]
    paid = pay(client, headers, order["id"])
    assert paid.status_code == 201, paid.text
    assert paid.json()["data"]["order"]["status"] == "paid"
    pdf = client.get(
        f"/event/v1/order/{order['id']}/download_tickets", headers=headers, params={"format": "pdf"}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
