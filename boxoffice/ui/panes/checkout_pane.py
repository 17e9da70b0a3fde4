"""The checkout pane: the customer's contact, the ticket format, the payment (cash with
change, card on the counter's reader, card on the payment page, free, or split: a cash part,
the rest by card) and "Complete sale", with progress (the reader waiting for the card, Esc
cancels), what is left to pay of a part-paid order, and the outcome of the last sale."""

from __future__ import annotations

import html
from decimal import Decimal

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from boxoffice import i18n
from boxoffice.i18n import N_, _
from boxoffice.sdk.models.tickets import TicketFormat
from boxoffice.ui.amounts import parse_amount
from boxoffice.ui.announce import announce
from boxoffice.ui.presenters.cart import CartPresenter
from boxoffice.ui.presenters.checkout import (
    CheckoutPresenter,
    Contact,
    PaymentMethod,
    ReaderWait,
    SaleResult,
)

# The texts are marked N_(): they are translated where they are shown.
FORMATS: list[tuple[str, TicketFormat]] = [
    (N_("Printed tickets (PDF)"), "PDF"),
    (N_("Apple Wallet passes (PKPASS)"), "PKPASS"),
    (N_("Secure tickets in the customer's wallet"), "SECURE"),
]
METHODS: list[tuple[PaymentMethod, str]] = [
    ("cash", N_("Cash (F6)")),
    ("reader", N_("Card on reader (F7)")),
    ("card", N_("Card (F7)")),
    ("free", N_("Free (F8)")),
    ("split", N_("Split (F10)")),
]
STOP_WAITING = N_("Stop waiting (Esc)")
CARD_PAGE_TEXT = N_("Card page (Shift+F7)")  # the card way when this counter has a reader
CARD_UNAVAILABLE = N_("Card payments are not available on this counter yet. Take cash instead.")
NO_READER = N_(
    "This counter has no card reader. Choose one in Settings → Card reader, or take the card "
    "on the payment page (Shift+F7)."
)


class CheckoutPane(QWidget):
    """Collects the checkout's inputs and starts the sale; shows progress and the result."""

    def __init__(
        self,
        checkout: CheckoutPresenter,
        cart: CartPresenter,
        *,
        card_available: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._checkout = checkout
        self._cart = cart
        self._card_available = card_available
        self.first_name = QLineEdit(placeholderText=_("optional"))
        self.last_name = QLineEdit(placeholderText=_("optional"))
        self.email = QLineEdit(placeholderText=_("optional — tickets are emailed"))
        self.ticket_format = QComboBox()
        for text, value in FORMATS:
            self.ticket_format.addItem(_(text), value)
        self.methods = QButtonGroup(self)
        self.method_buttons: dict[PaymentMethod, QRadioButton] = {}
        for index, (method, text) in enumerate(METHODS):
            button = QRadioButton(_(text))
            self.methods.addButton(button, index)
            self.method_buttons[method] = button
        self.method_buttons["cash"].setChecked(True)
        self.method_buttons["reader"].setToolTip(
            _("The customer taps or inserts the card on this counter's card reader")
        )
        self.method_buttons["reader"].setVisible(False)
        self.reader_label: str | None = None  # this counter's reader (None: it has none)
        self.reader_status = QLabel()  # the reader waits for the card: what and how much
        self.reader_status.setObjectName("readerWaiting")
        self.reader_status.setAccessibleName(_("Card reader"))
        self.reader_status.setWordWrap(True)
        self.reader_status.setVisible(False)
        self.tendered = QLineEdit(placeholderText=_("exact amount"))
        self.tendered.setAccessibleName(_("Cash tendered"))
        self.cash_part = QLineEdit(placeholderText=_("cash part of the total"))
        self.cash_part.setAccessibleName(_("Cash part"))
        self.card_part = QLabel()  # split: what the card takes
        self.card_part.setAccessibleName(_("Card part"))
        self.card_part_label = QLabel(_("Card part"))
        self.left_to_pay = QLabel()  # what is due: the total, or the rest of a part-paid order
        self.left_to_pay.setObjectName("leftToPay")
        self.left_to_pay.setAccessibleName(_("Left to pay"))
        self.change = QLabel()
        self.complete_button = QPushButton(_("Complete sale (Ctrl+Enter)"))
        self.complete_button.setObjectName("completeSale")
        self.complete_button.setDefault(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.stage = QLabel()
        self.stage.setWordWrap(True)
        self.cancel_button = QPushButton(_(STOP_WAITING))
        self.cancel_button.setVisible(False)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.outcome = QLabel()
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.outcome.setOpenExternalLinks(True)  # "Open the folder" of saved tickets
        self.outcome.setVisible(False)
        self._layout()
        self._connect()
        self._method_changed()

    def _layout(self) -> None:
        contact = QGroupBox(_("Customer"))
        form = QFormLayout(contact)
        form.addRow(_("&First name"), self.first_name)
        form.addRow(_("Last &name"), self.last_name)
        form.addRow(_("E&mail"), self.email)
        form.addRow(_("Tickets as"), self.ticket_format)
        payment = QGroupBox(_("Payment"))
        pay = QVBoxLayout(payment)
        self._methods_grid = QGridLayout()
        self._place_methods()
        pay.addLayout(self._methods_grid)
        cash = QFormLayout()
        cash.addRow(_("To pay"), self.left_to_pay)
        cash.addRow(_("Cash &part"), self.cash_part)
        cash.addRow(self.card_part_label, self.card_part)
        cash.addRow(_("Tendered"), self.tendered)
        cash.addRow(_("Change"), self.change)
        self._split_rows = cash
        pay.addLayout(cash)
        busy = QHBoxLayout()
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>" + _("Checkout") + "</b>"))
        layout.addWidget(contact)
        layout.addWidget(payment)
        layout.addWidget(self.complete_button)
        layout.addLayout(busy)
        layout.addWidget(self.reader_status)
        layout.addWidget(self.stage)
        layout.addWidget(self.problem)
        layout.addWidget(self.outcome)
        layout.addStretch(1)

    def _connect(self) -> None:
        self.complete_button.clicked.connect(self.submit)
        self.tendered.returnPressed.connect(self.submit)
        self.tendered.textChanged.connect(self._update_change)
        self.cash_part.returnPressed.connect(self.tendered.setFocus)
        self.cash_part.textChanged.connect(self._update_change)
        self._checkout.part_paid.connect(self._part_paid)
        self.cancel_button.clicked.connect(self._checkout.cancel)
        self.methods.idToggled.connect(lambda *_args: self._method_changed())
        self._cart.changed.connect(self._cart_changed)
        self._cart.cleared.connect(self._sale_over)
        self._checkout.busy_changed.connect(self._busy)
        self._checkout.stage.connect(self.stage.setText)
        self._checkout.error.connect(self._show_problem)
        self._checkout.completed.connect(self._show_result)
        self._checkout.reader_waiting.connect(self._reader_waiting)
        self._checkout.reader_done.connect(self._reader_done)

    # --- actions ---------------------------------------------------------------------------

    @property
    def method(self) -> PaymentMethod:
        for method, button in self.method_buttons.items():
            if button.isChecked():
                return method
        return "cash"

    @property
    def has_reader(self) -> bool:
        """This counter has a card reader: cards go on it unless the card page is chosen."""
        return self.reader_label is not None

    def set_reader(self, label: str | None) -> None:
        """This counter's reader (`label`), or none: the card ways offered follow."""
        self.reader_label = label
        reader, card = self.method_buttons["reader"], self.method_buttons["card"]
        self._place_methods()
        reader.setVisible(label is not None)
        reader.setToolTip(
            _("The customer taps or inserts the card on %(reader)s") % {"reader": label}
            if label
            else reader.toolTip()
        )
        card.setText(_(CARD_PAGE_TEXT) if label is not None else _("Card (F7)"))
        card.setToolTip(
            _("The card on the payment page (a card not present: phone sales)")
            if label is not None
            else ""
        )
        if label is None and reader.isChecked():
            self.method_buttons["card"].setChecked(True)
        self._method_changed()

    def _place_methods(self) -> None:
        """The ways to pay in one row, or in two columns when the reader's two card ways
        are offered (they fit a narrow pane then)."""
        shown = [
            button
            for method, button in self.method_buttons.items()
            if method != "reader" or self.has_reader
        ]
        for button in self.method_buttons.values():
            self._methods_grid.removeWidget(button)
        columns = 2 if self.has_reader else len(shown)
        for index, button in enumerate(shown):
            self._methods_grid.addWidget(button, index // columns, index % columns)

    def choose_card(self) -> None:
        """F7: the card on this counter's reader, or the payment page when it has none."""
        self.choose_payment("reader" if self.has_reader else "card")

    def choose_payment(self, method: PaymentMethod) -> None:
        self.method_buttons[method].setChecked(True)
        if method == "cash":
            self.tendered.setFocus()
            self.tendered.selectAll()
        elif method == "split":
            self.cash_part.setFocus()
            self.cash_part.selectAll()

    def submit(self) -> None:
        """Complete the sale with what is entered (the checks the cashier can fix come first)."""
        if self._checkout.selling:
            return  # a double press must not start a second sale
        self.problem.clear()
        if self.method in ("card", "split") and not self._card_available:
            self._show_problem(_(CARD_UNAVAILABLE))
            return
        if self.method == "reader" and not self.has_reader:
            self._show_problem(_(NO_READER))
            return
        try:
            tendered = self._tendered()
            cash_part = self._cash_part_checked(tendered)
            contact = self._contact()
        except ValueError as exc:
            self._show_problem(str(exc))
            return
        self._hide_outcome()
        self._checkout.complete_sale(
            method=self.method,
            tendered=tendered,
            contact=contact,
            ticket_format=self.ticket_format.currentData(),
            cash_part=cash_part,
            card_on_reader=self.method == "split" and self.has_reader,
        )

    def reset_inputs(self) -> None:
        """The checkout's defaults: no customer, the first ticket format, cash, no tendered."""
        for field in (self.first_name, self.last_name, self.email, self.tendered, self.cash_part):
            field.clear()
        self.ticket_format.setCurrentIndex(0)
        self.method_buttons["cash"].setChecked(True)

    def _sale_over(self) -> None:
        """The cart was cleared (sale completed or given up): the next customer starts afresh,
        with no old result, problem or progress on screen."""
        self.reset_inputs()
        self.problem.clear()
        self.stage.clear()
        self._hide_outcome()

    # --- rendering -------------------------------------------------------------------------

    def _method_changed(self) -> None:
        split = self.method == "split" and self._checkout.part_paid_order is None
        self.tendered.setEnabled(self.method == "cash" or split)
        for field in (self.cash_part, self.card_part):
            self._split_rows.setRowVisible(field, split)
            field.setEnabled(split)
        self.card_part_label.setText(
            _("Card part (on the reader)") if self.has_reader else _("Card part")
        )
        if self.method in ("card", "split") and not self._card_available:
            self.problem.setText(_(CARD_UNAVAILABLE))
        else:
            self.problem.clear()
        self._update_change()

    def _part_paid(self, order: object) -> None:
        """A part was taken (`order` part-paid) or the part-paid order is gone (None): the
        cash tendered for the part is spent, what is left is shown."""
        if order is not None:
            self.tendered.clear()
            self.cash_part.clear()
        self._method_changed()

    def _due(self) -> Decimal:
        """What this sale still needs: the cart's total, or the rest of a part-paid order."""
        order = self._checkout.part_paid_order
        return Decimal(order.amount_due) if order is not None else self._cart.total

    def _update_change(self) -> None:
        self._update_left_to_pay()
        try:
            tendered = self._tendered()
            cash_part = self._cash_part()
        except ValueError:
            self.change.setText("—")
            self.card_part.setText("—")
            return
        due, currency = self._due(), self._cart.currency
        split = self.method == "split" and self._checkout.part_paid_order is None
        if split:
            if cash_part is None:
                self.card_part.setText(_("enter the cash part"))
            elif 0 < cash_part < due:
                self.card_part.setText(i18n.money(due - cash_part, currency))
            else:
                self.card_part.setText(
                    _("the cash part must be less than %(total)s")
                    % {"total": i18n.money(due, currency)}
                )
            due = cash_part if cash_part is not None else due
        if self.method not in ("cash", "split") or not self._cart.lines:
            self.change.setText("—")
        elif self.method == "split" and not split:
            self.change.setText("—")  # part-paid: the card takes the rest
        elif tendered is None:
            self.change.setText(_("none (exact amount)"))
        elif tendered < due:
            self.change.setText(
                _("%(amount)s short") % {"amount": i18n.money(due - tendered, currency)}
            )
        else:
            self.change.setText(i18n.money(tendered - due, currency))

    def _update_left_to_pay(self) -> None:
        order = self._checkout.part_paid_order
        if order is not None:
            paid = i18n.money(order.paid_amount, order.currency)
            self.left_to_pay.setText(
                _("<b>%(left)s left</b> (%(paid)s paid)")
                % {"left": i18n.money(order.amount_due, order.currency), "paid": paid}
            )
        elif self._cart.lines:
            self.left_to_pay.setText(i18n.money(self._cart.total, self._cart.currency))
        else:
            self.left_to_pay.setText("—")

    def _cart_changed(self) -> None:
        if self._cart.lines:
            self._hide_outcome()  # the next sale has begun: the last one's result goes
        self._update_change()

    def _reader_waiting(self, wait: ReaderWait) -> None:
        self.reader_status.setText(
            f"{wait.text}<br><small>" + _("Esc cancels the payment.") + "</small>"
        )
        self.reader_status.setVisible(True)
        self.cancel_button.setText(_("Cancel the card payment (Esc)"))
        self.problem.clear()

    def _reader_done(self) -> None:
        self.reader_status.clear()
        self.reader_status.setVisible(False)
        self.cancel_button.setText(_(STOP_WAITING))

    def _hide_outcome(self) -> None:
        self.outcome.clear()
        self.outcome.setVisible(False)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.complete_button.setEnabled(not busy)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        announce(self.problem, urgent=True)

    def _show_result(self, result: SaleResult) -> None:
        order = result.order
        total = i18n.money(order.total, order.currency)
        lines = [_("<b>Order %(code)s paid</b> — %(total)s") % {"code": order.code, "total": total}]
        if result.change is not None:
            change = i18n.money(result.change, order.currency)
            lines.append(_("<b>Change: %(change)s</b>") % {"change": change})
        if order.payment_method == "split":
            lines.append(_("Paid in parts: cash and card."))
        lines.append(html.escape(result.delivery.message))
        saved_to = result.delivery.saved_to
        if saved_to is not None:
            folder = QUrl.fromLocalFile(str(saved_to.parent)).toString()
            lines.append(f'<a href="{html.escape(folder)}">' + _("Open the folder") + "</a>")
        self.outcome.setText("<br>".join(lines))
        self.outcome.setVisible(True)
        self.problem.clear()
        announce(self.outcome)

    def _cash_part(self) -> Decimal | None:
        """The split's cash part, None when not entered; ValueError says what is wrong."""
        return parse_amount(self.cash_part.text(), what=_("the cash part"))

    def _cash_part_checked(self, tendered: Decimal | None) -> Decimal | None:
        """The cash part of a split sale about to start (None for other methods, and when
        the cash part is taken already); ValueError says what the cashier must fix."""
        if self.method != "split" or self._checkout.part_paid_order is not None:
            return None
        cash_part, due = self._cash_part(), self._due()
        currency = self._cart.currency
        if cash_part is None or not 0 < cash_part < due:
            raise ValueError(
                _(
                    "Enter the cash part: more than 0 and less than %(total)s "
                    "(the card takes the rest)."
                )
                % {"total": i18n.money(due, currency)}
            )
        if tendered is not None and tendered < cash_part:
            short = i18n.money(cash_part - tendered, currency)
            raise ValueError(
                _("The cash tendered is %(short)s short of the cash part.") % {"short": short}
            )
        return cash_part

    def _tendered(self) -> Decimal | None:
        """The cash tendered, None for the exact amount; ValueError says what is wrong."""
        return parse_amount(self.tendered.text(), what=_("the cash tendered"))

    def _contact(self) -> Contact | None:
        """The customer, None when no field is filled; ValueError says what is missing."""
        first, last = self.first_name.text().strip(), self.last_name.text().strip()
        email = self.email.text().strip()
        if not (first or last or email):
            return None
        if not (first and last and email):
            raise ValueError(_("For a customer, fill in first name, last name and email."))
        if "@" not in email:
            raise ValueError(_("That email address is not complete."))
        return Contact(first, last, email)
