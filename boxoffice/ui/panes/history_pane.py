"""The order history pane: today's orders at once, find an order by code, name or email; print or
save it again."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boxoffice.sdk.models.auth import COUNTER_USERNAME
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.money import format_money
from boxoffice.ui.presenters.history import HistoryPresenter

COLUMNS = ["Code", "Time", "Event", "Customer", "Tickets", "Total", "Payment", "Cashier", "Status"]
STRETCH = ("Event", "Customer")
PAYMENT_TEXT = {"cash": "Cash", "card": "Card", "free": "Free"}
STATUS_TEXT = {
    OrderStatus.DRAFT: "Not paid",
    OrderStatus.PAYMENT_PROCESSING: "Card payment open",
    OrderStatus.DECLINED: "Payment failed",
    OrderStatus.PAID: "Paid",
    OrderStatus.PARTIALLY_REFUNDED: "Partly refunded",
    OrderStatus.REFUNDED: "Refunded",
    OrderStatus.CANCELED: "Canceled",
}


class HistoryPane(QWidget):
    """Renders `HistoryPresenter.orders`: today's orders when the tab opens (`refresh`), or
    what the search found.

    Signals:
        preview_requested(object): show a print preview of this `Order`.
    """

    preview_requested = Signal(object)

    def __init__(self, history: HistoryPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history = history
        self.search = QLineEdit(
            placeholderText="Order code, name or email, then Enter (empty: today's orders)"
        )
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search orders")
        self.orders = QTreeWidget()
        self.orders.setHeaderLabels(COLUMNS)
        self.orders.setRootIsDecorated(False)
        self.orders.setUniformRowHeights(True)
        self.orders.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.orders.header()
        header.setStretchLastSection(False)
        for column, name in enumerate(COLUMNS):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if name in STRETCH
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        self.reprint_button = QPushButton("&Print again")
        self.preview_button = QPushButton("Pre&view")
        self.save_pdf_button = QPushButton("Save P&DF")
        self.save_pass_button = QPushButton("Save &Wallet passes")
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (
            self.reprint_button,
            self.preview_button,
            self.save_pdf_button,
            self.save_pass_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Orders</b>"))
        layout.addWidget(self.search)
        layout.addWidget(self.orders, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.search.returnPressed.connect(self.refresh)
        self.reprint_button.clicked.connect(self._reprint)
        self.preview_button.clicked.connect(self._preview)
        self.save_pdf_button.clicked.connect(lambda: self._save("pdf"))
        self.save_pass_button.clicked.connect(lambda: self._save("pkpass"))
        self.orders.currentItemChanged.connect(lambda *_: self._enable())
        history.orders_changed.connect(self.show_orders)
        history.message.connect(self.status.setText)
        history.error.connect(self.status.setText)
        self._enable()

    def refresh(self) -> None:
        """Search for what the search field says, or list today's orders when it is empty."""
        text = self.search.text().strip()
        if text:
            self._history.search(text)
        else:
            self._history.show_today()

    def show_orders(self) -> None:
        self.orders.clear()
        for order in self._history.orders:
            self.orders.addTopLevelItem(_row(order))
        first = self.orders.topLevelItem(0)
        if first is not None:
            self.orders.setCurrentItem(first)
        self.status.setText(_found_text(len(self._history.orders), self._history.showing_today))
        self._enable()

    def current_order(self) -> Order | None:
        item = self.orders.currentItem()
        if item is None:
            return None
        order_id = int(item.data(0, Qt.ItemDataRole.UserRole))
        return next((o for o in self._history.orders if o.id == order_id), None)

    def _enable(self) -> None:
        order = self.current_order()
        paid = order is not None and order.status == OrderStatus.PAID
        for button in (
            self.reprint_button,
            self.preview_button,
            self.save_pdf_button,
            self.save_pass_button,
        ):
            button.setEnabled(paid)

    def _reprint(self) -> None:
        order = self.current_order()
        if order is not None:
            self._history.reprint(order)

    def _preview(self) -> None:
        order = self.current_order()
        if order is not None:
            self.preview_requested.emit(order)

    def _save(self, fmt: str) -> None:
        order = self.current_order()
        if order is not None:
            self._history.save(order, "pkpass" if fmt == "pkpass" else "pdf")


def _row(order: Order) -> QTreeWidgetItem:
    contact = order.order_contact
    who = f"{contact.first_name} {contact.last_name} <{contact.email}>" if contact else ""
    created = order.created_at.astimezone()
    when = f"{created:%H:%M}" if created.date() == date.today() else f"{created:%d %b %H:%M}"
    event = order.event_name or (order.event.name if order.event else f"Event {order.event_id}")
    status = STATUS_TEXT.get(order.status, str(order.status))
    if order.status == OrderStatus.CANCELED and order.cancel_reason == "expired":
        status = "Expired"
    values = {
        "Code": order.code,
        "Time": when,
        "Event": event,
        "Customer": who,
        "Tickets": str(sum(item.quantity for item in order.order_item)),
        "Total": format_money(order.total, order.currency),
        "Payment": PAYMENT_TEXT.get(order.payment_method or "", order.payment_method or ""),
        "Cashier": _cashier(order.cashier),
        "Status": status,
    }
    item = QTreeWidgetItem([values[name] for name in COLUMNS])
    item.setData(0, Qt.ItemDataRole.UserRole, order.id)
    for name in STRETCH:  # the whole text, when the column is too narrow for it
        item.setToolTip(COLUMNS.index(name), values[name])
    return item


def _cashier(name: str | None) -> str:
    if name == COUNTER_USERNAME:
        return "Training counter"  # the embedded server's own account
    return name or ""


def _found_text(found: int, today: bool) -> str:
    """ "1 order found today.", "2 orders found.", or what to do when there is none."""
    if not found:
        if today:
            return "No orders today yet. Type an order code, name or email to find older ones."
        return "No order matches."
    noun = "order" if found == 1 else "orders"
    return f"{found} {noun} found today." if today else f"{found} {noun} found."
