"""Takes the Orders tab's refund and history screenshots in docs/screenshots/ (offscreen,
the demo venue):

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_order_screenshots.py

Starts the embedded server in a temporary folder, sells three tickets for cash, opens the
refund dialog on the order (one ticket unticked, a reason typed), refunds, prints again with
a reason, reissues a ticket, prints the receipt and shows the order's history; one PNG each
for the refund dialog and the history.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from boxoffice.desktop.qt_env import prepare_qt_environment  # noqa: E402

prepare_qt_environment(offscreen=True)

OUT = ROOT / "docs" / "screenshots"


async def take(folder: Path) -> None:
    from PySide6.QtWidgets import QWidget

    from boxoffice.ui.dialogs.order_actions import HistoryDialog
    from boxoffice.ui.dialogs.refund import RefundDialog
    from boxoffice.ui.presenters.order_actions import valid_tickets
    from boxoffice.ui.presenters.printing import PRINT_TO_FILE
    from tests.helpers.counter import config_id, embedded_counter, ensure_shift, named, open_event

    def save(widget: QWidget, name: str) -> None:
        widget.grab().save(str(OUT / name))
        print("saved", OUT / name)  # noqa: T201

    async with embedded_counter(folder, printer=PRINT_TO_FILE) as counter:
        window, actions = counter.window, counter.history.actions
        await ensure_shift(counter.sdk, Decimal(100))
        await counter.shift.read()
        pop = await open_event(counter, named("Pop"))
        student = next(d.id for d in pop.ticket_discount or [] if d.name == "Student")
        counter.cart.add(config_id(pop, "Standard"), 2)
        counter.cart.add(config_id(pop, "Standard"), 1, discount_id=student)
        counter.window.panes.checkout.first_name.setText("Ada")
        counter.window.panes.checkout.last_name.setText("Lovelace")
        counter.window.panes.checkout.email.setText("ada@example.org")
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
        lost = valid_tickets(order)[0].ticket.id
        actions.reissue(order, [lost], reason="The customer lost the ticket")
        await actions.tasks.wait("reissue")
        actions.print_receipt(order)
        await actions.tasks.wait("receipt")

        window.show_orders()
        await counter.history.tasks.wait("search")
        entries = await counter.sdk.order.history(order.id)
        history = HistoryDialog(order, entries, parent=window)
        history.show()
        await asyncio.sleep(0.3)
        save(history, "desktop-order-history.png")
        history.close()


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
