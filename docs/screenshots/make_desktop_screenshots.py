"""Takes the desktop app's screenshots in docs/screenshots/ (offscreen, the demo venue).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_desktop_screenshots.py

Starts the embedded server in a temporary folder, drives the real window (sign-in, events,
cart, checkout, a finished cash sale, the order history, the events at 1024×768, the printer
question of the first start, a sale saved without a printer, quitting mid-sale) and saves one
PNG per step.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from boxoffice.desktop.qt_env import prepare_qt_environment  # noqa: E402

prepare_qt_environment(offscreen=True)

OUT = ROOT / "docs" / "screenshots"


async def take(folder: Path) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from boxoffice.ui.dialogs.login import LoginDialog
    from boxoffice.ui.dialogs.printer_choice import PrinterChoiceDialog
    from boxoffice.ui.presenters.printing import PRINT_TO_FILE
    from tests.helpers.counter import (
        config_id,
        embedded_counter,
        named,
        open_event,
        sell_with_keyboard,
    )

    def save(widget: QWidget, name: str) -> None:
        widget.grab().save(str(OUT / name))
        print("saved", OUT / name)  # noqa: T201

    async with embedded_counter(folder, printer=PRINT_TO_FILE) as counter:
        window, panes = counter.window, counter.window.panes
        await asyncio.sleep(0.3)
        save(window, "desktop-events.png")

        login = LoginDialog(counter.session, last_user="anna", parent=window)
        login.show()
        login.problem.setText("Wrong user name or password.")
        await asyncio.sleep(0.3)
        save(login, "desktop-sign-in.png")
        login.close()

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


def main() -> int:
    import qasync
    from PySide6 import QtWebEngineWidgets  # noqa: F401
    from PySide6.QtWidgets import QApplication

    from boxoffice import paths

    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    app.setStyleSheet(paths.resource("qss", "boxoffice.qss").read_text(encoding="utf-8"))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="bo-shots-") as tmp, loop:
        loop.run_until_complete(take(Path(tmp)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
