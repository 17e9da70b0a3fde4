"""The card payment page in a web view (its own off-the-record profile) and its bridge (v1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from PySide6.QtCore import Signal, Slot
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWidgets import QWidget

from boxoffice.ui.web.bridge import Bridge, BridgedView, PageMessage
from boxoffice.ui.web.page_words import payment_words
from boxoffice.ui.web.profiles import payment_profile
from boxoffice.ui.web.scheme import page_url

PAYMENT_PAGE = "payment/index.html"

PageState = Literal["ready", "processing", "retry", "paid"]


class PaymentPageArgs(BaseModel):
    """What the page needs from the payment intent; never a secret key or the user's token."""

    amount: str = Field(pattern=r"^\d+(\.\d+)?$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    publishable_key: str = Field(pattern=r"^pk_(test|live)_[A-Za-z0-9_]+$")
    client_secret: str = Field(pattern=r"^pi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$")
    stripe_js_url: str = Field(max_length=200)
    livemode: bool
    order_code: str | None = None


class PageSucceeded(PageMessage):
    payment_intent: str = Field(pattern=r"^pi_[A-Za-z0-9]+$")
    status: str = Field(max_length=40)


class PageFailed(PageMessage):
    type: str = Field(max_length=60)
    code: str | None = Field(default=None, max_length=80)
    decline_code: str | None = Field(default=None, max_length=80)
    message: str | None = Field(default=None, max_length=500)


class PageBusy(PageMessage):
    busy: bool


class StateMessage(BaseModel):
    state: PageState


class PaymentBridge(Bridge):
    """The payment page's bridge.

    Slots (page → Python): `ready {}` (the Bridge's), `busy {busy}` (Stripe.js is confirming),
    `succeeded {payment_intent, status}`, `failed {type, code?, decline_code?, message?}`.

    Signals (Python → page): `start(PaymentPageArgs)`, `notice(Notice)` (the Bridge's),
    `state(StateMessage)`; and for Python: `page_ready()` (the Bridge's), `page_busy(bool)`,
    `page_succeeded(str)`, `page_failed(object PageFailed)`.
    """

    start = Signal(str)
    state = Signal(str)
    page_busy = Signal(bool)
    page_succeeded = Signal(str)
    page_failed = Signal(object)

    @Slot(str)
    def busy(self, raw: str) -> None:
        message = self.parse(PageBusy, raw)
        if message is not None:
            self.page_busy.emit(message.busy)

    @Slot(str)
    def succeeded(self, raw: str) -> None:
        message = self.parse(PageSucceeded, raw)
        if message is not None:
            self.page_succeeded.emit(message.payment_intent)

    @Slot(str)
    def failed(self, raw: str) -> None:
        message = self.parse(PageFailed, raw)
        if message is not None:
            self.page_failed.emit(message)


class PaymentView(BridgedView):
    """Shows the payment page; `start(args)` hands it the intent's amount, keys and URL.
    The page (and Stripe's card element) speaks the language in use when the view is made.

    Signals:
        busy_changed(bool): Stripe.js is confirming the card (do not close the page).
        card_succeeded(str payment_intent_id): Stripe.js confirmed the card.
        card_failed(str code, str decline_code): Stripe.js refused it ("" when absent).
    """

    busy_changed = Signal(bool)
    card_succeeded = Signal(str)
    card_failed = Signal(str, str)

    def __init__(
        self, *, profile: QWebEngineProfile | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(PaymentBridge(payment_words()), profile=profile, parent=parent)
        self._args: PaymentPageArgs | None = None
        self._page_ready = False
        bridge = self.payment_bridge
        bridge.page_ready.connect(self._on_page_ready)
        bridge.page_busy.connect(self.busy_changed)
        bridge.page_succeeded.connect(self.card_succeeded)
        bridge.page_failed.connect(self._on_failed)
        self.setUrl(page_url(PAYMENT_PAGE))

    def make_profile(self) -> QWebEngineProfile:
        return payment_profile()

    @property
    def payment_bridge(self) -> PaymentBridge:
        assert isinstance(self.bridge, PaymentBridge)
        return self.bridge

    def start(self, args: PaymentPageArgs) -> None:
        """Show the amount and mount the card element (now, or once the page is ready)."""
        self._args = args
        if self._page_ready:
            self.payment_bridge.start.emit(Bridge.dump(args))

    def show_error(self, text: str) -> None:
        """Show why the card did not go through and let the cashier try another card."""
        super().show_error(text)
        self.set_state("retry")

    def set_state(self, state: PageState) -> None:
        self.payment_bridge.state.emit(Bridge.dump(StateMessage(state=state)))

    def _on_page_ready(self) -> None:
        self._page_ready = True
        if self._args is not None:
            self.payment_bridge.start.emit(Bridge.dump(self._args))

    def _on_failed(self, message: PageFailed) -> None:
        self.card_failed.emit(message.code or message.type, message.decline_code or "")
