"""The counter: wires the window's actions and the panes to the presenters and the dialogs, and
runs the start-up steps (sign in, load events, settle unfinished sales)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Protocol, runtime_checkable

from boxoffice.desktop.settings import AppSettings, Mode
from boxoffice.sdk import SDK
from boxoffice.sdk.models.auth import COUNTER_USERNAME
from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.dialogs.host import DialogHost
from boxoffice.ui.errors import user_message
from boxoffice.ui.mainwindow import MainWindow
from boxoffice.ui.messages import MessageBridge
from boxoffice.ui.presenters.cart import CartPresenter
from boxoffice.ui.presenters.checkout import CheckoutPresenter, SaleResult
from boxoffice.ui.presenters.connection import ConnectionPresenter
from boxoffice.ui.presenters.events import EventsPresenter
from boxoffice.ui.presenters.history import HistoryPresenter
from boxoffice.ui.presenters.printing import PrintingPresenter
from boxoffice.ui.presenters.session import SessionPresenter
from boxoffice.ui.settings_store import SettingsStore
from boxoffice.ui.tasks import TaskRunner

NO_SALE_YET = "No sale yet on this counter. Find older orders under Orders."


@runtime_checkable
class Closable(Protocol):
    """A presenter with tasks of its own; `aclose()` stops them."""

    async def aclose(self) -> None: ...


@dataclass
class Presenters:
    """The counter's presenters, one of each (`app.build_counter` makes them)."""

    session: SessionPresenter
    connection: ConnectionPresenter
    events: EventsPresenter
    cart: CartPresenter
    checkout: CheckoutPresenter
    printing: PrintingPresenter
    history: HistoryPresenter

    def closable(self) -> list[Closable]:
        """Every presenter that runs tasks (those have an `aclose()`)."""
        each = (getattr(self, field.name) for field in fields(self))
        return [presenter for presenter in each if isinstance(presenter, Closable)]


class Counter:
    """Connects the window, the presenters and the dialogs; no state of its own but the
    settings it keeps up to date."""

    def __init__(
        self,
        *,
        sdk: SDK,
        window: MainWindow,
        presenters: Presenters,
        dialogs: DialogHost,
        settings: AppSettings,
        settings_store: SettingsStore,
        messages: MessageBridge,
        mode: Mode,
    ) -> None:
        self.sdk = sdk
        self.window = window
        self.presenters = presenters
        self.session = presenters.session
        self.connection = presenters.connection
        self.events = presenters.events
        self.cart = presenters.cart
        self.checkout = presenters.checkout
        self.printing = presenters.printing
        self.history = presenters.history
        self.dialogs = dialogs
        self.settings = settings
        self._store = settings_store
        self.messages = messages
        self.mode = mode
        self._tasks = TaskRunner(on_error=lambda exc: messages.error(user_message(exc)))
        self._connect()

    def _connect(self) -> None:
        window, dialogs, messages = self.window, self.dialogs, self.messages
        events, checkout, history = self.events, self.checkout, self.history
        printing = self.printing
        window.refresh_requested.connect(events.refresh)
        window.clear_requested.connect(checkout.abandon)
        window.stop_requested.connect(self.stop)
        window.reprint_requested.connect(self._with_last_sale(printing.print_again))
        window.preview_requested.connect(self._with_last_sale(printing.preview))
        window.save_requested.connect(self._with_last_sale(printing.save_to_folder))
        window.sign_in_requested.connect(self.sign_in_or_out)
        window.settings_requested.connect(self.edit_settings)
        for source in (events, self.session, checkout, printing, history):
            source.error.connect(messages.error)
        printing.printed.connect(messages.info)
        printing.saved.connect(messages.info)
        printing.preview_ready.connect(dialogs.open_preview)
        printing.settings_changed.connect(lambda: self._store.save(self.settings))
        events.event_loaded.connect(self._event_loaded)
        events.busy_changed.connect(
            lambda busy: window.set_busy("Loading events…" if busy else None)
        )
        history.busy_changed.connect(
            lambda busy: window.set_busy("Working on orders…" if busy else None)
        )
        checkout.completed.connect(self._sale_completed)
        checkout.card_payment_requested.connect(dialogs.open_payment)
        window.panes.cart.seats_requested.connect(dialogs.open_seating)
        window.panes.history.preview_requested.connect(printing.preview)
        self.session.changed.connect(self._remember_user)

    # --- start-up and shut-down ------------------------------------------------------------

    async def start(self) -> None:
        """Sign in (counter account, remembered user or the dialog), then load and settle."""
        signed_in = False
        if self.mode is not Mode.EMBEDDED:  # the embedded server's supervisor reports itself
            self.connection.watch()
        if self.mode is Mode.EMBEDDED:
            signed_in = await self.session.sign_in_counter()
        elif self.settings.last_user:
            signed_in = await self.session.resume(self.settings.last_user)
        if not signed_in:
            self.open_login()
            return
        await self.after_sign_in()

    async def after_sign_in(self) -> None:
        self.events.refresh()
        for message in await self.checkout.settle_unfinished():
            self.messages.warning(message)

    async def aclose(self) -> None:
        """Close the web dialogs and stop every task (the window is closing)."""
        self.dialogs.close_all()
        closing = [self._tasks.aclose(), *(each.aclose() for each in self.presenters.closable())]
        await asyncio.gather(*closing)

    # --- actions ---------------------------------------------------------------------------

    def open_login(self) -> None:
        self.dialogs.open_login(
            last_user=self.settings.last_user,
            on_signed_in=lambda: self._tasks.run("after-sign-in", self.after_sign_in()),
        )

    def sign_in_or_out(self) -> None:
        if self.session.signed_in:
            self.session.sign_out()
        self.open_login()

    def edit_settings(self) -> None:
        self.dialogs.open_settings(self.settings, on_accepted=self._settings_accepted)

    def stop(self) -> None:
        """Stop waiting (Esc): the sale, the event list, the order search."""
        self.checkout.stop()
        self.events.stop()
        self.history.stop()

    def _with_last_sale(self, act: Callable[[Order], None]) -> Callable[[], None]:
        """`act` on the order of this counter's last sale, if there was one."""

        def on_last_sale() -> None:
            result = self.checkout.last_result
            if result is None:
                self.messages.warning(NO_SALE_YET)
                return
            act(result.order)

        return on_last_sale

    # --- reactions -------------------------------------------------------------------------

    def _event_loaded(self, event: Event) -> None:
        self.window.panes.cart.show_event(event)
        self.window.focus_cart()

    def _sale_completed(self, result: SaleResult) -> None:
        self.messages.info(result.delivery.message)
        self.events.refresh()  # what is left has changed
        self.window.focus_search()

    def _settings_accepted(self, new: AppSettings) -> None:
        for name in type(new).model_fields:
            setattr(self.settings, name, getattr(new, name))
        self._store.save(self.settings)
        self.messages.info("Settings saved.")

    def _remember_user(self) -> None:
        user = self.session.user
        name = user.username if user is not None and user.type == "registered" else None
        if name and name != COUNTER_USERNAME and self.settings.last_user != name:
            self.settings.last_user = name
            self._store.save(self.settings)
