"""Card payments on a Stripe Terminal reader through the real server and the emulator's
simulated readers: register and pick a reader per counter, an approved tap pays and issues
once (poll and webhook racing), a decline leaves the order payable, a cancel frees it for
cash, a reader offline and a customer who never taps get their sentences."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.sdk.declines import decline_sentence
from boxoffice.server.app import sweep_once
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.models import AuditEntry, Payment, Ticket
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error
from tests.integration.test_payments import make_order, pay

WEBHOOK_SECRET = "whsec_test_readers"
DECLINED = "4000000000000002"
NO_FUNDS = "4000000000009995"


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> ServerSettings:
    return ServerSettings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        load_demo=False,
        sweep_interval_seconds=3600,
        stripe_webhook_secret=WEBHOOK_SECRET,
        reader_timeout_seconds=60,
    )


@pytest.fixture
def client(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        yield http


@pytest.fixture
def desk(live_server: Any, client: httpx.Client) -> dict[str, Any]:
    """A cashier at the test counter with an open shift and a training reader picked for it."""
    f.make_user(live_server.state, "cashier", role="staff")
    f.open_shift(live_server.state)
    headers = f.at_counter(f.login(client, "cashier"))
    reader = client.post(
        "/payment/v1/reader",
        headers=headers,
        json={"registration_code": "simulated-wpe", "label": "Till 1 reader", "counter": f.COUNTER},
    )
    assert reader.status_code == 201, reader.text
    ids = f.make_event(live_server.state)
    return {"headers": headers, "reader": reader.json()["data"], "config": ids["config_ids"][0]}


def start(client: httpx.Client, desk: dict[str, Any], **body: Any) -> httpx.Response:
    order = make_order(client, desk["headers"], desk["config"])  # 2 × 25 = 50
    return client.post(
        "/payment/v1/payment",
        headers=desk["headers"],
        params={"order_id": order["id"], "type": "card_present"},
        json=body,
    )


def check(client: httpx.Client, desk: dict[str, Any], order_id: int) -> dict[str, Any]:
    answer = client.post(
        "/payment/v1/payment/reader/check", headers=desk["headers"], params={"order_id": order_id}
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def tap(client: httpx.Client, desk: dict[str, Any], card: str | None = None) -> httpx.Response:
    return client.post(
        f"/payment/v1/reader/{desk['reader']['id']}/present",
        headers=desk["headers"],
        json={"card_number": card} if card else {},
    )


def tickets_of(live_server: Any, order_id: int) -> int:
    with live_server.state.read_sessions() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.order_id == order_id)
            )
            or 0
        )


def test_register_list_and_pick_a_reader_per_counter(live_server, client, desk):
    headers = desk["headers"]
    assert desk["reader"]["device_type"] == "simulated_wisepos_e"
    assert (desk["reader"]["status"], desk["reader"]["counter"]) == ("online", f.COUNTER)
    second = client.post(
        "/payment/v1/reader",
        headers=headers,
        json={"registration_code": "simulated-s700", "label": "Spare"},
    ).json()["data"]
    assert second["counter"] is None
    moved = client.patch(
        f"/payment/v1/reader/{second['id']}", headers=headers, json={"counter": f.COUNTER}
    )
    assert moved.status_code == 200, moved.text
    listed = {r["id"]: r for r in client.get("/payment/v1/reader", headers=headers).json()["data"]}
    assert listed[second["id"]]["counter"] == f.COUNTER
    assert listed[desk["reader"]["id"]]["counter"] is None  # a counter has one reader
    assert all(r["status"] == "online" and r["registered"] for r in listed.values())
    bad = client.post(
        "/payment/v1/reader",
        headers=headers,
        json={"registration_code": "purple-cat-ten", "label": "X"},
    )
    assert_error(bad, 422, "invalid_registration_code", "registration_code")
    guest = f.guest(client)
    assert client.get("/payment/v1/reader", headers=guest).status_code == 403


def test_an_approved_tap_pays_and_issues_once(live_server, client, desk):
    started = start(client, desk)
    assert started.status_code == 200, started.text
    data = started.json()["data"]
    order_id = data["order"]["id"]
    assert data["payment"]["type"] == "card_present"
    assert data["payment_intent"]["payment_method_types"] == ["card_present"]
    assert data["reader"]["action"]["status"] == "in_progress"
    assert data["order"]["box_office_status"] == "payment_processing"
    assert check(client, desk, order_id)["state"] == "waiting"
    # The desk asks again (a lost answer): the same attempt, no second intent.
    again = client.post(
        "/payment/v1/payment",
        headers=desk["headers"],
        params={"order_id": order_id, "type": "card_present"},
        json={},
    ).json()["data"]
    assert again["payment"]["id"] == data["payment"]["id"]
    assert tap(client, desk).status_code == 200
    done = check(client, desk, order_id)
    assert (done["state"], done["message"]) == ("succeeded", None)
    assert done["order"]["box_office_status"] == "paid"
    assert tickets_of(live_server, order_id) == 2
    assert check(client, desk, order_id)["state"] == "succeeded"
    assert tickets_of(live_server, order_id) == 2


@pytest.mark.parametrize(
    ("card", "code"), [(DECLINED, "generic_decline"), (NO_FUNDS, "insufficient_funds")]
)
def test_a_decline_leaves_the_order_payable(live_server, client, desk, card, code):
    data = start(client, desk).json()["data"]
    order_id = data["order"]["id"]
    assert tap(client, desk, card).status_code == 200
    declined = check(client, desk, order_id)
    assert (declined["state"], declined["decline_code"]) == ("declined", code)
    assert declined["message"] == decline_sentence(code)
    assert declined["order"]["box_office_status"] == "declined"
    assert tickets_of(live_server, order_id) == 0
    # Another card on the reader: a new attempt, the declined intent canceled.
    retry = client.post(
        "/payment/v1/payment",
        headers=desk["headers"],
        params={"order_id": order_id, "type": "card_present"},
        json={},
    ).json()["data"]
    assert retry["payment"]["id"] != data["payment"]["id"]
    gateway = live_server.state.cards.gateway()
    assert gateway.retrieve_intent(data["payment_intent"]["id"]).status == "canceled"
    tap(client, desk)
    assert check(client, desk, order_id)["state"] == "succeeded"
    assert tickets_of(live_server, order_id) == 2


def test_cancel_stops_the_reader_and_the_order_goes_to_cash(live_server, client, desk):
    data = start(client, desk).json()["data"]
    order_id = data["order"]["id"]
    canceled = client.post(
        "/payment/v1/payment/reader/cancel", headers=desk["headers"], params={"order_id": order_id}
    )
    assert canceled.status_code == 200, canceled.text
    body = canceled.json()["data"]
    assert (body["state"], body["message"]) == ("canceled", decline_sentence("canceled"))
    assert body["order"]["box_office_status"] == "draft"
    gateway = live_server.state.cards.gateway()
    assert gateway.retrieve_reader(desk["reader"]["id"]).action is None
    assert gateway.retrieve_intent(data["payment_intent"]["id"]).status == "canceled"
    assert_error(tap(client, desk), 400, "reader_not_waiting")
    cash = pay(client, desk["headers"], order_id, "cash", {"tendered": 50})
    assert cash.status_code == 201, cash.text
    assert cash.json()["data"]["order"]["status"] == "paid"


def test_a_tap_before_the_cancel_wins_and_nothing_is_lost(live_server, client, desk):
    order_id = start(client, desk).json()["data"]["order"]["id"]
    tap(client, desk)  # the customer was quicker than the cashier's Esc
    canceled = client.post(
        "/payment/v1/payment/reader/cancel", headers=desk["headers"], params={"order_id": order_id}
    ).json()["data"]
    assert canceled["state"] == "succeeded"
    assert canceled["order"]["box_office_status"] == "paid"
    assert tickets_of(live_server, order_id) == 2


def test_a_reader_offline_gives_its_sentence(live_server, client, desk):
    emulator = live_server.state.cards.emulator
    emulator.set_reader_online(desk["reader"]["id"], False)
    refused = start(client, desk)
    assert_error(refused, 409, "reader_offline")
    assert refused.json()["message"] == decline_sentence("terminal_reader_offline")
    emulator.set_reader_online(desk["reader"]["id"], True)
    order_id = refused.request.url.params.get("order_id")
    assert order_id is not None
    # Nothing of the refused start stayed: the same order starts cleanly now.
    ok = client.post(
        "/payment/v1/payment",
        headers=desk["headers"],
        params={"order_id": order_id, "type": "card_present"},
        json={},
    )
    assert ok.status_code == 200, ok.text
    emulator.set_reader_online(desk["reader"]["id"], False)  # gone while waiting
    waiting = check(client, desk, int(order_id))
    assert waiting["state"] == "reader_offline"
    assert waiting["message"] == decline_sentence("terminal_reader_offline")


def test_a_customer_who_never_taps_times_out(live_server, client, desk):
    data = start(client, desk).json()["data"]
    order_id = data["order"]["id"]
    live_server.clock.advance(seconds=61)
    over = check(client, desk, order_id)
    assert (over["state"], over["message"]) == ("timed_out", decline_sentence("timed_out"))
    assert over["order"]["box_office_status"] == "draft"
    gateway = live_server.state.cards.gateway()
    assert gateway.retrieve_intent(data["payment_intent"]["id"]).status == "canceled"


def test_no_reader_for_the_counter_and_guests_are_refused(live_server, client, desk):
    headers = f.login(client, "cashier")  # no X-Counter: no reader picked for it
    order = make_order(client, headers, desk["config"])
    assert_error(pay(client, headers, order["id"], "card_present"), 422, "reader_required")
    guest = f.guest(client)
    mine = make_order(client, guest, desk["config"])
    assert pay(client, guest, mine["id"], "card_present").status_code == 403


@BOTH_DATABASES
def test_poll_and_webhook_racing_issue_once(live_server, client, desk):
    emulator = live_server.state.cards.emulator
    emulator.register_webhook(
        f"{live_server.base_url}/payment/v1/webhook/stripe",
        WEBHOOK_SECRET,
        events=[
            "terminal.reader.action_succeeded",
            "terminal.reader.action_failed",
            "payment_intent.succeeded",
        ],
    )
    order_id = start(client, desk).json()["data"]["order"]["id"]
    stop = threading.Event()
    states: list[str] = []

    def poll() -> None:
        with httpx.Client(base_url=live_server.base_url, timeout=30) as mine:
            while not stop.is_set():
                answer = mine.post(
                    "/payment/v1/payment/reader/check",
                    headers=desk["headers"],
                    params={"order_id": order_id},
                )
                states.append(answer.json()["data"]["state"])

    pollers = [threading.Thread(target=poll) for _ in range(4)]
    for thread in pollers:
        thread.start()
    tap(client, desk)
    deadline = time.monotonic() + 10
    while True:  # the webhooks arrive about a second later
        with live_server.state.read_sessions() as session:
            applied = session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "order.paid")
            )
        if applied and time.monotonic() > deadline - 7:
            break
        assert time.monotonic() < deadline, "never paid"
        time.sleep(0.1)
    stop.set()
    for thread in pollers:
        thread.join()
    assert "succeeded" in states
    assert tickets_of(live_server, order_id) == 2
    with live_server.state.read_sessions() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "order.paid")
            )
            == 1
        )
        payment = session.scalar(select(Payment).where(Payment.order_id == order_id))
        assert payment is not None and payment.status == "succeeded"


def test_split_refund_and_shift_report_count_the_reader(live_server, client, desk):
    headers = desk["headers"]
    order = make_order(client, headers, desk["config"])  # 2 × 25 = 50
    cash = pay(client, headers, order["id"], "cash", {"tendered": 20, "amount": 20})
    assert cash.status_code == 201, cash.text
    part = client.post(
        "/payment/v1/payment",
        headers=headers,
        params={"order_id": order["id"], "type": "card_present"},
        json={},
    ).json()["data"]
    assert part["payment"]["amount"] == 30 and part["payment_intent"]["amount"] == 3000
    tap(client, desk)
    paid = check(client, desk, order["id"])
    assert (paid["state"], paid["order"]["box_office_status"]) == ("succeeded", "paid")
    refunded = client.post(
        f"/event/v1/order/{order['id']}/refund", headers=headers, json={"reason": "show moved"}
    )
    assert refunded.status_code == 200, refunded.text
    methods = {r["method"]: r for r in refunded.json()["data"]["refunds"]}
    assert methods["card_present"]["amount"] == 30 and methods["card_present"]["status"] == (
        "succeeded"
    )
    assert methods["cash"]["amount"] == 20
    gateway = live_server.state.cards.gateway()
    assert gateway.retrieve_intent(part["payment_intent"]["id"]).amount_received == 3000
    report = client.get("/payment/v1/shift/current", headers=headers).json()["data"]
    by_method = {row["method"]: row for row in report["by_method"]}
    assert by_method["card_present"]["sales_total"] == 30
    assert by_method["card_present"]["refunds_total"] == 30
    assert by_method["cash"]["sales_total"] == 20


def test_the_sweeper_frees_a_reader_nobody_followed_up(live_server, client, desk):
    data = start(client, desk).json()["data"]  # … and the desk crashed
    live_server.clock.advance(seconds=30)
    sweep_once(live_server.state)
    gateway = live_server.state.cards.gateway()
    assert gateway.retrieve_reader(desk["reader"]["id"]).action is not None  # not yet
    live_server.clock.advance(seconds=31)
    sweep_once(live_server.state)
    assert gateway.retrieve_reader(desk["reader"]["id"]).action is None
    assert gateway.retrieve_intent(data["payment_intent"]["id"]).status == "canceled"
    assert check(client, desk, data["order"]["id"])["state"] == "timed_out"


def test_a_kiosk_pays_on_its_reader_and_may_do_nothing_of_staff(live_server, client, desk):
    staff = desk["headers"]
    made = client.post(
        "/account/v1/user",
        headers=staff,
        json={"username": "kiosk-hall", "password": f.PASSWORD, "role": "kiosk"},
    )
    assert made.status_code == 201, made.text
    customer = client.post(
        "/account/v1/user",
        json={"username": "mallory", "password": "mallory-password-1", "role": "kiosk"},
    )
    assert customer.status_code == 403  # nobody makes themselves a kiosk
    kiosk = {**f.login(client, "kiosk-hall"), "X-Counter": "Hall kiosk"}
    client.patch(
        f"/payment/v1/reader/{desk['reader']['id']}", headers=staff, json={"counter": "Hall kiosk"}
    )
    order = make_order(client, kiosk, desk["config"])
    started = pay(client, kiosk, order["id"], "card_present")
    assert started.status_code == 200, started.text
    assert tap(client, {**desk, "headers": kiosk}).status_code == 200
    done = check(client, {**desk, "headers": kiosk}, order["id"])
    assert done["order"]["box_office_status"] == "paid"
    other = make_order(client, staff, desk["config"])
    assert pay(client, kiosk, other["id"], "card_present").status_code == 404  # not its order
    unpaid = make_order(client, kiosk, desk["config"])
    assert pay(client, kiosk, unpaid["id"], "cash", {"tendered": 50}).status_code == 403
    assert client.post("/payment/v1/shift", headers=kiosk, json={"float": 10}).status_code == 403
    assert (
        client.post(
            "/payment/v1/reader",
            headers=kiosk,
            json={"registration_code": "simulated-wpe", "label": "Mine"},
        ).status_code
        == 403
    )
    listed = client.get("/event/v1/order", headers=kiosk, params={"include_not_owned": "true"})
    assert listed.status_code == 403
