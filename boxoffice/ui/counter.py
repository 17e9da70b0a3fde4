"""The counter: wires the window's actions and the panes to the presenters, and runs the
start-up steps (sign in, load events, settle unfinished sales)."""

from __future__ import annotations

import asyncio
import logging

from boxoffice.desktop.embedded import ServerStatus
from boxoffice.desktop.journal import SaleJournal
from boxoffice.desktop.settings import AppSettings, Mode
from boxoffice.sdk import SDK, BoxOfficeError
from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.dialogs.login import LoginDialog
from boxoffice.ui.dialogs.payment import PaymentDialog
from boxoffice.ui.dialogs.seating import SeatingDialog
from boxoffice.ui.dialogs.settings import SettingsDialog
from boxoffice.ui.errors import user_message
from boxoffice.ui.mainwindow import MainWindow
from boxoffice.ui.messages import MessageBridge
from boxoffice.ui.presenters.cart import CartPresenter
from boxoffice.ui.presenters.checkout import CheckoutPresenter, SaleResult
from boxoffice.ui.presenters.events import EventsPresenter
from boxoffice.ui.presenters.history import HistoryPresenter
from boxoffice.ui.presenters.printing import PrintingPresenter, SaveFormat
from boxoffice.ui.presenters.recovery import settle_unfinished
from boxoffice.ui.presenters.session import COUNTER_USER, SessionPresenter
from boxoffice.ui.printing import tickets
from boxoffice.ui.printing.printers import PrintingError
from boxoffice.ui.settings_store import SettingsStore
from boxoffice.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

CONNECTION_CHECK_SECONDS = 15

SERVER_TEXT = {
    ServerStatus.STARTING: ("Starting the training server…", False),
    ServerStatus.RUNNING: ("Connected", True),
    ServerStatus.RESTARTING: ("Training server stopped — restarting…", False),
    ServerStatus.STOPPED: ("Training server stopped", False),
    ServerStatus.FAILED: ("Training server failed — restart Box Office", False),
}


class Counter:
    """Everything between the window and the presenters that is not a pane's own business."""

    def __init__(
        self,
        *,
        sdk: SDK,
        window: MainWindow,
        settings: AppSettings,
        settings_store: SettingsStore,
        mode: Mode,
        session: SessionPresenter,
        events: EventsPresenter,
        cart: CartPresenter,
        checkout: CheckoutPresenter,
        printing: PrintingPresenter,
        history: HistoryPresenter,
        journal: SaleJournal,
        messages: MessageBridge,
    ) -> None:
        self.sdk = sdk
        self.window = window
        self.settings = settings
        self._store = settings_store
        self.mode = mode
        self.session = session
        self.events = events
        self.cart = cart
        self.checkout = checkout
        self.printing = printing
        self.history = history
        self.journal = journal
        self.messages = messages
        self.tasks = TaskRunner(on_error=lambda exc: messages.error(user_message(exc)))
        self._server_status: ServerStatus | None = None
        self._online: bool | None = None
        self.dialogs: list[SeatingDialog | PaymentDialog] = []
        self._connect()

    def _connect(self) -> None:
        panes = self.window.panes
        self.window.action.connect(self._on_action)
        self.events.event_loaded.connect(self._event_loaded)
        for source in (self.events, self.session, self.checkout, self.printing, self.history):
            source.error.connect(self.messages.error)
        self.printing.printed.connect(self.messages.info)
        self.printing.settings_changed.connect(lambda: self._store.save(self.settings))
        self.checkout.completed.connect(self._sale_completed)
        self.events.busy_changed.connect(
            lambda busy: self.window.set_busy("Loading events…" if busy else None)
        )
        self.history.busy_changed.connect(
            lambda busy: self.window.set_busy("Working on orders…" if busy else None)
        )
        self.checkout.card_payment_requested.connect(self.open_payment)
        panes.cart.seats_requested.connect(self.open_seating)
        self.session.changed.connect(self._session_changed)
        panes.history.preview_requested.connect(
            lambda order: self.tasks.run("preview", self._preview(order))
        )

    # --- start-up --------------------------------------------------------------------------

    async def start(self) -> None:
        """Sign in (counter account, remembered user or the dialog), then load and settle."""
        signed_in = False
        if self.mode is not Mode.EMBEDDED:  # the embedded server's supervisor reports itself
            self.tasks.run("connection", self.watch_connection())
        if self.mode is Mode.EMBEDDED:
            signed_in = await self.session.sign_in_counter()
        elif self.settings.last_user:
            signed_in = await self.session.resume(self.settings.last_user)
        if not signed_in:
            self.open_login()
            return
        await self.after_sign_in()

    async def check_connection(self) -> bool:
        """Ask the server whether it is there; the status bar says what was found."""
        try:
            await self.sdk.event.health()
        except BoxOfficeError:
            if self._online is not False:
                self.window.set_connection("Offline — cannot reach the server", ok=False)
                self.messages.warning(
                    "Cannot reach the ticket server. Sales wait until it is back; nothing is lost."
                )
            self._online = False
            return False
        if self._online is False:
            self.messages.info("The ticket server is back.")
        self.window.set_connection("Connected", ok=True)
        self._online = True
        return True

    async def watch_connection(self, every: float = CONNECTION_CHECK_SECONDS) -> None:
        """Check the connection every `every` seconds (venue server or Tickethead modes)."""
        while True:
            await self.check_connection()
            await asyncio.sleep(every)

    async def after_sign_in(self) -> None:
        self.events.refresh()
        for message in await settle_unfinished(self.sdk, self.journal):
            self.messages.warning(message)

    def open_login(self) -> LoginDialog:
        dialog = LoginDialog(self.session, last_user=self.settings.last_user, parent=self.window)
        dialog.accepted.connect(lambda: self.tasks.run("after-sign-in", self.after_sign_in()))
        dialog.open()
        return dialog

    def server_state(self, status: ServerStatus, message: str) -> None:
        """The embedded server's supervisor reports here."""
        text, ok = SERVER_TEXT[status]
        self.window.set_connection(text, ok=ok)
        was, self._server_status = self._server_status, status
        if status is ServerStatus.RESTARTING and was is not ServerStatus.RESTARTING:
            self.messages.warning("The training server stopped; Box Office is restarting it.")
        elif status is ServerStatus.FAILED:
            self.messages.error(f"The training server cannot start. {message}")
        elif status is ServerStatus.RUNNING and was is ServerStatus.RESTARTING:
            self.messages.info("The training server is back.")

    def shutdown(self) -> None:
        """Stop every running task and close the web pages (the window is closing)."""
        for dialog in list(self.dialogs):
            self._close_later(dialog)
        for runner in (
            self.tasks,
            self.events.tasks,
            self.checkout.tasks,
            self.history.tasks,
        ):
            runner.cancel()

    # --- actions ---------------------------------------------------------------------------

    def _on_action(self, name: str) -> None:
        handlers = {
            "refresh": self.events.refresh,
            "clear": self.checkout.abandon,
            "stop": self._stop,
            "reprint": lambda: self._with_last_sale("reprint"),
            "preview": lambda: self._with_last_sale("preview"),
            "save": lambda: self._with_last_sale("save"),
            "sign_in": self._sign_in_or_out,
            "settings": self._edit_settings,
        }
        handler = handlers.get(name)
        if handler is not None:
            handler()

    def _stop(self) -> None:
        if self.checkout.tasks.is_running("sale"):
            self.checkout.cancel()
        self.events.tasks.cancel()
        self.history.tasks.cancel()

    def _with_last_sale(self, what: str) -> None:
        result = self.checkout.last_result
        if result is None:
            self.messages.warning("No sale yet on this counter. Find older orders under Orders.")
            return
        order = result.order
        if what == "reprint":
            self.tasks.run("reprint", self.printing.reprint(order))
        elif what == "preview":
            self.tasks.run("preview", self._preview(order))
        else:
            self.tasks.run("save", self._save(order))

    async def _preview(self, order: Order) -> None:
        pdf = await self.printing.fetch_pdf(order)
        try:
            dialog = tickets.preview_dialog(pdf, self.printing.make_printer(), self.window)
        except PrintingError as exc:
            self.messages.error(str(exc))
            return
        dialog.open()

    async def _save(self, order: Order) -> None:
        """Into the save folder (Settings), without a dialog in the cashier's way."""
        fmt: SaveFormat = "pkpass" if order.format == "PKPASS" else "pdf"
        path = await self.printing.save(order, fmt)
        self.messages.info(f"Order {order.code} saved to {path}.")

    def _sign_in_or_out(self) -> None:
        if self.session.signed_in:
            self.session.sign_out()
        self.open_login()

    def _edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self.printing, self.window)

        def accepted() -> None:
            new = dialog.result_settings()
            for name in type(new).model_fields:
                setattr(self.settings, name, getattr(new, name))
            self._store.save(self.settings)
            self.messages.info("Settings saved.")

        dialog.accepted.connect(accepted)
        dialog.open()

    # --- web pages -------------------------------------------------------------------------

    def open_seating(self, config_id: int, quantity: int) -> SeatingDialog | None:
        """Pick seats on the map; OK puts them into the cart with the hold token."""
        event = self.cart.current_event
        if event is None:
            return None
        dialog = SeatingDialog(
            self.sdk,
            event_id=event.id,
            hold_token=self.cart.hold_token,
            title=event.name,
            parent=self.window,
        )

        def accepted() -> None:
            token = dialog.hold_token
            held = {label for line in self.cart.lines for label in line.seats}
            for item in dialog.order_items():
                seats = tuple(label for label in item["selected_seats"] if label not in held)
                if seats:
                    self.cart.add(
                        item["ticket_config_id"], len(seats), seats=seats, hold_token=token
                    )
            self._close_later(dialog)

        dialog.accepted.connect(accepted)
        dialog.rejected.connect(lambda: self._close_later(dialog))
        dialog.open()
        self.dialogs.append(dialog)
        return dialog

    def open_payment(self, order: Order) -> PaymentDialog:
        """The card payment page for `order`; paid → the sale goes on (tickets out)."""
        dialog = PaymentDialog(self.sdk, order_id=order.id, parent=self.window)
        dialog.paid.connect(self.checkout.on_card_paid)
        dialog.finished.connect(lambda _result: self._close_later(dialog))
        dialog.rejected.connect(
            lambda: self.checkout.stage.emit(
                f"Card payment for {order.code} not completed. Press Complete sale to try "
                "again, pay another way, or clear the cart."
            )
        )
        dialog.open()
        self.dialogs.append(dialog)
        return dialog

    def _close_later(self, dialog: SeatingDialog | PaymentDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        dialog.dispose()

    # --- reactions -------------------------------------------------------------------------

    def _event_loaded(self, event: Event) -> None:
        self.window.panes.cart.show_event(event)
        self.window.focus_cart()

    def _sale_completed(self, result: SaleResult) -> None:
        self.messages.info(result.delivery.message)
        self.events.refresh()  # what is left has changed
        self.window.focus_search()

    def _session_changed(self) -> None:
        user = self.session.user
        name = user.username if user is not None and user.type == "registered" else None
        if name and name != COUNTER_USER and self.settings.last_user != name:
            self.settings.last_user = name
            self._store.save(self.settings)
