"""The main window: the sell tab (events, cart, checkout), the orders tab, menus with the
keyboard shortcuts, and the status bar (mode, server connection, signed-in user)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
)

from boxoffice.desktop.settings import Mode
from boxoffice.i18n import _
from boxoffice.ui.announce import announce
from boxoffice.ui.focus_ring import FocusRing
from boxoffice.ui.messages import Level, MessageBridge
from boxoffice.ui.panes.cart_pane import CartPane
from boxoffice.ui.panes.checkout_pane import CheckoutPane
from boxoffice.ui.panes.event_pane import EventPane
from boxoffice.ui.panes.history_pane import HistoryPane
from boxoffice.ui.presenters.checkout import PaymentMethod
from boxoffice.ui.presenters.connection import ConnectionPresenter
from boxoffice.ui.presenters.session import SessionPresenter

# Every frequent action and its keys; the help dialog and docs/desktop.md list the same.
SHORTCUTS: dict[str, str] = {
    "search": "Ctrl+F",
    "refresh": "F5",
    "sell_tab": "Ctrl+1",
    "orders_tab": "Ctrl+2",
    "add": "Ctrl+D",
    "clear": "Ctrl+Shift+Backspace",
    "cash": "F6",
    "card": "F7",
    "card_page": "Shift+F7",
    "free": "F8",
    "split": "F10",
    "complete": "Ctrl+Return",
    "stop": "Escape",
    "reprint": "Ctrl+P",
    "preview": "Ctrl+Shift+P",
    "save": "Ctrl+S",
    "receipt": "Ctrl+Shift+R",
    "order_refund": "Ctrl+R",
    "order_reprint": "Ctrl+G",
    "order_reissue": "Ctrl+I",
    "order_receipt": "Ctrl+E",
    "order_history": "Ctrl+H",
    "open_shift": "F9",
    "cash_movement": "Shift+F9",
    "shift_report": "Ctrl+F9",
    "close_shift": "Ctrl+Shift+F9",
    "sign_in": "Ctrl+L",
    "settings": "Ctrl+,",
    "shortcuts": "F1",
    "quit": "Ctrl+Q",
}


@dataclass
class Panes:
    events: EventPane
    cart: CartPane
    checkout: CheckoutPane
    history: HistoryPane


class MainWindow(QMainWindow):
    """Assembles the panes; every action is a signal or a pane method, no logic here.

    Signals (one per menu action without a pane of its own; the counter wires them):
        refresh_requested(): reload the events (F5).
        clear_requested(): clear the cart, and give up a pending sale.
        stop_requested(): stop waiting for the server (Esc).
        reprint_requested(): print the last sale's tickets again.
        preview_requested(): show a print preview of the last sale's tickets.
        save_requested(): save the last sale's tickets.
        receipt_requested(): print the last sale's receipt.
        sign_in_requested(): sign in, or out and in as somebody else.
        settings_requested(): edit the settings.
        open_shift_requested(), cash_movement_requested(), shift_report_requested(),
        close_shift_requested(): the counter's shift (F9 opens one).
        orders_shown(): the Orders tab was brought up (its list is then refreshed).
        closing(): the window is closing (the app shuts down); not emitted while the close
            guard (`set_close_guard`) keeps the window open.
    """

    refresh_requested = Signal()
    clear_requested = Signal()
    stop_requested = Signal()
    reprint_requested = Signal()
    preview_requested = Signal()
    save_requested = Signal()
    receipt_requested = Signal()
    sign_in_requested = Signal()
    settings_requested = Signal()
    open_shift_requested = Signal()
    cash_movement_requested = Signal()
    shift_report_requested = Signal()
    close_shift_requested = Signal()
    orders_shown = Signal()
    closing = Signal()

    def __init__(
        self,
        panes: Panes,
        *,
        session: SessionPresenter,
        connection: ConnectionPresenter,
        messages: MessageBridge,
        mode: Mode,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Box Office")
        self.panes = panes
        self._session = session
        self._connection = connection
        self.tabs = QTabWidget()
        sell = QSplitter(Qt.Orientation.Horizontal)
        for pane in (panes.events, panes.cart, panes.checkout):
            sell.addWidget(pane)
        sell.setSizes([460, 440, 380])
        self.tabs.addTab(sell, _("Sell"))
        self.tabs.addTab(panes.history, _("Orders"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)
        self._mode = mode
        self.mode_label = QLabel()  # the mode, or the training banner (`_show_mode`)
        self._show_mode()
        self.connection_label = QLabel(connection.text)
        self.user_label = QLabel()
        self.shift_label = QLabel()  # the counter and its shift (`show_shift`)
        self.shift_label.setAccessibleName(_("Shift"))
        self.busy_label = QLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # indeterminate: something is loading
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setVisible(False)
        status = self.statusBar()
        status.addPermanentWidget(self.busy_label)
        status.addPermanentWidget(self.busy_bar)
        status.addPermanentWidget(self.mode_label)
        status.addPermanentWidget(self.shift_label)
        status.addPermanentWidget(self.connection_label)
        status.addPermanentWidget(self.user_label)
        self.actions_by_name: dict[str, QAction] = {}
        self._close_guard: Callable[[], bool] | None = None
        self._menus()
        messages.posted.connect(self.show_message)
        session.changed.connect(self._user_changed)
        connection.changed.connect(self._connection_changed)
        self._user_changed()
        FocusRing.install()  # a ring a cashier sees around the focused field, in every window
        self.resize(1280, 760)

    # --- menus -----------------------------------------------------------------------------

    def _menus(self) -> None:
        panes = self.panes
        bar = self.menuBar()
        # No mnemonics on menus and tabs: Alt+letter belongs to the panes' fields (Alt+A add,
        # Alt+S seats, Alt+T time slot…); every menu action has a shortcut of its own.
        sale = bar.addMenu(_("Sale"))
        self._add(sale, "search", _("Search events"), self.focus_search)
        self._add(sale, "refresh", _("Refresh events"), self.refresh_requested)
        sale.addSeparator()
        self._add(sale, "add", _("Add to cart"), panes.cart.add_line)
        self._add(sale, "clear", _("Clear cart"), self.clear_requested)
        sale.addSeparator()
        self._add(sale, "cash", _("Pay cash"), lambda: self._pay("cash"))
        self._add(
            sale, "card", _("Pay by card (on the card reader if there is one)"), self._pay_card
        )
        self._add(
            sale, "card_page", _("Pay by card on the payment page"), lambda: self._pay("card")
        )
        self._add(sale, "free", _("Free tickets"), lambda: self._pay("free"))
        self._add(sale, "split", _("Split cash and card"), lambda: self._pay("split"))
        self._add(sale, "complete", _("Complete sale"), panes.checkout.submit)
        self._add(sale, "stop", _("Stop waiting"), self.stop_requested)
        shift = bar.addMenu(_("Shift"))
        self._add(shift, "open_shift", _("Open shift…"), self.open_shift_requested)
        self._add(shift, "cash_movement", _("Pay in or out…"), self.cash_movement_requested)
        self._add(shift, "shift_report", _("Print X report"), self.shift_report_requested)
        self._add(shift, "close_shift", _("Close shift…"), self.close_shift_requested)
        tickets = bar.addMenu(_("Tickets"))
        self._add(tickets, "reprint", _("Print last sale again"), self.reprint_requested)
        self._add(tickets, "preview", _("Print preview"), self.preview_requested)
        self._add(tickets, "save", _("Save last sale's tickets"), self.save_requested)
        self._add(tickets, "receipt", _("Print last sale's receipt"), self.receipt_requested)
        order = bar.addMenu(_("Order"))  # the Orders tab's selected order
        history = panes.history
        self._add(order, "order_refund", _("Refund order…"), self._on_order(history.refund))
        self._add(order, "order_reprint", _("Print order again…"), self._on_order(history.reprint))
        self._add(order, "order_reissue", _("Reissue tickets…"), self._on_order(history.reissue))
        self._add(
            order, "order_receipt", _("Print order's receipt"), self._on_order(history.receipt)
        )
        self._add(order, "order_history", _("Order history"), self._on_order(history.show_history))
        view = bar.addMenu(_("View"))
        self._add(view, "sell_tab", _("Sell"), lambda: self.tabs.setCurrentIndex(0))
        self._add(view, "orders_tab", _("Orders"), self.show_orders)
        account = bar.addMenu(_("Account"))
        self._add(account, "sign_in", _("Sign in or out…"), self.sign_in_requested)
        self._add(account, "settings", _("Settings…"), self.settings_requested)
        self._add(account, "quit", _("Quit"), self.close)
        help_menu = bar.addMenu(_("Help"))
        self._add(help_menu, "shortcuts", _("Keyboard shortcuts"), self.show_shortcuts)

    def _add(
        self, menu: QMenu, name: str, text: str, slot: Callable[[], object] | SignalInstance
    ) -> None:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(SHORTCUTS[name]))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.actions_by_name[name] = action

    # --- focus and views -------------------------------------------------------------------

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.panes.events.search.setFocus()
        self.panes.events.search.selectAll()

    def focus_cart(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.panes.cart.configs.setFocus()

    def show_orders(self) -> None:
        if self.tabs.currentWidget() is self.panes.history:
            self.orders_shown.emit()  # Ctrl+2 on the Orders tab: its list again, up to date
        self.tabs.setCurrentWidget(self.panes.history)
        self.panes.history.search.setFocus()

    def _on_order(self, act: Callable[[], None]) -> Callable[[], None]:
        """`act` on the Orders tab's selected order (the tab comes up if it was not)."""

        def on_order() -> None:
            if self.tabs.currentWidget() is not self.panes.history:
                self.tabs.setCurrentWidget(self.panes.history)
            act()

        return on_order

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.panes.history:
            self.orders_shown.emit()

    def _pay(self, method: PaymentMethod) -> None:
        self.tabs.setCurrentIndex(0)
        self.panes.checkout.choose_payment(method)

    def _pay_card(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.panes.checkout.choose_card()

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td>{action.text()}</td><td><b>{SHORTCUTS[name]}</b></td></tr>"
            for name, action in self.actions_by_name.items()
        )
        table = f"<table>{rows}</table>"  # the actions' own (translated) texts and their keys
        QMessageBox.information(self, _("Keyboard shortcuts"), table)

    # --- status ----------------------------------------------------------------------------

    def show_shift(self, text: str) -> None:
        """The counter and its shift in the status bar ("Counter 2 · shift open · cash …")."""
        self.shift_label.setText(text)

    def show_message(self, level: int, text: str) -> None:
        timeout = 0 if level >= Level.ERROR else 8000
        self.statusBar().showMessage(text, timeout)
        bar = self.statusBar()
        bar.setAccessibleName(text or _("Status"))  # a live region: its name is the message
        announce(bar, urgent=level >= Level.WARNING)

    def set_busy(self, text: str | None) -> None:
        """Show what is loading (Esc stops it), or nothing."""
        self.busy_label.setText(_("%(task)s (Esc stops)") % {"task": text} if text else "")
        self.busy_bar.setVisible(bool(text))

    def set_connection(self, text: str, *, ok: bool) -> None:
        label = self.connection_label
        changed = text != label.text()
        label.setText(text)
        label.setProperty("ok", ok)
        label.setObjectName("connection" if ok else "problem")  # the theme's error colour
        label.style().unpolish(label)
        label.style().polish(label)
        if changed:
            announce(label, urgent=not ok)  # "Offline" is read out when it comes

    def _connection_changed(self) -> None:
        self.set_connection(self._connection.text, ok=self._connection.ok)
        self._show_mode()

    def _show_mode(self) -> None:
        """The training banner while the server says it is in training mode, else the mode."""
        text, training = self._mode.status_label(self._connection.training)
        self.mode_label.setText(text)
        name = "training" if training else "mode"
        if self.mode_label.objectName() != name:
            self.mode_label.setObjectName(name)
            self.mode_label.style().unpolish(self.mode_label)  # the style sheet's rule by name
            self.mode_label.style().polish(self.mode_label)

    def _user_changed(self) -> None:
        self.user_label.setText(self._session.display_name)

    def set_close_guard(self, guard: Callable[[], bool]) -> None:
        """Ask `guard()` before the window closes (Ctrl+Q, the close button); False keeps it
        open (the guard asks the cashier, and closes the window again once answered)."""
        self._close_guard = guard

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if self._close_guard is not None and not self._close_guard():
            event.ignore()
            return
        self.closing.emit()
        super().closeEvent(event)
