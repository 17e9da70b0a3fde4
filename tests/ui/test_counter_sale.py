"""Whole counter sales through the real widgets against a real venue server."""

from __future__ import annotations

from decimal import Decimal

from boxoffice.server.db.models import Order as OrderRow
from boxoffice.server.db.models import Ticket
from tests.helpers.counter import (
    clerk_counter,
    config_id,
    named,
    open_event,
    sell_with_keyboard,
    wait_until,
)
from tests.helpers.qr import qr_codes_of_pdf


def issued_payloads(server, order_id: int) -> list[str]:
    with server.state.read_sessions() as session:
        rows = session.query(Ticket).filter(Ticket.order_id == order_id).order_by(Ticket.id)
        return [ticket.qr_payload for ticket in rows]


def paid_orders(server) -> list[OrderRow]:
    with server.state.read_sessions() as session:
        return list(session.query(OrderRow).filter(OrderRow.status == "paid"))


def test_keyboard_only_cash_sale_prints_through_cups(
    qloop, qtbot, demo_server, cups_printer, tmp_path
):
    """Pick an event, 2 tickets, cash, printed on a real CUPS queue — without the mouse."""

    async def scenario():
        async with clerk_counter(
            demo_server.base_url, tmp_path / "app", printer=cups_printer.name
        ) as counter:
            counter.window.show()
            await counter.after_sign_in()
            await wait_until(lambda: counter.events.visible)
            known = cups_printer.printed_files()
            result = await sell_with_keyboard(
                counter, event_query="pop & soul", quantity=2, tendered="100"
            )
            return result, known, counter.window.panes.checkout.outcome.text()

    result, known, outcome = qloop.run(scenario(), timeout=120)
    assert result.order.status == "paid"
    assert result.change == Decimal("42")  # 100 tendered for 2 × 29
    assert result.delivery.printed_pages == 2
    assert f"Order {result.order.code} paid" in outcome and "Change: 42.00 EUR" in outcome
    printed = cups_printer.wait_for_new_pdf(known).read_bytes()
    pages = qr_codes_of_pdf(printed, tmp_path)
    assert [code for page in pages for code in page] == issued_payloads(
        demo_server, result.order.id
    )


def test_a_failed_payment_keeps_the_order_and_the_retry_pays_it_once(qloop, demo_server, tmp_path):
    """Too little cash: refused, the order is kept; the retry pays that same order."""

    async def scenario():
        async with clerk_counter(
            demo_server.base_url, tmp_path / "app", auto_print=False
        ) as counter:
            problems: list[str] = []
            counter.checkout.error.connect(problems.append)
            pop = await open_event(counter, named("Pop"))
            standard = config_id(pop, "Standard")
            counter.cart.add(standard, 2)
            counter.checkout.complete_sale(method="cash", tendered=Decimal("10"))
            await counter.checkout.tasks.wait("sale")
            kept = counter.checkout.pending
            assert kept is not None and kept.order is not None
            counter.checkout.complete_sale(method="cash", tendered=Decimal("60"))
            await counter.checkout.tasks.wait("sale")
            return problems, kept.order, counter.checkout.last_result

    problems, kept, result = qloop.run(scenario())
    assert problems == ["The cash tendered is less than the total."]
    assert result is not None and result.order.id == kept.id
    assert result.change == Decimal("2")
    assert [o.id for o in paid_orders(demo_server)] == [kept.id]


def test_loading_shows_in_the_status_bar_and_escape_stops_it(qloop, demo_server, tmp_path):
    async def scenario():
        async with clerk_counter(demo_server.base_url, tmp_path / "app") as counter:
            shown: list[str] = []
            counter.events.busy_changed.connect(
                lambda _busy: shown.append(counter.window.busy_label.text())
            )
            counter.events.refresh()
            await wait_until(lambda: counter.events.visible)
            loaded = list(shown)
            counter.events.refresh()
            counter.window.actions_by_name["stop"].trigger()  # Esc
            await wait_until(lambda: not counter.events.tasks.is_running())
            return loaded, counter.window.busy_label.text()

    loaded, after_stop = qloop.run(scenario())
    assert loaded == ["Loading events… (Esc stops)", ""]
    assert after_stop == ""


def test_a_refused_order_then_a_smaller_cart_sells(qloop, demo_server, tmp_path):
    """11 Standard tickets are refused (10 per order at most); the cashier makes it 2 and the
    sale goes through — a new order under a new idempotency key, not the refusal replayed."""

    async def scenario():
        async with clerk_counter(
            demo_server.base_url, tmp_path / "app", auto_print=False
        ) as counter:
            problems: list[str] = []
            counter.checkout.error.connect(problems.append)
            pop = await open_event(counter, named("Pop"))
            standard = config_id(pop, "Standard")
            counter.cart.add(standard, 11)
            counter.checkout.complete_sale(method="cash")
            await counter.checkout.tasks.wait("sale")
            counter.cart.clear()
            counter.cart.add(standard, 2)
            counter.checkout.complete_sale(method="cash")
            await counter.checkout.tasks.wait("sale")
            return problems, counter.checkout.last_result

    problems, result = qloop.run(scenario())
    assert problems == ["That is more tickets than one order may have for this ticket type."]
    assert result is not None and result.order.order_item[0].quantity == 2
    assert [o.id for o in paid_orders(demo_server)] == [result.order.id]


def test_a_cart_changed_after_a_failed_payment_makes_a_new_order(qloop, demo_server, tmp_path):
    async def scenario():
        async with clerk_counter(
            demo_server.base_url, tmp_path / "app", auto_print=False
        ) as counter:
            pop = await open_event(counter, named("Pop"))
            standard = config_id(pop, "Standard")
            counter.cart.add(standard, 2)
            counter.checkout.complete_sale(method="cash", tendered=Decimal("1"))
            await counter.checkout.tasks.wait("sale")
            pending = counter.checkout.pending
            assert pending is not None and pending.order is not None
            first = pending.order
            counter.cart.add(standard, 1)  # the customer wants a third ticket
            counter.checkout.complete_sale(method="cash")
            await counter.checkout.tasks.wait("sale")
            first_now = await counter.sdk.order.get_order(first.id)
            return first, first_now, counter.checkout.last_result

    first, first_now, result = qloop.run(scenario())
    assert first_now.status == "canceled"  # its two tickets are free again
    assert result is not None and result.order.id != first.id
    assert result.order.order_item[0].quantity == 3 and result.order.status == "paid"
