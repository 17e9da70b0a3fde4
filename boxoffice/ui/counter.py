"""The counter: wires the window's actions and the panes to the presenters and the dialogs, and
runs the start-up steps (sign in, the printer question, load events, settle unfinished sales)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Protocol, runtime_checkable

import shiboken6
from PySide6.QtWidgets import QApplication, QMessageBox

from boxoffice import i18n
from boxoffice.desktop.settings import AppSettings, Mode
from boxoffice.i18n import N_, _
from boxoffice.sdk import SDK
from boxoffice.sdk.models.auth import COUNTER_USERNAME
from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.order_status import PAYABLE
from boxoffice.sdk.models.orders import Order
from boxoffice.ui import theme
from boxoffice.ui.dialogs.host import DialogHost
from boxoffice.ui.dialogs.order_actions import HistoryDialog, ReissueDialog, ReprintDialog
from boxoffice.ui.dialogs.printer_choice import PrinterChoiceDialog
from boxoffice.ui.dialogs.questions import SaleChoice, SaleInProgress, ask_to_cancel_part_paid
from boxoffice.ui.dialogs.readers import TrainingCardWindow
from boxoffice.ui.dialogs.refund import RefundDialog
from boxoffice.ui.dialogs.shift import CashMovementDialog, CloseShiftDialog, OpenShiftDialog
from boxoffice.ui.errors import user_message
from boxoffice.ui.mainwindow import MainWindow
from boxoffice.ui.messages import MessageBridge
from boxoffice.ui.presenters.cart import CartPresenter
from boxoffice.ui.presenters.checkout import CheckoutPresenter, ReaderWait, SaleResult
from boxoffice.ui.presenters.connection import ConnectionPresenter
from boxoffice.ui.presenters.events import EventsPresenter
from boxoffice.ui.presenters.history import HistoryPresenter
from boxoffice.ui.presenters.printing import PrintingPresenter
from boxoffice.ui.presenters.reader import ReaderPresenter
from boxoffice.ui.presenters.session import SessionPresenter
from boxoffice.ui.presenters.shift import ShiftPresenter
from boxoffice.ui.settings_store import SettingsStore
from boxoffice.ui.tasks import TaskRunner

NO_SALE_YET = N_("No sale yet on this counter. Find older orders under Orders.")


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
    shift: ShiftPresenter
    readers: ReaderPresenter

    def closable(self) -> list[Closable]:
        """Every presenter that runs tasks (those have an `aclose()`)."""
        each = (getattr(self, field.name) for field in fields(self))
        return [presenter for presenter in each if isinstance(presenter, Closable)]


class Counter:
    """Connects the window, the presenters and the dialogs; no state of its own but the
    settings it keeps up to date, and the question it asks before a sale in progress is left
    (quitting or switching the cashier)."""

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
        self.shift = presenters.shift
        self.readers = presenters.readers
        self.training_card: TrainingCardWindow | None = None  # training: the customer's card
        self.dialogs = dialogs
        self.settings = settings
        self._store = settings_store
        self.messages = messages
        self.mode = mode
        self._tasks = TaskRunner(on_error=lambda exc: messages.error(user_message(exc)))
        self._quitting = False  # the cashier answered, or the app shuts down: close at once
        self._sale_question: QMessageBox | None = None  # the question about the sale
        self._signing_in_when_back = False  # started while the server was away
        self._connect()
        window.set_close_guard(self._may_close)

    def _connect(self) -> None:
        window, dialogs, messages = self.window, self.dialogs, self.messages
        events, checkout, history = self.events, self.checkout, self.history
        printing = self.printing
        window.refresh_requested.connect(events.refresh)
        self.connection.came_back.connect(self._server_back)
        window.clear_requested.connect(self.clear_sale)
        window.stop_requested.connect(self.stop)
        window.reprint_requested.connect(self._with_last_sale(self._print_last_sale))
        window.preview_requested.connect(self._with_last_sale(printing.preview))
        window.save_requested.connect(self._with_last_sale(printing.save_to_folder))
        window.receipt_requested.connect(self._with_last_sale(printing.print_receipt))
        window.sign_in_requested.connect(self.sign_in_or_out)
        window.settings_requested.connect(self.edit_settings)
        shift = self.shift
        window.open_shift_requested.connect(self.open_shift)
        window.cash_movement_requested.connect(
            lambda: CashMovementDialog(shift, parent=window).open()
        )
        window.shift_report_requested.connect(shift.print_report)
        window.close_shift_requested.connect(self.close_shift)
        shift.changed.connect(lambda: window.show_shift(shift.status_text))
        shift.message.connect(messages.info)
        shift.report_pdf.connect(
            lambda pdf: printing.deliver_document(
                pdf, title=_("Shift report"), filename=f"shift-{shift.counter}.pdf"
            )
        )
        window.show_shift(shift.status_text)
        for source in (events, self.session, checkout, printing, history, shift):
            source.error.connect(messages.error)
        printing.printed.connect(messages.info)
        printing.saved.connect(messages.info)
        printing.preview_ready.connect(dialogs.open_preview)
        printing.settings_changed.connect(lambda: self._store.save(self.settings))
        events.event_loading.connect(window.panes.cart.show_loading)
        events.event_loaded.connect(self._event_loaded)
        events.event_failed.connect(window.panes.cart.show_load_failure)
        events.busy_changed.connect(
            lambda busy: window.set_busy(_("Loading events…") if busy else None)
        )
        history.busy_changed.connect(
            lambda busy: window.set_busy(_("Working on orders…") if busy else None)
        )
        checkout.completed.connect(self._sale_completed)
        checkout.card_payment_requested.connect(dialogs.open_payment)
        window.panes.cart.seats_requested.connect(dialogs.open_seating)
        window.panes.cart.clear_requested.connect(self.clear_sale)
        window.panes.history.preview_requested.connect(printing.preview)
        window.orders_shown.connect(self._orders_shown)
        self._connect_order_actions()
        self._connect_readers()
        self.session.changed.connect(self._remember_user)

    def _connect_readers(self) -> None:
        """This counter's card reader: the checkout's card ways, the training card window."""
        readers, checkout, messages = self.readers, self.checkout, self.messages
        readers.changed.connect(self._readers_changed)
        readers.message.connect(messages.info)
        readers.error.connect(messages.error)
        checkout.reader_waiting.connect(self._reader_waiting)
        checkout.reader_done.connect(self._close_training_card)

    def _connect_order_actions(self) -> None:
        """The Orders tab's refund, reprint, reissue, receipt and history."""
        window, messages, actions = self.window, self.messages, self.history.actions
        pane = window.panes.history
        pane.refund_requested.connect(actions.ask_refund)
        pane.reissue_requested.connect(actions.ask_reissue)
        pane.reprint_requested.connect(
            lambda order: ReprintDialog(actions, order, parent=window).open()
        )
        pane.receipt_requested.connect(actions.print_receipt)
        pane.history_requested.connect(actions.show_history)
        actions.refund_ready.connect(lambda order: RefundDialog(actions, order, window).open())
        actions.reissue_ready.connect(lambda order: ReissueDialog(actions, order, window).open())
        actions.history_ready.connect(
            lambda order, entries: HistoryDialog(order, entries, parent=window).open()
        )
        actions.message.connect(messages.info)
        actions.error.connect(messages.error)
        actions.error.connect(pane.status.setText)
        actions.changed.connect(pane.refresh)
        actions.refunded.connect(lambda _result: self.shift.refresh())  # the drawer gave cash back
        actions.busy_changed.connect(
            lambda busy: window.set_busy(_("Working on the order…") if busy else None)
        )

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
        if not signed_in and self.session.unreachable:
            # The server is away: the cached events stay listed, and signing in is tried
            # again (a remembered token kept) as soon as the server answers.
            self._signing_in_when_back = True
            self.connection.watch()
            return
        if not signed_in:
            self.open_login()
            return
        await self.after_sign_in()

    def _server_back(self) -> None:
        """The server answers again: finish a start it missed, or renew what was shown
        from the cache."""
        if self._signing_in_when_back:
            self._signing_in_when_back = False
            self._tasks.run("start", self.start())
        elif self.events.offline_text:
            self.events.refresh()

    async def after_sign_in(self) -> None:
        self.events.refresh()
        self.shift.refresh()
        self.readers.refresh()
        self.ask_for_printer()
        for message in await self.checkout.settle_unfinished():
            self.messages.warning(message)

    async def aclose(self) -> None:
        """Close the web dialogs and stop every task (the window is closing)."""
        self._quitting = True
        self.dialogs.close_all()
        self._close_training_card()
        closing = [self._tasks.aclose(), *(each.aclose() for each in self.presenters.closable())]
        await asyncio.gather(*closing)

    # --- actions ---------------------------------------------------------------------------

    def open_login(self) -> None:
        self.dialogs.open_login(
            last_user=self.settings.last_user,
            on_signed_in=lambda: self._tasks.run("after-sign-in", self.after_sign_in()),
        )

    def ask_for_printer(self) -> None:
        """At the first start: which printer, or save only (asked once, then remembered)."""
        if self.printing.printer_question_due:
            PrinterChoiceDialog(self.printing, parent=self.window).open()

    def sign_in_or_out(self) -> None:
        """Ctrl+L: sign out and let someone sign in. A sale in progress belongs to the cashier
        who started it: asked first, they finish it or cancel its order; it is never handed
        to the next cashier."""
        if not self.session.signed_in:
            self.open_login()
            return
        sale = self.sale_in_progress()
        if sale is None:
            self._switch_user()
        elif not self._asking():
            self._sale_question = self.dialogs.ask_about_sale(
                sale, quitting=False, on_answer=self._switch_answered
            )

    def open_shift(self) -> None:
        """F9: open the counter's shift with its float (says so if one is open already)."""
        if self.shift.is_open:
            self.messages.warning(
                _("A shift is already open at counter %(counter)s.")
                % {"counter": self.shift.counter}
            )
            return
        OpenShiftDialog(self.shift, parent=self.window).open()

    def close_shift(self) -> None:
        """Ctrl+Shift+F9: count the drawer and close the shift for good."""
        if not self.shift.is_open:
            self.messages.warning(
                _("No shift is open at counter %(counter)s.") % {"counter": self.shift.counter}
            )
            return
        CloseShiftDialog(self.shift, parent=self.window).open()

    def clear_sale(self) -> None:
        """Clear the cart and cancel the pending order; a part-paid order only once the
        cashier agrees (canceling gives back what was taken)."""
        order = self.checkout.part_paid_order
        if order is None:
            self.checkout.abandon()
            return
        if not self._asking():
            self._sale_question = ask_to_cancel_part_paid(
                self.window,
                order_code=order.code,
                paid=i18n.money(order.paid_amount, order.currency),
                on_cancel=self.checkout.abandon,
            )

    @property
    def training(self) -> bool:
        """The server is in training mode (the yellow banner): no real money."""
        return self.mode.status_label(self.connection.training)[1]

    def edit_settings(self) -> None:
        self.dialogs.open_settings(
            self.settings, on_accepted=self._settings_accepted, training=self.training
        )

    def stop(self) -> None:
        """Stop waiting (Esc): the sale, the event list, the order search."""
        self.checkout.stop()
        self.events.stop()
        self.history.stop()

    def sale_in_progress(self) -> SaleInProgress | None:
        """The sale started and not finished: an unpaid order, else tickets in the cart."""
        pending = self.checkout.pending
        order = pending.order if pending is not None else None
        if order is not None and order.status in PAYABLE:
            tickets = sum(item.quantity for item in order.order_item)
            paid = i18n.money(order.paid_amount, order.currency) if order.paid_amount else None
            total = i18n.money(order.total, order.currency)
            return SaleInProgress(order.code, tickets, total, paid=paid)
        if self.cart.lines:
            total = i18n.money(self.cart.total, self.cart.currency)
            return SaleInProgress(None, self.cart.ticket_count, total)
        return None

    # --- quitting or switching the cashier with a sale in progress -------------------------

    def _may_close(self) -> bool:
        """The window's close guard: close at once unless a sale is in progress; then ask
        (finish it, cancel its order, or keep it pending) and close once answered."""
        if self._quitting:
            return True
        sale = self.sale_in_progress()
        if sale is None:
            return True
        if not self._asking():
            self._sale_question = self.dialogs.ask_about_sale(
                sale, quitting=True, on_answer=self._quit_answered
            )
        return False

    def _asking(self) -> bool:
        """The question about the sale is on screen (it goes with the card page it was
        asked over, unanswered, if that page closes first)."""
        box = self._sale_question
        return box is not None and shiboken6.isValid(box) and box.isVisible()

    def _quit_answered(self, choice: SaleChoice) -> None:
        self._sale_question = None
        if choice is not SaleChoice.FINISH:
            self._tasks.run("quit", self._quit(cancel=choice is SaleChoice.CANCEL))

    async def _quit(self, *, cancel: bool) -> None:
        """Quit; with `cancel` the order is canceled first. Kept pending, the journal still
        lists the sale: the next start settles it (paid → reported, unpaid → released)."""
        await self._leave_sale(cancel=cancel)
        self._quitting = True
        self.window.close()

    def _switch_answered(self, choice: SaleChoice) -> None:
        self._sale_question = None
        if choice is SaleChoice.CANCEL:
            self._tasks.run("switch-user", self._cancel_and_switch())

    async def _cancel_and_switch(self) -> None:
        await self._leave_sale(cancel=True)  # with this cashier's token, before signing out
        self._switch_user()

    async def _leave_sale(self, *, cancel: bool) -> None:
        """Stop the sale's steps and close its card page; with `cancel`, clear the cart and
        cancel the unpaid order (its tickets go back on sale)."""
        self.checkout.stop()
        self.dialogs.close_all()
        if cancel:
            self.checkout.abandon()
            await self.checkout.tasks.wait("abandon")

    def _switch_user(self) -> None:
        self.session.sign_out()
        self.open_login()

    def _with_last_sale(self, act: Callable[[Order], None]) -> Callable[[], None]:
        """`act` on the order of this counter's last sale, if there was one."""

        def on_last_sale() -> None:
            result = self.checkout.last_result
            if result is None:
                self.messages.warning(_(NO_SALE_YET))
                return
            act(result.order)

        return on_last_sale

    def _print_last_sale(self, order: Order) -> None:
        """Ctrl+P: the last sale's tickets; once they were printed, a recorded reprint."""
        result = self.checkout.last_result
        printed = result is not None and result.delivery.printed_pages > 0
        self.history.actions.print_last_sale(order, printed_before=printed)

    # --- reactions -------------------------------------------------------------------------

    def _event_loaded(self, event: Event) -> None:
        self.window.panes.cart.show_event(event)
        self.window.focus_cart()

    def _orders_shown(self) -> None:
        """The Orders tab is up: today's orders (or the search) at once, no Enter needed."""
        if self.session.signed_in:
            self.window.panes.history.refresh()

    def _sale_completed(self, result: SaleResult) -> None:
        self.messages.info(result.delivery.message)
        self.printing.receipt_after_sale(result.order)  # after the tickets, never before
        self.events.refresh()  # what is left has changed
        self.shift.refresh()  # and what the drawer should hold
        self.window.focus_search()

    def _readers_changed(self) -> None:
        reader = self.readers.counter_reader
        self.window.panes.checkout.set_reader(reader.label if reader is not None else None)

    def _reader_waiting(self, wait: ReaderWait) -> None:
        """Training: while the reader waits, a window plays the customer's card."""
        self._close_training_card()
        if not self.training or not wait.reader_id:
            return
        active = QApplication.activeWindow()
        card = TrainingCardWindow(self.readers, wait, parent=self.window)
        card.cancel_requested.connect(self.checkout.cancel)
        geometry = self.window.frameGeometry()  # over the cart's lines, clear of the checkout
        card.adjustSize()
        card.move(geometry.center().x() - card.width() // 2, geometry.bottom() - card.height() - 90)
        card.show()
        if active is not None:  # the till keeps the keys (Esc cancels the payment)
            active.activateWindow()
        self.training_card = card

    def _close_training_card(self) -> None:
        card, self.training_card = self.training_card, None
        if card is not None and shiboken6.isValid(card):
            card.close()

    def _settings_accepted(self, new: AppSettings) -> None:
        for name in type(new).model_fields:
            setattr(self.settings, name, getattr(new, name))
        self._store.save(self.settings)
        self.sdk.counter = self.settings.counter_name  # at once: cash goes to its shift
        app = QApplication.instance()
        if isinstance(app, QApplication):  # the theme and text size at once
            theme.apply(app, self.settings.theme, self.settings.text_scale)
        self.shift.refresh()
        self.readers.refresh()  # the reader picked for this counter (by its name)
        self.messages.info(_("Settings saved."))

    def _remember_user(self) -> None:
        user = self.session.user
        name = user.username if user is not None and user.type == "registered" else None
        if name and name != COUNTER_USERNAME and self.settings.last_user != name:
            self.settings.last_user = name
            self._store.save(self.settings)
