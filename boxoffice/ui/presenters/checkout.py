"""Completing a sale: order, payment, tickets out — each step journaled before the next.

A sale that fails half-way is kept as the pending sale: pressing "Complete sale" again goes
on from where it stopped (the same order, the same idempotency key), so a retry never
creates a second order or a second payment. Clearing the cart cancels a pending order.

A split sale pays its cash part first (journaled as `part_paid`), then the card page takes
the rest. Until the parts cover the total the order is *part-paid*: the pending sale keeps
it, the checkout shows what is left, and the cashier pays the rest by cash or card again. A
part is taken only while the server says the order has nothing paid yet (split) or something
due (cash, card), so a retry never takes a part twice. Canceling a part-paid order gives back
what was taken (the server's cancel: cash from the drawer, card to the card).

A card on the counter's reader (`reader`, or the card part of a split sale with
`card_on_reader`) starts the payment on the reader and asks the server how it stands about
every `READER_POLL_SECONDS` until it is over: paid → the sale ends as any other; declined,
canceled or timed out → the server's sentence, and the order stays payable (the reader again,
or cash). Esc while the reader waits cancels the payment on the reader; if the card went
through first the answer says so and the sale is paid.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

from PySide6.QtCore import QObject, Signal

from boxoffice import i18n
from boxoffice.desktop.journal import SaleJournal, Step
from boxoffice.i18n import _
from boxoffice.sdk import SDK, APIConnectionError, APIStatusError, BoxOfficeError
from boxoffice.sdk.declines import decline_sentence
from boxoffice.sdk.models.order_status import AWAITING_PAYMENT, FINAL, PAYABLE, OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.readers import ReaderPaymentStatus
from boxoffice.sdk.models.tickets import TicketFormat
from boxoffice.ui.errors import CashierError, translated, user_message
from boxoffice.ui.presenters.cart import CartPresenter
from boxoffice.ui.presenters.recovery import settle_unfinished
from boxoffice.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

PaymentMethod = Literal["cash", "card", "reader", "free", "split"]
READER_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Contact:
    first_name: str
    last_name: str
    email: str

    def as_request(self) -> dict[str, str]:
        return {"first_name": self.first_name, "last_name": self.last_name, "email": self.email}


@dataclass(frozen=True)
class Delivery:
    """What happened to the tickets of a paid order (`saved_to`: the file they were saved
    to when there is no printer)."""

    printed_pages: int
    message: str
    saved_to: Path | None = None


class TicketsOut(Protocol):
    """Gets a paid order's tickets out (printing presenter)."""

    async def deliver(self, order: Order) -> Delivery: ...


@dataclass(frozen=True)
class SaleRequest:
    """What an order is made of; a changed cart or customer means another order."""

    items: list[dict[str, Any]]
    ticket_format: TicketFormat
    hold_token: str | None
    contact: Contact | None


@dataclass
class PendingSale:
    """A sale between its first step and its end."""

    sale_id: str
    idempotency_key: str
    request: SaleRequest | None = None  # what the order was (or is being) made of
    order: Order | None = None
    change: Decimal | None = None  # the change of a cash part taken before the card part
    on_reader: bool = False  # a payment on the card reader was started for the order


@dataclass(frozen=True)
class ReaderWait:
    """A card payment waiting on the counter's reader for the customer's card."""

    order: Order
    reader_id: str
    reader_label: str
    amount: Decimal
    currency: str

    @property
    def text(self) -> str:
        return _("Waiting for the customer to tap or insert the card… %(amount)s") % {
            "amount": i18n.money(self.amount, self.currency)
        }


@dataclass(frozen=True)
class SaleResult:
    order: Order
    change: Decimal | None
    delivery: Delivery


class CheckoutPresenter(QObject):
    """Runs "Complete sale".

    Signals:
        stage(str): what is happening now ("Creating the order…").
        busy_changed(bool): a sale step is running.
        completed(object): a `SaleResult`.
        error(str): a sentence for the cashier.
        card_payment_requested(object): the `Order` to pay on the card payment page.
        part_paid(object): the pending `Order` is part-paid now (`amount_due` is left), or
            None: no part-paid order any more.
        reader_waiting(object): a `ReaderWait`: the reader asks the customer for the card.
        reader_done(): the payment on the reader is over (paid or not).
    """

    stage = Signal(str)
    busy_changed = Signal(bool)
    completed = Signal(object)
    error = Signal(str)
    card_payment_requested = Signal(object)
    part_paid = Signal(object)
    reader_waiting = Signal(object)
    reader_done = Signal()

    def __init__(
        self,
        sdk: SDK,
        *,
        cart: CartPresenter,
        tickets: TicketsOut,
        journal: SaleJournal,
    ) -> None:
        super().__init__()
        self._sdk = sdk
        self._cart = cart
        self._tickets = tickets
        self._journal = journal
        self.pending: PendingSale | None = None
        self.last_result: SaleResult | None = None
        self.reader_wait: ReaderWait | None = None  # the reader waits for the card
        self._canceling: ReaderWait | None = None  # Esc: that wait's payment is canceled
        self.tasks = TaskRunner(on_error=self._failed, on_busy=self.busy_changed.emit)

    def complete_sale(
        self,
        *,
        method: PaymentMethod,
        tendered: Decimal | None = None,
        contact: Contact | None = None,
        ticket_format: TicketFormat = "PDF",
        cash_part: Decimal | None = None,
        card_on_reader: bool = False,
    ) -> None:
        """Start (or resume) the sale of the cart; progress and outcome come by signal.
        `split`: `cash_part` in cash (with `tendered`), then the rest by card (on the
        counter's reader with `card_on_reader`)."""
        self.tasks.run(
            "sale",
            self.sell(method, tendered, contact, ticket_format, cash_part, card_on_reader),
        )

    @property
    def part_paid_order(self) -> Order | None:
        """The pending order when some of it is paid and some still due, else None."""
        order = self.pending.order if self.pending is not None else None
        if order is not None and order.status in PAYABLE and order.paid_amount > 0:
            return order
        return None

    @property
    def selling(self) -> bool:
        """A sale is running (a second "Complete sale" must not start another)."""
        return self.tasks.is_running("sale")

    def cancel(self) -> None:
        """Stop waiting; a pending order stays pending until the cart is cleared. While the
        reader waits for the card, the payment on the reader is canceled."""
        wait = self.reader_wait
        if wait is not None and self.selling:
            self._canceling = wait  # the polling task's end leaves the wait to the cancel
            self.tasks.run("sale", self._cancel_on_reader(wait))  # stops the polling first
            return
        self.tasks.cancel("sale")
        self.stage.emit(_("Stopped. Press Complete sale to go on, or clear the cart."))

    def stop(self) -> None:
        """Stop waiting (Esc): cancel the sale if one is running, else nothing."""
        if self.selling:
            self.cancel()

    def card_payment_abandoned(self, order: Order) -> None:
        """The card payment page was closed before `order` was paid: say how to go on (with
        what is left to pay when a part is paid already)."""
        self.stage.emit(
            _(
                "Card payment for %(code)s not completed. Press Complete sale to try "
                "again, pay another way, or clear the cart."
            )
            % {"code": order.code}
        )
        self.tasks.run("left-to-pay", self._show_left_to_pay(order))

    async def _show_left_to_pay(self, order: Order) -> None:
        pending = self.pending
        if pending is None or pending.order is None or pending.order.id != order.id:
            return
        fresh = await self._sdk.order.get_order(order.id)
        if fresh.status == OrderStatus.PAYMENT_PROCESSING:
            fresh = await self._sdk.payment.reconcile(order.id)
        if self.pending is not pending:
            return
        pending.order = fresh
        if fresh.status == OrderStatus.PAID:  # the card went through after all
            await self._finish(pending, fresh, pending.change)
            return
        left = self.part_paid_order
        self.part_paid.emit(left)
        if left is not None:
            self.stage.emit(_left_to_pay(left))

    async def settle_unfinished(self) -> list[str]:
        """Settle the sales the journal says did not finish (one sentence per sale)."""
        return await settle_unfinished(self._sdk, self._journal)

    async def aclose(self) -> None:
        """Stop every task of this presenter (the app is closing)."""
        await self.tasks.aclose()

    def abandon(self) -> None:
        """Clear the cart and cancel a pending, unpaid order so its tickets are free again."""
        pending, self.pending = self.pending, None
        self._cart.clear()
        if pending is not None and pending.order is not None:
            self.tasks.run("abandon", self._cancel_order(pending))
        elif pending is not None:
            self._journal.record(pending.sale_id, Step.CANCELED)

    async def sell(
        self,
        method: PaymentMethod,
        tendered: Decimal | None,
        contact: Contact | None,
        ticket_format: TicketFormat,
        cash_part: Decimal | None = None,
        card_on_reader: bool = False,
    ) -> SaleResult | None:
        """The whole sale; returns None when it waits for the card payment page, or when the
        card on the reader did not pay."""
        pending = self._pending_sale()
        try:
            order = await self._ensure_order(pending, contact, ticket_format)
            if order.status == OrderStatus.PAYMENT_PROCESSING and pending.on_reader:
                status = await self._sdk.reader.check_payment(order.id)
                if not status.final:  # still waiting on the reader: follow it again
                    return await self._follow_reader(pending, status.order, status)
                order = pending.order = status.order
                if status.state == "succeeded" and order.status != OrderStatus.PAID:
                    self.part_paid.emit(self.part_paid_order)
            elif order.status == OrderStatus.PAYMENT_PROCESSING:
                # Paid by card meanwhile, still open, or payable again (its intent is gone).
                order = await self._sdk.payment.reconcile(order.id)
            change = pending.change
            # An open card intent does not stop another try: the card page gets the same
            # intent back, and cash first cancels it on the server.
            if order.status in PAYABLE and method == "split":
                if order.paid_amount == 0:  # the cash part is not taken yet
                    order, change = await self._pay_part(pending, order, cash_part, tendered)
                # The rest (or all that is left after a retry) by card.
                method = "reader" if card_on_reader else "card"
            if order.status in PAYABLE:
                if method == "reader":
                    return await self._pay_on_reader(pending, order)
                if method == "card":
                    self.stage.emit(_waiting_for_card(order, change))
                    self.card_payment_requested.emit(order)
                    return None
                order, change = await self._pay(pending, order, method, tendered)
            if order.status != OrderStatus.PAID:
                raise _NotPaid(order)
            return await self._finish(pending, order, change)
        except APIConnectionError:
            self.stage.emit("")
            self.error.emit(
                _(
                    "Cannot reach the ticket server. The sale is kept: "
                    "press Complete sale again when the server is back."
                )
            )
            return None

    def on_card_paid(self, order: Order) -> None:
        """The payment page's `paid(order)`: finish the sale."""
        self.tasks.run("sale", self.card_paid(order))

    async def card_paid(self, order: Order) -> SaleResult | None:
        """The payment page reported success and the server agrees: tickets out."""
        pending = self.pending
        if pending is None or pending.order is None or pending.order.id != order.id:
            logger.warning("card payment for an order that is not pending: %s", order.code)
            return None
        return await self._finish(pending, order, pending.change)

    async def _pay_on_reader(self, pending: PendingSale, order: Order) -> SaleResult | None:
        """Start the payment of what is due on the counter's reader, then follow it."""
        self.stage.emit(
            _("Starting the payment on the card reader for %(code)s…") % {"code": order.code}
        )
        part = Decimal(order.amount_due) if order.paid_amount > 0 else None
        answer = await self._sdk.payment.create_payment_intent(
            order.id, type="card_present", amount=part
        )
        pending.on_reader = True
        started = answer.order or order
        pending.order = started
        reader = answer.reader
        reader_id = reader.id if reader else (answer.payment.reader_id if answer.payment else "")
        amount = answer.payment.amount if answer.payment else started.amount_due
        wait = ReaderWait(
            order=started,
            reader_id=reader_id or "",
            reader_label=reader.label if reader else _("the card reader"),
            amount=Decimal(amount),
            currency=started.currency,
        )
        return await self._follow_reader(pending, started, None, wait)

    async def _follow_reader(
        self,
        pending: PendingSale,
        order: Order,
        status: ReaderPaymentStatus | None,
        wait: ReaderWait | None = None,
    ) -> SaleResult | None:
        """Ask the server how the payment on the reader stands until it is over."""
        if wait is None:
            assert status is not None
            wait = ReaderWait(
                order=order,
                reader_id=status.reader_id,
                reader_label=status.reader.label if status.reader else _("the card reader"),
                amount=Decimal(status.amount),
                currency=status.currency,
            )
        self.reader_wait = wait
        self.reader_waiting.emit(wait)  # the pane shows `wait.text`; the stage says the rest
        self.stage.emit("")
        try:
            while status is None or not status.final:
                if status is not None:
                    offline = status.state == "reader_offline"
                    problem = translated(
                        status.message or decline_sentence("terminal_reader_offline")
                    )
                    self.stage.emit(
                        _("%(problem)s The payment waits for it; Esc cancels.")
                        % {"problem": problem}
                        if offline
                        else ""
                    )
                    await asyncio.sleep(READER_POLL_SECONDS)
                status = await self._sdk.reader.check_payment(order.id)
        except asyncio.CancelledError:
            if self._canceling is not wait:  # not handed on to Esc's cancel: it is over
                self._end_reader_wait()
            raise
        except BaseException:
            self._end_reader_wait()
            raise
        return await self._reader_over(pending, status)

    async def _cancel_on_reader(self, wait: ReaderWait) -> SaleResult | None:
        """Esc while the reader waits: the reader stops asking; a card that went through
        first makes this a paid sale."""
        self.stage.emit(_("Canceling the payment on the card reader…"))
        try:
            status = await self._sdk.reader.cancel_payment(wait.order.id)
        except BaseException:
            self._end_reader_wait()
            raise
        pending = self.pending
        if pending is None or pending.order is None or pending.order.id != wait.order.id:
            self._end_reader_wait()
            return None
        return await self._reader_over(pending, status)

    async def _reader_over(
        self, pending: PendingSale, status: ReaderPaymentStatus
    ) -> SaleResult | None:
        """The payment on the reader is over: paid → the sale ends; else the server's
        sentence, and the order stays payable."""
        self._end_reader_wait()
        order = pending.order = status.order
        if status.state == "succeeded":
            if order.status == OrderStatus.PAID:
                return await self._finish(pending, order, pending.change)
            left = self.part_paid_order
            self.part_paid.emit(left)
            self.stage.emit(_left_to_pay(left) if left is not None else "")
            return None
        self.part_paid.emit(self.part_paid_order)
        self.stage.emit(
            _(
                "Order %(code)s is not paid yet. Press Complete sale to try the card reader "
                "again, or take another way to pay."
            )
            % {"code": order.code}
        )
        self.error.emit(translated(status.message or decline_sentence(status.state)))
        return None

    def _end_reader_wait(self) -> None:
        self._canceling = None
        if self.reader_wait is not None:
            self.reader_wait = None
            self.reader_done.emit()

    async def _ensure_order(
        self, pending: PendingSale, contact: Contact | None, ticket_format: TicketFormat
    ) -> Order:
        request = SaleRequest(
            self._cart.order_items(), ticket_format, self._cart.hold_token, contact
        )
        if pending.order is not None:
            self.stage.emit(_("Checking order %(code)s…") % {"code": pending.order.code})
            order = await self._sdk.order.get_order(pending.order.id)
            unpaid = order.status in AWAITING_PAYMENT
            if order.status not in FINAL and (request == pending.request or not unpaid):
                pending.order = order
                return order
            if order.paid_amount > 0 and order.status in PAYABLE:
                raise _PartPaidChanged(order)  # its money is taken: never canceled unasked
            if unpaid:  # the cart changed since: that order is not this sale any more
                await self._sdk.order.cancel_order(order.id)
            self._journal.record(pending.sale_id, Step.CANCELED, reason=order.status)
            pending = self.pending = self._new_pending()
        elif pending.request is not None and request != pending.request:
            pending = self.pending = self._new_pending()  # a new body needs a new key
        if not self._cart.lines:
            raise _CartEmpty()
        self.stage.emit(_("Creating the order…"))
        pending.request = request
        self._journal.record(
            pending.sale_id,
            Step.STARTED,
            idempotency_key=pending.idempotency_key,
            items=request.items,
        )
        try:
            order = await self._sdk.order.create_order(
                request.items,
                format=request.ticket_format,
                hold_token=request.hold_token,
                order_contact=contact.as_request() if contact else None,
                # The counter's (or the kiosk customer's) language: the order's tickets and
                # mails are written in it.
                language=i18n.current(),  # type: ignore[arg-type]
                options={"idempotency_key": pending.idempotency_key},
            )
        except APIStatusError:
            # The server said no (sold out…): nothing was made; the next try is a new order.
            self._journal.record(pending.sale_id, Step.CANCELED, reason="refused")
            self.pending = None
            raise
        pending.order = order
        self._journal.record(
            pending.sale_id,
            Step.ORDER_CREATED,
            order_id=order.id,
            code=order.code,
            total=order.total,
        )
        return order

    async def _pay(
        self,
        pending: PendingSale,
        order: Order,
        method: PaymentMethod,
        tendered: Decimal | None,
    ) -> tuple[Order, Decimal | None]:
        total = Decimal(order.total)
        if method == "free" and total != 0:
            raise _NotFree(order)
        self.stage.emit(_("Taking payment for %(code)s…") % {"code": order.code})
        # Part-paid: cash takes what is left (the server's default amount).
        due = Decimal(order.amount_due) if order.paid_amount > 0 else total
        if method == "cash" and total > 0:
            answer = await self._sdk.payment.create_payment_intent(
                order.id, type="cash", tendered=tendered if tendered is not None else due
            )
        else:
            answer = await self._sdk.payment.create_payment_intent(order.id, type="card")
        paid = answer.order or await self._sdk.order.get_order(order.id)
        change = answer.payment.change if answer.payment else None
        return paid, (Decimal(change) if change is not None else None)

    async def _pay_part(
        self,
        pending: PendingSale,
        order: Order,
        cash_part: Decimal | None,
        tendered: Decimal | None,
    ) -> tuple[Order, Decimal | None]:
        """The cash part of a split sale; the order is then part-paid (journaled)."""
        if cash_part is None or not 0 < cash_part < Decimal(order.total):
            raise _BadCashPart(order)
        self.stage.emit(_("Taking the cash part for %(code)s…") % {"code": order.code})
        key = f"{pending.idempotency_key}-cash-{cash_part}-{tendered}"
        answer = await self._sdk.payment.create_payment_intent(
            order.id,
            type="cash",
            amount=cash_part,
            tendered=tendered if tendered is not None else cash_part,
            options={"idempotency_key": key},
        )
        paid = answer.order or await self._sdk.order.get_order(order.id)
        change = answer.payment.change if answer.payment else None
        pending.order = paid
        pending.change = Decimal(change) if change is not None else None
        self._journal.record(
            pending.sale_id,
            Step.PART_PAID,
            order_id=order.id,
            method="cash",
            amount=cash_part,
            amount_due=paid.amount_due,
        )
        self.part_paid.emit(self.part_paid_order)
        return paid, pending.change

    async def _finish(
        self, pending: PendingSale, order: Order, change: Decimal | None
    ) -> SaleResult:
        self._journal.record(pending.sale_id, Step.PAID, order_id=order.id)
        self.pending = None
        self.part_paid.emit(None)
        self._cart.clear()
        self.stage.emit(_("Order %(code)s paid. Getting the tickets out…") % {"code": order.code})
        try:
            delivery = await self._tickets.deliver(order)
        except BoxOfficeError as exc:
            problem = user_message(exc)
            delivery = Delivery(
                0,
                _("Tickets not printed: %(problem)s Reprint them from Orders.")
                % {"problem": problem},
            )
        self._journal.record(
            pending.sale_id, Step.DONE, order_id=order.id, printed_pages=delivery.printed_pages
        )
        result = SaleResult(order=order, change=change, delivery=delivery)
        self.last_result = result
        self.stage.emit("")
        self.completed.emit(result)
        return result

    async def _cancel_order(self, pending: PendingSale) -> None:
        assert pending.order is not None
        order = pending.order
        self.part_paid.emit(None)
        try:
            canceled = await self._sdk.order.cancel_order(order.id)
        except BoxOfficeError as exc:
            logger.info("could not cancel %s: %s", order.code, exc)
            if order.paid_amount > 0:  # a part-paid order never runs out: say so
                self.error.emit(
                    _(
                        "Order %(code)s was not canceled: %(problem)s "
                        "The %(paid)s taken is not given back yet; cancel it from Orders."
                    )
                    % {
                        "code": order.code,
                        "problem": user_message(exc),
                        "paid": i18n.money(order.paid_amount, order.currency),
                    }
                )
            return  # the server releases it when its hold runs out
        self._journal.record(pending.sale_id, Step.CANCELED, order_id=order.id)
        if canceled.refunded_amount > 0:
            self.stage.emit(
                _("Order %(code)s canceled: give the customer back %(amount)s (%(how)s).")
                % {
                    "code": order.code,
                    "amount": i18n.money(canceled.refunded_amount, order.currency),
                    "how": _taken_by(order),
                }
            )

    def _pending_sale(self) -> PendingSale:
        if self.pending is None:
            self.pending = self._new_pending()
        return self.pending

    def _new_pending(self) -> PendingSale:
        return PendingSale(sale_id=SaleJournal.new_sale_id(), idempotency_key=_new_key())

    def _failed(self, exc: BaseException) -> None:
        self.stage.emit("")
        self.error.emit(user_message(exc))


def _new_key() -> str:
    return f"sale-{uuid.uuid4()}"


def _left_to_pay(order: Order) -> str:
    """ "Order X: 20.00 EUR paid, 30.00 EUR left to pay." for a part-paid order."""
    return _("Order %(code)s: %(paid)s paid, %(left)s left to pay.") % {
        "code": order.code,
        "paid": i18n.money(order.paid_amount, order.currency),
        "left": i18n.money(order.amount_due, order.currency),
    }


def _waiting_for_card(order: Order, change: Decimal | None) -> str:
    """The stage while the card payment page takes the card (after a cash part: its change
    and what is left)."""
    if order.paid_amount == 0:
        return _("Waiting for the card payment…")
    left = _left_to_pay(order)
    if change:
        return _("Change: %(change)s. %(left)s Waiting for the card payment…") % {
            "change": i18n.money(change, order.currency),
            "left": left,
        }
    return _("%(left)s Waiting for the card payment…") % {"left": left}


def _taken_by(order: Order) -> str:
    """How a part-paid order's money goes back (the server's cancel gives it back)."""
    if order.payment_method == "card":
        return _("the card part goes back to the card")
    if order.payment_method == "cash":
        return _("in cash from the drawer")
    return _("cash from the drawer, card parts to the card")


class _SaleProblem(CashierError):
    """A sale that cannot go on for a reason the cashier can fix; the message says which."""


class _CartEmpty(_SaleProblem):
    def __init__(self) -> None:
        super().__init__(_("The cart is empty. Add tickets first."))


class _NotFree(_SaleProblem):
    def __init__(self, order: Order) -> None:
        super().__init__(
            _("This sale is not free: %(total)s to pay.")
            % {"total": i18n.money(order.total, order.currency)}
        )


class _BadCashPart(_SaleProblem):
    def __init__(self, order: Order) -> None:
        total = i18n.money(order.total, order.currency)
        super().__init__(
            _("For a split payment, enter a cash part more than 0 and less than %(total)s.")
            % {"total": total}
        )


class _PartPaidChanged(_SaleProblem):
    def __init__(self, order: Order) -> None:
        paid = i18n.money(order.paid_amount, order.currency)
        super().__init__(
            _(
                "Order %(code)s is part-paid (%(paid)s), so its tickets cannot change. Pay "
                "the rest, or clear the cart to cancel it (the %(paid)s is given back)."
            )
            % {"code": order.code, "paid": paid}
        )


class _NotPaid(_SaleProblem):
    def __init__(self, order: Order) -> None:
        super().__init__(
            _("Order %(code)s is not paid (it is %(status)s).")
            % {"code": order.code, "status": order.status}
        )
