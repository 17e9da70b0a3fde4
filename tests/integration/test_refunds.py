"""Refunds through the real server: by ticket and whole, cash from the drawer, card through
the Stripe emulator, free orders, tickets revoked in the ledger and at the door, stock and seats
back on sale, the refund mail, a Stripe failure that changes nothing, many cashiers refunding
the same ticket at once, the resumable event refund, and canceling a part-paid order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.sdk import SDK, ConflictError, PasswordCredentials
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.refunds import NO_REASON
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.models import (
    CashMovement,
    LedgerEntryRow,
    MailJob,
    Order,
    Payment,
    Seat,
    Ticket,
    TicketConfig,
)
from boxoffice.server.db.models.refund import Refund, refund_ticket
from boxoffice.server.services import lifecycle, wallet
from boxoffice.server.services.actors import SYSTEM
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error
from tests.integration.test_payments import confirm_card, pay

COUNTER = "Till 1"
CARD_OK = "4242424242424242"


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> ServerSettings:
    return ServerSettings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        load_demo=False,
        sweep_interval_seconds=3600,
        mail_interval_seconds=3600,
    )


@pytest.fixture
def client(live_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def staff(live_server, client) -> dict[str, str]:
    """A cashier at counter `Till 1`, whose shift is open with a float of 100."""
    headers = {**f.login(client, f.make_user(live_server.state, "cashier")), "X-Counter": COUNTER}
    opened = client.post(
        "/payment/v1/shift", headers=headers, json={"counter": COUNTER, "float": 100}
    )
    assert opened.status_code == 201, opened.text
    return headers


# --- helpers -------------------------------------------------------------------------------


def new_order(
    client: httpx.Client,
    headers: dict[str, str],
    config: int,
    quantity: int = 2,
    *,
    email: str | None = "ann@example.org",
    seats: list[str] | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {"quantity": quantity, "ticket_config_id": config}
    if seats:
        item["selected_seats"] = seats
    body: dict[str, Any] = {"order_item": [item], "format": "PDF"}
    if email:
        body["order_contact"] = {"first_name": "Ann", "last_name": "Lee", "email": email}
    response = client.post("/event/v1/order", headers=headers, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def sell_cash(client, headers, config, quantity=2, **kw) -> dict[str, Any]:
    order = new_order(client, headers, config, quantity, **kw)
    paid = pay(client, headers, order["id"], "cash", {"tendered": 500})
    assert paid.status_code in (200, 201), paid.text
    return order


def sell_card(live_server, client, headers, config, quantity=2, **kw) -> dict[str, Any]:
    order = new_order(client, headers, config, quantity, **kw)
    intent = pay(client, headers, order["id"], "card").json()["data"]["payment_intent"]
    assert confirm_card(live_server, intent, CARD_OK).status_code == 200
    done = client.post(
        "/payment/v1/payment/reconcile", headers=headers, params={"order_id": order["id"]}
    )
    assert done.json()["data"]["box_office_status"] == "paid", done.text
    return order


def tickets_of(live_server, order_id: int) -> list[Ticket]:
    with live_server.state.read_sessions() as session:
        rows = list(
            session.scalars(select(Ticket).where(Ticket.order_id == order_id).order_by(Ticket.id))
        )
        for row in rows:
            session.expunge(row)
        return rows


def refund(client, headers, order_id: int, **body: Any) -> httpx.Response:
    body.setdefault("reason", "concert moved")
    return client.post(f"/event/v1/order/{order_id}/refund", headers=headers, json=body)


def scalar(live_server, query: Any) -> Any:
    with live_server.state.read_sessions() as session:
        return session.scalar(query)


def verify(live_server, ticket: Ticket) -> wallet.PayloadCheck:
    with live_server.state.read_sessions() as session:
        return wallet.check_payload(session, ticket.qr_payload)


# --- by ticket and whole, cash ---------------------------------------------------------------


@BOTH_DATABASES
def test_one_ticket_of_a_cash_order_then_the_rest(live_server, client, staff):
    ids = f.make_event(live_server.state)
    config = ids["config_ids"][0]
    order = sell_cash(client, staff, config)
    first, second = tickets_of(live_server, order["id"])
    assert f.get_config(live_server.state, config).taken == 2

    answer = refund(client, staff, order["id"], ticket_ids=[first.id])
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["success"] is True
    assert data["order"]["box_office_status"] == "partially_refunded"
    assert data["order"]["refunded_amount"] == 25
    (made,) = data["refunds"]
    assert (made["method"], made["amount"], made["status"]) == ("cash", 25, "succeeded")
    assert made["ticket_ids"] == [first.id] and made["reason"] == "concert moved"
    assert made["shift_id"] is not None and made["user_id"] is not None

    # The money came out of the drawer; the ticket fails at the door; the stock is back.
    movement = scalar(
        live_server, select(CashMovement.amount).where(CashMovement.refund_id == made["id"])
    )
    assert movement == -2500
    assert scalar(live_server, select(Payment.refunded).where(Payment.order_id == order["id"]))
    check = verify(live_server, first)
    assert not check.ok and check.reason == "revoked" and "refunded" in check.message
    assert verify(live_server, second).ok
    assert f.get_config(live_server.state, config).taken == 1
    invalidations = scalar(
        live_server,
        select(func.count())
        .select_from(LedgerEntryRow)
        .where(LedgerEntryRow.ticket_code == first.code, LedgerEntryRow.kind == "invalidate"),
    )
    assert invalidations == 1
    mail = scalar(live_server, select(MailJob).where(MailJob.subject.like("Refund for%")))
    assert mail is not None and mail.recipient == "ann@example.org"
    assert b"25.00 EUR" in mail.message and first.code.encode() in mail.message

    # The same ticket again: 409, nothing more given back.
    again = refund(client, staff, order["id"], ticket_ids=[first.id])
    assert_error(again, 409, "ticket_already_refunded")

    rest = refund(client, staff, order["id"], reason="changed their mind")
    assert rest.status_code == 200, rest.text
    assert rest.json()["data"]["order"]["box_office_status"] == "refunded"
    assert rest.json()["data"]["refunds"][0]["ticket_ids"] == [second.id]
    assert not verify(live_server, second).ok
    assert f.get_config(live_server.state, config).taken == 0
    assert scalar(
        live_server, select(Payment.refunded).where(Payment.order_id == order["id"])
    ) == scalar(live_server, select(Payment.amount).where(Payment.order_id == order["id"]))
    assert_error(refund(client, staff, order["id"]), 409, "order_already_refunded")
    listed = client.get(f"/event/v1/order/{order['id']}/refund", headers=staff).json()["data"]
    assert [r["ticket_ids"] for r in listed] == [[first.id], [second.id]]

    # Sold again: the stock is really back.
    sell_cash(client, staff, config, quantity=2)


def test_cash_back_needs_the_counters_open_shift_and_changes_nothing_without(
    live_server, client, staff
):
    ids = f.make_event(live_server.state)
    order = sell_cash(client, staff, ids["config_ids"][0])
    elsewhere = {**staff, "X-Counter": "Till 9"}
    answer = refund(client, elsewhere, order["id"])
    assert_error(answer, 400, "no_open_shift")
    assert "Till 9" in answer.json()["message"]
    assert all(t.status == "valid" for t in tickets_of(live_server, order["id"]))
    assert scalar(live_server, select(func.count(Refund.id))) == 0


def test_rules_staff_only_no_blank_reason_tickets_of_the_order(live_server, client, staff):
    ids = f.make_event(live_server.state)
    order = sell_cash(client, staff, ids["config_ids"][0])
    other = sell_cash(client, staff, ids["config_ids"][0], quantity=1)
    buyer = f.guest(client)
    assert refund(client, buyer, order["id"]).status_code in (403, 404)
    blank = refund(client, staff, order["id"], reason="   ")
    assert blank.status_code == 422
    (foreign,) = tickets_of(live_server, other["id"])
    assert_error(
        refund(client, staff, order["id"], ticket_ids=[foreign.id]), 422, "ticket_not_in_order"
    )
    unpaid = new_order(client, staff, ids["config_ids"][0], 1)
    assert_error(refund(client, staff, unpaid["id"]), 400, "order_not_refundable")
    camel = client.post(
        f"/event/v1/order/{order['id']}/refund",
        headers=staff,
        json={"ticketIds": [tickets_of(live_server, order["id"])[0].id], "reason": "moved"},
    )
    assert camel.status_code == 200, camel.text
    # The vendor SDK's `refundOrder` sends `{}`: the whole order, and no reason is recorded.
    vendor = client.post(f"/event/v1/order/{other['id']}/refund", headers=staff, json={})
    assert vendor.status_code == 200, vendor.text
    assert {r["reason"] for r in vendor.json()["data"]["refunds"]} == {NO_REASON}


# --- card and free ------------------------------------------------------------------------------


@BOTH_DATABASES
def test_a_whole_card_order_goes_back_to_the_card(live_server, client, staff):
    ids = f.make_event(live_server.state)
    order = sell_card(live_server, client, staff, ids["config_ids"][0])
    answer = refund(client, staff, order["id"])
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["order"]["box_office_status"] == "refunded"
    (made,) = data["refunds"]
    assert (made["method"], made["amount"], made["status"]) == ("card", 50, "succeeded")
    assert made["provider_refund_id"].startswith("re_")
    assert sorted(made["ticket_ids"]) == [t.id for t in tickets_of(live_server, order["id"])]
    gateway = live_server.state.cards.gateway()
    stripe_side = gateway.retrieve_refund(made["provider_refund_id"])
    assert (stripe_side.amount, stripe_side.status) == (5000, "succeeded")
    assert all(not verify(live_server, t).ok for t in tickets_of(live_server, order["id"]))


def test_a_stripe_failure_revokes_nothing(live_server, client, staff):
    ids = f.make_event(live_server.state)
    config = ids["config_ids"][0]
    order = sell_card(live_server, client, staff, config)
    live_server.state.cards.emulator.flush()  # Stripe no longer knows the payment
    answer = refund(client, staff, order["id"])
    assert_error(answer, 409, "payment_provider_error")
    assert all(t.status == "valid" for t in tickets_of(live_server, order["id"]))
    assert all(verify(live_server, t).ok for t in tickets_of(live_server, order["id"]))
    assert scalar(live_server, select(func.count(Refund.id))) == 0
    assert scalar(live_server, select(Payment.refunded).where(Payment.order_id == order["id"])) == 0
    assert f.get_config(live_server.state, config).taken == 2
    assert scalar(live_server, select(Order.status).where(Order.id == order["id"])) == "paid"


def test_a_free_order_is_refunded_with_nothing_to_give_back(live_server, client, staff):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Free entry", "face_value": "0", "quantity": 10}]
    )
    order = new_order(client, staff, ids["config_ids"][0], 2)
    assert pay(client, staff, order["id"], "card").status_code in (200, 201)
    answer = refund(client, {k: v for k, v in staff.items() if k != "X-Counter"}, order["id"])
    assert answer.status_code == 200, answer.text
    (made,) = answer.json()["data"]["refunds"]
    assert (made["method"], made["amount"]) == ("free", 0)
    assert answer.json()["data"]["order"]["box_office_status"] == "refunded"


def test_seats_go_back_on_sale_and_sell_again(live_server, client, staff):
    ids = f.make_event(
        live_server.state,
        name="Hall",
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"}
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="A", per_row=4)
    config = ids["config_ids"][0]
    order = sell_cash(client, staff, config, 2, seats=["A-1", "A-2"])
    a1 = next(t for t in tickets_of(live_server, order["id"]) if t.seat_label == "A-1")
    assert refund(client, staff, order["id"], ticket_ids=[a1.id]).status_code == 200
    with live_server.state.read_sessions() as session:
        seats = {
            s.label: s.status
            for s in session.scalars(select(Seat).where(Seat.event_id == ids["event_id"]))
        }
    assert (seats["A-1"], seats["A-2"]) == ("free", "booked")
    again = sell_cash(client, staff, config, 1, seats=["A-1"])
    assert tickets_of(live_server, again["id"])[0].seat_label == "A-1"


# --- split payments: card first, cash last, unless the cashier prefers ---------------------------


def split_order(live_server, client, staff, config) -> dict[str, Any]:
    """2 × 25 paid 20 cash + 30 card."""
    order = new_order(client, staff, config, 2)
    cash = pay(client, staff, order["id"], "cash", {"tendered": 20, "amount": 20})
    assert cash.status_code in (200, 201), cash.text
    intent = pay(client, staff, order["id"], "card", {"amount": 30}).json()["data"][
        "payment_intent"
    ]
    assert confirm_card(live_server, intent, CARD_OK).status_code == 200
    done = client.post(
        "/payment/v1/payment/reconcile", headers=staff, params={"order_id": order["id"]}
    )
    assert done.json()["data"]["box_office_status"] == "paid", done.text
    return order


def test_a_split_payment_goes_back_card_first_cash_last(live_server, client, staff):
    ids = f.make_event(live_server.state)
    order = split_order(live_server, client, staff, ids["config_ids"][0])
    first, _ = tickets_of(live_server, order["id"])
    one = refund(client, staff, order["id"], ticket_ids=[first.id]).json()["data"]["refunds"]
    assert [(r["method"], r["amount"]) for r in one] == [("card", 25)]
    rest = refund(client, staff, order["id"]).json()["data"]
    assert [(r["method"], r["amount"]) for r in rest["refunds"]] == [("card", 5), ("cash", 20)]
    assert rest["order"]["refunded_amount"] == 50


def test_a_split_payment_goes_back_cash_first_when_preferred(live_server, client, staff):
    ids = f.make_event(live_server.state)
    order = split_order(live_server, client, staff, ids["config_ids"][0])
    first, _ = tickets_of(live_server, order["id"])
    made = refund(client, staff, order["id"], ticket_ids=[first.id], prefer="cash")
    assert made.status_code == 200, made.text
    refunds = made.json()["data"]["refunds"]
    assert [(r["method"], r["amount"]) for r in refunds] == [("cash", 20), ("card", 5)]
    assert [r["ticket_ids"] for r in refunds] == [[first.id], []]


# --- many cashiers at once ---------------------------------------------------------------------


@BOTH_DATABASES
def test_ten_cashiers_refunding_one_ticket_make_one_refund(live_server, client, staff):
    ids = f.make_event(live_server.state)
    order = sell_cash(client, staff, ids["config_ids"][0])
    ticket = tickets_of(live_server, order["id"])[0]
    start = threading.Barrier(10)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def attempt() -> None:
        with httpx.Client(base_url=live_server.base_url, timeout=60) as own:
            start.wait()
            answer = refund(own, staff, order["id"], ticket_ids=[ticket.id])
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * 9, [a.text for a in answers if a.status_code != 409]
    assert {a.json()["errorCode"] for a in answers if a.status_code == 409} == {
        "ticket_already_refunded"
    }
    assert scalar(live_server, select(func.count(Refund.id))) == 1
    assert scalar(live_server, select(func.count()).select_from(refund_ticket)) == 1
    assert (
        scalar(live_server, select(Payment.refunded).where(Payment.order_id == order["id"])) == 2500
    )
    assert (
        scalar(
            live_server,
            select(func.count())
            .select_from(LedgerEntryRow)
            .where(LedgerEntryRow.ticket_code == ticket.code, LedgerEntryRow.kind == "invalidate"),
        )
        == 1
    )
    assert (
        scalar(
            live_server, select(func.sum(CashMovement.amount)).where(CashMovement.kind == "refund")
        )
        == -2500
    )
    assert f.get_config(live_server.state, ids["config_ids"][0]).taken == 1


# --- the whole event ---------------------------------------------------------------------------


@BOTH_DATABASES
def test_an_event_refund_goes_in_batches_reports_failures_and_resumes(live_server, client, staff):
    ids = f.make_event(live_server.state)
    config = ids["config_ids"][0]
    card = sell_card(live_server, client, staff, config, 1)
    cash = sell_cash(client, staff, config, 1)
    partly = sell_cash(client, staff, config, 2)
    first = tickets_of(live_server, partly["id"])[0]
    assert refund(client, staff, partly["id"], ticket_ids=[first.id]).status_code == 200
    path = f"/event/v1/event/{ids['event_id']}/refund"

    before = client.get(path, headers=staff).json()["data"]
    assert (before["refunded_orders"], before["remaining_orders"]) == (0, 3)

    # At a counter without a shift: the card order goes, the cash ones fail and are reported.
    away = {**staff, "X-Counter": "Nowhere"}
    step = client.post(path, headers=away, json={"reason": "canceled by the organizer"})
    assert step.status_code == 200, step.text
    data = step.json()["data"]
    assert data["refunded_now"] == 1 and data["remaining_orders"] == 2
    assert sorted(x["order_id"] for x in data["failed"]) == sorted([cash["id"], partly["id"]])
    assert {x["error_code"] for x in data["failed"]} == {"no_open_shift"}

    # At the counter with the shift, one order per call until done.
    for expected_left in (1, 0):
        step = client.post(path, headers=staff, json={"reason": "canceled", "limit": 1})
        assert step.status_code == 200, step.text
        assert step.json()["data"]["remaining_orders"] == expected_left
    final = client.get(path, headers=staff).json()["data"]
    assert final == {**final, "refunded_orders": 3, "remaining_orders": 0, "done": True}
    again = client.post(path, headers=staff, json={"reason": "canceled"}).json()["data"]
    assert again["refunded_now"] == 0 and again["done"] is True
    assert scalar(live_server, select(func.count()).select_from(refund_ticket)) == 4
    assert all(
        t.status == "revoked"
        for o in (card, cash, partly)
        for t in tickets_of(live_server, o["id"])
    )
    assert_error(client.get(path, headers=f.guest(client)), 403, "permission_denied")


# --- canceling a part-paid order ---------------------------------------------------------------


def test_canceling_an_order_part_paid_by_card_gives_the_card_part_back(live_server, client, staff):
    ids = f.make_event(live_server.state)
    config = ids["config_ids"][0]
    order = new_order(client, staff, config, 2)
    intent = pay(client, staff, order["id"], "card", {"amount": 30}).json()["data"][
        "payment_intent"
    ]
    assert confirm_card(live_server, intent, CARD_OK).status_code == 200
    client.post("/payment/v1/payment/reconcile", headers=staff, params={"order_id": order["id"]})
    canceled = client.post(f"/event/v1/order/{order['id']}/cancel", headers=staff)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["data"]["box_office_status"] == "canceled"
    assert canceled.json()["data"]["refunded_amount"] == 30
    with live_server.state.read_sessions() as session:
        made = session.scalars(select(Refund).where(Refund.order_id == order["id"])).one()
        assert (made.method, made.amount, made.status) == ("card", 3000, "succeeded")
        assert made.provider_refund_id is not None
    assert f.get_config(live_server.state, config).taken == 0


def test_canceling_an_order_part_paid_in_cash_gives_it_back_from_the_drawer(
    live_server, client, staff
):
    ids = f.make_event(live_server.state)
    order = new_order(client, staff, ids["config_ids"][0], 2)
    cash = pay(client, staff, order["id"], "cash", {"tendered": 20, "amount": 20})
    assert cash.status_code in (200, 201), cash.text
    state = live_server.state
    with f.write_session(state) as session:
        row = session.get(Order, order["id"])
        assert row is not None
        lifecycle.cancel_unpaid(
            session, SYSTEM, row, now=state.clock(), cards=state.cards, counter=COUNTER
        )
    with state.read_sessions() as session:
        made = session.scalars(select(Refund).where(Refund.order_id == order["id"])).one()
        assert (made.method, made.amount, made.shift_id is not None) == ("cash", 2000, True)
        back = session.scalar(select(CashMovement.amount).where(CashMovement.refund_id == made.id))
        assert back == -2000
        assert session.get(Order, order["id"]).status == "canceled"
    taken = scalar(
        live_server, select(TicketConfig.taken).where(TicketConfig.id == ids["config_ids"][0])
    )
    assert taken == 0


def test_a_retry_after_stripe_refunded_gets_the_same_stripe_refund(live_server, client, staff):
    """Stripe refunded, then the commit failed (simulated: the Stripe refund is made with the
    key the server uses, and nothing is in the database): the retry refunds nothing twice."""
    ids = f.make_event(live_server.state)
    order = sell_card(live_server, client, staff, ids["config_ids"][0])
    tickets = tickets_of(live_server, order["id"])
    with live_server.state.read_sessions() as session:
        payment = session.scalars(select(Payment).where(Payment.order_id == order["id"])).one()
        payment_id, intent_id = payment.id, payment.intent_id
    assert intent_id is not None
    key = "t" + "-".join(str(t.id) for t in tickets)
    gateway = live_server.state.cards.gateway()
    earlier = gateway.create_refund(
        intent_id,
        5000,
        idempotency_key=f"boxoffice-refund-{payment_id}-{key}",
        metadata={"order_id": str(order["id"]), "order_code": order["code"]},
    )
    answer = refund(client, staff, order["id"])
    assert answer.status_code == 200, answer.text
    (made,) = answer.json()["data"]["refunds"]
    assert made["provider_refund_id"] == earlier.id


# --- through the SDK -------------------------------------------------------------------------


async def test_the_sdk_refunds_an_order_and_an_event(live_server):
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "cashier", role="staff")
    f.open_shift(live_server.state)
    async with await SDK.build(live_server.base_url, organizer="demo", max_retries=0) as sdk:
        sdk.counter = f.COUNTER
        await sdk.authorize(PasswordCredentials("cashier", f.PASSWORD))
        orders = []
        for _ in range(2):
            order = await sdk.order.create_order(
                [{"quantity": 2, "ticket_config_id": ids["config_ids"][0]}]
            )
            await sdk.payment.create_payment_intent(order.id, type="cash", tendered=Decimal(50))
            orders.append(order)
        first = tickets_of(live_server, orders[0].id)[0]
        result = await sdk.refund.refund_order(
            orders[0].id, reason="moved", ticket_ids=[first.id], prefer="cash"
        )
        assert result.success and result.order.status == OrderStatus.PARTIALLY_REFUNDED
        (made,) = result.refunds
        assert (made.method, made.amount, made.ticket_ids) == ("cash", Decimal(25), [first.id])
        with pytest.raises(ConflictError) as twice:
            await sdk.refund.refund_order(orders[0].id, reason="moved", ticket_ids=[first.id])
        assert twice.value.code == "ticket_already_refunded"
        assert [r.id for r in await sdk.refund.list_refunds(orders[0].id)] == [made.id]
        progress = await sdk.refund.event_refund_progress(ids["event_id"])
        assert (progress.refunded_orders, progress.remaining_orders) == (0, 2)
        step = await sdk.refund.refund_event(ids["event_id"], reason="canceled", limit=1)
        assert (step.refunded_now, step.remaining_orders, step.done) == (1, 1, False)
        step = await sdk.refund.refund_event(ids["event_id"], reason="canceled")
        assert step.done and step.refunded_orders == 2


@BOTH_DATABASES
def test_two_cashiers_refunding_the_two_tickets_at_once_leave_the_order_refunded(
    live_server, client, staff
):
    ids = f.make_event(live_server.state)
    order = sell_cash(client, staff, ids["config_ids"][0])
    tickets = tickets_of(live_server, order["id"])
    start = threading.Barrier(len(tickets))
    answers: list[httpx.Response] = []

    def attempt(ticket_id: int) -> None:
        with httpx.Client(base_url=live_server.base_url, timeout=60) as own:
            start.wait()
            answers.append(refund(own, staff, order["id"], ticket_ids=[ticket_id]))

    threads = [threading.Thread(target=attempt, args=(t.id,)) for t in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert scalar(live_server, select(Order.status).where(Order.id == order["id"])) == "refunded"
    assert (
        scalar(live_server, select(Payment.refunded).where(Payment.order_id == order["id"])) == 5000
    )
