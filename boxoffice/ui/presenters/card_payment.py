"""One card payment of an order: the payment intent for the page, then the server's verdict.

The payment page confirms the card with Stripe.js; whatever it reports, the server is
asked to reconcile (it reads the intent from Stripe), and only a `paid` order counts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from boxoffice.i18n import N_, _
from boxoffice.sdk import SDK, BoxOfficeError
from boxoffice.sdk.models.order_status import OrderStatus
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.payments import PaymentIntentResponse
from boxoffice.sdk.money import to_major
from boxoffice.ui.errors import card_page_message, user_message
from boxoffice.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

STRIPE_JS = "https://js.stripe.com/v3/"
NOT_CONFIRMED = N_(
    "The bank has not confirmed the payment yet. Wait a moment, then check the order "
    "before taking another payment."
)
BAD_PAGE = N_("The card payment service answered oddly. Take cash or try later.")
RECONCILE_DELAYS = (0.0, 0.5, 1.0, 2.0)


def stripe_js_allowed(url: str, *, livemode: bool) -> bool:
    """Stripe.js from Stripe, or (never in live mode) from the training emulator on loopback."""
    if url == STRIPE_JS:
        return True
    parts = urlsplit(url)
    return (
        not livemode
        and parts.scheme == "http"
        and parts.hostname in ("127.0.0.1", "localhost")
        and parts.path == "/js.stripe.com/v3/"
    )


class CardPaymentPresenter(QObject):
    """Takes one order's card payment through the payment page.

    Signals:
        ready(dict): the page's arguments: amount (str, major units), currency,
            publishable_key, client_secret, stripe_js_url, livemode, order_code.
        paid(object): the order (boxoffice.sdk.models.orders.Order), now `paid`.
        failed(str): a sentence for the cashier; the page takes another card (same intent).
        busy_changed(bool): a server call is running.
    """

    ready = Signal(dict)
    paid = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, sdk: SDK, *, order_id: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sdk = sdk
        self.order_id = order_id
        self._page_args: dict[str, Any] | None = None
        self._order: Order | None = None
        self._tasks = TaskRunner(on_error=self._fail, on_busy=self.busy_changed.emit)

    @property
    def page_args(self) -> dict[str, Any] | None:
        return None if self._page_args is None else dict(self._page_args)

    @property
    def livemode(self) -> bool | None:
        return None if self._page_args is None else bool(self._page_args["livemode"])

    @property
    def order(self) -> Order | None:
        """The order as the server last described it."""
        return self._order

    @property
    def busy(self) -> bool:
        return self._tasks.is_running()

    async def settle(self) -> None:
        """Wait until no server call of this presenter is running."""
        await self._tasks.wait_all()

    def start(self) -> asyncio.Task[Any]:
        """Ask for the card payment (the same intent again if the order has one)."""
        return self._tasks.run("start", self._start())

    def page_succeeded(self) -> asyncio.Task[Any]:
        """The page says Stripe took the card: have the server reconcile, then `paid`."""
        return self._tasks.run("reconcile", self._settle())

    def page_failed(self, code: str | None, decline_code: str | None = None) -> asyncio.Task[Any]:
        """The page says the card was refused: record it on the server and say why."""
        return self._tasks.run("reconcile", self._record_failure(code, decline_code))

    def cancel(self) -> None:
        self._tasks.cancel()

    async def _start(self) -> None:
        answer = await self._sdk.payment.create_payment_intent(self.order_id, type="card")
        self._order = answer.order
        if answer.payment_intent is None:
            if answer.order is not None and answer.order.status == OrderStatus.PAID:
                self.paid.emit(answer.order)  # a free order is paid at once
            else:
                self.failed.emit(_(BAD_PAGE))
            return
        args = self._args(answer)
        if args is None:
            logger.error("refused card payment answer for order %s", self.order_id)
            self.failed.emit(_(BAD_PAGE))
            return
        self._page_args = args
        self.ready.emit(dict(args))

    def _args(self, answer: PaymentIntentResponse) -> dict[str, Any] | None:
        intent = answer.payment_intent or {}
        livemode = bool(intent.get("livemode"))
        secret, key, js_url = answer.client_secret, answer.publishable_key, answer.stripe_js_url
        if not (secret and key and js_url and stripe_js_allowed(js_url, livemode=livemode)):
            return None
        if answer.payment is not None and answer.order is not None:
            # What this card payment covers: the rest of a part-paid (split) order.
            amount, currency = answer.payment.amount, answer.order.currency
        elif answer.order is not None:
            amount, currency = answer.order.total, answer.order.currency
        else:
            currency = str(intent.get("currency", "")).upper()
            amount = to_major(int(intent.get("amount", 0)), currency)  # Stripe's minor units
        return {
            "amount": f"{amount:f}",
            "currency": currency,
            "publishable_key": key,
            "client_secret": secret,
            "stripe_js_url": js_url,
            "livemode": livemode,
            "order_code": answer.order.code if answer.order is not None else None,
        }

    async def _settle(self) -> None:
        for delay in RECONCILE_DELAYS:
            await asyncio.sleep(delay)
            self._order = await self._sdk.payment.reconcile(self.order_id)
            if self._order.status == OrderStatus.PAID:
                self.paid.emit(self._order)
                return
            if self._order.status != OrderStatus.PAYMENT_PROCESSING:
                break
        status = self._order.status if self._order else None
        logger.warning("order %s is %s after the page's success", self.order_id, status)
        self.failed.emit(_(NOT_CONFIRMED))

    async def _record_failure(self, code: str | None, decline_code: str | None) -> None:
        try:
            self._order = await self._sdk.payment.reconcile(self.order_id)
        except BoxOfficeError as exc:  # the page's verdict stands; the server catches up later
            logger.info("reconcile after a refused card failed: %s", exc)
        if self._order is not None and self._order.status == OrderStatus.PAID:
            self.paid.emit(self._order)  # an earlier attempt went through after all
            return
        self.failed.emit(card_page_message(code, decline_code))

    def _fail(self, exc: BaseException) -> None:
        self.failed.emit(user_message(exc))
