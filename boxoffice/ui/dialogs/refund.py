"""The refund dialog: a checkbox per valid ticket of the order (all ticked), the amount back
as the boxes change, a reason, "cash first" for an order paid several ways, and whether to
print the refund receipt. OK hands over to the order actions presenter; the outcome
("Refunded 2 tickets: 25.00 EUR cash, 25.00 EUR to the card.") goes to the status bar.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.refunds import Prefer
from boxoffice.sdk.money import format_money
from boxoffice.ui.dialogs.order_actions import OrderDialog, TicketChecklist
from boxoffice.ui.presenters.order_actions import OrderActionsPresenter, valid_tickets

PAID_BY = {"cash": "cash", "card": "card", "free": "free tickets", "split": "several ways"}


class RefundDialog(OrderDialog):
    """Refund the ticked tickets of a paid order (Space ticks, Tab moves on)."""

    def __init__(
        self, actions: OrderActionsPresenter, order: Order, parent: QWidget | None = None
    ) -> None:
        super().__init__("Refund", order, parent)
        self._actions = actions
        method = order.payment_method or ""
        paid = format_money(order.paid_amount or order.total, order.currency)
        refunded = (
            f", {format_money(order.refunded_amount, order.currency)} refunded already"
            if order.refunded_amount
            else ""
        )
        self.form.addRow(
            QLabel(f"Paid {paid} by {PAID_BY.get(method, method or 'unknown')}{refunded}.")
        )
        self.tickets = TicketChecklist(valid_tickets(order), order.currency, checked=True)
        self.form.addRow(self.tickets)
        self.amount = QLabel()
        self.amount.setAccessibleName("Amount back")
        self.amount.setStyleSheet("font-weight: bold")
        self.form.addRow("Amount back", self.amount)
        self.reason.setPlaceholderText("e.g. the concert moved, the customer cannot come")
        self.form.addRow("&Reason", self.reason)
        self.cash_first = QCheckBox("&Cash first (else the card part goes back first)")
        self.cash_first.setAccessibleName("Cash first")
        self.cash_first.setVisible(method == "split")
        if method == "split":
            self.form.addRow(self.cash_first)
        self.print_receipt = QCheckBox("&Print the refund receipt")
        self.print_receipt.setChecked(True)
        self.form.addRow(self.print_receipt)
        self.finish_layout()
        self.tickets.itemChanged.connect(lambda *_: self._show_amount())
        self._show_amount()
        self.resize(560, self.sizeHint().height())
        self.tickets.setFocus()

    def amount_back(self) -> Decimal:
        return sum((line.price for line in self.tickets.checked()), Decimal(0))

    def _show_amount(self) -> None:
        chosen = self.tickets.checked()
        noun = "ticket" if len(chosen) == 1 else "tickets"
        money = format_money(self.amount_back(), self.order.currency)
        self.amount.setText(f"{money} for {len(chosen)} {noun}")

    def apply(self) -> None:
        chosen = self.tickets.checked()
        if not chosen:
            raise ValueError("Tick the tickets to refund (Space ticks the current one).")
        reason = self.reason_text("Say why the tickets are refunded.")
        prefer: Prefer | None = "cash" if self.cash_first.isChecked() else None
        self._actions.refund(
            self.order,
            [line.ticket.id for line in chosen],
            reason=reason,
            prefer=prefer,
            print_receipt=self.print_receipt.isChecked(),
        )
