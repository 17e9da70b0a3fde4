"""Card reader dialogs: Settings → *Card reader…* (the venue's readers, which one this
counter uses, *Register…*, *Test*), the registration form, and the training window that
plays the customer's card on a training reader while a payment waits for it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boxoffice import i18n
from boxoffice.i18n import N_, _
from boxoffice.sdk.models.readers import Reader
from boxoffice.ui.dialogs.form_dialog import FormDialog
from boxoffice.ui.presenters.checkout import ReaderWait
from boxoffice.ui.presenters.reader import (
    APPROVED_CARD,
    DECLINED_CARD,
    NO_FUNDS_CARD,
    TRAINING_CODE,
    ReaderPresenter,
    device_name,
    status_text,
)

COLUMNS = [N_("Reader"), N_("Type"), N_("Status"), N_("Counter")]
TRAINING_CARD_TITLE = N_("Customer's card (training)")


def reader_summary(reader: Reader | None, counter: str | None) -> str:
    """One line for Settings: this counter's reader, or that it has none."""
    if reader is None:
        return _("None at counter %(counter)s: cards are taken on the payment page") % {
            "counter": counter
        }
    return f"{reader.label} ({device_name(reader.device_type)}, {status_text(reader)})"


class ReadersDialog(QDialog):
    """The venue's card readers; pick the one this counter uses, register one, test one."""

    def __init__(
        self, readers: ReaderPresenter, *, training: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Card reader — Box Office"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._readers = readers
        self._training = training
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([_(column) for column in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName(_("Card readers"))
        self.register_button = QPushButton(_("&Register…"))
        self.use_button = QPushButton(_("&Use at this counter"))
        self.none_button = QPushButton(_("&No reader at this counter"))
        self.test_button = QPushButton(_("&Test"))
        self.refresh_button = QPushButton(_("Re&fresh"))
        self.status = QLabel()
        self.status.setObjectName("readerMessage")
        self.status.setAccessibleName(_("Card reader status"))
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(40)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        for button in (
            self.register_button,
            self.use_button,
            self.none_button,
            self.test_button,
            self.refresh_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.register_button.clicked.connect(self.ask_register)
        self.use_button.clicked.connect(self.use_selected)
        self.none_button.clicked.connect(lambda: self._readers.choose(None))
        self.test_button.clicked.connect(self.test_selected)
        self.refresh_button.clicked.connect(self._readers.refresh)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        readers.changed.connect(self._show)
        readers.message.connect(self._say)
        readers.error.connect(self._say_problem)
        readers.busy_changed.connect(self._busy)
        self.resize(720, 380)
        self._show()
        readers.refresh()

    @property
    def selected(self) -> Reader | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._readers.reader(self._id_at(rows[0].row()))

    def select(self, reader_id: str) -> None:
        for row in range(self.table.rowCount()):
            if self._id_at(row) == reader_id:
                self.table.selectRow(row)
                return

    def _id_at(self, row: int) -> str:
        item = self.table.item(row, 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def ask_register(self) -> RegisterReaderDialog:
        dialog = RegisterReaderDialog(self._readers, training=self._training, parent=self)
        dialog.open()
        return dialog

    def use_selected(self) -> None:
        reader = self.selected
        if reader is None:
            self._say_problem(_("Select a reader in the list first."))
            return
        self._readers.choose(reader.id)

    def test_selected(self) -> None:
        reader = self.selected or self._readers.counter_reader
        if reader is None:
            self._say_problem(_("Select a reader in the list first."))
            return
        self._say(_("Testing %(reader)s…") % {"reader": reader.label})
        self._readers.test(reader.id)

    def _show(self) -> None:
        selected = self.selected
        keep = selected.id if selected is not None else None
        counter = self._readers.counter
        mine = self._readers.counter_reader
        if mine is not None:
            heading = _("<b>Counter %(counter)s</b>: card payments go to <b>%(reader)s</b>.")
        else:
            heading = _(
                "<b>Counter %(counter)s</b>: card payments go to no reader (the payment page)."
            )
        self.heading.setText(heading % {"counter": counter, "reader": mine.label if mine else ""})
        readers = self._readers.readers
        self.table.setRowCount(len(readers))
        for row, reader in enumerate(readers):
            here = reader.counter == counter and counter is not None
            cells = [
                _("%(reader)s  ✓ this counter") % {"reader": reader.label}
                if here
                else reader.label,
                device_name(reader.device_type),
                status_text(reader),
                reader.counter or "—",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setData(Qt.ItemDataRole.UserRole, reader.id)
                    item.setToolTip(reader.id)
                if column == 2 and reader.status == "offline":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)
        if keep is not None:
            self.select(keep)
        elif mine is not None:
            self.select(mine.id)
        if not readers and self._readers.loaded:
            self._say(
                _(
                    "No card reader is registered yet. Press Register… and type the code the "
                    "reader shows."
                )
            )
        self._selection_changed()

    def _selection_changed(self) -> None:
        chosen = self.selected is not None
        self.use_button.setEnabled(chosen)
        self.test_button.setEnabled(chosen or self._readers.counter_reader is not None)
        self.none_button.setEnabled(self._readers.counter_reader is not None)

    def _busy(self, busy: bool) -> None:
        for button in (self.register_button, self.refresh_button):
            button.setEnabled(not busy)
        if busy:
            self.use_button.setEnabled(False)
            self.test_button.setEnabled(False)
            self.none_button.setEnabled(False)
        else:
            self._selection_changed()

    def _say(self, text: str) -> None:
        self._tone("")
        self.status.setText(text)

    def _say_problem(self, text: str) -> None:
        self._tone("error")
        self.status.setText(text)

    def _tone(self, tone: str) -> None:
        """The status line's colour, by the style sheet's `QLabel[tone=…]` rule."""
        if self.status.property("tone") != tone:
            self.status.setProperty("tone", tone)
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)


class RegisterReaderDialog(FormDialog):
    """Pair a reader by the code it shows, with a label; use it at this counter."""

    def __init__(
        self, readers: ReaderPresenter, *, training: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Register a card reader"), parent)
        self._readers = readers
        self.code = QLineEdit(TRAINING_CODE if training else "")
        self.code.setPlaceholderText(_("the code the reader shows, e.g. sepia-cerulean-aqua"))
        self.label = QLineEdit(
            _("%(counter)s reader") % {"counter": readers.counter or _("Counter")}
        )
        self.label.setMaxLength(100)
        self.use_here = QCheckBox(_("Use it at counter %(counter)s") % {"counter": readers.counter})
        self.use_here.setChecked(True)
        hint = QLabel(
            _("Training: the code simulated-wpe (or simulated-s700) registers a simulated reader.")
            if training
            else _("On the reader: Settings → Generate pairing code.")
        )
        hint.setWordWrap(True)
        self.form.addRow(_("Registration &code"), self.code)
        self.form.addRow(_("&Label"), self.label)
        self.form.addRow("", self.use_here)
        self.form.addRow("", hint)
        self.finish_layout()
        self.resize(460, self.sizeHint().height())

    def apply(self) -> None:
        code, label = self.code.text().strip(), self.label.text().strip()
        if not code:
            raise ValueError(_("Type the registration code the reader shows."))
        if not label:
            raise ValueError(_("Give the reader a label, e.g. the counter's name."))
        self._readers.register(code, label, use_here=self.use_here.isChecked())


class TrainingCardWindow(QWidget):
    """Training only: a small window of its own that plays the customer at the reader while
    a payment waits for the card; it closes when the payment is over.

    Signals:
        cancel_requested(): Esc in this window (as in the main one): cancel the payment.
    """

    cancel_requested = Signal()

    def __init__(
        self, readers: ReaderPresenter, wait: ReaderWait, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle(_(TRAINING_CARD_TITLE))
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self._readers = readers
        self.reader_id = wait.reader_id
        amount = i18n.money(wait.amount, wait.currency)
        intro = QLabel(
            _(
                "<b>%(amount)s</b> on %(reader)s.<br>"
                "Training: no real card, no real money.<br>Play the customer:"
            )
            % {"amount": amount, "reader": wait.reader_label}
        )
        intro.setWordWrap(True)
        self.approved = QPushButton(_("Tap approved card"))
        self.declined = QPushButton(_("Tap declined card"))
        self.no_funds = QPushButton(_("Tap card with insufficient funds"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for button, number in (
            (self.approved, APPROVED_CARD),
            (self.declined, DECLINED_CARD),
            (self.no_funds, NO_FUNDS_CARD),
        ):
            button.setMinimumHeight(34)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cashier's keys stay at the till
            button.clicked.connect(lambda _checked=False, card=number: self.tap(card))
            layout.addWidget(button)
        QShortcut(QKeySequence("Escape"), self, self.cancel_requested.emit)
        self.setMinimumWidth(320)

    def tap(self, card_number: str) -> None:
        """The customer taps the test card `card_number` (the window closes when the payment
        is over)."""
        self._readers.present_card(self.reader_id, card_number)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.deleteLater()
        super().closeEvent(event)
