"""Order history: today's orders, find an order by code, name or email, and print or save its
tickets again; `actions` refunds, reprints with a reason, reissues, prints receipts and reads
an order's history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from boxoffice.i18n import _
from boxoffice.sdk import SDK
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.errors import user_message
from boxoffice.ui.presenters.order_actions import OrderActionsPresenter
from boxoffice.ui.presenters.printing import PrintingPresenter, SaveFormat
from boxoffice.ui.tasks import TaskRunner

PAGE = 50


class HistoryPresenter(QObject):
    """Lists today's orders, searches orders and re-issues their tickets.

    `orders` holds the rows shown; `showing_today` says whether they are today's orders
    (the Orders tab's first view) or the result of a search.

    Signals:
        orders_changed(): `orders` has new rows.
        busy_changed(bool)
        message(str): what was done.
        error(str): a sentence for the cashier.
    """

    orders_changed = Signal()
    busy_changed = Signal(bool)
    message = Signal(str)
    error = Signal(str)

    def __init__(self, sdk: SDK, *, printing: PrintingPresenter) -> None:
        super().__init__()
        self._sdk = sdk
        self._printing = printing
        self.orders: list[Order] = []
        self.showing_today = False
        self.actions = OrderActionsPresenter(sdk, printing=printing)
        self.tasks = TaskRunner(on_error=self._failed, on_busy=self.busy_changed.emit)

    def search(self, text: str) -> None:
        self.tasks.run("search", self.find(text))

    def show_today(self) -> None:
        """List today's orders, newest first (the Orders tab shows them when it opens)."""
        self.tasks.run("search", self.today())

    def reprint(self, order: Order) -> None:
        self.tasks.run("reprint", self._printing.reprint(order))

    def save(self, order: Order, fmt: SaveFormat, folder: Path | None = None) -> None:
        self.tasks.run("save", self._save(order, fmt, folder))

    def stop(self) -> None:
        """Stop searching, printing or saving (Esc)."""
        self.tasks.cancel()
        self.actions.tasks.cancel("load")
        self.actions.tasks.cancel("history")

    async def aclose(self) -> None:
        """Stop every task of this presenter (the app is closing)."""
        await self.tasks.aclose()
        await self.actions.aclose()

    async def find(self, text: str) -> list[Order]:
        """The newest orders matching every word of `text` (all recent orders when empty)."""
        page = await self._sdk.order.list_orders(
            limit=PAGE, include_not_owned=True, query=text.strip() or None
        )
        return self._show(list(page.data), today=False)

    async def today(self, day: date | None = None) -> list[Order]:
        """The orders made on `day` (today) by this computer's clock, newest first."""
        day = day or date.today()
        start = datetime.combine(day, time.min).astimezone()  # local midnight, as ISO
        stop = datetime.combine(day + timedelta(days=1), time.min).astimezone()
        page = await self._sdk.order.list_orders(
            limit=PAGE,
            include_not_owned=True,
            created_at=f"{start.isoformat()};{stop.isoformat()}",
        )
        return self._show(list(page.data), today=True)

    def _show(self, orders: list[Order], *, today: bool) -> list[Order]:
        self.orders, self.showing_today = orders, today
        self.orders_changed.emit()
        return self.orders

    async def _save(self, order: Order, fmt: SaveFormat, folder: Path | None) -> None:
        if order.status != OrderStatus.PAID:
            self.error.emit(
                _("Order %(code)s is %(status)s: it has no tickets.")
                % {"code": order.code, "status": order.status}
            )
            return
        path = await self._printing.save(order, fmt, folder)
        self.message.emit(
            _("Order %(code)s saved to %(path)s.") % {"code": order.code, "path": path}
        )

    def _failed(self, exc: BaseException) -> None:
        self.error.emit(user_message(exc))
