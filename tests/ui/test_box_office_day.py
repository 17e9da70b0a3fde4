"""A whole box-office day at one counter, through the real widgets and the real server: open
the shift with a float of 100.00 (F9), sell by cash, card, split (cash + card) and free, refund
one ticket of the cash order and the whole card order, pay out 5.00 of petty cash, print a
ticket again and reissue a lost one, print the X report, close counting the drawer by notes
and coins (the difference 0.00) and read the Z report back; every refunded ticket then fails
at the door and every receipt reads back with its lines and taxes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.server.db.models import Ticket
from boxoffice.server.services import wallet
from boxoffice.ui.counter import Counter
from boxoffice.ui.dialogs.refund import RefundDialog
from boxoffice.ui.dialogs.shift import CashMovementDialog, CloseShiftDialog, OpenShiftDialog
from boxoffice.ui.presenters.order_actions import valid_tickets
from boxoffice.ui.presenters.printing import PRINT_TO_FILE
from tests.helpers.counter import clerk_counter, config_id, named, open_event, wait_until
from tests.helpers.counter_ui import (
    GOOD_CARD,
    activate,
    card_page,
    dialog,
    pay_on_page,
    pdf_text,
    record_printed,
    split_with_keys,
)
from tests.helpers.live_server import LiveServer

PRICE = Decimal(29)  # Pop & Soul Night, Standard (13 % VAT included)


async def sell(counter: Counter, method: str, *, tendered: Decimal | None = None) -> None:
    """Two Standard tickets (one free Companion ticket for `free`), paid by `method`."""
    pop = await open_event(counter, named("Pop"))
    if method == "free":
        counter.cart.add(config_id(pop, "Companion (free)"), 1)
    else:
        counter.cart.add(config_id(pop, "Standard"), 2)
    counter.checkout.complete_sale(method=method, tendered=tendered)  # type: ignore[arg-type]


async def refund_with_dialog(counter: Counter, order: Any, keep: list[int], reason: str) -> Any:
    """The refund dialog on `order`, with the tickets at `keep` unticked, OK."""
    actions = counter.history.actions
    order = await actions.load(order)
    before = actions.last_refund
    dialog_ = RefundDialog(actions, order, parent=counter.window)
    dialog_.show()
    for row in keep:
        dialog_.tickets.set_checked(row, False)
    dialog_.reason.setText(reason)
    dialog_.buttons.accepted.emit()
    await wait_until(lambda: actions.last_refund is not before)
    await actions.tasks.wait("refund")
    return actions.last_refund


def verdicts(server: LiveServer, order_id: int) -> dict[str, str | None]:
    """What the door says of each of the order's tickets: None when valid, else the reason."""
    with server.state.read_sessions() as session:
        tickets = session.scalars(select(Ticket).where(Ticket.order_id == order_id)).all()
        checks = {t.code: wallet.check_payload(session, t.qr_payload) for t in tickets}
    return {code: None if check.ok else check.reason for code, check in checks.items()}


def test_a_whole_day_at_the_counter(qloop, demo_server, tmp_path):
    async def start() -> tuple[Any, Counter]:
        manager = clerk_counter(
            demo_server.base_url, tmp_path / "app", printer=PRINT_TO_FILE, shift_float=None
        )
        return manager, await manager.__aenter__()

    manager, counter = qloop.run(start())
    seen: dict[str, Any] = {}
    try:
        window, sdk = counter.window, counter.sdk
        sent = record_printed(counter)
        qloop.run(activate(window))

        # Morning: no shift yet. F9, the float, Enter.
        qloop.run(counter.shift.read())
        seen["before"] = counter.shift.status_text
        window.actions_by_name["open_shift"].trigger()
        opening = qloop.run(dialog(OpenShiftDialog))
        opening.float_amount.setText("100.00")
        opening.buttons.accepted.emit()
        qloop.wait_until(lambda: counter.shift.is_open, 30)
        seen["opened"] = counter.shift.status_text

        # Cash, card, split and free sales.
        orders: dict[str, Any] = {}
        qloop.run(sell(counter, "cash", tendered=Decimal(60)))
        qloop.run(counter.checkout.tasks.wait("sale"))
        orders["cash"] = counter.checkout.last_result.order
        seen["cash_change"] = counter.checkout.last_result.change

        qloop.run(sell(counter, "card"))
        pay_on_page(qloop, qloop.run(card_page(counter)), GOOD_CARD)
        qloop.wait_until(lambda: counter.checkout.last_result.order.id != orders["cash"].id, 60)
        orders["card"] = counter.checkout.last_result.order

        pop = qloop.run(open_event(counter, named("Pop")))
        counter.cart.add(config_id(pop, "Standard"), 2)
        qloop.run(split_with_keys(counter, "20", "20"))
        pay_on_page(qloop, qloop.run(card_page(counter)), GOOD_CARD)
        qloop.wait_until(lambda: counter.checkout.last_result.order.id != orders["card"].id, 60)
        orders["split"] = counter.checkout.last_result.order

        qloop.run(sell(counter, "free"))
        qloop.run(counter.checkout.tasks.wait("sale"))
        orders["free"] = counter.checkout.last_result.order

        # Refunds: one ticket of the cash order (cash back from the drawer), the whole card
        # order (back to the card).
        seen["cash_refund"] = qloop.run(
            refund_with_dialog(counter, orders["cash"], keep=[1], reason="Concert moved")
        )
        seen["card_refund"] = qloop.run(
            refund_with_dialog(counter, orders["card"], keep=[], reason="Cannot come")
        )

        # Petty cash out: Shift+F9, -5, a reason.
        window.actions_by_name["cash_movement"].trigger()
        petty = qloop.run(dialog(CashMovementDialog))
        petty.amount.setText("-5")
        petty.reason.setText("Stamps")
        petty.buttons.accepted.emit()
        qloop.run(counter.shift.tasks.wait("cash"))

        # A ticket through the wash: printed again with a reason; a lost one reissued.
        actions = counter.history.actions
        split = qloop.run(actions.load(orders["split"]))
        qloop.run(actions.print_again(split, "Went through the wash"))
        lost = valid_tickets(split)[0].ticket
        actions.reissue(split, [lost.id], reason="Lost on the way home")
        qloop.run(actions.tasks.wait("reissue"))

        # The X report (Ctrl+F9), then the count and the close (Ctrl+Shift+F9).
        x_report = qloop.run(counter.shift.read())
        window.actions_by_name["shift_report"].trigger()
        qloop.wait_until(lambda: "Shift report" in sent, 30)
        x_text = pdf_text(sent.pop("Shift report"))
        window.actions_by_name["close_shift"].trigger()
        closing = qloop.run(dialog(CloseShiftDialog))
        # Counted by notes and coins: 100 + 2 × 20 + 2 × 2 = 144.00 (the total follows).
        for face, pieces in ((Decimal(100), 1), (Decimal(20), 2), (Decimal(2), 2)):
            closing.pieces[face].setValue(pieces)
        seen["counted_shown"] = closing.counted.text()
        seen["difference_shown"] = closing.difference.text()
        finals: list[Any] = []
        counter.shift.closed.connect(finals.append)
        closing.buttons.accepted.emit()
        qloop.wait_until(lambda: bool(finals) and "Shift report" in sent, 30)
        z_text = pdf_text(sent["Shift report"])
        seen["after"] = counter.shift.status_text

        final_orders = {k: qloop.run(sdk.order.get_order(o.id)) for k, o in orders.items()}
        receipts = {k: pdf_text(qloop.run(sdk.order.receipt(o.id))) for k, o in orders.items()}
        history = qloop.run(sdk.order.history(orders["split"].id))
    finally:
        qloop.run(manager.__aexit__(None, None, None))

    assert "no shift open" in seen["before"] and "shift open · cash 100.00" in seen["opened"]
    assert seen["cash_change"] == Decimal(2)

    # The orders at the end of the day.
    assert final_orders["cash"].status == OrderStatus.PARTIALLY_REFUNDED
    assert final_orders["card"].status == OrderStatus.REFUNDED
    assert final_orders["split"].status == OrderStatus.PAID
    assert final_orders["split"].payment_method == "split"
    assert final_orders["free"].status == OrderStatus.PAID and final_orders["free"].total == 0
    assert Decimal(final_orders["cash"].refunded_amount) == PRICE
    assert Decimal(final_orders["card"].refunded_amount) == 2 * PRICE

    # X report: float 100 + cash 58 (cash order) + 20 (split's cash part) − 29 (refund) − 5.
    expected = Decimal(100) + 2 * PRICE + 20 - PRICE - 5
    assert Decimal(x_report.expected_cash) == expected == Decimal(144)
    assert Decimal(x_report.cash_sales) == 2 * PRICE + 20
    assert Decimal(x_report.cash_refunds) == PRICE and Decimal(x_report.pay_outs) == 5
    by_method = {m.method: m for m in x_report.by_method}
    assert Decimal(by_method["card"].sales_total) == 2 * PRICE + (2 * PRICE - 20)
    assert Decimal(by_method["card"].refunds_total) == 2 * PRICE
    assert by_method["free"].sales_count == 1
    assert "144.00" in x_text

    # Z report: counted = expected, difference 0.00, closed for good; the PDF says so.
    (final,) = finals
    assert final.kind == "Z" and Decimal(final.difference) == 0
    assert seen["counted_shown"] == "144.00" and "0.00" in seen["difference_shown"]
    assert final.shift.counted_detail == {"10000": 1, "2000": 2, "200": 2}
    assert "Z REPORT" in z_text and "144.00" in z_text
    assert "Difference" in z_text and "0.00 EUR" in z_text
    assert final.ledger_head[:16] in z_text.replace("\n", "").replace(" ", "")
    assert "no shift open" in seen["after"]

    # Every refunded or replaced ticket fails at the door; the others pass.
    assert sorted(verdicts(demo_server, orders["cash"].id).values(), key=str) == [None, "revoked"]
    assert set(verdicts(demo_server, orders["card"].id).values()) == {"revoked"}
    split_doors = verdicts(demo_server, orders["split"].id)
    assert split_doors.pop(lost.code) == "revoked"
    assert list(split_doors.values()) == [None, None]  # the kept ticket and the new one

    # Receipts: the lines, VAT per rate (13 % on Standard), the payments.
    for kind in ("cash", "card", "split"):
        text = receipts[kind]
        assert final_orders[kind].code in text and "Standard" in text, (kind, text)
        assert "VAT 13 %" in text and "58.00" in text, (kind, text)
    assert "Cash" in receipts["cash"] and "Tendered" in receipts["cash"]
    assert "Card" in receipts["split"] and "20.00" in receipts["split"]

    # The history of the split order: created, paid in parts, reprinted, reissued.
    actions_seen = [entry.action for entry in history]
    for action in ("order.created", "order.paid", "order.reprinted", "order.reissued"):
        assert action in actions_seen, actions_seen
