"""Card payments end to end with the Stripe emulator: 3-D Secure, webhooks, expiry of an
unpaid intent, and many buyers paying for the same seats at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.server.app import sweep_once
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.models import Payment
from boxoffice.server.stripe.emulator import EMULATED_PUBLISHABLE_KEY
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error
from tests.integration.test_payments import confirm_card, make_order, pay

WEBHOOK_SECRET = "whsec_test_boxoffice"


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> ServerSettings:
    return ServerSettings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        load_demo=False,
        sweep_interval_seconds=3600,
        stripe_webhook_secret=WEBHOOK_SECRET,
    )


@pytest.fixture
def client(live_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


def order_status(client: httpx.Client, headers: dict[str, str], order_id: int) -> str:
    """The order's full status (`box_office_status`; `status` is the vendor's spelling)."""
    order = client.get(f"/event/v1/order/{order_id}", headers=headers).json()["data"]
    status: str = order["box_office_status"]
    return status


def test_three_d_secure_completes_after_authentication(live_server, client):
    ids = f.make_event(live_server.state)
    headers = f.guest(client)
    order = make_order(client, headers, ids["config_ids"][0])
    intent = pay(client, headers, order["id"]).json()["data"]["payment_intent"]
    needs_action = confirm_card(live_server, intent, "4000002760003184")
    assert needs_action.json()["status"] == "requires_action"
    reconciled = client.post(
        "/payment/v1/payment/reconcile", headers=headers, params={"order_id": order["id"]}
    )
    assert reconciled.json()["data"]["status"] == "payment_processing"
    emulator = live_server.state.cards.emulator
    done = httpx.post(
        f"{emulator.base_url}/v1/payment_intents/{intent['id']}/_authenticate",
        params={"success": "true"},
        data={"key": EMULATED_PUBLISHABLE_KEY, "client_secret": intent["client_secret"]},
    )
    assert done.status_code == 200, done.text
    client.post("/payment/v1/payment/reconcile", headers=headers, params={"order_id": order["id"]})
    assert order_status(client, headers, order["id"]) == "paid"


def test_webhook_marks_the_order_paid_and_forgeries_are_refused(live_server, client):
    ids = f.make_event(live_server.state)
    headers = f.guest(client)
    order = make_order(client, headers, ids["config_ids"][0])
    intent = pay(client, headers, order["id"]).json()["data"]["payment_intent"]
    emulator = live_server.state.cards.emulator
    assert emulator is not None
    emulator.register_webhook(
        f"{live_server.base_url}/payment/v1/webhook/stripe",
        WEBHOOK_SECRET,
        events=["payment_intent.succeeded"],
    )
    assert confirm_card(live_server, intent, "4242424242424242").status_code == 200
    deadline = time.monotonic() + 10
    while order_status(client, headers, order["id"]) != "paid":
        assert time.monotonic() < deadline, "the webhook never arrived"
        time.sleep(0.1)
    forged = client.post(
        "/payment/v1/webhook/stripe",
        content=b'{"type": "x"}',
        headers={"Stripe-Signature": "t=1,v1=deadbeef"},
    )
    assert_error(forged, 400, "invalid_webhook_signature")
    unsigned = client.post("/payment/v1/webhook/stripe", content=b"{}")
    assert_error(unsigned, 400, "invalid_webhook_signature")


def test_an_expired_card_order_cancels_its_intent_and_frees_its_tickets(live_server, client):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Two", "face_value": "20", "quantity": 2}]
    )
    headers = f.guest(client)
    order = make_order(client, headers, ids["config_ids"][0])
    intent = pay(client, headers, order["id"]).json()["data"]["payment_intent"]
    live_server.clock.advance(minutes=16)
    sweep_once(live_server.state)
    assert order_status(client, headers, order["id"]) == "canceled"
    assert live_server.state.cards.gateway().retrieve_intent(intent["id"]).status == "canceled"
    assert f.get_config(live_server.state, ids["config_ids"][0]).taken == 0
    # The page can no longer take the money.
    assert confirm_card(live_server, intent, "4242424242424242").status_code >= 400


@BOTH_DATABASES
async def test_many_buyers_pay_for_the_same_seats_exactly_one_wins(live_server):
    ids = f.make_event(
        live_server.state,
        name="Hall",
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"}
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="A", per_row=4)
    config = ids["config_ids"][0]
    buyers = 24
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=60) as client:
        guests = []
        for _ in range(buyers):
            login = await client.post("/account/v1/guest/login")
            guests.append({"Authorization": f"Bearer {login.json()['data']['token']}"})
        orders = []
        for headers in guests:  # unreserved seats: every one of these orders is accepted
            made = await client.post(
                "/event/v1/order",
                headers=headers,
                json={
                    "order_item": [
                        {
                            "quantity": 2,
                            "ticket_config_id": config,
                            "selected_seats": ["A-2", "A-3"],
                        }
                    ]
                },
            )
            assert made.status_code == 201, made.text
            orders.append(made.json()["data"]["id"])
        live_server.state.cards.warm_up()
        start = asyncio.Event()

        async def attempt(headers: dict[str, str], order_id: int) -> httpx.Response:
            await start.wait()
            return await client.post(
                "/payment/v1/payment",
                headers=headers,
                params={"order_id": order_id, "type": "card"},
                json={},
            )

        tasks = [asyncio.create_task(attempt(h, o)) for h, o in zip(guests, orders, strict=True)]
        await asyncio.sleep(0.05)
        start.set()
        responses = await asyncio.gather(*tasks)
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1, [r.text for r in responses if r.status_code != 409][:3]
    for response in responses:
        if response.status_code != 200:
            assert response.status_code == 409 and response.json()["errorCode"] == "seat_taken"
    with live_server.state.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 1  # one intent


def test_payment_creation_is_idempotent_with_a_key(live_server, client):
    ids = f.make_event(live_server.state)
    headers = {**f.guest(client), "Idempotency-Key": "pay-once"}
    order = make_order(client, {"Authorization": headers["Authorization"]}, ids["config_ids"][0])
    first = pay(client, headers, order["id"])
    second = pay(client, headers, order["id"])
    assert first.json() == second.json()
    assert second.headers.get("idempotent-replayed") == "true"


def _seated(live_server) -> dict[str, int]:
    ids = f.make_event(
        live_server.state,
        name="Hall",
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"}
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="A", per_row=4)
    return {"event_id": ids["event_id"], "config": ids["config_ids"][0]}


def test_a_late_card_payment_never_sells_a_seat_twice(live_server, client):
    hall = _seated(live_server)
    alice, bob = f.guest(client), f.guest(client)
    order = client.post(
        "/event/v1/order",
        headers=alice,
        json={
            "order_item": [
                {"quantity": 1, "ticket_config_id": hall["config"], "selected_seats": ["A-2"]}
            ]
        },
    ).json()["data"]
    intent = pay(client, alice, order["id"]).json()["data"]["payment_intent"]
    live_server.clock.advance(minutes=16)  # past the hold; the sweeper has not run yet
    token = client.post("/event/v1/hold_token", headers=bob).json()["data"]["hold_token"]
    taken = client.post(
        f"/event/v1/event/{hall['event_id']}/seat/hold",
        headers=bob,
        json={"objects": ["A-2"], "hold_token": token},
    )
    assert_error(taken, 409, "seat_taken")
    assert confirm_card(live_server, intent, "4242424242424242").status_code == 200
    sweep_once(live_server.state)  # finds the intent paid: the order is paid, not released
    assert order_status(client, alice, order["id"]) == "paid"
    seats = client.get(f"/event/v1/event/{hall['event_id']}/seat_map").json()["data"]["seats"]
    assert {s["label"]: s["status"] for s in seats}["A-2"] == "booked"


def test_canceling_a_failed_card_order_cancels_its_intent(live_server, client):
    ids = f.make_event(live_server.state)
    headers = f.guest(client)
    order = make_order(client, headers, ids["config_ids"][0])
    intent = pay(client, headers, order["id"]).json()["data"]["payment_intent"]
    assert confirm_card(live_server, intent, "4000000000000341").status_code == 402
    client.post("/payment/v1/payment/reconcile", headers=headers, params={"order_id": order["id"]})
    canceled = client.delete(f"/event/v1/order/{order['id']}", headers=headers)
    assert canceled.json()["data"]["box_office_status"] == "canceled", canceled.text
    assert live_server.state.cards.gateway().retrieve_intent(intent["id"]).status == "canceled"
    assert confirm_card(live_server, intent, "4242424242424242").status_code >= 400


def test_an_open_intent_keeps_its_tickets_until_it_is_settled(live_server, client):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Two", "face_value": "20", "quantity": 2}]
    )
    config = ids["config_ids"][0]
    alice = f.guest(client)
    order = make_order(client, alice, config)
    pay(client, alice, order["id"])
    live_server.clock.advance(minutes=16)
    # Order creation sweeps expired drafts when stock runs short, but not this one.
    late = client.post(
        "/event/v1/order",
        headers=f.guest(client),
        json={"order_item": [{"quantity": 1, "ticket_config_id": config}]},
    )
    assert_error(late, 409, "sold_out")
    assert order_status(client, alice, order["id"]) == "payment_processing"


def test_cash_for_an_order_with_an_open_intent_cancels_the_intent(live_server, client):
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "cashier", role="staff")
    staff = f.at_counter(f.login(client, "cashier"))
    f.open_shift(live_server.state)
    order = make_order(client, staff, ids["config_ids"][0])
    intent = pay(client, staff, order["id"]).json()["data"]["payment_intent"]
    paid = pay(client, staff, order["id"], "cash", {"tendered": 50})
    assert paid.status_code == 201, paid.text
    assert paid.json()["data"]["payment"]["change"] == 0
    assert live_server.state.cards.gateway().retrieve_intent(intent["id"]).status == "canceled"


def test_cancel_or_cash_after_the_card_went_through_finds_the_order_paid(live_server, client):
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "cashier", role="staff")
    staff = f.at_counter(f.login(client, "cashier"))
    f.open_shift(live_server.state)
    first = make_order(client, staff, ids["config_ids"][0])
    intent = pay(client, staff, first["id"]).json()["data"]["payment_intent"]
    assert confirm_card(live_server, intent, "4242424242424242").status_code == 200
    canceled = client.delete(f"/event/v1/order/{first['id']}", headers=staff)
    assert canceled.status_code == 200 and canceled.json()["data"]["status"] == "paid"
    second = make_order(client, staff, ids["config_ids"][0])
    intent = pay(client, staff, second["id"]).json()["data"]["payment_intent"]
    assert confirm_card(live_server, intent, "4242424242424242").status_code == 200
    cash = pay(client, staff, second["id"], "cash", {"tendered": 50})
    assert cash.status_code == 201, cash.text
    assert cash.json()["data"]["order"]["status"] == "paid"
    assert cash.json()["data"]["payment"]["provider"] == "stripe"


def test_an_intent_stripe_no_longer_knows_does_not_block_its_order(live_server, client):
    """The emulator forgets every intent (as after a restart): cash pays such an order,
    cancel cancels one, the sweeper releases an expired one, and reconcile makes one payable."""
    ids = f.make_event(
        live_server.state, configs=[{"name": "Four", "face_value": "20", "quantity": 4}]
    )
    config = ids["config_ids"][0]
    f.make_user(live_server.state, "cashier", role="staff")
    staff = f.at_counter(f.login(client, "cashier"))
    f.open_shift(live_server.state)
    orders = [make_order(client, staff, config, quantity=1) for _ in range(4)]
    for order in orders:
        assert pay(client, staff, order["id"]).status_code == 200
    emulator = live_server.state.cards.emulator
    assert emulator is not None
    emulator.flush()
    cash, cancel, expire, reconcile = (order["id"] for order in orders)

    paid = pay(client, staff, cash, "cash", {"tendered": 20})
    assert paid.status_code == 201, paid.text
    assert paid.json()["data"]["order"]["status"] == "paid"
    canceled = client.delete(f"/event/v1/order/{cancel}", headers=staff)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["data"]["box_office_status"] == "canceled"
    reconciled = client.post(
        "/payment/v1/payment/reconcile", headers=staff, params={"order_id": reconcile}
    )
    assert reconciled.json()["data"]["box_office_status"] == "declined", reconciled.text
    again = pay(client, staff, reconcile)  # a new card payment gets a new intent
    assert again.status_code == 200, again.text
    assert order_status(client, staff, reconcile) == "payment_processing"

    live_server.clock.advance(minutes=16)
    emulator.flush()
    sweep_once(live_server.state)
    assert order_status(client, staff, expire) == "canceled"
    assert order_status(client, staff, reconcile) == "canceled"
    assert f.get_config(live_server.state, config).taken == 1  # only the cash sale's ticket
