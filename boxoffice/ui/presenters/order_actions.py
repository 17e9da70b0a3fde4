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

from boxoffice import i18n
from boxoffice.i18n import N_, _, ngettext
from boxoffice.sdk import SDK, BoxOfficeError
from boxoffice.sdk.models.documents import HistoryEntry
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.refunds import Prefer, RefundResult
from boxoffice.sdk.models.tickets import Ticket
from boxoffice.sdk.money import to_major
from boxoffice.ui.errors import user_message
from boxoffice.ui.presenters.printing import PrintingPresenter
from boxoffice.ui.printing import tickets as ticket_files
from boxoffice.ui.printing.printers import PrintingError
from boxoffice.ui.tasks import TaskRunner

WITH_TICKETS = "[order_item.[ticket]]"
COUNTER_REPRINT = N_("Reprint at the counter")  # Ctrl+P's reason: the last sale, printed again
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
        name = item.ticket_config_name or _("Ticket type %(id)s") % {"id": item.ticket_config_id}
        for ticket in item.ticket or []:
            if ticket.status == "valid":
                lines.append(TicketLine(ticket, name, item.price))
    return lines


# An amount refunded, by how it went back.
METHOD_WORDS = {
    "cash": N_("%(amount)s cash"),
    "card": N_("%(amount)s to the card"),
    "free": N_("%(amount)s (free tickets)"),
}


def refund_sentence(result: RefundResult, tickets: int) -> str:
    """ "Refunded 2 tickets: 25.00 EUR cash, 25.00 EUR to the card." (and what is pending)."""
    currency = result.order.currency
    parts = []
    for refund in result.refunds:
        amount = i18n.money(refund.amount, currency)
        text = _amount_by(refund.method, amount)
        if refund.status == "pending":
            text += " " + _("(the card refund is on its way)")
        elif refund.status == "failed":
            why = refund.failure_message or _("ask a supervisor")
            text += " " + _("(FAILED: %(problem)s)") % {"problem": why}
        parts.append(text)
    money = ", ".join(parts) if parts else _("nothing to give back")
    return ngettext(
        "Order %(code)s: refunded %(count)d ticket: %(money)s.",
        "Order %(code)s: refunded %(count)d tickets: %(money)s.",
        tickets,
    ) % {"code": result.order.code, "count": tickets, "money": money}


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
        self.tasks.run("load", self._load_for(order, self.refund_ready, refund=True))

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
            self.reprint(order, _(COUNTER_REPRINT))
            return
        self._printed_sales.add(order.id)
        self._printing.print_again(order)

    def ask_reissue(self, order: Order) -> None:
        self.tasks.run("load", self._load_for(order, self.reissue_ready, refund=False))

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

    async def _load_for(self, order: Order, ready: Any, *, refund: bool) -> None:
        """`order` with its tickets for the refund (`refund`) or the reissue dialog."""
        code = {"code": order.code}
        if order.status not in WITH_VALID_TICKETS:
            self.error.emit(
                _("Order %(code)s has no tickets to refund.") % code
                if refund
                else _("Order %(code)s has no tickets to reissue.") % code
            )
            return
        full = await self.load(order)
        if not valid_tickets(full):
            self.error.emit(
                _("Order %(code)s has no valid tickets left to refund.") % code
                if refund
                else _("Order %(code)s has no valid tickets left to reissue.") % code
            )
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
                sentence += " " + _("The refund receipt was not printed: %(problem)s") % {
                    "problem": user_message(exc)
                }
        self.message.emit(sentence)
        return result

    async def print_again(self, order: Order, reason: str) -> int:
        """The server's copy ("REPRINT n") of the valid tickets, on the ticket printer (saved
        to the save folder when there is none); returns the pages printed."""
        pdf = await self._sdk.order.reprint(
            order.id, reason=reason, size=self._printing.settings.ticket_size
        )
        title = _("Reprint %(code)s") % {"code": order.code}
        return self._print_tickets(pdf, title, f"{order.code}-reprint.pdf")

    async def _reissue(self, order: Order, ticket_ids: Sequence[int], reason: str) -> Order:
        before = {line.ticket.id for line in valid_tickets(await self.load(order))}
        after = await self._sdk.order.reissue(order.id, reason=reason, ticket_ids=ticket_ids)
        new = [line.ticket for line in valid_tickets(after) if line.ticket.id not in before]
        codes = ", ".join(ticket.code for ticket in new)
        self.message.emit(
            _("Order %(code)s: new tickets %(tickets)s; the old ones no longer get in.")
            % {"code": order.code, "tickets": codes}
        )
        self.changed.emit()
        for ticket in new:
            pdf = await self._sdk.order.download_ticket(
                order.id, ticket.id, format="pdf", size=self._printing.settings.ticket_size
            )
            self._print_tickets(
                pdf, _("Ticket %(code)s") % {"code": ticket.code}, f"{ticket.code}.pdf"
            )
        return after

    async def _receipt(self, order: Order, refund_id: int | None) -> None:
        if order.status not in WITH_RECEIPT:
            self.error.emit(
                _("Order %(code)s is not paid: it has no receipt.") % {"code": order.code}
            )
            return
        pdf = await self._sdk.order.receipt(order.id, refund_id=refund_id)
        title = (
            _("Refund receipt %(code)s") % {"code": order.code}
            if refund_id is not None
            else _("Receipt %(code)s") % {"code": order.code}
        )
        suffix = f"-refund-{refund_id}" if refund_id is not None else ""
        self._printing.deliver_document(
            pdf,
            title=title,
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
                self.message.emit(
                    _("%(title)s: no printer is set up, so they were saved to %(path)s.")
                    % {"title": title, "path": path}
                )
                return 0
            pages = printing.print_pdf(pdf, title=title)
        except PrintingError as exc:
            self.error.emit(str(exc))
            return 0
        self.message.emit(
            _("%(title)s printed on %(printer)s.")
            % {"title": title, "printer": printing.printer_name}
        )
        return pages


# --- the history in words --------------------------------------------------------------------

ACTION_WORDS = {
    "order.created": N_("Order created"),
    "order.contact_set": N_("Customer details added"),
    "order.part_paid": N_("Part paid"),
    "order.paid": N_("Paid"),
    "order.refunded": N_("Refunded"),
    "order.payments_refunded": N_("Payments given back"),
    "order.reprinted": N_("Printed again"),
    "order.reissued": N_("Reissued"),
    "order.canceled": N_("Canceled"),
    "order.expired": N_("Expired (not paid in time)"),
    "event.order_refunded": N_("Refunded (event canceled)"),
    "mail.queued": N_("Mail queued"),
    "mail.sent": N_("Mail sent"),
    "mail.failed": N_("Mail failed"),
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
            _(ACTION_WORDS[entry.action]) if entry.action in ACTION_WORDS else entry.action,
            entry.who or _("System"),
            _details(entry.action, entry.details, currency),
        )
        for entry in entries
    ]


def _local(at: datetime) -> str:
    return i18n.moment(at.astimezone(), "%d %b %Y %H:%M:%S", seconds=True)


def _money(minor: Any, currency: str) -> str:
    """Minor units (as the audit keeps them) in words: "25.00 EUR"."""
    if not isinstance(minor, int | float | str):
        return ""
    return i18n.money(to_major(Decimal(str(minor)), currency), currency)


def _details(action: str, data: dict[str, Any], currency: str) -> str:
    parts: list[str] = []
    if action == "order.created" and "total" in data:
        items = data.get("items")
        parts.append(_("total %(amount)s") % {"amount": _money(data["total"], currency)})
        if isinstance(items, int) and items:
            parts.append(ngettext("%(count)d line", "%(count)d lines", items) % {"count": items})
        elif items:
            parts.append(f"{items} lines")
    elif action in ("order.paid", "order.part_paid"):
        if "amount" in data:
            parts.append(_money(data["amount"], currency))
        if data.get("provider"):
            shown = i18n.payment_method(str(data["provider"]))
            parts.append(_("by %(provider)s") % {"provider": shown})
    elif action in ("order.refunded", "event.order_refunded", "order.payments_refunded"):
        amounts = data.get("amounts")
        if isinstance(amounts, dict) and amounts:
            parts.append(
                ", ".join(_amount_by(k, _money(v, currency)) for k, v in sorted(amounts.items()))
            )
        elif "amount" in data:
            parts.append(_money(data["amount"], currency))
        if data.get("codes"):
            parts.append(_tickets(data["codes"]))
    elif action == "order.reprinted":
        copies = data.get("copies")
        if isinstance(copies, dict) and copies:
            parts.append(
                ", ".join(
                    _("%(code)s (copy %(number)s)") % {"code": code, "number": n}
                    for code, n in copies.items()
                )
            )
        elif data.get("codes"):
            parts.append(_tickets(data["codes"]))
    elif action == "order.reissued":
        replaced = data.get("replaced")
        if isinstance(replaced, dict):
            parts.append(", ".join(f"{old} → {new}" for old, new in replaced.items()))
    elif action.startswith("mail."):
        if data.get("recipient"):
            parts.append(_("to %(recipient)s") % {"recipient": data["recipient"]})
        if data.get("subject"):
            parts.append(f"“{data['subject']}”")
        if data.get("error"):
            parts.append(str(data["error"]))
    if data.get("reason") and isinstance(data["reason"], str):
        parts.append(_("reason: %(reason)s") % {"reason": data["reason"]})
    return "; ".join(parts)


def _amount_by(method: str, amount: str) -> str:
    """How much went back which way ("25.00 EUR cash", "25.00 EUR to the card")."""
    if method in METHOD_WORDS:
        return _(METHOD_WORDS[method]) % {"amount": amount}
    return f"{amount} {method}"


def _tickets(codes: Any) -> str:
    """ "tickets A1, A2": the codes of the tickets an entry is about."""
    return _("tickets %(codes)s") % {"codes": ", ".join(map(str, codes))}
