"""The counter's dialogs: sign-in, settings, seat picking, card payment and print preview,
opened over the main window. The two web dialogs are kept while open and disposed once they
close (their pages at once, the rest when their server calls are over)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from boxoffice.desktop.catalog_cache import CatalogCache
from boxoffice.desktop.settings import AppSettings
from boxoffice.i18n import _
from boxoffice.sdk import SDK
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.dialogs.login import LoginDialog
from boxoffice.ui.dialogs.payment import PaymentDialog
from boxoffice.ui.dialogs.questions import SaleChoice, SaleInProgress, ask_about_sale
from boxoffice.ui.dialogs.seating import SeatingDialog
from boxoffice.ui.dialogs.settings import SettingsDialog
from boxoffice.ui.messages import MessageBridge
from boxoffice.ui.presenters.cart import CartPresenter
from boxoffice.ui.presenters.checkout import CheckoutPresenter
from boxoffice.ui.presenters.printing import PrintingPresenter
from boxoffice.ui.presenters.reader import ReaderPresenter
from boxoffice.ui.presenters.session import SessionPresenter
from boxoffice.ui.printing import tickets
from boxoffice.ui.printing.printers import PrintingError

WebDialog = SeatingDialog | PaymentDialog
_Web = TypeVar("_Web", SeatingDialog, PaymentDialog)


class DialogHost:
    """Opens each dialog with what it needs and hands its outcome to the presenters."""

    def __init__(
        self,
        sdk: SDK,
        *,
        parent: QWidget,
        session: SessionPresenter,
        cart: CartPresenter,
        checkout: CheckoutPresenter,
        printing: PrintingPresenter,
        messages: MessageBridge,
        readers: ReaderPresenter | None = None,
        catalog: CatalogCache | None = None,
    ) -> None:
        self._sdk = sdk
        self._catalog = catalog
        self._readers = readers
        self._parent = parent
        self._session = session
        self._cart = cart
        self._checkout = checkout
        self._printing = printing
        self._messages = messages
        self._web: list[WebDialog] = []

    @property
    def web_dialogs(self) -> list[WebDialog]:
        """The seating and payment dialogs open now, oldest first."""
        return list(self._web)

    def open_login(
        self, *, last_user: str | None, on_signed_in: Callable[[], object]
    ) -> LoginDialog:
        dialog = LoginDialog(self._session, last_user=last_user, parent=self._parent)
        dialog.accepted.connect(on_signed_in)
        dialog.open()
        return dialog

    def open_settings(
        self,
        settings: AppSettings,
        *,
        on_accepted: Callable[[AppSettings], None],
        training: bool = False,
    ) -> SettingsDialog:
        """Edit a copy of `settings`; OK hands the edited settings to `on_accepted`. Its
        *Card reader…* changes the server's pick at once (`training`: a simulated reader's
        code is offered)."""
        dialog = SettingsDialog(
            settings,
            self._printing,
            self._parent,
            readers=self._readers,
            training=training,
            staff=self._session.is_staff,
        )
        dialog.accepted.connect(lambda: on_accepted(dialog.result_settings()))
        dialog.open()
        return dialog

    def open_seating(self, config_id: int, quantity: int) -> SeatingDialog | None:
        """Pick seats on the map; OK puts them into the cart with the hold token."""
        event = self._cart.current_event
        if event is None:
            return None
        dialog = SeatingDialog(
            self._sdk,
            event_id=event.id,
            hold_token=self._cart.hold_token,
            title=event.name,
            parent=self._parent,
            cache=self._catalog,
        )

        def accepted() -> None:
            self._cart.add_held_seats(dialog.order_items(), dialog.hold_token)
            self._dispose(dialog)

        dialog.accepted.connect(accepted)
        dialog.rejected.connect(lambda: self._dispose(dialog))
        return self._open_web(dialog)

    def open_payment(self, order: Order) -> PaymentDialog:
        """The card payment page for `order`; paid → the sale goes on (tickets out)."""
        dialog = PaymentDialog(
            self._sdk, order_id=order.id, order_code=order.code, parent=self._parent
        )
        dialog.paid.connect(self._checkout.on_card_paid)
        dialog.quit_requested.connect(self._parent.close)  # Ctrl+Q on the page: quit (asks)
        dialog.finished.connect(lambda _result: self._dispose(dialog))
        dialog.rejected.connect(lambda: self._checkout.card_payment_abandoned(order))
        return self._open_web(dialog)

    def open_preview(self, pdf: bytes) -> QPrintPreviewDialog | None:
        """A print preview of the ticket PDF `pdf` on the chosen printer, or a sentence
        saying why there is none (no printer set up, printer gone, unreadable file).

        The dialog owns the printer it previews on (`tickets.TicketPreviewDialog`) and is
        deleted when it closes, the printer with it."""
        try:
            printer = self._printing.make_printer()
            dialog = tickets.preview_dialog(pdf, printer, self._parent)
        except PrintingError as exc:
            self._messages.error(_("No print preview. %(reason)s") % {"reason": exc})
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def ask_about_sale(
        self,
        sale: SaleInProgress,
        *,
        quitting: bool,
        on_answer: Callable[[SaleChoice], None],
    ) -> QMessageBox:
        """Ask what to do with the sale in progress before quitting or switching the cashier;
        over the card payment page when that is open."""
        parent = QApplication.activeModalWidget() or self._parent
        return ask_about_sale(parent, sale, quitting=quitting, on_answer=on_answer)

    def close_all(self) -> None:
        """Dispose of every open web dialog (the window is closing)."""
        for dialog in list(self._web):
            self._dispose(dialog)

    def _open_web(self, dialog: _Web) -> _Web:
        dialog.open()
        self._web.append(dialog)
        return dialog

    def _dispose(self, dialog: WebDialog) -> None:
        if dialog in self._web:
            self._web.remove(dialog)
        dialog.dispose()
