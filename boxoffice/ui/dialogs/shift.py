"""The shift dialogs: open a shift with its float, pay petty cash in or out, and close the
shift with the counted cash (what the drawer should hold, and the difference, as one types).

Each is a `FormDialog`; OK hands the amounts to the shift presenter, whose answer (or error)
shows in the status bar like every other action's.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import get_decimal_symbol
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from boxoffice import i18n
from boxoffice.i18n import _
from boxoffice.ui.amounts import parse_amount
from boxoffice.ui.dialogs.form_dialog import FormDialog
from boxoffice.ui.presenters.shift import ShiftPresenter


def _plain(amount: Decimal) -> str:
    """An amount as the cashier would type it: "20.50", "20,50" in Czech and German."""
    return f"{amount:.2f}".replace(".", get_decimal_symbol(i18n.current()))


class _AmountDialog(FormDialog):
    """A form dialog of amounts of money."""

    def amount_field(self, label: str, accessible: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(accessible)
        field.setPlaceholderText(_plain(Decimal(0)))
        self.form.addRow(label, field)
        return field


class OpenShiftDialog(_AmountDialog):
    """The float the drawer starts with (F9)."""

    def __init__(self, shift: ShiftPresenter, parent: QWidget | None = None) -> None:
        super().__init__(_("Open shift"), parent)
        self._shift = shift
        self.form.addRow(
            QLabel(
                _("Counter %(counter)s: count the float into the drawer.")
                % {"counter": shift.counter}
            )
        )
        self.float_amount = self.amount_field(_("&Float"), _("Float"))
        self.finish_layout()
        self.float_amount.setFocus()

    def apply(self) -> None:
        amount = parse_amount(self.float_amount.text(), what=_("the float"))
        self._shift.open_shift(amount if amount is not None else Decimal(0))


class CashMovementDialog(_AmountDialog):
    """Petty cash: a positive amount is put in, a negative one taken out; a reason is a must."""

    def __init__(self, shift: ShiftPresenter, parent: QWidget | None = None) -> None:
        super().__init__(_("Pay in or out"), parent)
        self._shift = shift
        self.amount = self.amount_field(_("&Amount (− takes out)"), _("Amount paid in or out"))
        self.reason = QLineEdit()
        self.reason.setAccessibleName(_("Reason"))
        self.reason.setPlaceholderText(_("e.g. change from the bank, stamps"))
        self.form.addRow(_("&Reason"), self.reason)
        self.finish_layout()
        self.amount.setFocus()

    def apply(self) -> None:
        amount = parse_amount(self.amount.text(), what=_("the amount"), signed=True)
        if amount is None or amount == 0:
            raise ValueError(_("Type the amount paid in, or with a minus the amount paid out."))
        reason = self.reason.text().strip()
        if not reason:
            raise ValueError(_("Say why the cash goes in or out."))
        self._shift.move_cash(amount, reason)


class CloseShiftDialog(_AmountDialog):
    """The counted cash — typed as a total, or counted by notes and coins where the currency
    has them (the total then follows) — with what the drawer should hold and the difference
    as one types."""

    def __init__(self, shift: ShiftPresenter, parent: QWidget | None = None) -> None:
        super().__init__(_("Close shift"), parent)
        self._shift = shift
        report = shift.report
        self._currency = report.shift.currency if report is not None else ""
        self._expected = report.expected_cash if report is not None else Decimal(0)
        self.expected = QLabel(i18n.money(self._expected, self._currency))
        self.expected.setAccessibleName(_("Cash expected"))
        self.form.addRow(_("Cash expected"), self.expected)
        self.pieces: dict[Decimal, QSpinBox] = {}
        if report is not None and report.denominations:
            self.form.addRow(self._piece_grid(report.denominations))
        self.counted = self.amount_field(_("&Counted cash"), _("Counted cash"))
        self.difference = QLabel("—")
        self.difference.setAccessibleName(_("Difference"))
        self.form.addRow(_("Difference"), self.difference)
        self.form.addRow(QLabel(_("Closing is final: the Z report is printed and kept.")))
        self.counted.textChanged.connect(self._show_difference)
        self.finish_layout()
        first = next(iter(self.pieces.values()), self.counted)
        first.setFocus()

    def _piece_grid(self, faces: list[Decimal]) -> QGroupBox:
        """A spin box per note and coin, two columns; the counted total follows them."""
        box = QGroupBox(_("Count by notes and coins (or type the total below)"))
        grid = QGridLayout(box)
        half = (len(faces) + 1) // 2
        for index, face in enumerate(faces):
            spin = QSpinBox()
            spin.setRange(0, 99_999)
            spin.setAccessibleName(
                _("Pieces of %(face)s") % {"face": i18n.money(face, self._currency)}
            )
            spin.valueChanged.connect(self._total_from_pieces)
            label = QLabel(i18n.money(face, self._currency))
            label.setBuddy(spin)
            row, column = index % half, (index // half) * 2
            grid.addWidget(label, row, column)
            grid.addWidget(spin, row, column + 1)
            self.pieces[face] = spin
        return box

    def counted_pieces(self) -> dict[str, int]:
        """Face value ("50.00") → how many, the denominations counted (none: {})."""
        return {f"{face:.2f}": spin.value() for face, spin in self.pieces.items() if spin.value()}

    def _total_from_pieces(self) -> None:
        total = sum((face * spin.value() for face, spin in self.pieces.items()), Decimal(0))
        self.counted.setText(_plain(total))

    def _show_difference(self) -> None:
        try:
            counted = parse_amount(self.counted.text(), what=_("the counted cash"))
        except ValueError:
            counted = None
        if counted is None:
            self.difference.setText("—")
            return
        gap = counted - self._expected
        money = i18n.money(abs(gap), self._currency)
        if gap > 0:
            text = _("+%(amount)s over") % {"amount": money}
        elif gap < 0:
            text = _("−%(amount)s short") % {"amount": money}
        else:
            text = money
        self.difference.setText(text)

    def apply(self) -> None:
        counted = parse_amount(self.counted.text(), what=_("the counted cash"))
        if counted is None:
            raise ValueError(_("Count the cash in the drawer and type the total."))
        pieces = self.counted_pieces()
        if pieces and sum(Decimal(f) * n for f, n in pieces.items()) != counted:
            raise ValueError(_("The total typed is not what the notes and coins add up to."))
        self._shift.close_shift(counted, pieces or None)
