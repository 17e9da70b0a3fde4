"""What staff do to an order after the sale, from the Orders tab: refund it (in whole or by
ticket), print its tickets again with a reason, reissue lost tickets, print its receipt and
read its history.

Every verb is a task; outcomes come by signal (a sentence for the status bar, the order
to open a dialog on, the history to show). Reprints and reissues are recorded by the server
(who, when, which tickets, why); the copies it makes are marked "REPRINT n".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal

from boxoffice.sdk import SDK, BoxOfficeError
from boxoffice.sdk.models.documents import HistoryEntry
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.refunds import Prefer, RefundResult
from boxoffice.sdk.models.tickets import Ticket
from boxoffice.sdk.money import format_money, to_major
from boxoffice.ui.errors import user_message
from boxoffice.ui.presenters.printing import PrintingPresenter
from boxoffice.ui.printing import tickets as ticket_files
from boxoffice.ui.printing.printers import PrintingError
from boxoffice.ui.tasks import TaskRunner

WITH_TICKETS = "[order_item.[ticket]]"
COUNTER_REPRINT = "Reprint at the counter"  # Ctrl+P's reason: the last sale, printed again
# Orders that have tickets left to refund, print again or reissue.
WITH_VALID_TICKETS = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED})
# Orders that have a receipt: paid once.
WITH_RECEIPT = WITH_VALID_TICKETS | {OrderStatus.REFUNDED}


@dataclass(frozen=True)
class TicketLine:
    """One valid ticket of an order as the dialogs list it."""

    ticket: Ticket
    ticket_type: str
    price: Decimal

    @property
    def seat(self) -> str:
        return self.ticket.seat_label or ""


def valid_tickets(order: Order) -> list[TicketLine]:
    """The order's tickets that are still valid (loaded `with_=WITH_TICKETS`), with the
    price each was sold at."""
    lines = []
    for item in order.order_item:
        name = item.ticket_config_name or f"Ticket type {item.ticket_config_id}"
        for ticket in item.ticket or []:
            if ticket.status == "valid":
                lines.append(TicketLine(ticket, name, item.price))
    return lines


METHOD_WORDS = {"cash": "{} cash", "card": "{} to the card", "free": "{} (free tickets)"}


def refund_sentence(result: RefundResult, tickets: int) -> str:
    """ "Refunded 2 tickets: 25.00 EUR cash, 25.00 EUR to the card." (and what is pending)."""
    currency = result.order.currency
    parts = []
    for refund in result.refunds:
        text = METHOD_WORDS.get(refund.method, "{} " + refund.method).format(
            format_money(refund.amount, currency)
        )
        if refund.status == "pending":
            text += " (the card refund is on its way)"
        elif refund.status == "failed":
            text += f" (FAILED: {refund.failure_message or 'ask a supervisor'})"
        parts.append(text)
    noun = "ticket" if tickets == 1 else "tickets"
    money = ", ".join(parts) if parts else "nothing to give back"
    return f"Order {result.order.code}: refunded {tickets} {noun}: {money}."


class OrderActionsPresenter(QObject):
    """Refunds, reprints, reissues, receipts and the history of one order at a time.

    Signals:
        refund_ready(object): the order (with its tickets) to open the refund dialog on.
        reissue_ready(object): the order (with its tickets) to open the reissue dialog on.
        history_ready(object, object): the order and its `list[HistoryEntry]`.
        refunded(object): the `RefundResult` of a refund made.
        changed(): an order changed (refunded, reissued): list the orders again.
        busy_changed(bool)
        message(str): what was done (for the status bar).
        error(str): a sentence for the cashier.
    """

    refund_ready = Signal(object)
    reissue_ready = Signal(object)
    history_ready = Signal(object, object)
    refunded = Signal(object)
    changed = Signal()
    busy_changed = Signal(bool)
    message = Signal(str)
    error = Signal(str)

    def __init__(self, sdk: SDK, *, printing: PrintingPresenter) -> None:
        super().__init__()
        self._sdk = sdk
        self._printing = printing
        self.last_refund: RefundResult | None = None
        self._printed_sales: set[int] = set()  # sales Ctrl+P printed a first time
        self.tasks = TaskRunner(
            on_error=lambda exc: self.error.emit(user_message(exc)),
            on_busy=self.busy_changed.emit,
        )

    # --- verbs (each a task) ---------------------------------------------------------------

    def ask_refund(self, order: Order) -> None:
        """Load `order` with its tickets for the refund dialog (`refund_ready`)."""
        self.tasks.run("load", self._load_for(order, self.refund_ready, "refund"))

    def refund(
        self,
        order: Order,
        ticket_ids: Sequence[int],
        *,
        reason: str,
        prefer: Prefer | None = None,
        print_receipt: bool = True,
    ) -> None:
        self.tasks.run("refund", self._refund(order, ticket_ids, reason, prefer, print_receipt))

    def reprint(self, order: Order, reason: str) -> None:
        """Print `order`'s valid tickets again, recorded with `reason` and marked "REPRINT n"."""
        self.tasks.run("reprint", self.print_again(order, reason))

    def print_last_sale(self, order: Order, *, printed_before: bool) -> None:
        """Ctrl+P on the Sell tab: the first print of a sale that was not printed yet is a
        plain print; every later one is a recorded reprint ("Reprint at the counter")."""
        if printed_before or order.id in self._printed_sales:
            self.reprint(order, COUNTER_REPRINT)
            return
        self._printed_sales.add(order.id)
        self._printing.print_again(order)

    def ask_reissue(self, order: Order) -> None:
        self.tasks.run("load", self._load_for(order, self.reissue_ready, "reissue"))

    def reissue(self, order: Order, ticket_ids: Sequence[int], *, reason: str) -> None:
        self.tasks.run("reissue", self._reissue(order, ticket_ids, reason))

    def print_receipt(self, order: Order, refund_id: int | None = None) -> None:
        self.tasks.run("receipt", self._receipt(order, refund_id))

    def show_history(self, order: Order) -> None:
        self.tasks.run("history", self._history(order))

    async def aclose(self) -> None:
        await self.tasks.aclose()

    # --- work ------------------------------------------------------------------------------

    async def load(self, order: Order) -> Order:
        """`order` as it is now, its items with their tickets."""
        return await self._sdk.order.get_order(order.id, with_=WITH_TICKETS)

    async def _load_for(self, order: Order, ready: Any, verb: str) -> None:
        if order.status not in WITH_VALID_TICKETS:
            self.error.emit(f"Order {order.code} has no tickets to {verb}.")
            return
        full = await self.load(order)
        if not valid_tickets(full):
            self.error.emit(f"Order {order.code} has no valid tickets left to {verb}.")
            return
        ready.emit(full)

    async def _refund(
        self,
        order: Order,
        ticket_ids: Sequence[int],
        reason: str,
        prefer: Prefer | None,
        print_receipt: bool,
    ) -> RefundResult:
        result = await self._sdk.refund.refund_order(
            order.id, reason=reason, ticket_ids=list(ticket_ids), prefer=prefer
        )
        self.last_refund = result
        self.refunded.emit(result)
        self.changed.emit()
        sentence = refund_sentence(result, len(ticket_ids))
        if print_receipt:  # first, so that the refund's sentence stays in the status bar
            try:
                for refund in result.refunds:
                    await self._receipt(result.order, refund.id)
            except BoxOfficeError as exc:
                sentence += f" The refund receipt was not printed: {user_message(exc)}"
        self.message.emit(sentence)
        return result

    async def print_again(self, order: Order, reason: str) -> int:
        """The server's copy ("REPRINT n") of the valid tickets, on the ticket printer (saved
        to the save folder when there is none); returns the pages printed."""
        pdf = await self._sdk.order.reprint(
            order.id, reason=reason, size=self._printing.settings.ticket_size
        )
        return self._print_tickets(pdf, f"Reprint {order.code}", f"{order.code}-reprint.pdf")

    async def _reissue(self, order: Order, ticket_ids: Sequence[int], reason: str) -> Order:
        before = {line.ticket.id for line in valid_tickets(await self.load(order))}
        after = await self._sdk.order.reissue(order.id, reason=reason, ticket_ids=ticket_ids)
        new = [line.ticket for line in valid_tickets(after) if line.ticket.id not in before]
        codes = ", ".join(ticket.code for ticket in new)
        self.message.emit(
            f"Order {order.code}: new tickets {codes}; the old ones no longer get in."
        )
        self.changed.emit()
        for ticket in new:
            pdf = await self._sdk.order.download_ticket(
                order.id, ticket.id, format="pdf", size=self._printing.settings.ticket_size
            )
            self._print_tickets(pdf, f"Ticket {ticket.code}", f"{ticket.code}.pdf")
        return after

    async def _receipt(self, order: Order, refund_id: int | None) -> None:
        if order.status not in WITH_RECEIPT:
            self.error.emit(f"Order {order.code} is not paid: it has no receipt.")
            return
        pdf = await self._sdk.order.receipt(order.id, refund_id=refund_id)
        kind = "Refund receipt" if refund_id is not None else "Receipt"
        suffix = f"-refund-{refund_id}" if refund_id is not None else ""
        self._printing.deliver_document(
            pdf,
            title=f"{kind} {order.code}",
            filename=f"receipt-{order.code}{suffix}.pdf",
            printer=self._printing.settings.receipt_printer,
        )

    async def _history(self, order: Order) -> list[HistoryEntry]:
        entries = await self._sdk.order.history(order.id)
        self.history_ready.emit(order, entries)
        return entries

    def _print_tickets(self, pdf: bytes, title: str, filename: str) -> int:
        printing = self._printing
        try:
            if printing.printer_name is None:
                path = ticket_files.save_tickets(pdf, printing.save_folder, filename)
                self.message.emit(f"{title}: no printer is set up, so they were saved to {path}.")
                return 0
            pages = printing.print_pdf(pdf, title=title)
        except PrintingError as exc:
            self.error.emit(str(exc))
            return 0
        self.message.emit(f"{title} printed on {printing.printer_name}.")
        return pages


# --- the history in words --------------------------------------------------------------------

ACTION_WORDS = {
    "order.created": "Order created",
    "order.contact_set": "Customer details added",
    "order.part_paid": "Part paid",
    "order.paid": "Paid",
    "order.refunded": "Refunded",
    "order.payments_refunded": "Payments given back",
    "order.reprinted": "Printed again",
    "order.reissued": "Reissued",
    "order.canceled": "Canceled",
    "order.expired": "Expired (not paid in time)",
    "event.order_refunded": "Refunded (event canceled)",
    "mail.queued": "Mail queued",
    "mail.sent": "Mail sent",
    "mail.failed": "Mail failed",
}


@dataclass(frozen=True)
class HistoryRow:
    """One history entry as the history table shows it."""

    time: str
    action: str
    who: str
    details: str


def history_rows(entries: Sequence[HistoryEntry], currency: str) -> list[HistoryRow]:
    """The entries in words: local time, what happened, who ("System"), the details."""
    return [
        HistoryRow(
            _local(entry.at),
            ACTION_WORDS.get(entry.action, entry.action),
            entry.who or "System",
            _details(entry.action, entry.details, currency),
        )
        for entry in entries
    ]


def _local(at: datetime) -> str:
    return f"{at.astimezone():%d %b %Y %H:%M:%S}"


def _money(minor: Any, currency: str) -> str:
    """Minor units (as the audit keeps them) in words: "25.00 EUR"."""
    if not isinstance(minor, int | float | str):
        return ""
    return format_money(to_major(Decimal(str(minor)), currency), currency)


def _details(action: str, data: dict[str, Any], currency: str) -> str:
    parts: list[str] = []
    if action == "order.created" and "total" in data:
        items = data.get("items")
        parts.append(f"total {_money(data['total'], currency)}")
        if items:
            parts.append(f"{items} line{'' if items == 1 else 's'}")
    elif action in ("order.paid", "order.part_paid"):
        if "amount" in data:
            parts.append(_money(data["amount"], currency))
        if data.get("provider"):
            parts.append(f"by {data['provider']}")
    elif action in ("order.refunded", "event.order_refunded", "order.payments_refunded"):
        amounts = data.get("amounts")
        if isinstance(amounts, dict) and amounts:
            parts.append(
                ", ".join(f"{_money(v, currency)} {k}" for k, v in sorted(amounts.items()))
            )
        elif "amount" in data:
            parts.append(_money(data["amount"], currency))
        if data.get("codes"):
            parts.append("tickets " + ", ".join(map(str, data["codes"])))
    elif action == "order.reprinted":
        copies = data.get("copies")
        if isinstance(copies, dict) and copies:
            parts.append(", ".join(f"{code} (copy {n})" for code, n in copies.items()))
        elif data.get("codes"):
            parts.append("tickets " + ", ".join(map(str, data["codes"])))
    elif action == "order.reissued":
        replaced = data.get("replaced")
        if isinstance(replaced, dict):
            parts.append(", ".join(f"{old} → {new}" for old, new in replaced.items()))
    elif action.startswith("mail."):
        if data.get("recipient"):
            parts.append(f"to {data['recipient']}")
        if data.get("subject"):
            parts.append(f"“{data['subject']}”")
        if data.get("error"):
            parts.append(str(data["error"]))
    if data.get("reason") and isinstance(data["reason"], str):
        parts.append(f"reason: {data['reason']}")
    return "; ".join(parts)
