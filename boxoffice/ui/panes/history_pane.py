"""The order history pane: today's orders at once, find an order by code, name or email; print or
save it again, refund it, reissue lost tickets, print its receipt, read its history."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal, SignalInstance
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

from boxoffice import i18n
from boxoffice.i18n import N_, _, ngettext
from boxoffice.sdk.models.auth import COUNTER_USERNAME
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.presenters.history import HistoryPresenter
from boxoffice.ui.presenters.order_actions import WITH_RECEIPT, WITH_VALID_TICKETS

# The columns by their English names (the keys of a row); the header shows them translated.
COLUMNS = [
    N_("Code"),
    N_("Time"),
    N_("Event"),
    N_("Customer"),
    N_("Tickets"),
    N_("Total"),
    N_("Payment"),
    N_("Cashier"),
    N_("Status"),
]
STRETCH = ("Event", "Customer")
PAYMENT_TEXT = {"cash": N_("Cash"), "card": N_("Card"), "free": N_("Free"), "split": N_("Split")}
STATUS_TEXT = {
    OrderStatus.DRAFT: N_("Not paid"),
    OrderStatus.PAYMENT_PROCESSING: N_("Card payment open"),
    OrderStatus.DECLINED: N_("Payment failed"),
    OrderStatus.PAID: N_("Paid"),
    OrderStatus.PARTIALLY_REFUNDED: N_("Partly refunded"),
    OrderStatus.REFUNDED: N_("Refunded"),
    OrderStatus.CANCELED: N_("Canceled"),
}


class HistoryPane(QWidget):
    """Renders `HistoryPresenter.orders`: today's orders when the tab opens (`refresh`), or
    what the search found.

    Signals (each with the selected `Order`; the counter opens the dialogs):
        preview_requested(object): show a print preview of its tickets.
        reprint_requested(object): print its tickets again, with a reason.
        refund_requested(object), reissue_requested(object): the refund / reissue dialog.
        receipt_requested(object): print its receipt.
        history_requested(object): show its history.
    """

    preview_requested = Signal(object)
    reprint_requested = Signal(object)
    refund_requested = Signal(object)
    reissue_requested = Signal(object)
    receipt_requested = Signal(object)
    history_requested = Signal(object)

    def __init__(self, history: HistoryPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history = history
        self.search = QLineEdit(
            placeholderText=_("Order code, name or email, then Enter (empty: today's orders)")
        )
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search orders"))
        self.orders = QTreeWidget()
        self.orders.setHeaderLabels([_(name) for name in COLUMNS])
        self.orders.setAccessibleName(_("Orders"))
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
        self.reprint_button = QPushButton(_("&Print again…"))
        self.preview_button = QPushButton(_("Pre&view"))
        self.save_pdf_button = QPushButton(_("Save P&DF"))
        self.save_pass_button = QPushButton(_("Save &Wallet passes"))
        self.refund_button = QPushButton(_("Re&fund…"))
        self.reissue_button = QPushButton(_("Re&issue…"))
        self.receipt_button = QPushButton(_("Re&ceipt"))
        self.history_button = QPushButton(_("&History"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (
            self.reprint_button,
            self.preview_button,
            self.save_pdf_button,
            self.save_pass_button,
            self.refund_button,
            self.reissue_button,
            self.receipt_button,
            self.history_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>" + _("Orders") + "</b>"))
        layout.addWidget(self.search)
        layout.addWidget(self.orders, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.search.returnPressed.connect(self.refresh)
        self.reprint_button.clicked.connect(self.reprint)
        self.refund_button.clicked.connect(self.refund)
        self.reissue_button.clicked.connect(self.reissue)
        self.receipt_button.clicked.connect(self.receipt)
        self.history_button.clicked.connect(self.show_history)
        self.preview_button.clicked.connect(self._preview)
        self.save_pdf_button.clicked.connect(lambda: self._save("pdf"))
        self.save_pass_button.clicked.connect(lambda: self._save("pkpass"))
        self.orders.currentItemChanged.connect(lambda *_args: self._enable())
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
        """The orders found; the order selected before stays selected (after a refund the
        list comes again), else the first."""
        before = self.current_order()
        self.orders.clear()
        chosen = None
        for order in self._history.orders:
            item = _row(order)
            self.orders.addTopLevelItem(item)
            if before is not None and order.id == before.id:
                chosen = item
        chosen = chosen or self.orders.topLevelItem(0)
        if chosen is not None:
            self.orders.setCurrentItem(chosen)
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
        status = order.status if order is not None else None
        paid = status == OrderStatus.PAID
        for button in (self.preview_button, self.save_pdf_button, self.save_pass_button):
            button.setEnabled(paid)
        for button in (self.reprint_button, self.refund_button, self.reissue_button):
            button.setEnabled(status in WITH_VALID_TICKETS)
        self.receipt_button.setEnabled(status in WITH_RECEIPT)
        self.history_button.setEnabled(order is not None)

    # --- the selected order's actions (buttons and the Order menu's keys) ------------------

    def reprint(self) -> None:
        self._with_order(
            self.reprint_requested,
            WITH_VALID_TICKETS,
            N_("Order %(code)s has no tickets to print."),
        )

    def refund(self) -> None:
        self._with_order(
            self.refund_requested,
            WITH_VALID_TICKETS,
            N_("Order %(code)s has no tickets to refund."),
        )

    def reissue(self) -> None:
        self._with_order(
            self.reissue_requested,
            WITH_VALID_TICKETS,
            N_("Order %(code)s has no tickets to reissue."),
        )

    def receipt(self) -> None:
        self._with_order(
            self.receipt_requested,
            WITH_RECEIPT,
            N_("Order %(code)s is not paid: it has no receipt."),
        )

    def show_history(self) -> None:
        self._with_order(self.history_requested, None, "")

    def _with_order(
        self, signal: SignalInstance, allowed: frozenset[OrderStatus] | None, why_not: str
    ) -> None:
        """Emit `signal` with the current order when its status is `allowed`; else say
        `why_not` (a sentence marked `N_`, with the order's `%(code)s`)."""
        order = self.current_order()
        if order is None:
            self.status.setText(_("Choose an order in the list first (Ctrl+2, then the arrows)."))
            return
        if allowed is not None and order.status not in allowed:
            self.status.setText(_(why_not) % {"code": order.code})
            return
        signal.emit(order)

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
    when = i18n.short_moment(order.created_at.astimezone(), datetime.now().astimezone())
    event = order.event_name or (
        order.event.name if order.event else _("Event %(id)s") % {"id": order.event_id}
    )
    status = _(STATUS_TEXT[order.status]) if order.status in STATUS_TEXT else str(order.status)
    if order.status == OrderStatus.CANCELED and order.cancel_reason == "expired":
        status = _("Expired")
    values = {
        "Code": order.code,
        "Time": when,
        "Event": event,
        "Customer": who,
        "Tickets": str(sum(item.quantity for item in order.order_item)),
        "Total": i18n.money(order.total, order.currency),
        "Payment": _payment_text(order.payment_method),
        "Cashier": _cashier(order.cashier),
        "Status": status,
    }
    item = QTreeWidgetItem([values[name] for name in COLUMNS])
    item.setData(0, Qt.ItemDataRole.UserRole, order.id)
    for name in STRETCH:  # the whole text, when the column is too narrow for it
        item.setToolTip(COLUMNS.index(name), values[name])
    return item


def _payment_text(method: str | None) -> str:
    if method in PAYMENT_TEXT:
        return _(PAYMENT_TEXT[method])
    return method or ""


def _cashier(name: str | None) -> str:
    if name == COUNTER_USERNAME:
        return _("Training counter")  # the embedded server's own account
    return name or ""


def _found_text(found: int, today: bool) -> str:
    """ "1 order found today.", "2 orders found.", or what to do when there is none."""
    if not found:
        if today:
            return _("No orders today yet. Type an order code, name or email to find older ones.")
        return _("No order matches.")
    if today:
        return ngettext("%(count)d order found today.", "%(count)d orders found today.", found) % {
            "count": found
        }
    return ngettext("%(count)d order found.", "%(count)d orders found.", found) % {"count": found}
