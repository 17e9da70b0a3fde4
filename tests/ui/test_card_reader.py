"""Card-present payments on the counter's card reader, through the real widgets and the real
server (its Stripe emulator's simulated reader): a sale by keys paid on the reader with the
training window's approved card, and its tickets printed; a declined card, then the reader
again and cash; Esc while the reader waits, then cash; and Settings → Card reader."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from boxoffice.sdk.declines import decline_sentence
from boxoffice.sdk.models.readers import Reader
from boxoffice.server.db.models import Ticket
from boxoffice.ui.counter import Counter
from boxoffice.ui.dialogs.readers import (
    TRAINING_CARD_TITLE,
    ReadersDialog,
    RegisterReaderDialog,
    TrainingCardWindow,
)
from boxoffice.ui.dialogs.settings import SettingsDialog
from boxoffice.ui.mainwindow import SHORTCUTS
from boxoffice.ui.presenters.printing import PRINT_TO_FILE
from boxoffice.ui.presenters.reader import TRAINING_CODE
from tests.helpers.counter import (
    TEST_COUNTER,
    clerk_counter,
    config_id,
    keys,
    named,
    open_event,
    shortcut,
)
from tests.helpers.counter_ui import activate, dialog, record_printed, split_with_keys
from tests.helpers.live_server import LiveServer
from tests.helpers.qr import qr_codes_of_pdf
from tests.helpers.qt import QtLoop

PRICE = Decimal(29)  # Pop & Soul Night, Standard


def start(qloop: QtLoop, server: LiveServer, folder: Path, **options: Any) -> tuple[Any, Counter]:
    async def go() -> tuple[Any, Counter]:
        manager = clerk_counter(server.base_url, folder, **options)
        return manager, await manager.__aenter__()

    return qloop.run(go())


async def with_reader(counter: Counter) -> Reader:
    """A simulated reader picked for the test counter; the server says it is training."""
    reader = await counter.sdk.reader.register(TRAINING_CODE, "Till reader", counter=TEST_COUNTER)
    await counter.readers.load()
    assert await counter.connection.check() and counter.training
    return reader


async def cart_of_two(counter: Counter) -> None:
    pop = await open_event(counter, named("Pop"))
    counter.cart.add(config_id(pop, "Standard"), 2)


def card_window(counter: Counter) -> TrainingCardWindow:
    card = counter.training_card
    assert card is not None and card.isVisible()
    return card


def issued_payloads(server: LiveServer, order_id: int) -> list[str]:
    with server.state.read_sessions() as session:
        rows = session.scalars(
            select(Ticket).where(Ticket.order_id == order_id).order_by(Ticket.id)
        )
        return [ticket.qr_payload for ticket in rows]


def test_a_sale_by_keys_paid_on_the_reader_prints_its_tickets(qloop, demo_server, tmp_path):
    manager, counter = start(qloop, demo_server, tmp_path / "app", printer=PRINT_TO_FILE)
    try:
        qloop.run(with_reader(counter))
        sent = record_printed(counter)
        window, pane = counter.window, counter.window.panes.checkout
        window.show()
        qloop.run(counter.after_sign_in())  # events, shift, this counter's reader
        qloop.wait_until(lambda: counter.events.visible and pane.has_reader)
        qloop.run(activate(window))
        qloop.run(shortcut(counter, "search"))
        qloop.run(keys("pop & soul"))
        qloop.wait_until(lambda: len(counter.events.visible) == 1)
        qloop.run(keys(Qt.Key.Key_Return))
        qloop.wait_until(window.panes.cart.configs.hasFocus)
        qloop.run(keys(Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier))
        qloop.run(keys(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier))
        qloop.run(keys("2"))
        qloop.run(keys(Qt.Key.Key_Return))
        qloop.wait_until(lambda: counter.cart.ticket_count == 2)
        qloop.run(shortcut(counter, "card"))  # F7: the card on this counter's reader
        assert pane.method == "reader"
        qloop.run(shortcut(counter, "complete"))  # Ctrl+Enter
        qloop.wait_until(lambda: counter.training_card is not None, 30)
        waiting = pane.reader_status.text()
        card = card_window(counter)
        title = card.windowTitle()
        buttons = [b.text() for b in (card.approved, card.declined, card.no_funds)]
        QTest.mouseClick(card.approved, Qt.MouseButton.LeftButton)
        qloop.wait_until(lambda: counter.checkout.last_result is not None, 30)
        qloop.wait_until(lambda: not counter.printing.tasks.is_running(), 30)
        result = counter.checkout.last_result
        assert result is not None
        order = qloop.run(counter.sdk.order.get_order(result.order.id))
        closed = counter.training_card is None and not pane.reader_status.isVisible()
        outcome = pane.outcome.text()
    finally:
        qloop.run(manager.__aexit__(None, None, None))

    assert "Waiting for the customer to tap or insert the card… 58.00 EUR" in waiting
    assert title == TRAINING_CARD_TITLE
    assert buttons == [
        "Tap approved card",
        "Tap declined card",
        "Tap card with insufficient funds",
    ]
    assert order.status == "paid" and order.payment_method == "card_present"
    assert closed and f"Order {order.code} paid" in outcome
    printed = sent[f"Tickets {order.code}"]
    pages = qr_codes_of_pdf(printed, tmp_path)
    assert [code for page in pages for code in page] == issued_payloads(demo_server, order.id)


def test_a_declined_card_says_so_and_the_reader_or_cash_then_pays(qloop, demo_server, tmp_path):
    manager, counter = start(qloop, demo_server, tmp_path / "app", auto_print=False)
    try:
        qloop.run(with_reader(counter))
        pane = counter.window.panes.checkout
        qloop.run(cart_of_two(counter))
        pane.choose_card()
        pane.submit()
        qloop.wait_until(lambda: counter.training_card is not None, 30)
        card_window(counter).declined.click()
        qloop.wait_until(lambda: bool(pane.problem.text()), 30)
        declined = pane.problem.text()
        assert counter.training_card is None and not counter.checkout.selling
        pending = counter.checkout.pending
        assert pending is not None and pending.order is not None
        first = pending.order
        # The reader again: the customer's other card has no funds either.
        pane.submit()
        qloop.wait_until(lambda: counter.training_card is not None, 30)
        card_window(counter).no_funds.click()
        qloop.wait_until(lambda: "funds" in pane.problem.text(), 30)
        no_funds = pane.problem.text()
        # Then cash: F6, exact, Complete sale — the same order, paid once.
        pane.choose_payment("cash")
        pane.submit()
        qloop.wait_until(lambda: counter.checkout.last_result is not None, 30)
        result = counter.checkout.last_result
        assert result is not None
        order = qloop.run(counter.sdk.order.get_order(result.order.id))
    finally:
        qloop.run(manager.__aexit__(None, None, None))

    assert declined == decline_sentence("generic_decline")
    assert no_funds == decline_sentence("insufficient_funds")
    assert order.id == first.id and order.status == "paid"
    assert order.payment_method == "cash" and Decimal(order.paid_amount) == 2 * PRICE


def test_escape_cancels_the_payment_on_the_reader_and_cash_pays(qloop, demo_server, tmp_path):
    manager, counter = start(qloop, demo_server, tmp_path / "app", auto_print=False)
    try:
        reader = qloop.run(with_reader(counter))
        window, pane = counter.window, counter.window.panes.checkout
        qloop.run(activate(window))
        qloop.run(cart_of_two(counter))
        window.actions_by_name["card"].trigger()
        window.actions_by_name["complete"].trigger()
        qloop.wait_until(lambda: counter.training_card is not None, 30)
        busy = qloop.run(counter.sdk.reader.list())
        action_before = next(r for r in busy.data if r.id == reader.id).action
        qloop.run(shortcut(counter, "stop"))  # Esc
        qloop.wait_until(lambda: not counter.checkout.selling, 30)
        canceled = pane.problem.text()
        stage = pane.stage.text()
        window_gone = counter.training_card is None
        after = qloop.run(counter.sdk.reader.list())
        action_after = next(r for r in after.data if r.id == reader.id).action
        pane.choose_payment("cash")
        pane.tendered.setText("60")
        pane.submit()
        qloop.wait_until(lambda: counter.checkout.last_result is not None, 30)
        result = counter.checkout.last_result
        assert result is not None
    finally:
        qloop.run(manager.__aexit__(None, None, None))

    assert action_before is not None and action_before.status == "in_progress"
    assert action_after is None  # the reader stopped asking
    assert canceled == decline_sentence("canceled") and window_gone
    assert "not paid yet" in stage
    assert result.order.status == "paid" and result.order.payment_method == "cash"
    assert result.change == Decimal(2)


def test_register_and_choose_a_reader_in_settings(qloop, demo_server, tmp_path):
    manager, counter = start(qloop, demo_server, tmp_path / "app", auto_print=False)
    try:
        qloop.run(counter.connection.check())
        pane = counter.window.panes.checkout
        counter.readers.refresh()
        qloop.wait_until(lambda: counter.readers.loaded)
        assert not pane.has_reader
        qloop.run(activate(counter.window))
        counter.window.actions_by_name["settings"].trigger()
        settings = qloop.run(dialog(SettingsDialog))
        no_reader_line = settings.card_reader.text()
        settings.card_reader_button.click()
        readers = qloop.run(dialog(ReadersDialog))
        qloop.wait_until(lambda: not counter.readers.tasks.is_running())
        readers.register_button.click()
        form = qloop.run(dialog(RegisterReaderDialog))
        prefilled = form.code.text()
        form.label.setText("Front desk reader")
        form.buttons.accepted.emit()
        qloop.wait_until(lambda: counter.readers.counter_reader is not None, 30)
        registered = readers.status.text()
        # A second reader, not for this counter; then pick it, test it, and none.
        qloop.run(counter.sdk.reader.register("simulated-s700", "Spare reader"))
        readers.refresh_button.click()
        qloop.wait_until(lambda: readers.table.rowCount() == 2, 30)
        spare = next(r for r in counter.readers.readers if r.label == "Spare reader")
        readers.select(spare.id)
        readers.use_button.click()
        qloop.wait_until(
            lambda: (r := counter.readers.counter_reader) is not None and r.id == spare.id, 30
        )
        picked_line = settings.card_reader.text()
        shown_on_pane = pane.method_buttons["reader"].isVisibleTo(pane), pane.reader_label
        readers.test_button.click()
        qloop.wait_until(lambda: "online" in readers.status.text(), 30)
        tested = readers.status.text()
        listed = qloop.run(counter.sdk.reader.list())
        readers.none_button.click()
        qloop.wait_until(lambda: counter.readers.counter_reader is None, 30)
        after_none = pane.has_reader, pane.method_buttons["card"].text()
        readers.reject()
        settings.reject()
    finally:
        qloop.run(manager.__aexit__(None, None, None))

    assert "None at counter" in no_reader_line
    assert prefilled == TRAINING_CODE
    assert (
        registered
        == f"Front desk reader is registered and is the reader of counter {TEST_COUNTER}."
    )
    assert {r.label: r.counter for r in listed.data} == {
        "Front desk reader": None,
        "Spare reader": TEST_COUNTER,
    }
    assert "Spare reader" in picked_line and "online" in picked_line
    assert shown_on_pane == (True, "Spare reader")
    assert tested == "Spare reader is online and ready for card payments."
    assert after_none == (False, "Card (F7)")


def test_a_split_takes_the_cash_part_then_the_rest_on_the_reader(qloop, demo_server, tmp_path):
    manager, counter = start(qloop, demo_server, tmp_path / "app", auto_print=False)
    try:
        qloop.run(with_reader(counter))
        pane = counter.window.panes.checkout
        qloop.run(cart_of_two(counter))
        qloop.run(split_with_keys(counter, "20", "50"))  # F10, 20, Enter, 50, Ctrl+Enter
        qloop.wait_until(lambda: counter.training_card is not None, 30)
        waiting = pane.reader_status.text()
        card_label = pane.card_part_label.text()
        card_window(counter).approved.click()
        qloop.wait_until(lambda: counter.checkout.last_result is not None, 30)
        result = counter.checkout.last_result
        assert result is not None
        order = qloop.run(counter.sdk.order.get_order(result.order.id))
    finally:
        qloop.run(manager.__aexit__(None, None, None))

    assert f"{2 * PRICE - 20:.2f} EUR" in waiting  # the reader asks for the rest only
    assert card_label == "Card part (on the reader)"
    assert order.status == "paid" and order.payment_method == "split"
    assert Decimal(order.paid_amount) == 2 * PRICE and result.change == Decimal(30)


def test_the_card_page_key_collides_with_no_other():
    assert SHORTCUTS["card"] == "F7" and SHORTCUTS["card_page"] == "Shift+F7"
    assert len(set(SHORTCUTS.values())) == len(SHORTCUTS)
