"""Takes the desktop app's screenshots in docs/screenshots/ (offscreen, the demo venue).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_desktop_screenshots.py

Starts the embedded server in a temporary folder, drives the real window (sign-in, events,
cart, checkout, a finished cash sale, the order history, the events at 1024×768, the printer
question of the first start, a sale saved without a printer, quitting mid-sale) and saves one
PNG per step; then the box-office day: the checkout in split mode, a refund and the order's
history, the shift in the status bar, the close-shift dialog and the Z report; the card
reader: Settings → Card reader, and a payment waiting on the reader with the training
window that plays the customer's card.

    … make_desktop_screenshots.py --only reader     # the card reader's shots only
    … make_desktop_screenshots.py --only look       # high contrast and larger text only
    … make_desktop_screenshots.py --language cs     # every screen in Czech, in docs/screenshots/cs/
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from boxoffice.ui.counter import Counter

    Save = Callable[[QWidget, str], None]

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from boxoffice.desktop.qt_env import prepare_qt_environment  # noqa: E402

prepare_qt_environment(offscreen=True)

# `--language cs` (or de): the same screens in that language, saved in docs/screenshots/cs/.
LANGUAGE = sys.argv[sys.argv.index("--language") + 1] if "--language" in sys.argv else "en"
OUT = ROOT / "docs" / "screenshots" / ("" if LANGUAGE == "en" else LANGUAGE)
OUT.mkdir(exist_ok=True)


async def take(folder: Path, only: str | None = None) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from boxoffice.i18n import _
    from boxoffice.ui.dialogs.login import LoginDialog
    from boxoffice.ui.dialogs.printer_choice import PrinterChoiceDialog
    from boxoffice.ui.presenters.printing import PRINT_TO_FILE
    from tests.helpers.counter import (
        config_id,
        embedded_counter,
        ensure_shift,
        named,
        open_event,
        sell_with_keyboard,
    )

    def save(widget: QWidget, name: str) -> None:
        widget.grab().save(str(OUT / name))
        print("saved", OUT / name)  # noqa: T201

    async with embedded_counter(folder, printer=PRINT_TO_FILE) as counter:
        window, panes = counter.window, counter.window.panes
        if only == "reader":
            await card_reader(counter, save)
            return
        if only == "look":
            await looks(counter, save)
            return
        await asyncio.sleep(0.3)
        save(window, "desktop-events.png")

        login = LoginDialog(counter.session, last_user="anna", parent=window)
        login.show()
        login.problem.setText(_("Wrong user name or password."))  # as a failed sign-in shows
        await asyncio.sleep(0.3)
        save(login, "desktop-sign-in.png")
        login.close()

        await ensure_shift(counter.sdk, Decimal(100))  # cash needs the counter's open shift
        await counter.shift.read()
        pop = await open_event(counter, named("Pop"))
        student = next(d.id for d in pop.ticket_discount or [] if d.name == "Student")
        counter.cart.add(config_id(pop, "Standard"), 2)
        counter.cart.add(config_id(pop, "Standard"), 1, discount_id=student)
        panes.checkout.first_name.setText("Ada")
        panes.checkout.last_name.setText("Lovelace")
        panes.checkout.email.setText("ada@example.org")
        panes.checkout.tendered.setText("100")
        await asyncio.sleep(0.3)
        save(window, "desktop-cart-and-checkout.png")
        save(panes.cart, "desktop-cart-pane.png")
        save(panes.checkout, "desktop-checkout-pane.png")

        panes.checkout.submit()
        await counter.checkout.tasks.wait("sale")
        await asyncio.sleep(0.3)
        save(window, "desktop-sale-done.png")

        await sell_with_keyboard(counter, event_query="pop & soul", quantity=2, tendered="60")
        window.show_orders()  # today's orders, at once
        await counter.history.tasks.wait("search")
        await asyncio.sleep(0.3)
        save(window, "desktop-orders.png")

        window.tabs.setCurrentIndex(0)  # the events pane on a small counter screen
        panes.events.search.clear()
        window.resize(1024, 768)
        await asyncio.sleep(0.3)
        save(window, "desktop-1024x768.png")
        window.resize(1280, 760)

        choice = PrinterChoiceDialog(counter.printing, parent=window)
        choice.show()
        await asyncio.sleep(0.3)
        save(choice, "desktop-printer-choice.png")
        choice.close()  # closing it is "save only": the next sale is saved, not printed
        await sell_with_keyboard(counter, event_query="pop & soul", quantity=1, tendered="29")
        await asyncio.sleep(0.3)
        save(window, "desktop-sale-saved.png")

        pop = await open_event(counter, named("Pop"))
        counter.cart.add(config_id(pop, "Standard"), 2)
        window.close()  # Ctrl+Q with tickets in the cart: asked first
        await asyncio.sleep(0.3)
        question = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox))
        save(question, "desktop-quit-mid-sale.png")
        question.reject()  # Esc: finish the sale
        counter.checkout.abandon()
        await counter.checkout.tasks.wait("abandon")

        await split_payment(counter, save)
        await refund_and_history(counter, save)
        await close_shift(counter, save)
        await card_reader(counter, save)
        await looks(counter, save)


async def looks(counter: Counter, save: Save) -> None:
    """The cart and checkout in the high-contrast theme, and with larger text (125 %)."""
    from PySide6.QtWidgets import QApplication

    from boxoffice.ui import theme
    from tests.helpers.counter import config_id, named, open_event

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window, panes = counter.window, counter.window.panes
    pop = await open_event(counter, named("Pop"))
    counter.cart.add(config_id(pop, "Standard"), 2)
    panes.checkout.first_name.setText("Ada")
    panes.checkout.tendered.setText("100")
    for name, look, scale, size in (
        ("desktop-high-contrast.png", "high-contrast", 1.0, (1280, 760)),
        ("desktop-larger-text.png", "light", 1.25, (1440, 860)),
    ):
        theme.apply(app, look, scale)
        window.resize(*size)
        panes.checkout.tendered.setFocus()
        await asyncio.sleep(0.05)
        panes.cart.quantity.setFocus()  # the focus ring shows
        await asyncio.sleep(0.3)
        save(window, name)
    theme.apply(app, "light")
    window.resize(1280, 760)
    counter.cart.clear()


async def card_reader(counter: Counter, save: Save) -> None:
    """Settings → Card reader (two simulated readers, one this counter's, tested), then a
    card payment waiting on the reader with the training window of the customer's card."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QPainter
    from PySide6.QtWidgets import QApplication

    from boxoffice.ui.dialogs.readers import ReadersDialog
    from boxoffice.ui.dialogs.settings import SettingsDialog
    from tests.helpers.counter import config_id, named, open_event, wait_until

    window, checkout = counter.window, counter.window.panes.checkout
    sdk, readers = counter.sdk, counter.readers
    mine = await sdk.reader.register("simulated-wpe", "Till 1 reader", counter=sdk.counter)
    await sdk.reader.register("simulated-s700", "Spare reader (office)")
    await readers.load()
    counter.edit_settings()
    await asyncio.sleep(0.3)
    settings = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, SettingsDialog) and w.isVisible()
    )
    dialog = settings.open_readers()
    assert isinstance(dialog, ReadersDialog)
    await wait_until(lambda: not readers.tasks.is_running())
    dialog.select(mine.id)
    await readers.test_reader(mine.id)
    await asyncio.sleep(0.3)
    save(dialog, "desktop-reader-settings.png")
    dialog.reject()
    settings.reject()

    pop = await open_event(counter, named("Pop"))
    counter.cart.add(config_id(pop, "Standard"), 1)
    window.actions_by_name["card"].trigger()  # F7: the card on this counter's reader
    checkout.submit()
    await wait_until(lambda: counter.training_card is not None)
    card = counter.training_card
    assert card is not None
    await asyncio.sleep(0.5)
    save(card, "desktop-reader-training-card.png")
    # The window with the training card over it, where it appears; offscreen has no window
    # frames, so the card's title bar and frame are drawn as a window manager would.
    shot = window.grab()
    painter = QPainter(shot)
    offset = card.frameGeometry().topLeft() - window.frameGeometry().topLeft()
    bar = 26
    frame = QRect(offset.x() - 1, offset.y() - bar, card.width() + 2, card.height() + bar + 1)
    painter.fillRect(frame, QColor("#3c4043"))
    painter.setPen(QColor("white"))
    font = painter.font()
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(
        QRect(frame.x() + 8, frame.y(), frame.width() - 16, bar),
        int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
        card.windowTitle(),
    )
    painter.drawPixmap(offset, card.grab())
    painter.end()
    shot.save(str(OUT / "desktop-reader-waiting.png"))
    print("saved", OUT / "desktop-reader-waiting.png")  # noqa: T201
    card.approved.click()  # the customer taps: the sale completes and prints
    await wait_until(lambda: not counter.checkout.selling)


async def split_payment(counter: Counter, save: Save) -> None:
    """The checkout in split mode: the cash part, what is tendered, the card part, the change."""
    from tests.helpers.counter import config_id, named, open_event

    window, checkout = counter.window, counter.window.panes.checkout
    pop = await open_event(counter, named("Pop"))
    counter.cart.add(config_id(pop, "Standard"), 2)
    window.actions_by_name["split"].trigger()  # F10
    checkout.cash_part.setText("20")
    checkout.tendered.setText("50")
    await asyncio.sleep(0.3)
    save(window, "desktop-split-payment.png")
    counter.checkout.abandon()
    await counter.checkout.tasks.wait("abandon")


async def refund_and_history(counter: Counter, save: Save) -> None:
    """A cash sale refunded in part (the dialog), printed again, one ticket reissued, and the
    order's history."""
    from boxoffice.ui.dialogs.order_actions import HistoryDialog
    from boxoffice.ui.dialogs.refund import RefundDialog
    from boxoffice.ui.presenters.order_actions import valid_tickets
    from tests.helpers.counter import config_id, named, open_event

    window, actions = counter.window, counter.history.actions
    pop = await open_event(counter, named("Pop"))
    student = next(d.id for d in pop.ticket_discount or [] if d.name == "Student")
    counter.cart.add(config_id(pop, "Standard"), 2)
    counter.cart.add(config_id(pop, "Standard"), 1, discount_id=student)
    window.panes.checkout.first_name.setText("Ada")
    window.panes.checkout.last_name.setText("Lovelace")
    window.panes.checkout.email.setText("ada@example.org")
    counter.checkout.complete_sale(method="cash", tendered=Decimal(100))
    await counter.checkout.tasks.wait("sale")
    sale = counter.checkout.last_result
    assert sale is not None
    order = await actions.load(sale.order)
    refund = RefundDialog(actions, order, parent=window)
    refund.show()
    refund.tickets.set_checked(2, False)
    refund.reason.setText("The concert moved; the customer cannot come")
    await asyncio.sleep(0.3)
    save(refund, "desktop-refund.png")
    refund.buttons.accepted.emit()  # OK
    await actions.tasks.wait("refund")
    await actions.print_again(order, "Went through the wash")
    order = await actions.load(order)
    actions.reissue(order, [valid_tickets(order)[0].ticket.id], reason="The customer lost it")
    await actions.tasks.wait("reissue")
    history = HistoryDialog(order, await counter.sdk.order.history(order.id), parent=window)
    history.show()
    await asyncio.sleep(0.3)
    save(history, "desktop-order-history.png")
    history.close()


async def close_shift(counter: Counter, save: Save) -> None:
    """The close-shift dialog with the count typed in, then the Z report (rendered to PNG)."""
    from boxoffice.ui.dialogs.shift import CloseShiftDialog

    window = counter.window
    report = await counter.shift.read()
    assert report is not None
    await asyncio.sleep(0.3)
    save(window, "desktop-shift-open.png")  # the status bar: the counter, its cash
    dialog = CloseShiftDialog(counter.shift, parent=window)
    dialog.show()
    left = report.expected_cash - 2  # counted by notes and coins, 2.00 short
    for face, spin in dialog.pieces.items():
        pieces, left = divmod(left, face)
        spin.setValue(int(pieces))
    await asyncio.sleep(0.3)
    save(dialog, "desktop-shift-close.png")
    dialog.reject()
    final = await counter.sdk.shift.close(report.shift.id, report.expected_cash)
    pdf = await counter.sdk.shift.report_pdf(final.shift.id, "roll", language=LANGUAGE)
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "z.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-singlefile",
                str(source),
                str(OUT / "shift-report-z"),
            ],
            check=True,
        )
    print("saved", OUT / "shift-report-z.png")  # noqa: T201


def main() -> int:
    import qasync
    from PySide6 import QtWebEngineWidgets  # noqa: F401
    from PySide6.QtWidgets import QApplication

    from boxoffice.ui import language, theme

    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    theme.apply(app, "light")
    language.apply(LANGUAGE)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    with tempfile.TemporaryDirectory(prefix="bo-shots-") as tmp, loop:
        loop.run_until_complete(take(Path(tmp), only))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
