"""The Orders tab's small dialogs: print again with a reason, reissue lost tickets, and the
order's history (read-only).

Like the shift dialogs, each is window-modal and opened with `open()`; OK hands the entries
to the order actions presenter, whose answer (or error) shows in the status bar.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boxoffice import i18n
from boxoffice.i18n import N_, _, ngettext
from boxoffice.sdk.models.documents import HistoryEntry
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.dialogs.form_dialog import FormDialog
from boxoffice.ui.presenters.order_actions import (
    OrderActionsPresenter,
    TicketLine,
    history_rows,
    valid_tickets,
)

TICKET_COLUMNS = [N_("Ticket"), N_("Type"), N_("Seat"), N_("Price")]


class OrderDialog(FormDialog):
    """A form dialog about one order, with a reason field (every action on a sold order says
    why)."""

    def __init__(self, title: str, order: Order, parent: QWidget | None) -> None:
        super().__init__(
            _("%(title)s — order %(code)s") % {"title": title, "code": order.code}, parent
        )
        self.order = order
        self.reason = QLineEdit()
        self.reason.setAccessibleName(_("Reason"))

    def reason_text(self, missing: str) -> str:
        reason = self.reason.text().strip()
        if not reason:
            self.reason.setFocus()
            raise ValueError(missing)
        return reason


class TicketChecklist(QTreeWidget):
    """The order's valid tickets, a checkbox each (Space toggles the current one)."""

    def __init__(self, lines: Sequence[TicketLine], currency: str, *, checked: bool) -> None:
        super().__init__()
        self.lines = list(lines)
        self.setAccessibleName(_("Tickets"))
        self.setHeaderLabels([_(column) for column in TICKET_COLUMNS])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        header = self.header()
        header.setStretchLastSection(False)
        for column in range(len(TICKET_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for line in self.lines:
            item = QTreeWidgetItem(
                [line.ticket.code, line.ticket_type, line.seat, i18n.money(line.price, currency)]
            )
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, state)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.addTopLevelItem(item)
        first = self.topLevelItem(0)
        if first is not None:
            self.setCurrentItem(first)
        rows = min(len(self.lines), 8)
        self.setMinimumHeight(self.sizeHintForRow(0) * (rows + 1) + 8 if rows else 60)

    def set_checked(self, index: int, on: bool) -> None:
        item = self.topLevelItem(index)
        if item is not None:
            item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def checked(self) -> list[TicketLine]:
        chosen = []
        for index, line in enumerate(self.lines):
            item = self.topLevelItem(index)
            if item is not None and item.checkState(0) == Qt.CheckState.Checked:
                chosen.append(line)
        return chosen


class ReprintDialog(OrderDialog):
    """Print again: why (the copy is recorded and marked "REPRINT n")."""

    def __init__(
        self, actions: OrderActionsPresenter, order: Order, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Print again"), order, parent)
        self._actions = actions
        self.form.addRow(
            QLabel(
                _(
                    "Order %(code)s: its valid tickets are printed again, marked as a copy "
                    "(REPRINT n). The reprint is recorded."
                )
                % {"code": order.code}
            )
        )
        self.reason.setPlaceholderText(_("e.g. the ticket went through the wash"))
        self.form.addRow(_("&Reason"), self.reason)
        self.finish_layout()
        self.reason.setFocus()

    def apply(self) -> None:
        reason = self.reason_text(_("Say why the tickets are printed again."))
        self._actions.reprint(self.order, reason)


class ReissueDialog(OrderDialog):
    """A lost ticket: new codes for the chosen tickets, the old ones fail at the door."""

    def __init__(
        self, actions: OrderActionsPresenter, order: Order, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Reissue tickets"), order, parent)
        self._actions = actions
        note = QLabel(
            _("The chosen tickets get new codes and are printed; the old codes no longer get in.")
        )
        note.setWordWrap(True)
        self.form.addRow(note)
        self.tickets = TicketChecklist(valid_tickets(order), order.currency, checked=False)
        self.form.addRow(self.tickets)
        self.reason.setPlaceholderText(_("e.g. the customer lost the ticket"))
        self.form.addRow(_("&Reason"), self.reason)
        self.finish_layout()
        self.tickets.setFocus()

    def apply(self) -> None:
        chosen = self.tickets.checked()
        if not chosen:
            raise ValueError(_("Tick the tickets to replace (Space ticks the current one)."))
        reason = self.reason_text(_("Say why the tickets are reissued."))
        self._actions.reissue(self.order, [line.ticket.id for line in chosen], reason=reason)


HISTORY_COLUMNS = [N_("Time"), N_("What"), N_("Who"), N_("Details")]


class HistoryDialog(QDialog):
    """The order's whole story, oldest first: read-only, Esc or Close shuts it."""

    def __init__(
        self, order: Order, entries: Sequence[HistoryEntry], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("History of order %(code)s — Box Office") % {"code": order.code})
        self.setWindowModality(Qt.WindowModality.WindowModal)
        rows = history_rows(entries, order.currency)
        self.table = QTableWidget(len(rows), len(HISTORY_COLUMNS))
        self.table.setAccessibleName(_("Order history"))
        self.table.setHorizontalHeaderLabels([_(column) for column in HISTORY_COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)  # long details wrap onto more lines
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for index, row in enumerate(rows):
            for column, text in enumerate((row.time, row.action, row.who, row.details)):
                cell = QTableWidgetItem(text)
                cell.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if column == 3:
                    cell.setToolTip(text)
                self.table.setItem(index, column, cell)
        header.sectionResized.connect(lambda *_args: self.table.resizeRowsToContents())
        summary = QLabel(
            ngettext(
                "Order %(code)s · %(total)s · %(count)d entry, oldest first",
                "Order %(code)s · %(total)s · %(count)d entries, oldest first",
                len(entries),
            )
            % {
                "code": order.code,
                "total": i18n.money(order.total, order.currency),
                "count": len(entries),
            }
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(960, 420)
        self.table.setFocus()

    def rows(self) -> list[list[str]]:
        """The table's text, row by row (what the cashier reads)."""
        return [
            [cell.text() if (cell := self.table.item(row, c)) else "" for c in range(4)]
            for row in range(self.table.rowCount())
        ]
