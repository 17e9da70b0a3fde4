"""Split payments through the real server: one order paid by several payments (cash and
card parts); paid and issued only when the parts cover the total, never overpaid."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.server.db.models import Payment, Ticket
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error
from tests.integration.test_payments import confirm_card, make_order, pay

DECLINED = "4000000000000002"
VISA = "4242424242424242"


@pytest.fixture
def client(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        yield http


def staff(client: httpx.Client, live_server: Any) -> dict[str, str]:
    f.make_user(live_server.state, "cashier", role="staff")
    f.open_shift(live_server.state)
    return f.at_counter(f.login(client, "cashier"))


def order_of(client: httpx.Client, headers: dict[str, str], order_id: int) -> dict[str, Any]:
    data: dict[str, Any] = client.get(f"/event/v1/order/{order_id}", headers=headers).json()["data"]
    return data


def tickets_of(live_server: Any, order_id: int) -> int:
    with live_server.state.read_sessions() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.order_id == order_id)
            )
            or 0
        )


def reconcile(client: httpx.Client, headers: dict[str, str], order_id: int) -> dict[str, Any]:
    response = client.post(
        "/payment/v1/payment/reconcile", params={"order_id": order_id}, headers=headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@BOTH_DATABASES
def test_card_part_then_cash_rest(live_server, client):
    ids = f.make_event(live_server.state)
    headers = staff(client, live_server)
    order = make_order(client, headers, ids["config_ids"][0])  # 2 × 25 = 50
    intent = pay(client, headers, order["id"], "card", {"amount": 30}).json()["data"]
    assert intent["payment"]["amount"] == 30 and intent["payment_intent"]["amount"] == 3000
    assert confirm_card(live_server, intent["payment_intent"], VISA).status_code == 200
    part = reconcile(client, headers, order["id"])
    assert (part["status"], part["paid_amount"], part["amount_due"]) == ("draft", 30, 20)
    assert tickets_of(live_server, order["id"]) == 0
    assert_error(
        pay(client, headers, order["id"], "cash", {"tendered": 50, "amount": 25}),
        422,
        "amount_exceeds_due",
        "amount",
    )
    rest = pay(client, headers, order["id"], "cash", {"tendered": 50})
    assert rest.status_code == 201, rest.text
    data = rest.json()["data"]
    assert (data["payment"]["amount"], data["payment"]["change"]) == (20, 30)
    assert data["order"]["status"] == "paid" and data["order"]["amount_due"] == 0
    assert data["order"]["payment_method"] == "split"
    assert tickets_of(live_server, order["id"]) == 2


def test_declined_card_then_cash_pays_the_whole(live_server, client):
    ids = f.make_event(live_server.state)
    headers = staff(client, live_server)
    order = make_order(client, headers, ids["config_ids"][0])
    intent = pay(client, headers, order["id"]).json()["data"]["payment_intent"]
    confirm_card(live_server, intent, DECLINED)
    assert reconcile(client, headers, order["id"])["box_office_status"] == "declined"
    paid = pay(client, headers, order["id"], "cash", {"tendered": 50})
    assert paid.status_code == 201, paid.text
    assert paid.json()["data"]["order"]["status"] == "paid"
    assert paid.json()["data"]["payment"]["amount"] == 50


def test_cash_parts_until_covered_and_overpaying_is_refused(live_server, client):
    ids = f.make_event(live_server.state)
    headers = staff(client, live_server)
    order = make_order(client, headers, ids["config_ids"][0])
    assert_error(
        pay(client, headers, order["id"], "cash", {"tendered": 100, "amount": 60}),
        422,
        "amount_exceeds_due",
        "amount",
    )
    assert_error(
        pay(client, headers, order["id"], "cash", {"tendered": 5, "amount": 10}),
        422,
        "insufficient_cash",
        "tendered",
    )
    for amount, due, status in ((10, 40, "draft"), (15, 25, "draft"), (25, 0, "paid")):
        step = pay(client, headers, order["id"], "cash", {"tendered": amount, "amount": amount})
        assert step.status_code == 201, step.text
        got = step.json()["data"]["order"]
        assert (got["amount_due"], got["status"]) == (due, status)
    assert_error(
        pay(client, headers, order["id"], "cash", {"tendered": 1}), 400, "order_already_paid"
    )
    with live_server.state.read_sessions() as session:
        amounts = session.scalars(select(Payment.amount).where(Payment.order_id == order["id"]))
        assert sorted(amounts) == [1000, 1500, 2500]
    x = client.get("/payment/v1/shift/current", headers=headers).json()["data"]
    assert x["cash_sales"] == 50 and x["expected_cash"] == 150


def test_a_part_paid_order_holds_its_tickets_with_no_expiry(live_server, client):
    ids = f.make_event(live_server.state)
    headers = staff(client, live_server)
    order = make_order(client, headers, ids["config_ids"][0])
    assert order["expires_at"] is not None
    pay(client, headers, order["id"], "cash", {"tendered": 10, "amount": 10})
    held = order_of(client, headers, order["id"])
    assert held["expires_at"] is None and held["amount_due"] == 40


def test_a_split_card_part_with_another_amount_replaces_the_open_intent(live_server, client):
    ids = f.make_event(live_server.state)
    headers = staff(client, live_server)
    order = make_order(client, headers, ids["config_ids"][0])
    first = pay(client, headers, order["id"]).json()["data"]["payment_intent"]
    again = pay(client, headers, order["id"]).json()["data"]["payment_intent"]
    assert again["id"] == first["id"]  # no amount: the same intent, as before
    part = pay(client, headers, order["id"], "card", {"amount": 20}).json()["data"]
    assert part["payment_intent"]["id"] != first["id"] and part["payment_intent"]["amount"] == 2000
    gateway = live_server.state.cards.gateway()
    assert gateway.retrieve_intent(first["id"]).status == "canceled"


def test_a_free_order_still_pays_at_once(live_server, client):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Free", "face_value": "0", "quantity": 5}]
    )
    headers = staff(client, live_server)
    order = make_order(client, headers, ids["config_ids"][0])
    paid = pay(client, headers, order["id"], "cash", {"tendered": 0})
    assert paid.status_code == 201, paid.text
    assert paid.json()["data"]["payment"]["type"] == "free"
    assert paid.json()["data"]["payment"]["shift_id"] is not None


@BOTH_DATABASES
def test_two_cash_parts_at_once_past_the_write_gate_never_overpay(live_server, client):
    """Two cashiers (as two servers would, past one server's write gate) each pay what is
    due at the same moment: the order's row is taken first, so the second reads the first's
    payment and is refused; the order is paid exactly once."""
    import threading

    from boxoffice.server.db.models import Order
    from boxoffice.server.services import payments
    from boxoffice.server.services.actors import Actor

    headers = staff(client, live_server)
    ids = f.make_event(live_server.state)
    order_id = make_order(client, headers, ids["config_ids"][0])["id"]
    state = live_server.state
    cashier = Actor(id=1, role="staff", username="cashier")
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def pay_all_due() -> None:
        start.wait()
        try:
            with state.write_sessions() as session, session.begin():
                order = session.get(Order, order_id)
                assert order is not None
                payments.create_payment(
                    session,
                    cashier,
                    order,
                    type="cash",
                    now=state.clock(),
                    cards=state.cards,
                    tendered=f.money("50"),
                    amount=f.money("50"),
                    counter=f.COUNTER,
                )
            outcomes.append("paid")
        except Exception as exc:  # the refusal, as the API would answer it
            outcomes.append(getattr(exc, "code", type(exc).__name__))

    threads = [threading.Thread(target=pay_all_due) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with state.read_sessions() as session:
        taken = session.scalars(
            select(Payment.amount).where(
                Payment.order_id == order_id, Payment.status == "succeeded"
            )
        ).all()
    assert sorted(outcomes) == ["order_already_paid", "paid"] or sorted(outcomes) == [
        "amount_exceeds_due",
        "paid",
    ], outcomes
    assert list(taken) == [5000] and tickets_of(live_server, order_id) == 2
