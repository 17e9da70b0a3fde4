"""The cart pane: the chosen event's tickets with price and what is left, the choices of a
line (quantity, time slot, sector, discount), and the cart's lines and total."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boxoffice import i18n
from boxoffice.i18n import _, ngettext
from boxoffice.sdk.models.events import Event, TicketConfig, TicketDiscount
from boxoffice.ui.presenters.cart import CartError, CartPresenter
from boxoffice.ui.sale_state import config_on_sale


class CartPane(QWidget):
    """Renders the cart presenter; adds, removes and clears lines.

    Signals:
        seats_requested(int config_id, int quantity): pick seats for a seated ticket type.
        clear_requested(): "Clear cart": give up the sale (and its pending order).
    """

    seats_requested = Signal(int, int)
    clear_requested = Signal()

    def __init__(self, cart: CartPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cart = cart
        self.title = QLabel(_("<b>Cart</b> — choose an event"))
        self.title.setWordWrap(True)
        self.configs = QTreeWidget()
        self.configs.setHeaderLabels([_("Ticket"), _("Price"), _("Left")])
        self.configs.setAccessibleName(_("Ticket types"))
        self.configs.setAccessibleDescription(_("The open event's ticket types, price and left"))
        self.configs.setRootIsDecorated(False)
        _stretch_first_column(self.configs)
        self.quantity = QSpinBox(minimum=1, maximum=100, value=1)
        self.timeslot = QComboBox()
        self.sector = QComboBox()
        self.discount = QComboBox()
        self.add_button = QPushButton(_("&Add to cart"))
        self.seats_button = QPushButton(_("Choose &seats…"))
        self.lines = QTreeWidget()
        self.lines.setHeaderLabels([_("In the cart"), _("Qty"), _("Price"), _("Total")])
        self.lines.setAccessibleName(_("Cart lines"))
        self.lines.setAccessibleDescription(_("Delete removes the current line"))
        self.lines.setRootIsDecorated(False)
        _stretch_first_column(self.lines)
        self.remove_button = QPushButton(_("&Remove line"))
        self.clear_button = QPushButton(_("C&lear cart"))
        self.total = QLabel()
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.total.setObjectName("cartTotal")
        self.total.setAccessibleName(_("Cart total"))
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self._layout()
        self._connect()
        self._offer_choices()
        self.show_cart()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow(_("&Quantity"), self.quantity)
        form.addRow(_("&Time slot"), self.timeslot)
        form.addRow(_("S&ector"), self.sector)
        form.addRow(_("&Discount"), self.discount)
        buttons = QHBoxLayout()
        buttons.addWidget(self.seats_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        line_buttons = QHBoxLayout()
        line_buttons.addWidget(self.remove_button)
        line_buttons.addWidget(self.clear_button)
        line_buttons.addStretch(1)
        line_buttons.addWidget(self.total)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.configs, 2)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        layout.addWidget(self.lines, 2)
        layout.addLayout(line_buttons)

    def _connect(self) -> None:
        self.configs.currentItemChanged.connect(lambda *_args: self._offer_choices())
        self.configs.itemActivated.connect(lambda *_args: self.quantity.setFocus())
        self.add_button.clicked.connect(self.add_line)
        self.quantity.editingFinished.connect(self._quantity_entered)
        self.seats_button.clicked.connect(self._ask_for_seats)
        self.remove_button.clicked.connect(self.remove_line)
        self.clear_button.clicked.connect(self.clear_requested)
        QShortcut(QKeySequence.StandardKey.Delete, self.lines, self.remove_line)
        self._cart.changed.connect(self.show_cart)
        self._cart.cleared.connect(self._reset_choices)

    # --- rendering -------------------------------------------------------------------------

    def show_event(self, event: Event) -> None:
        """Offer `event`'s ticket types (the window calls this when an event is loaded)."""
        try:
            self._cart.show_event(event)
        except CartError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.clear()
        zone = ZoneInfo(event.timezone_name)
        venue = f" · {event.venue.name}" if event.venue else ""
        when = i18n.moment(event.start_at.astimezone(zone), "%a %d %b %Y %H:%M", weekday=True)
        self.title.setText(f"<b>{event.name}</b><br>{when}{venue}")
        self.configs.clear()
        now = datetime.now(UTC)
        for config in event.ticket_config or []:
            left = "" if config.available is None else str(config.available)
            item = QTreeWidgetItem(
                [config.name, i18n.money(config.face_value, config.currency), left]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, config.id)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not config_on_sale(config, now) or config.available == 0:
                item.setDisabled(True)
                item.setToolTip(0, _("Not on sale now") if config.available != 0 else _("Sold out"))
            self.configs.addTopLevelItem(item)
        first = _first_enabled(self.configs)
        if first is not None:
            self.configs.setCurrentItem(first)
        self._offer_choices()

    def show_loading(self, name: str) -> None:
        """Event `name` was chosen and is loading: the last event's tickets go at once (a
        cart with lines keeps its event, `CartPresenter.leave_event`)."""
        if not self._cart.leave_event():
            return
        self.title.setText(f"<b>{name}</b><br>" + _("Loading its tickets…"))
        self.problem.clear()
        self.configs.clear()
        self._offer_choices()

    def show_load_failure(self, sentence: str) -> None:
        """The chosen event could not be loaded; `sentence` says so."""
        self.problem.setText(sentence)

    def show_cart(self) -> None:
        self.lines.clear()
        event = self._cart.current_event
        zone = ZoneInfo(event.timezone_name) if event else None
        for line in self._cart.lines:
            currency = line.config.currency
            item = QTreeWidgetItem(
                [
                    line.describe(zone),
                    str(line.quantity),
                    i18n.money(line.unit_price, currency),
                    i18n.money(line.total, currency),
                ]
            )
            for column in (1, 2, 3):
                item.setTextAlignment(
                    column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
            self.lines.addTopLevelItem(item)
        count = self._cart.ticket_count
        total = i18n.money(self._cart.total, self._cart.currency)
        self.total.setText(
            ngettext(
                "<b>Total %(total)s</b> (%(count)d tickets)",
                "<b>Total %(total)s</b> (%(count)d tickets)",
                count,
            )
            % {"total": total, "count": count}
            if count
            else _("Cart is empty")
        )
        has_lines = bool(self._cart.lines)
        self.remove_button.setEnabled(has_lines)
        self.clear_button.setEnabled(has_lines)

    def _offer_choices(self) -> None:
        config = self.current_config()
        event = self._cart.current_event
        _fill(self.timeslot, [])
        _fill(self.sector, [])
        _fill(self.discount, [(_("No discount"), None)])
        seated = bool(event and event.has_seat_map and config and config.seat_category)
        self.seats_button.setVisible(seated)
        self.add_button.setEnabled(config is not None)
        if config is None or event is None:
            return
        zone = ZoneInfo(event.timezone_name)
        now = datetime.now(UTC)
        slots = [s for s in event.timeslot or [] if s.id in config.timeslot_ids and s.end_at > now]
        _fill(
            self.timeslot,
            [
                (
                    i18n.moment(s.start_at.astimezone(zone), "%a %d %b %H:%M", weekday=True)
                    + _left(s.available),
                    s.id,
                )
                for s in slots
            ],
        )
        _select(self.timeslot, self._cart.timeslot_id)  # the cart's slot stays chosen
        sectors = [s for s in event.sector or [] if s.id in config.sector_ids]
        _fill(self.sector, [(f"{s.name}{_left(s.available)}", s.id) for s in sectors])
        discounts = [d for d in event.ticket_discount or [] if config.id in d.ticket_config_ids]
        _fill(
            self.discount,
            [
                (_("No discount"), None),
                *[(_discount_label(d, config.currency), d.id) for d in discounts],
            ],
        )
        self.timeslot.setEnabled(bool(slots))
        self.sector.setEnabled(bool(sectors))
        self.discount.setEnabled(bool(discounts))
        maximum = config.max_per_order or 100
        if config.available is not None:
            maximum = max(1, min(maximum, config.available))
        self.quantity.setMaximum(maximum)

    def current_config(self) -> TicketConfig | None:
        item = self.configs.currentItem()
        event = self._cart.current_event
        if item is None or event is None or item.isDisabled():
            return None
        config_id = int(item.data(0, Qt.ItemDataRole.UserRole))
        return next((c for c in event.ticket_config or [] if c.id == config_id), None)

    # --- actions ---------------------------------------------------------------------------

    def add_line(self) -> None:
        config = self.current_config()
        if config is None:
            self.problem.setText(_("Choose a ticket type that is on sale."))
            return
        if self.seats_button.isVisible():
            self._ask_for_seats()
            return
        try:
            self._cart.add(
                config.id,
                self.quantity.value(),
                timeslot_id=self.timeslot.currentData(),
                sector_id=self.sector.currentData(),
                discount_id=self.discount.currentData(),
            )
        except CartError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.clear()
        self.quantity.setValue(1)

    def _reset_choices(self) -> None:
        """The sale is over: quantity 1, no discount, the first slot; the event stays."""
        self.problem.clear()
        self._offer_choices()
        self.quantity.setValue(1)

    def remove_line(self) -> None:
        current = self.lines.currentItem()
        index = self.lines.indexOfTopLevelItem(current) if current is not None else -1
        if index < 0 and self.lines.topLevelItemCount():
            index = self.lines.topLevelItemCount() - 1
        self._cart.remove(index)

    def _quantity_entered(self) -> None:
        if self.quantity.hasFocus():
            self.add_line()

    def _ask_for_seats(self) -> None:
        config = self.current_config()
        if config is not None:
            self.seats_requested.emit(config.id, self.quantity.value())


def _stretch_first_column(tree: QTreeWidget) -> None:
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, tree.columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)


def _fill(combo: QComboBox, entries: list[tuple[str, object]]) -> None:
    combo.clear()
    for text, data in entries:
        combo.addItem(text, data)


def _select(combo: QComboBox, data: object) -> None:
    """Make the entry holding `data` current, if `combo` has one."""
    index = combo.findData(data)
    if data is not None and index >= 0:
        combo.setCurrentIndex(index)


def _left(available: int | None) -> str:
    if available is None:
        return ""
    return " " + ngettext("(%(count)d left)", "(%(count)d left)", available) % {"count": available}


def _discount_label(discount: TicketDiscount, currency: str) -> str:
    """The discount with its value: "Student (−20 %)", "Member (−5.00 EUR)"."""
    if discount.type == "percentage":
        percent = Decimal(discount.value).normalize()
        return _("%(discount)s (−%(percent)s %%)") % {
            "discount": discount.name,
            "percent": i18n.decimal(percent),
        }
    return _("%(discount)s (−%(amount)s)") % {
        "discount": discount.name,
        "amount": i18n.money(discount.value, currency),
    }


def _first_enabled(tree: QTreeWidget) -> QTreeWidgetItem | None:
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        if item is not None and not item.isDisabled():
            return item
    return None
