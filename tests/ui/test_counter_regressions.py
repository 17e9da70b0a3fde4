"""Issue 11, the counter tried as a new user would: one test per item, named after it.

Real widgets offscreen against real venue servers over loopback HTTP (a `boxoffice serve`
child process where the server must freeze), the real Stripe emulator, a real counter in a
child process where a defect used to crash the app (`preview_scenario.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QRect, Qt, QUrl
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QMessageBox,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from boxoffice.app import assemble
from boxoffice.credentials import FILE_ENV
from boxoffice.desktop.arguments import add_arguments
from boxoffice.desktop.embedded import EmbeddedServer
from boxoffice.desktop.journal import SaleJournal
from boxoffice.desktop.settings import Mode
from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.orders import Order
from boxoffice.server.db.models import Order as OrderRow
from boxoffice.ui import theme
from boxoffice.ui.counter import Counter
from boxoffice.ui.dialogs.login import LoginDialog
from boxoffice.ui.dialogs.payment import PaymentDialog
from boxoffice.ui.dialogs.printer_choice import PrinterChoiceDialog
from boxoffice.ui.messages import Level
from boxoffice.ui.panes.cart_pane import CartPane
from boxoffice.ui.presenters.checkout import CheckoutPresenter
from boxoffice.ui.presenters.printing import PRINT_TO_FILE
from boxoffice.ui.settings_store import SettingsStore
from tests.helpers import factories
from tests.helpers.counter import (
    clerk_counter,
    close_counter,
    config_id,
    ensure_shift,
    focused,
    keys,
    make_counter,
    named,
    open_event,
    shortcut,
    wait_until,
)
from tests.helpers.factories import PASSWORD
from tests.helpers.live_server import FakeClock, LiveServer, demo_live_server

# === the dialogs, the Orders tab and the look: items 1, 9, 11 and the extras =================


REPO = Path(__file__).resolve().parents[2]


# --- item 1: print preview kills the app -----------------------------------------------------


@pytest.mark.parametrize("choice", ["pdf-file", "cups"])
def test_item1_print_preview_opens_for_the_pdf_file_printer(request, choice, tmp_path):
    """Ctrl+Shift+P and Orders → Preview show a preview, with "PDF file" and with a CUPS queue
    chosen. A use-after-free crashed the process, so the counter runs in a child process."""
    printer = (
        PRINT_TO_FILE if choice == "pdf-file" else request.getfixturevalue("cups_printer").name
    )
    run = subprocess.run(
        [
            sys.executable,
            "-X",
            "faulthandler",
            "-m",
            "tests.ui.preview_scenario",
            str(tmp_path),
            printer,
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "Ctrl+Shift+P: preview of 1 page(s) shown" in run.stdout, output[-4000:]
    assert "Orders → Preview: preview of 1 page(s) shown" in run.stdout, output[-4000:]
    assert "errors:" not in run.stdout, output[-4000:]


# --- item 9: quitting or signing out mid-sale ------------------------------------------------


def top_level_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    items = [tree.topLevelItem(index) for index in range(tree.topLevelItemCount())]
    return [item for item in items if item is not None]


def question_box() -> QMessageBox | None:
    """The question the counter is asking now, if any (a visible QMessageBox)."""
    boxes = [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QMessageBox) and widget.isVisible()
    ]
    return boxes[-1] if boxes else None


async def question() -> QMessageBox:
    await wait_until(lambda: question_box() is not None, timeout=10)
    box = question_box()
    assert box is not None
    return box


def button_texts(box: QMessageBox) -> list[str]:
    return sorted(button.text().replace("&", "") for button in box.buttons())


async def answer(box: QMessageBox, text: str) -> None:
    """Click the button `text` of `box`, as the cashier would; wait until the box is gone."""
    chosen = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    QTest.mouseClick(chosen, Qt.MouseButton.LeftButton)
    await wait_until(lambda: question_box() is not box, timeout=10)


async def activate(window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()
    await wait_until(window.isActiveWindow, timeout=10)


async def pending_unpaid_order(counter: Counter) -> Order:
    """2 Standard tickets of Pop & Soul, 10.00 cash tendered: refused, the order is kept."""
    pop = await open_event(counter, named("Pop"))
    counter.cart.add(config_id(pop, "Standard"), 2)
    counter.checkout.complete_sale(method="cash", tendered=Decimal("10"))
    await counter.checkout.tasks.wait("sale")
    pending = counter.checkout.pending
    assert pending is not None and pending.order is not None
    return pending.order


def order_status(server, order_id: int) -> str:
    with server.state.read_sessions() as session:
        row = session.get(OrderRow, order_id)
        assert row is not None
        return str(row.status)


QUIT_CHOICES = ["Cancel the order", "Finish the sale", "Keep it pending"]
SWITCH_CHOICES = ["Cancel the order", "Finish the sale"]


def test_item9_quitting_mid_sale_asks_what_to_do_with_the_sale(qloop, demo_server, tmp_path):
    """Ctrl+Q or closing the window with an unpaid order asks: finish it (stay), cancel the
    order (then quit), or keep it pending (quit; settled at the next start)."""

    async def scenario():
        seen: dict[str, object] = {}
        async with clerk_counter(demo_server.base_url, tmp_path / "a", auto_print=False) as counter:
            window = counter.window
            closed: list[bool] = []
            window.closing.connect(lambda: closed.append(True))
            await activate(window)
            order = await pending_unpaid_order(counter)

            await shortcut(counter, "quit")  # Ctrl+Q
            box = await question()
            seen["quit"] = button_texts(box), box.text()
            await answer(box, "Finish the sale")
            await asyncio.sleep(0.2)
            seen["after finish"] = window.isVisible(), bool(closed), counter.cart.ticket_count

            window.close()  # the window's close button
            box = await question()
            await answer(box, "Cancel the order")
            await wait_until(lambda: bool(closed))
            seen["canceled"] = order_status(demo_server, order.id), counter.cart.ticket_count

        async with clerk_counter(demo_server.base_url, tmp_path / "b", auto_print=False) as counter:
            window = counter.window
            closed.clear()
            window.closing.connect(lambda: closed.append(True))
            await activate(window)
            kept = await pending_unpaid_order(counter)
            await shortcut(counter, "quit")
            await answer(await question(), "Keep it pending")
            await wait_until(lambda: bool(closed))
            journal = SaleJournal(tmp_path / "b" / "journal.jsonl")
            seen["kept"] = (
                order_status(demo_server, kept.id),
                [record.order_id for record in journal.unfinished()],
            )
        return seen, order, kept

    seen, order, kept = qloop.run(scenario(), timeout=120)
    assert isinstance(seen["quit"], tuple)
    choices, text = seen["quit"]
    assert choices == QUIT_CHOICES
    assert order.code in text and "not paid" in text
    assert seen["after finish"] == (True, False, 2)  # nothing changed: finish the sale
    assert seen["canceled"] == ("canceled", 0)
    assert seen["kept"] == ("draft", [kept.id])  # the next start settles it


def test_item9_switching_user_mid_sale_asks_and_the_sale_stays_with_its_cashier(
    qloop, demo_server, tmp_path
):
    """Ctrl+L with an unpaid order asks (finish or cancel; nothing is handed over): the next
    cashier starts with an empty cart and no pending sale."""
    factories.make_user(demo_server.state, "bob", role="staff")

    async def scenario():
        seen: dict[str, object] = {}
        async with clerk_counter(demo_server.base_url, tmp_path / "a", auto_print=False) as counter:
            window = counter.window
            await activate(window)
            order = await pending_unpaid_order(counter)

            await shortcut(counter, "sign_in")  # Ctrl+L
            box = await question()
            seen["choices"] = button_texts(box)
            await answer(box, "Finish the sale")
            await asyncio.sleep(0.2)
            seen["after finish"] = (
                counter.session.display_name,
                counter.cart.ticket_count,
                login_dialog() is None,
            )

            await activate(window)  # as the window manager does once the box is gone
            await shortcut(counter, "sign_in")
            await answer(await question(), "Cancel the order")
            await wait_until(lambda: login_dialog() is not None)
            await wait_until(lambda: order_status(demo_server, order.id) == "canceled")
            dialog = login_dialog()
            assert dialog is not None
            await activate(dialog)
            dialog.username.setFocus()
            await keys(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # "clerk" was last
            await keys("bob")
            await keys(Qt.Key.Key_Tab)
            await keys(PASSWORD)
            await keys(Qt.Key.Key_Return)
            await wait_until(lambda: counter.session.display_name == "bob")
            seen["bob"] = counter.cart.ticket_count, counter.checkout.pending
        return seen

    seen = qloop.run(scenario(), timeout=120)
    assert seen["choices"] == SWITCH_CHOICES
    assert seen["after finish"] == ("clerk", 2, True)
    assert seen["bob"] == (0, None)


def login_dialog() -> LoginDialog | None:
    dialogs = [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, LoginDialog) and widget.isVisible()
    ]
    return dialogs[-1] if dialogs else None


def test_item9_enter_in_the_password_field_signs_in_with_the_password(qloop, demo_server, tmp_path):
    """Tab from the password reaches "Sign in" before the kiosk button; Enter in the password
    field signs in with the password, never as a guest."""

    async def scenario():
        counter = await make_counter(demo_server.base_url, tmp_path / "app")
        try:
            await activate(counter.window)
            counter.open_login()
            await wait_until(lambda: login_dialog() is not None)
            dialog = login_dialog()
            assert dialog is not None
            await activate(dialog)
            dialog.username.setFocus()
            await keys("clerk")
            await keys(Qt.Key.Key_Tab)
            in_password = dialog.password.hasFocus()
            await keys(PASSWORD)
            order = []
            for _ in range(4):
                await keys(Qt.Key.Key_Tab)
                widget = focused()
                text = widget.property("text") if widget is not None else None
                order.append(str(text).replace("&", "") if text is not None else None)
            dialog.password.setFocus()
            await keys(Qt.Key.Key_Return)
            await wait_until(lambda: counter.session.signed_in)
            user = counter.session.user
            assert user is not None
            return in_password, order, user.username, user.type
        finally:
            await close_counter(counter)

    in_password, tab_order, username, kind = qloop.run(scenario())
    assert in_password
    first_button = next(text for text in tab_order if text != "Remember me on this computer")
    assert first_button == "Sign in"
    assert (username, kind) == ("clerk", "registered")


def test_item9_escape_closes_the_card_page_after_asking(qloop, demo_server, tmp_path):
    """Esc on the card payment page asks, then closes it (the order stays pending); Ctrl+Q
    there asks about the sale like the main window does."""

    async def scenario():
        seen: dict[str, object] = {}
        async with clerk_counter(
            demo_server.base_url, tmp_path / "app", auto_print=False
        ) as counter:
            window = counter.window
            closed: list[bool] = []
            window.closing.connect(lambda: closed.append(True))
            await activate(window)
            pop = await open_event(counter, named("Pop"))
            counter.cart.add(config_id(pop, "Standard"), 1)

            payment = await open_card_page(counter)
            await keys(Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)  # quit, on the page
            box = await question()
            seen["quit"] = button_texts(box)
            await answer(box, "Finish the sale")
            await asyncio.sleep(0.2)
            seen["finish"] = payment.isVisible(), bool(closed)

            await refocus(payment, payment.view)
            await keys(Qt.Key.Key_Escape)
            box = await question()
            seen["esc"] = button_texts(box)
            await answer(box, "Stay on the card page")
            await asyncio.sleep(0.2)
            seen["stayed"] = shiboken6.isValid(payment) and payment.isVisible()
            await refocus(payment, payment.view)
            await keys(Qt.Key.Key_Escape)
            await answer(await question(), "Close the card page")
            await wait_until(lambda: not counter.dialogs.web_dialogs)
            pending = counter.checkout.pending
            assert pending is not None and pending.order is not None
            order = pending.order
            seen["closed"] = order_status(demo_server, order.id) in ("draft", "payment_processing")

            await activate(window)
            await shortcut(counter, "quit")
            await answer(await question(), "Cancel the order")
            await wait_until(lambda: bool(closed))
            seen["canceled"] = order_status(demo_server, order.id)
        return seen

    seen = qloop.run(scenario(), timeout=120)
    assert seen["quit"] == QUIT_CHOICES
    assert seen["finish"] == (True, False)  # still on the card page, still running
    assert seen["esc"] == ["Close the card page", "Stay on the card page"]
    assert seen["stayed"] is True
    assert seen["closed"] is True  # the page is closed, the order is still pending
    assert seen["canceled"] == "canceled"


async def refocus(window: QWidget, widget: QWidget) -> None:
    """The keyboard back in `widget` of `window`, as after a question box closed."""
    await activate(window)
    widget.setFocus()
    await wait_until(lambda: focused() is not None)


async def open_card_page(counter: Counter) -> PaymentDialog:
    """Complete sale by card: the payment page, ready, with the keyboard in it."""
    counter.checkout.complete_sale(method="card")
    await wait_until(lambda: bool(counter.dialogs.web_dialogs))
    payment = counter.dialogs.web_dialogs[-1]
    assert isinstance(payment, PaymentDialog)
    await wait_until(lambda: payment.isVisible())
    await wait_js_async(payment.view, "window.paymentPage && paymentPage.state() === 'ready'")
    await activate(payment)
    payment.view.setFocus()
    await wait_until(lambda: focused() is not None)
    return payment


async def wait_js_async(view, script: str, timeout: float = 30) -> None:
    """Poll `script` in the page until it is truthy (the loop keeps running)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        box: list[object] = []
        view.page().runJavaScript(script, 0, box.append)
        await wait_until(box.__len__, timeout=10)
        if box[0]:
            return
        assert asyncio.get_running_loop().time() < deadline, f"never true: {script}"
        await asyncio.sleep(0.05)


# --- item 11: the Orders tab -----------------------------------------------------------------


def test_item11_the_orders_tab_lists_todays_orders_at_once(qloop, demo_server, tmp_path):
    """Ctrl+2 shows today's orders at once (no Enter), newest first, with their event, time,
    total, payment method, cashier and status; "1 order found", "2 orders found"."""

    async def scenario():
        async with clerk_counter(
            demo_server.base_url, tmp_path / "app", auto_print=False
        ) as counter:
            window = counter.window
            await activate(window)
            pop = await open_event(counter, named("Pop"))
            standard = config_id(pop, "Standard")
            demo_server.clock.advance(days=-1)  # an order of yesterday: not today's
            yesterday = await counter.sdk.order.create_order(
                [{"quantity": 1, "ticket_config_id": standard}]
            )
            demo_server.clock.advance(days=1)
            counter.cart.add(standard, 2)
            counter.checkout.complete_sale(method="cash", tendered=Decimal(58))
            await counter.checkout.tasks.wait("sale")
            cash = counter.checkout.last_result
            assert cash is not None
            demo_server.clock.advance(seconds=60)
            unpaid = await pending_unpaid_order(counter)

            pane = window.panes.history
            await shortcut(counter, "orders_tab")  # Ctrl+2, no Enter
            await wait_until(lambda: pane.orders.topLevelItemCount() > 0)
            header = pane.orders.headerItem()
            columns = [header.text(i) for i in range(pane.orders.columnCount())]
            rows = [
                {columns[i]: item.text(i) for i in range(pane.orders.columnCount())}
                for item in top_level_items(pane.orders)
            ]
            today_status = pane.status.text()

            pane.search.setFocus()
            await keys(cash.order.code)
            await keys(Qt.Key.Key_Return)
            await wait_until(lambda: pane.orders.topLevelItemCount() == 1)
            found_one = pane.status.text()
            return columns, rows, today_status, found_one, cash.order, unpaid, yesterday

    columns, rows, today_status, found_one, paid, unpaid, yesterday = qloop.run(
        scenario(), timeout=120
    )
    for column in ("Event", "Time", "Total", "Payment", "Cashier", "Status"):
        assert column in columns
    assert [row["Code"] for row in rows] == [unpaid.code, paid.code]  # newest first
    assert yesterday.code not in [row["Code"] for row in rows]
    newest, sold = rows
    assert sold["Event"] == "Pop & Soul Night"
    assert sold["Total"] == "58.00 EUR"
    assert sold["Payment"] == "Cash"
    assert sold["Cashier"] == "clerk"
    assert sold["Status"] == "Paid"
    assert sold["Time"] == f"{paid.created_at.astimezone():%H:%M}"
    assert newest["Status"] == "Not paid" and newest["Payment"] == ""  # no payment taken
    assert today_status == "2 orders found today."
    assert found_one == "1 order found."


# --- extras: event names at 1024×768, the focus ring ----------------------------------------


def test_extra_event_names_are_not_lost_at_1024x768(qloop, demo_server, tmp_path):
    """At 1024×768 every event name shows its start and its end (elided in the middle, at
    least 12 characters of it), and its tooltip has the whole name."""

    async def scenario():
        async with clerk_counter(demo_server.base_url, tmp_path / "app") as counter:
            window = counter.window
            window.resize(1024, 768)
            await activate(window)
            await counter.events.load_list()
            events = window.panes.events.list
            await wait_until(lambda: events.topLevelItemCount() == len(counter.events.visible))
            await asyncio.sleep(0.1)  # the columns take their widths
            metrics = events.fontMetrics()
            margin = events.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
            width = events.columnWidth(0) - 2 * margin
            rows = []
            for item in top_level_items(events):
                name = item.text(0)
                shown = metrics.elidedText(name, events.textElideMode(), width)
                rows.append((name, shown, item.toolTip(0)))
            return window.size().width(), rows

    window_width, rows = qloop.run(scenario(), timeout=60)
    assert window_width == 1024
    assert any(name.startswith("Museum") for name, _, _ in rows)
    for name, shown, tooltip in rows:
        assert name in tooltip
        if shown != name:
            start, _, end = shown.partition("…")
            assert name.startswith(start) and end and name.endswith(end), (name, shown)
            assert len(start) + len(end) >= 12, (name, shown)


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(colour: QColor) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(colour.red())
            + 0.7152 * channel(colour.green())
            + 0.0722 * channel(colour.blue())
        )

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def longest_run(flags: list[bool]) -> int:
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


async def ring_thickness(window: QWidget, widget: QWidget) -> int:
    """How thick the focus ring of `widget` is: on each side, across its edge (6 px out, 6 px
    in), the longest run of pixels that focusing changes with a contrast of 3:1 or more; the
    thinnest side counts."""
    reach = 6
    origin = widget.mapTo(window, QPoint(0, 0))
    area = QRect(origin, widget.size()).adjusted(-reach, -reach, reach, reach)
    window.setFocus()
    widget.clearFocus()
    await asyncio.sleep(0.1)
    before = window.grab(area).toImage()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    await wait_until(widget.hasFocus, timeout=5)
    await asyncio.sleep(0.1)
    after = window.grab(area).toImage()
    ratio = before.width() / area.width()  # device pixels per pixel

    def changed(x: int, y: int) -> bool:
        px, py = int(x * ratio), int(y * ratio)
        return contrast(QColor(before.pixel(px, py)), QColor(after.pixel(px, py))) >= 3

    w, h = area.width(), area.height()
    across = range(2 * reach)
    sides = [
        [changed(x, h // 2) for x in across],  # left edge
        [changed(w - 1 - x, h // 2) for x in across],  # right edge
        [changed(w // 2, y) for y in across],  # top edge
        [changed(w // 2, h - 1 - y) for y in across],  # bottom edge
    ]
    return min(longest_run(side) for side in sides)


def test_extra_the_focus_ring_is_easy_to_see(qloop, qapp, demo_server, tmp_path):
    """Fields, lists, buttons and choices show a ring at least 2 px thick, in a colour that
    stands out (3:1 or more) when they have the keyboard focus."""

    async def scenario():
        qapp.setStyleSheet(theme.style_sheet(theme.LIGHT))  # the app's own, filled
        try:
            async with clerk_counter(demo_server.base_url, tmp_path / "app") as counter:
                window = counter.window
                await activate(window)
                await open_event(counter, named("Pop"))
                panes = window.panes
                widgets = {
                    "search field": panes.events.search,
                    "event list": panes.events.list,
                    "quantity": panes.cart.quantity,
                    "discount": panes.cart.discount,
                    "email": panes.checkout.email,
                    "complete sale": panes.checkout.complete_button,
                }
                return {name: await ring_thickness(window, w) for name, w in widgets.items()}
        finally:
            qapp.setStyleSheet("")

    thickness = qloop.run(scenario(), timeout=60)
    assert all(px >= 2 for px in thickness.values()), thickness


# === the sale form: items 2, 3, 4 and 6 ======================================================


NOT_LISTENING = "http://127.0.0.1:9"  # nothing answers there: the server is away


@asynccontextmanager
async def shown_counter(
    server: LiveServer, tmp_path: Path, **options: Any
) -> AsyncIterator[Counter]:
    """A clerk's counter on `server` with its window shown; closed afterwards."""
    async with clerk_counter(server.base_url, tmp_path / "app", **options) as counter:
        counter.window.show()
        yield counter


def choose_config(pane: CartPane, name: str) -> None:
    """Make ticket type `name` the current row of the cart pane's ticket list."""
    for index in range(pane.configs.topLevelItemCount()):
        item = pane.configs.topLevelItem(index)
        if item is not None and item.text(0) == name:
            pane.configs.setCurrentItem(item)
            return
    raise AssertionError(f"no ticket type {name!r} on offer")


def choose(combo: QComboBox, prefix: str) -> None:
    """Pick the entry of `combo` whose text starts with `prefix`."""
    texts = [combo.itemText(index) for index in range(combo.count())]
    combo.setCurrentIndex(next(i for i, text in enumerate(texts) if text.startswith(prefix)))


def combo_texts(combo: QComboBox) -> list[str]:
    return [combo.itemText(index) for index in range(combo.count())]


def sale_form(counter: Counter) -> dict[str, object]:
    """What the cashier sees in the sale form, field by field."""
    cart, checkout = counter.window.panes.cart, counter.window.panes.checkout
    return {
        "quantity": cart.quantity.value(),
        "discount": cart.discount.currentText(),
        "cart problem": cart.problem.text(),
        "method": checkout.method,
        "first name": checkout.first_name.text(),
        "last name": checkout.last_name.text(),
        "email": checkout.email.text(),
        "tendered": checkout.tendered.text(),
        "checkout problem": checkout.problem.text(),
        "stage": checkout.stage.text(),
    }


DEFAULT_FORM = {
    "quantity": 1,
    "discount": "No discount",
    "cart problem": "",
    "method": "cash",
    "first name": "",
    "last name": "",
    "email": "",
    "tendered": "",
    "checkout problem": "",
    "stage": "",
}


def fill_customer(counter: Counter, tendered: str) -> None:
    checkout = counter.window.panes.checkout
    checkout.first_name.setText("Ada")
    checkout.last_name.setText("Lovelace")
    checkout.email.setText("ada@example.org")
    checkout.tendered.setText(tendered)


def test_item2_a_finished_sale_resets_the_sale_form(qloop, demo_server, tmp_path):
    """A student's sale, then the next customer: no discount, quantity 1, cash, empty fields;
    the same after a cleared sale; the event stays open and the old result goes."""

    async def scenario():
        seen: dict[str, object] = {}
        async with shown_counter(demo_server, tmp_path, auto_print=False) as counter:
            cart, checkout = counter.window.panes.cart, counter.window.panes.checkout
            pop = await open_event(counter, named("Pop"))
            choose_config(cart, "Standard")
            choose(cart.discount, "Student")
            cart.quantity.setValue(2)
            cart.add_line()
            fill_customer(counter, "100")
            checkout.submit()
            await wait_until(lambda: counter.checkout.last_result is not None)
            await counter.checkout.tasks.wait("sale")
            seen["after sale"] = sale_form(counter)
            seen["result shown"] = (
                checkout.outcome.isVisible() and "paid" in checkout.outcome.text()
            )
            seen["open after sale"] = open_event_id(counter)
            cart.add_line()  # the next customer, nothing touched: full price
            seen["next total"] = counter.cart.total
            seen["result after next action"] = checkout.outcome.isVisible()

            # A sale given up: a discount, a customer, a mistake on screen, then Clear cart.
            choose(cart.discount, "Member")
            cart.quantity.setValue(3)
            cart.add_line()
            fill_customer(counter, "not money")
            checkout.submit()  # "Type the cash tendered as a number…"
            cart.show_event(await counter.events.load_detail(other_event(counter, pop).id))
            seen["problems before clear"] = bool(cart.problem.text() and checkout.problem.text())
            cart.clear_button.click()
            seen["after clear"] = sale_form(counter)
            seen["open after clear"] = open_event_id(counter)
            seen["lines after clear"] = counter.cart.lines
            seen["title after clear"] = cart.title.text()
            return pop, seen

    pop, seen = qloop.run(scenario(), timeout=120)
    assert seen["after sale"] == DEFAULT_FORM
    assert seen["result shown"] and seen["open after sale"] == pop.id
    assert seen["next total"] == Decimal("29.00")  # not 23.20: the student's discount is gone
    assert not seen["result after next action"]  # the old "Order … paid" goes with the next sale
    assert seen["problems before clear"]  # in both panes: something to clear
    assert seen["after clear"] == DEFAULT_FORM
    assert seen["open after clear"] == pop.id and seen["lines after clear"] == []
    assert pop.name in str(seen["title after clear"])


def open_event_id(counter: Counter) -> int | None:
    """The event the cart pane offers now."""
    event = counter.cart.current_event
    return event.id if event else None


def other_event(counter: Counter, than: Event) -> Event:
    return next(s.event for s in counter.events.visible if s.event.id != than.id)


def test_item3_the_time_slot_stays_chosen_and_discounts_show_their_value(
    qloop, demo_server, tmp_path
):
    """Adults at the second slot, then a child: the child's line goes to the same slot.
    Discounts read with their value and currency."""

    async def scenario():
        async with shown_counter(demo_server, tmp_path, auto_print=False) as counter:
            cart = counter.window.panes.cart
            await open_event(counter, named("Museum"))
            choose_config(cart, "Adult")
            cart.timeslot.setCurrentIndex(1)
            chosen = cart.timeslot.currentData()
            cart.quantity.setValue(2)
            cart.add_line()
            after_add = cart.timeslot.currentData()
            choose_config(cart, "Child (6–15)")
            for_the_child = cart.timeslot.currentData()
            cart.add_line()
            slots = [line.timeslot.id if line.timeslot else None for line in counter.cart.lines]

            counter.checkout.abandon()
            await open_event(counter, named("Pop"))
            choose_config(cart, "Standard")
            return chosen, after_add, for_the_child, slots, combo_texts(cart.discount)

    chosen, after_add, for_the_child, slots, discounts = qloop.run(scenario(), timeout=120)
    assert chosen is not None
    assert after_add == chosen and for_the_child == chosen
    assert slots == [chosen, chosen]
    assert discounts == ["No discount", "Student (−20 %)", "Member (−5.00 EUR)"]


def test_item4_without_a_printer_a_sale_saves_the_tickets_and_says_where(
    qloop, demo_server, tmp_path
):
    """No printer chosen: the tickets are saved to the save folder at once, and the result
    says where with a link that opens the folder."""

    async def scenario():
        async with shown_counter(demo_server, tmp_path, printer=None) as counter:
            cart, checkout = counter.window.panes.cart, counter.window.panes.checkout
            await open_event(counter, named("Pop"))
            choose_config(cart, "Standard")
            cart.quantity.setValue(2)
            cart.add_line()
            checkout.submit()
            await wait_until(lambda: counter.checkout.last_result is not None)
            await counter.checkout.tasks.wait("sale")
            result = counter.checkout.last_result
            return result, checkout.outcome.text(), checkout.outcome.openExternalLinks()

    result, outcome, opens_links = qloop.run(scenario(), timeout=120)
    saved_folder = tmp_path / "app" / "saved"
    saved = list(saved_folder.glob("*.pdf"))
    assert len(saved) == 1 and saved[0].read_bytes().startswith(b"%PDF")
    assert result.order.code in saved[0].name
    assert str(saved[0]) in result.delivery.message and str(saved[0]) in outcome
    assert f'href="{QUrl.fromLocalFile(str(saved_folder)).toString()}"' in outcome
    assert opens_links


def test_item4_the_first_start_asks_for_the_printer_once(qloop, demo_server, tmp_path):
    """Never asked and no printer: after sign-in the counter asks (a printer or save only);
    the answer is remembered and not asked again."""

    async def scenario():
        async with shown_counter(demo_server, tmp_path, printer_asked=False) as counter:
            await counter.after_sign_in()
            first = open_printer_dialogs()
            assert len(first) == 1, "the first start asks for the printer"
            dialog = first[0]
            names = combo_texts(dialog.printer)
            choose(dialog.printer, PRINT_TO_FILE)
            dialog.use_printer.click()
            await wait_until(lambda: not dialog.isVisible())
            chosen = counter.settings.printer, counter.settings.printer_asked
            await counter.after_sign_in()
            asked_again = open_printer_dialogs()
            return names, chosen, asked_again

    names, chosen, asked_again = qloop.run(scenario(), timeout=60)
    assert PRINT_TO_FILE in names
    assert chosen == (PRINT_TO_FILE, True)
    assert asked_again == []
    stored = SettingsStore.in_file(tmp_path / "app" / "settings.ini").load()
    assert stored.printer == PRINT_TO_FILE and stored.printer_asked


def test_item4_save_only_is_an_answer_too(qloop, demo_server, tmp_path):
    async def scenario():
        async with shown_counter(demo_server, tmp_path, printer_asked=False) as counter:
            await counter.after_sign_in()
            (dialog,) = open_printer_dialogs()
            text = dialog.question.text()
            dialog.save_only.click()
            await wait_until(lambda: not dialog.isVisible())
            return text, counter.settings.printer, counter.settings.printer_asked

    text, printer, asked = qloop.run(scenario(), timeout=60)
    assert str(tmp_path / "app" / "saved") in text  # it says where saved tickets go
    assert (printer, asked) == (None, True)


def open_printer_dialogs() -> list[PrinterChoiceDialog]:
    """The printer question's dialogs on screen now."""
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, PrinterChoiceDialog) and widget.isVisible()
    ]


def test_item6_an_event_that_cannot_be_loaded_leaves_nothing_stale(qloop, demo_server, tmp_path):
    """Pop is open; the server goes away; the cashier opens the Museum: the pane says it
    could not be loaded and nothing of Pop can go into the cart. Back online, it opens."""

    async def scenario():
        async with shown_counter(demo_server, tmp_path, auto_print=False) as counter:
            cart = counter.window.panes.cart
            await counter.events.load_list()
            pop = next(s.event for s in counter.events.visible if s.event.name.startswith("Pop"))
            museum = next(s.event for s in counter.events.visible if s.event.name.startswith("Mu"))
            counter.events.select(pop.id)
            await wait_until(lambda: pop.name in cart.title.text())

            counter.sdk.requestor.tenant_url = NOT_LISTENING  # the server is away
            counter.events.select(museum.id)
            await counter.events.tasks.wait("detail")
            away = {
                "title": cart.title.text(),
                "problem": cart.problem.text(),
                "ticket rows": cart.configs.topLevelItemCount(),
                "add enabled": cart.add_button.isEnabled(),
            }
            cart.add_line()
            lines_while_away = list(counter.cart.lines)

            counter.sdk.requestor.tenant_url = demo_server.base_url  # back
            counter.events.select(museum.id)
            await counter.events.tasks.wait("detail")
            back = cart.title.text(), cart.problem.text(), cart.configs.topLevelItemCount()
            return pop, museum, away, lines_while_away, back

    pop, museum, away, lines_while_away, back = qloop.run(scenario(), timeout=120)
    assert pop.name not in away["title"] and museum.name in away["title"]
    assert away["problem"].startswith(f"{museum.name} could not be loaded.")
    assert away["ticket rows"] == 0 and not away["add enabled"]
    assert lines_while_away == []
    assert museum.name in back[0] and back[1] == "" and back[2] == 3  # Adult, Child, Reduced


# === the server side: items 5, 7, 8 and 10 ===================================================


KEPT = (
    "Cannot reach the ticket server. The sale is kept: "
    "press Complete sale again when the server is back."
)
TRAINING = "Training — no real money"
# Stripe test keys of the venue's own: no emulator, so the server is not in training mode
# (no call reaches Stripe in these tests).
STRIPE_KEYS: dict[str, Any] = {
    "stripe_secret_key": "sk_test_venue_keys_not_used",
    "stripe_publishable_key": "pk_test_venue_keys_not_used",
}


def messages_of(counter: Counter) -> list[tuple[int, str]]:
    """Every message the counter posts from now on (level, text)."""
    posted: list[tuple[int, str]] = []
    counter.messages.posted.connect(lambda level, text: posted.append((level, text)))
    return posted


def errors_of(checkout: CheckoutPresenter) -> list[str]:
    """Every error sentence the checkout shows from now on."""
    shown: list[str] = []
    checkout.error.connect(shown.append)
    return shown


def test_item5_frozen_server_goes_offline_and_the_sale_resumes_once(qloop, tmp_path):
    """SIGSTOP the embedded `boxoffice serve`: Offline within ~10 s, the sale stops with the
    "kept" sentence within 15 s; after SIGCONT it completes, with one paid order."""

    async def scenario():
        counters: list[Counter] = []

        def on_state(status, message):  # as app.assemble wires the supervisor
            for each in counters:
                each.connection.server_state(status, message)

        async with EmbeddedServer(tmp_path / "data", on_state=on_state) as server:
            counter = await make_counter(
                server.base_url,
                tmp_path / "app",
                mode=Mode.EMBEDDED,
                counter_password=server.counter_password,
                auto_print=False,
            )
            counters.append(counter)
            counter.connection.server_state(server.status, "")
            problems = errors_of(counter.checkout)
            pid = server.pid
            assert pid is not None
            try:
                assert await counter.session.sign_in_counter()
                await ensure_shift(counter.sdk)
                pop = await open_event(counter, named("Pop"))
                counter.cart.add(config_id(pop, "Standard"), 2)
                await wait_until(lambda: counter.window.connection_label.text() == "Connected")

                os.kill(pid, signal.SIGSTOP)
                frozen = time.monotonic()
                await wait_until(
                    lambda: counter.window.connection_label.text().startswith("Offline"),
                    timeout=15,
                )
                offline_after = time.monotonic() - frozen

                started = time.monotonic()
                counter.checkout.complete_sale(method="cash", tendered=Decimal(58))
                await counter.checkout.tasks.wait("sale")
                sale_stopped_after = time.monotonic() - started
                first_try = counter.checkout.last_result
                kept = counter.checkout.pending is not None

                os.kill(pid, signal.SIGCONT)
                await wait_until(
                    lambda: counter.window.connection_label.text() == "Connected", timeout=20
                )
                counter.checkout.complete_sale(method="cash", tendered=Decimal(58))
                await counter.checkout.tasks.wait("sale")
                result = counter.checkout.last_result
                orders = await counter.sdk.order.list_orders()
                return offline_after, sale_stopped_after, first_try, kept, problems, result, orders
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)
                await close_counter(counter)

    offline_after, stopped_after, first_try, kept, problems, result, orders = qloop.run(
        scenario(), timeout=120
    )
    assert offline_after <= 10.5, f"Offline only after {offline_after:.1f} s"
    assert stopped_after <= 15, f"the sale stopped only after {stopped_after:.1f} s"
    assert first_try is None and kept
    assert problems[-1] == KEPT
    assert result is not None and result.order.status == "paid"
    assert [(order.id, order.status) for order in orders.data] == [(result.order.id, "paid")]


def test_item7_the_journal_settles_each_sale_on_its_own_server_only(qloop, demo_server, tmp_path):
    """A sale left pending on server A is neither announced nor canceled when the counter
    starts on server B (whose order has the same id); back on A it is released."""
    app_dir = tmp_path / "app"
    with demo_live_server(tmp_path / "server-b", FakeClock()) as server_b:

        async def scenario():
            async with clerk_counter(demo_server.base_url, app_dir, auto_print=False) as on_a:
                pop = await open_event(on_a, named("Pop"))
                on_a.cart.add(config_id(pop, "Standard"), 1)
                on_a.checkout.complete_sale(method="cash", tendered=Decimal(1))  # too little
                await on_a.checkout.tasks.wait("sale")
                pending = on_a.checkout.pending
                assert pending is not None and pending.order is not None
                order_a = pending.order  # the counter stops with this sale pending

            async with clerk_counter(server_b.base_url, app_dir, auto_print=False) as on_b:
                pop_b = await open_event(on_b, named("Pop"))
                items = [{"quantity": 1, "ticket_config_id": config_id(pop_b, "Standard")}]
                order_b = await on_b.sdk.order.create_order(items)  # another counter's sale
                assert order_b.id == order_a.id
                said_on_b = messages_of(on_b)
                await on_b.after_sign_in()
                order_b_after = await on_b.sdk.order.get_order(order_b.id)

            async with clerk_counter(demo_server.base_url, app_dir, auto_print=False) as again:
                said_on_a = messages_of(again)
                await again.after_sign_in()
                order_a_after = await again.sdk.order.get_order(order_a.id)
                unfinished = SaleJournal(app_dir / "journal.jsonl").unfinished()
            return order_a, said_on_b, order_b_after, said_on_a, order_a_after, unfinished

        order_a, said_on_b, order_b_after, said_on_a, order_a_after, unfinished = qloop.run(
            scenario(), timeout=120
        )
    assert said_on_b == []
    assert order_b_after.status == "draft"
    assert said_on_a == [
        (
            Level.WARNING,
            f"Order {order_a.code} was not paid when Box Office stopped; it was released.",
        )
    ]
    assert order_a_after.status == "canceled"
    assert unfinished == []


async def card_page_closed_unpaid(counter: Counter, server: LiveServer, *, forget: bool) -> int:
    """A card sale of one Standard ticket whose payment page the cashier closes unpaid; with
    `forget`, the emulator then loses the intent (as after a restart). Returns the order id."""
    pop = await open_event(counter, named("Pop"))
    counter.cart.add(config_id(pop, "Standard"), 1)
    counter.checkout.complete_sale(method="card")
    await wait_until(lambda: bool(counter.dialogs.web_dialogs))
    page = counter.dialogs.web_dialogs[-1]
    assert isinstance(page, PaymentDialog)
    await wait_until(lambda: page.presenter.page_args is not None)
    await page.presenter.settle()
    page.reject()  # the cashier closes the card page
    await wait_until(lambda: not counter.dialogs.web_dialogs)
    pending = counter.checkout.pending
    assert pending is not None and pending.order is not None
    order = await counter.sdk.order.get_order(pending.order.id)
    assert order.status == "payment_processing"
    if forget:
        emulator = server.state.cards.emulator
        assert emulator is not None
        emulator.flush()  # Stripe no longer knows the intent
    return order.id


def test_item8_a_card_intent_stripe_lost_no_longer_blocks_its_order(qloop, demo_server, tmp_path):
    """The emulator forgets the intent (as after a restart): cash pays the order at the
    first press with no card sentence, and Clear cart cancels another such order."""

    async def scenario():
        async with clerk_counter(demo_server.base_url, tmp_path / "app", auto_print=False) as c:
            problems = errors_of(c.checkout)
            first = await card_page_closed_unpaid(c, demo_server, forget=True)
            c.checkout.complete_sale(method="cash", tendered=Decimal(29))
            await c.checkout.tasks.wait("sale")
            paid = c.checkout.last_result

            second = await card_page_closed_unpaid(c, demo_server, forget=True)
            c.window.clear_requested.emit()  # Clear cart
            await c.checkout.tasks.wait("abandon")
            cleared = await c.sdk.order.get_order(second)
            return first, paid, cleared, problems

    first, paid, cleared, problems = qloop.run(scenario(), timeout=120)
    assert problems == []
    assert paid is not None and paid.order.id == first and paid.order.status == "paid"
    assert cleared.status == "canceled"


def test_item8_cash_pays_an_order_whose_card_page_was_closed(qloop, demo_server, tmp_path):
    """The customer gives up on the card and pays cash: the open intent is canceled by the
    server and the same order is paid at the first press, once."""

    async def scenario():
        async with clerk_counter(demo_server.base_url, tmp_path / "app", auto_print=False) as c:
            problems = errors_of(c.checkout)
            order_id = await card_page_closed_unpaid(c, demo_server, forget=False)
            c.checkout.complete_sale(method="cash", tendered=Decimal(30))
            await c.checkout.tasks.wait("sale")
            return order_id, c.checkout.last_result, problems

    order_id, paid, problems = qloop.run(scenario(), timeout=120)
    assert problems == []
    assert paid is not None and paid.order.id == order_id and paid.order.status == "paid"
    assert paid.change == Decimal("1.00")


def test_item10_api_is_for_one_run_and_the_banner_follows_the_server_mode(
    qloop, demo_server, tmp_path, monkeypatch
):
    """`--api` is not saved when a setting is; a venue server with emulated Stripe shows the
    training banner, one with (test) Stripe keys of its own shows none."""
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "credentials.json"))
    settings_file = tmp_path / "settings.ini"
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        [
            "--api",
            demo_server.base_url,
            "--settings-file",
            str(settings_file),
            "--data-dir",
            str(tmp_path / "app"),
        ]
    )

    async def scenario():
        async with AsyncExitStack() as stack:
            counter, ready = await assemble(args, stack)
            stack.callback(counter.window.close)
            await ready
            await counter.start()  # no remembered user: the sign-in dialog opens
            assert await counter.session.sign_in("clerk", factories.PASSWORD)
            await wait_until(lambda: counter.settings.last_user == "clerk")  # saved
            await wait_until(lambda: counter.window.mode_label.text() == TRAINING, timeout=20)
            return counter.mode, counter.window.mode_label.objectName()

    async def live_label(base_url: str) -> tuple[str, str]:
        counter = await make_counter(base_url, tmp_path / "live")
        try:
            assert await counter.connection.check()
            return counter.window.mode_label.text(), counter.window.mode_label.objectName()
        finally:
            await close_counter(counter)

    mode, banner_name = qloop.run(scenario(), timeout=60)
    with demo_live_server(tmp_path / "live-server", FakeClock(), **STRIPE_KEYS) as live:
        live_text, live_name = qloop.run(live_label(live.base_url))
    assert mode is Mode.VENUE
    assert banner_name == "training"
    assert (live_text, live_name) == ("Venue server", "mode")
    saved = SettingsStore.in_file(settings_file).load()
    assert saved.last_user == "clerk"
    assert saved.api_url is None and "api_url" not in settings_file.read_text()
    assert saved.mode is Mode.EMBEDDED  # the next plain run opens the built-in server
