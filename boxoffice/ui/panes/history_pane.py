"""The order history pane: find an order by code, name or email; print or save it again."""

from __future__ import annotations

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

from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.money import format_money
from boxoffice.ui.presenters.history import HistoryPresenter


class HistoryPane(QWidget):
    """Renders `HistoryPresenter.orders`.

    Signals:
        preview_requested(object): show a print preview of this `Order`.
    """

    preview_requested = Signal(object)

    def __init__(self, history: HistoryPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history = history
        self.search = QLineEdit(placeholderText="Order code, name or email — Enter to search")
        self.search.setClearButtonEnabled(True)
        self.orders = QTreeWidget()
        self.orders.setHeaderLabels(["Code", "Created", "Customer", "Tickets", "Total", "Status"])
        self.orders.setRootIsDecorated(False)
        header = self.orders.header()
        header.setStretchLastSection(False)
        for column in range(self.orders.columnCount()):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column == 2
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
        self.search.returnPressed.connect(lambda: history.search(self.search.text()))
        self.reprint_button.clicked.connect(self._reprint)
        self.preview_button.clicked.connect(self._preview)
        self.save_pdf_button.clicked.connect(lambda: self._save("pdf"))
        self.save_pass_button.clicked.connect(lambda: self._save("pkpass"))
        self.orders.currentItemChanged.connect(lambda *_: self._enable())
        history.orders_changed.connect(self.show_orders)
        history.message.connect(self.status.setText)
        history.error.connect(self.status.setText)
        self._enable()

    def show_orders(self) -> None:
        self.orders.clear()
        for order in self._history.orders:
            contact = order.order_contact
            who = f"{contact.first_name} {contact.last_name} <{contact.email}>" if contact else ""
            tickets = sum(item.quantity for item in order.order_item)
            item = QTreeWidgetItem(
                [
                    order.code,
                    f"{order.created_at.astimezone():%d %b %H:%M}",
                    who,
                    str(tickets),
                    format_money(order.total, order.currency),
                    order.status,
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, order.id)
            self.orders.addTopLevelItem(item)
        first = self.orders.topLevelItem(0)
        if first is not None:
            self.orders.setCurrentItem(first)
        found = len(self._history.orders)
        self.status.setText("No order matches." if not found else f"{found} orders found.")
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
