"""The refund dialog: a checkbox per valid ticket of the order (all ticked), the amount back
as the boxes change, a reason, "cash first" for an order paid several ways, and whether to
print the refund receipt. OK hands over to the order actions presenter; the outcome
("Refunded 2 tickets: 25.00 EUR cash, 25.00 EUR to the card.") goes to the status bar.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from boxoffice import i18n
from boxoffice.i18n import N_, _, ngettext
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.refunds import Prefer
from boxoffice.ui.dialogs.order_actions import OrderDialog, TicketChecklist
from boxoffice.ui.presenters.order_actions import OrderActionsPresenter, valid_tickets

# How the order was paid, as the dialog's first line says it ("Paid 58.00 EUR by cash.").
PAID_BY = {
    "cash": N_("by cash"),
    "card": N_("by card"),
    "free": N_("by free tickets"),
    "split": N_("by several ways"),
}


class RefundDialog(OrderDialog):
    """Refund the ticked tickets of a paid order (Space ticks, Tab moves on)."""

    def __init__(
        self, actions: OrderActionsPresenter, order: Order, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Refund"), order, parent)
        self._actions = actions
        method = order.payment_method or ""
        self.form.addRow(QLabel(_paid_text(order)))
        self.tickets = TicketChecklist(valid_tickets(order), order.currency, checked=True)
        self.form.addRow(self.tickets)
        self.amount = QLabel()
        self.amount.setAccessibleName(_("Amount back"))
        self.amount.setStyleSheet("font-weight: bold")
        self.form.addRow(_("Amount back"), self.amount)
        self.reason.setPlaceholderText(_("e.g. the concert moved, the customer cannot come"))
        self.form.addRow(_("&Reason"), self.reason)
        self.cash_first = QCheckBox(_("&Cash first (else the card part goes back first)"))
        self.cash_first.setAccessibleName(_("Cash first"))
        self.cash_first.setVisible(method == "split")
        if method == "split":
            self.form.addRow(self.cash_first)
        self.print_receipt = QCheckBox(_("&Print the refund receipt"))
        self.print_receipt.setChecked(True)
        self.form.addRow(self.print_receipt)
        self.finish_layout()
        self.tickets.itemChanged.connect(lambda *_args: self._show_amount())
        self._show_amount()
        self.resize(560, self.sizeHint().height())
        self.tickets.setFocus()

    def amount_back(self) -> Decimal:
        return sum((line.price for line in self.tickets.checked()), Decimal(0))

    def _show_amount(self) -> None:
        chosen = self.tickets.checked()
        money = i18n.money(self.amount_back(), self.order.currency)
        self.amount.setText(
            ngettext(
                "%(amount)s for %(count)d ticket", "%(amount)s for %(count)d tickets", len(chosen)
            )
            % {"amount": money, "count": len(chosen)}
        )

    def apply(self) -> None:
        chosen = self.tickets.checked()
        if not chosen:
            raise ValueError(_("Tick the tickets to refund (Space ticks the current one)."))
        reason = self.reason_text(_("Say why the tickets are refunded."))
        prefer: Prefer | None = "cash" if self.cash_first.isChecked() else None
        self._actions.refund(
            self.order,
            [line.ticket.id for line in chosen],
            reason=reason,
            prefer=prefer,
            print_receipt=self.print_receipt.isChecked(),
        )


def _paid_text(order: Order) -> str:
    """The dialog's first line: what the order took and how ("Paid 58.00 EUR by cash.")."""
    method = order.payment_method or ""
    how = (
        _(PAID_BY[method])
        if method in PAID_BY
        else _("by %(method)s") % {"method": method or _("unknown")}
    )
    values = {
        "amount": i18n.money(order.paid_amount or order.total, order.currency),
        "method": how,
        "refunded": i18n.money(order.refunded_amount or 0, order.currency),
    }
    if order.refunded_amount:
        return _("Paid %(amount)s %(method)s, %(refunded)s refunded already.") % values
    return _("Paid %(amount)s %(method)s.") % values
