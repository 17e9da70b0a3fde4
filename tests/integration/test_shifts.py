"""Shifts and the cash drawer through the real server: open with a float, cash, card, split
and free sales, pay-ins and pay-outs, X and Z reports (JSON and PDF read back), close, and
the races (ten cashiers opening one counter, two closing one shift)."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice.server.db.models import CashMovement, Payment, Shift
from boxoffice.server.services.ledger import GENESIS_HASH
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.integration.test_order_rules import assert_error
from tests.integration.test_payments import confirm_card, make_order, pay

COUNTER = "Front desk"


@pytest.fixture
def client(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        yield http


def staff_at(client: httpx.Client, live_server: Any, name: str = "cashier") -> dict[str, str]:
    f.make_user(live_server.state, name, role="staff")
    return f.at_counter(f.login(client, name), COUNTER)


def open_shift(client: httpx.Client, headers: dict[str, str], amount: Any = 100) -> dict[str, Any]:
    response = client.post("/payment/v1/shift", headers=headers, json={"float": amount})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def report(client: httpx.Client, headers: dict[str, str], shift_id: int) -> dict[str, Any]:
    response = client.get(f"/payment/v1/shift/{shift_id}/report", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def balances(data: dict[str, Any]) -> None:
    """float + cash sales − cash refunds + pay-ins − pay-outs = expected cash."""
    total = (
        Decimal(str(data["float"]))
        + Decimal(str(data["cash_sales"]))
        - Decimal(str(data["cash_refunds"]))
        + Decimal(str(data["pay_ins"]))
        - Decimal(str(data["pay_outs"]))
    )
    assert total == Decimal(str(data["expected_cash"])), data
    by_method = sum(Decimal(str(row["sales_total"])) for row in data["by_method"])
    by_cashier = sum(Decimal(str(row["sales_total"])) for row in data["by_cashier"])
    assert by_method == by_cashier == Decimal(str(data["sales_total"])), data


def pdf_text(data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@BOTH_DATABASES
def test_a_shift_day_cash_card_split_free_pay_in_pay_out_and_close(live_server, client, tmp_path):
    ids = f.make_event(
        live_server.state,
        configs=[
            {"name": "Adult", "face_value": "12.50", "quantity": 20},
            {"name": "Free entry", "face_value": "0", "quantity": 10},
        ],
    )
    adult, free = ids["config_ids"]
    staff = staff_at(client, live_server)
    shift = open_shift(client, staff, "100.00")
    assert (shift["counter"], shift["status"], shift["float"]) == (COUNTER, "open", 100)
    assert shift["opened_by"] == "cashier" and shift["expected_cash"] == 100

    # Cash: 2 × 12.50 = 25, tendered 30, change 5; the drawer keeps 25.
    cash_order = make_order(client, staff, adult)
    paid = pay(client, staff, cash_order["id"], "cash", {"tendered": 30})
    assert paid.status_code == 201, paid.text
    assert paid.json()["data"]["payment"]["shift_id"] == shift["id"]
    assert paid.json()["data"]["order"]["status"] == "paid"

    # Card: 25 on the emulator.
    card_order = make_order(client, staff, adult)
    intent = pay(client, staff, card_order["id"]).json()["data"]["payment_intent"]
    assert confirm_card(live_server, intent, "4242424242424242").status_code == 200
    reconciled = client.post(
        "/payment/v1/payment/reconcile", params={"order_id": card_order["id"]}, headers=staff
    )
    assert reconciled.json()["data"]["status"] == "paid"

    # Split: 25 = 10 cash (tendered 20) + 15 card.
    split = make_order(client, staff, adult)
    part = pay(client, staff, split["id"], "cash", {"tendered": 20, "amount": 10})
    assert part.status_code == 201, part.text
    data = part.json()["data"]
    assert (data["payment"]["amount"], data["payment"]["change"]) == (10, 10)
    assert data["order"]["status"] == "draft" and data["order"]["amount_due"] == 15
    intent = pay(client, staff, split["id"]).json()["data"]["payment_intent"]
    assert intent["amount"] == 1500
    assert confirm_card(live_server, intent, "4242424242424242").status_code == 200
    done = client.post(
        "/payment/v1/payment/reconcile", params={"order_id": split["id"]}, headers=staff
    ).json()["data"]
    assert done["status"] == "paid" and done["amount_due"] == 0
    assert done["payment_method"] == "split"

    # Free.
    free_order = make_order(client, staff, free, quantity=1)
    assert pay(client, staff, free_order["id"]).json()["data"]["order"]["status"] == "paid"

    # Pay-in 3.00, pay-out 5.00; a pay-out larger than the drawer is refused.
    pay_in = client.post(
        f"/payment/v1/shift/{shift['id']}/cash",
        headers=staff,
        json={"amount": "3.00", "reason": "Change from the bank"},
    )
    assert pay_in.status_code == 201, pay_in.text
    assert pay_in.json()["data"]["kind"] == "pay_in"
    pay_out = client.post(
        f"/payment/v1/shift/{shift['id']}/cash",
        headers=staff,
        json={"amount": "-5.00", "reason": "Milk for the coffee"},
    )
    assert pay_out.status_code == 201 and pay_out.json()["data"]["kind"] == "pay_out"
    assert pay_out.json()["data"]["expected_cash"] == 133
    assert_error(
        client.post(
            f"/payment/v1/shift/{shift['id']}/cash",
            headers=staff,
            json={"amount": -1000, "reason": "Too much"},
        ),
        400,
        "drawer_short",
    )
    assert_error(
        client.post(
            f"/payment/v1/shift/{shift['id']}/cash", headers=staff, json={"amount": 1, "reason": ""}
        ),
        422,
        "reason_required",
        "reason",
    )

    # X report: 100 + 35 cash + 3 − 5 = 133.
    x = report(client, staff, shift["id"])
    assert x["kind"] == "X"
    assert (x["float"], x["cash_sales"], x["cash_refunds"], x["pay_ins"], x["pay_outs"]) == (
        100,
        35,
        0,
        3,
        5,
    )
    assert x["expected_cash"] == 133
    methods = {row["method"]: row for row in x["by_method"]}
    assert (methods["cash"]["sales_count"], methods["cash"]["sales_total"]) == (2, 35)
    assert (methods["card"]["sales_count"], methods["card"]["sales_total"]) == (2, 40)
    assert (methods["free"]["sales_count"], methods["free"]["sales_total"]) == (1, 0)
    assert x["sales_total"] == 75
    (cashier,) = x["by_cashier"]
    assert (cashier["name"], cashier["sales_count"], cashier["cash"]) == ("cashier", 5, 33)
    balances(x)
    assert len(x["ledger_head"]) == 64 and x["ledger_head"] != GENESIS_HASH
    current = client.get("/payment/v1/shift/current", headers=staff)
    assert current.status_code == 200 and current.json()["data"]["expected_cash"] == 133

    # Close with counted = expected: per denomination, 100 + 20 + 10 + 2 + 1 = 133.
    closed = client.post(
        f"/payment/v1/shift/{shift['id']}/close",
        headers=staff,
        json={"denominations": {"100.00": 1, "20": 1, "10.00": 1, "2.00": 1, "1": 1}},
    )
    assert closed.status_code == 200, closed.text
    z = closed.json()["data"]
    assert z["kind"] == "Z" and z["shift"]["status"] == "closed"
    assert (z["expected_cash"], z["counted_cash"], z["difference"]) == (133, 133, 0)
    assert z["shift"]["counted_detail"] == {"10000": 1, "2000": 1, "1000": 1, "200": 1, "100": 1}
    assert z["ledger_head"] == z["shift"]["ledger_head"] == x["ledger_head"]
    balances(z)
    again = report(client, staff, shift["id"])  # the Z report reads the same later
    assert again == {**z, "generated_at": again["generated_at"]}

    # Closed for good: no second close, no more cash, no cash sale at this counter.
    assert_error(
        client.post(f"/payment/v1/shift/{shift['id']}/close", headers=staff, json={"counted": 1}),
        409,
        "shift_closed",
    )
    assert_error(
        client.post(
            f"/payment/v1/shift/{shift['id']}/cash",
            headers=staff,
            json={"amount": 1, "reason": "late"},
        ),
        409,
        "shift_closed",
    )
    late = make_order(client, staff, adult)
    assert_error(pay(client, staff, late["id"], "cash", {"tendered": 25}), 400, "no_open_shift")
    assert_error(client.get("/payment/v1/shift/current", headers=staff), 404, "no_open_shift")

    # The Z report, printed on the roll and on A4, read back.
    for size in ("roll", "a4"):
        pdf = client.get(
            f"/payment/v1/shift/{shift['id']}/report",
            params={"format": "pdf", "size": size},
            headers=staff,
        )
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = pdf_text(pdf.content, tmp_path, f"z-{size}")
        assert "Z REPORT" in text and COUNTER in text
        for line in (
            "Float",
            "100.00 EUR",
            "Cash sales",
            "35.00 EUR",
            "Expected cash",
            "Counted cash",
            "133.00 EUR",
            "Difference",
            "0.00 EUR",
            "Card sales (2)",
            "40.00 EUR",
            "-5.00 EUR",
        ):
            assert line in text, (line, text)
        flat = text.replace(" ", "").replace("\n", "")
        assert z["ledger_head"] in flat

    listed = client.get("/payment/v1/shift", params={"counter": COUNTER}, headers=staff).json()
    assert [row["id"] for row in listed["data"]] == [shift["id"]]
    assert listed["paging"]["total"] == 1


def test_cash_with_no_open_shift_is_refused_and_writes_nothing(live_server, client):
    ids = f.make_event(live_server.state)
    staff = staff_at(client, live_server)
    order = make_order(client, staff, ids["config_ids"][0])
    body = assert_error(
        pay(client, staff, order["id"], "cash", {"tendered": 50}), 400, "no_open_shift"
    )
    assert COUNTER in body["message"]
    no_counter = {k: v for k, v in staff.items() if k != "X-Counter"}
    assert_error(
        pay(client, no_counter, order["id"], "cash", {"tendered": 50}), 400, "no_open_shift"
    )
    with live_server.state.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 0
        assert session.scalar(select(func.count()).select_from(CashMovement)) == 0
    got = client.get(f"/event/v1/order/{order['id']}", headers=staff).json()["data"]
    assert got["status"] == "draft" and got["amount_due"] == 50


def test_open_needs_a_counter_and_a_second_open_conflicts(live_server, client):
    staff = staff_at(client, live_server)
    bare = {k: v for k, v in staff.items() if k != "X-Counter"}
    assert_error(
        client.post("/payment/v1/shift", headers=bare, json={"float": 10}),
        422,
        "counter_required",
        "counter",
    )
    by_body = client.post("/payment/v1/shift", headers=bare, json={"float": 10, "counter": "Bar"})
    assert by_body.status_code == 201 and by_body.json()["data"]["counter"] == "Bar"
    assert_error(
        client.post("/payment/v1/shift", headers=bare, json={"float": 10, "counter": "Bar"}),
        409,
        "shift_already_open",
    )
    guest = f.at_counter(f.guest(client), "Bar")
    assert_error(
        client.post("/payment/v1/shift", headers=guest, json={"float": 1}), 403, "permission_denied"
    )
    assert_error(client.get("/payment/v1/shift", headers=guest), 403, "permission_denied")


def test_denominations_must_be_the_currency_s_and_agree_with_a_total(live_server, client):
    staff = staff_at(client, live_server)
    shift = open_shift(client, staff, 50)
    url = f"/payment/v1/shift/{shift['id']}/close"
    assert_error(client.post(url, headers=staff, json={}), 422, "counted_required", "counted")
    assert_error(
        client.post(url, headers=staff, json={"denominations": {"3.00": 1}}),
        422,
        "invalid_denomination",
        "denominations",
    )
    assert_error(
        client.post(url, headers=staff, json={"denominations": {"50": 1}, "counted": 40}),
        422,
        "count_mismatch",
        "counted",
    )
    short = client.post(url, headers=staff, json={"counted": "48.50"})
    assert short.status_code == 200, short.text
    assert short.json()["data"]["difference"] == -1.5


@BOTH_DATABASES
def test_ten_cashiers_opening_one_counter_at_once_open_one_shift(live_server, client):
    staff = staff_at(client, live_server)
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def open_one() -> None:
        with httpx.Client(base_url=live_server.base_url, timeout=30) as own:
            barrier.wait()
            statuses.append(
                own.post("/payment/v1/shift", headers=staff, json={"float": 100}).status_code
            )

    threads = [threading.Thread(target=open_one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 9
    with live_server.state.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Shift)) == 1
        assert session.scalar(select(func.count()).select_from(CashMovement)) == 1


@BOTH_DATABASES
def test_two_closes_at_once_close_once(live_server, client):
    staff = staff_at(client, live_server)
    shift = open_shift(client, staff, 20)
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def close(counted: int) -> None:
        with httpx.Client(base_url=live_server.base_url, timeout=30) as own:
            barrier.wait()
            answers.append(
                own.post(
                    f"/payment/v1/shift/{shift['id']}/close",
                    headers=staff,
                    json={"counted": counted},
                )
            )

    threads = [threading.Thread(target=close, args=(n,)) for n in (20, 19)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 409]
    (won,) = [a for a in answers if a.status_code == 200]
    (lost,) = [a for a in answers if a.status_code == 409]
    assert lost.json()["errorCode"] == "shift_closed"
    final = client.get(f"/payment/v1/shift/{shift['id']}", headers=staff).json()["data"]
    assert final["counted"] == won.json()["data"]["counted_cash"]


def test_the_drawer_and_the_order_must_share_a_currency(live_server, client):
    ids = f.make_event(live_server.state)
    staff = staff_at(client, live_server)
    response = client.post(
        "/payment/v1/shift", headers=staff, json={"float": 1000, "currency": "CZK"}
    )
    assert response.status_code == 201, response.text
    order = make_order(client, staff, ids["config_ids"][0])
    assert_error(
        pay(client, staff, order["id"], "cash", {"tendered": 50}), 400, "shift_currency_mismatch"
    )


@pytest.mark.parametrize("currency", ["EUR", "CZK", "USD", "GBP", "CHF"])
def test_every_supported_currency_counts_by_notes_and_coins(currency):
    from boxoffice.server.services import denominations

    table = denominations.supported(currency)
    assert table is not None and list(table) == sorted(table, reverse=True)
    total, detail = denominations.count(currency, {"1": 2})
    assert total == 200 and detail == {"100": 2}


def test_a_card_that_goes_through_after_its_shift_closed_leaves_the_z_report_alone(
    live_server, client
):
    ids = f.make_event(live_server.state)
    staff = staff_at(client, live_server)
    first = open_shift(client, staff, 10)
    order = make_order(client, staff, ids["config_ids"][0])
    intent = pay(client, staff, order["id"]).json()["data"]["payment_intent"]
    closed = client.post(
        f"/payment/v1/shift/{first['id']}/close", headers=staff, json={"counted": 10}
    )
    assert closed.status_code == 200, closed.text
    second = open_shift(client, staff, 10)
    assert confirm_card(live_server, intent, "4242424242424242").status_code == 200
    paid = client.post(
        "/payment/v1/payment/reconcile", params={"order_id": order["id"]}, headers=staff
    ).json()["data"]
    assert paid["status"] == "paid"
    z = report(client, staff, first["id"])
    assert z["sales_total"] == 0 and z == {
        **closed.json()["data"],
        "generated_at": z["generated_at"],
    }
    x = report(client, staff, second["id"])
    card = next(row for row in x["by_method"] if row["method"] == "card")
    assert (card["sales_count"], card["sales_total"]) == (1, 50)
