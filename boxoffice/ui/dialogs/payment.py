"""The card payment dialog of the checkout: the payment page, a training banner, Cancel, and
Esc (which asks before it closes the page)."""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boxoffice.i18n import N_, _
from boxoffice.sdk import SDK
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.dialogs.questions import ask_to_close_card_page
from boxoffice.ui.presenters.card_payment import CardPaymentPresenter
from boxoffice.ui.web.disposal import dispose_web_dialog
from boxoffice.ui.web.payment_view import PaymentPageArgs, PaymentView

logger = logging.getLogger(__name__)

TRAINING = N_("TRAINING MODE: no real money is charged. Test card 4242 4242 4242 4242.")
STILL_BUSY = N_("The card is being processed. Press Esc again to close anyway.")


class PaymentDialog(QDialog):
    """Takes the card payment of one order; accepted once the order is paid.

    Usage: `dialog = PaymentDialog(sdk, order_id=…, parent=…)`, connect `paid` and
    `rejected`, then `dialog.open()`. Esc (or the title bar's close button) asks first, then
    closes: the order stays pending. `reject()` (Cancel) closes at once, except that while
    the card is being processed the first one only warns (the server still settles the
    payment later). The page takes the keys, so Esc and Ctrl+Q are shortcuts of the dialog.

    Signals:
        paid(object): the paid Order; the dialog is then accepted.
        quit_requested(): Ctrl+Q on the page: the cashier wants to quit Box Office.
    """

    paid = Signal(object)
    quit_requested = Signal()

    def __init__(
        self,
        sdk: SDK,
        *,
        order_id: int,
        order_code: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Card payment"))
        self.setModal(True)
        self.order_code = order_code
        self.presenter = CardPaymentPresenter(sdk, order_id=order_id, parent=self)
        self.view = PaymentView(parent=self)
        self._page_busy = False
        self._warned = False
        self._question: QMessageBox | None = None
        # The web page consumes key presses, so QDialog never sees Esc: shortcuts of the
        # dialog's window come first.
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.ask_to_close)
        QShortcut(QKeySequence("Ctrl+Q"), self, self.quit_requested.emit)

        self.banner = QLabel(_(TRAINING), self)
        self.banner.setObjectName("trainingBanner")  # amber, bold: the style sheet's rule
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.reject)
        # Enter belongs to the page (it pays), not to a default button.
        for button in self.buttons.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.status.setContentsMargins(12, 0, 12, 0)
        self.buttons.setContentsMargins(12, 0, 12, 0)
        self.resize(640, 560)

        presenter = self.presenter
        presenter.ready.connect(self._on_ready)
        presenter.paid.connect(self._on_paid)
        presenter.failed.connect(self._on_failed)
        self.view.busy_changed.connect(self._on_page_busy)
        self.view.card_succeeded.connect(self._on_card_succeeded)
        self.view.card_failed.connect(self._on_card_failed)
        self.view.setFocus()
        presenter.start()

    @property
    def busy(self) -> bool:
        return self._page_busy or self.presenter.busy

    def reject(self) -> None:
        if self.busy and not self._warned:
            self._warned = True
            self.status.setText(_(STILL_BUSY))
            return
        self._close_page()

    def ask_to_close(self) -> None:
        """Esc: ask whether to close the page; "Close the card page" closes it (the order
        stays pending), "Stay on the card page" or Esc keeps it."""
        if self._question is not None or not self.isVisible():
            return

        def answered() -> None:
            self._question = None

        self._question = ask_to_close_card_page(
            self, order_code=self.order_code, busy=self.busy, on_close=self._close_page
        )
        self._question.finished.connect(answered)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        event.ignore()  # the title bar's close button: ask, as Esc does
        self.ask_to_close()

    def _close_page(self) -> None:
        self.presenter.cancel()
        super().reject()

    def dispose(self) -> None:
        """Close and delete the dialog: its page at once, the rest once the presenter's
        server calls are over (after Cancel, the seat release)."""
        if shiboken6.isValid(self):
            self.presenter.cancel()
        self._disposal = dispose_web_dialog(self, self.view, self.presenter)

    def _on_ready(self, args: dict[str, object]) -> None:
        page_args = PaymentPageArgs.model_validate(args)
        self.banner.setVisible(not page_args.livemode)
        self.status.setText("")
        self.view.start(page_args)

    def _on_card_succeeded(self, _payment_intent: str) -> None:
        self.presenter.page_succeeded()

    def _on_card_failed(self, code: str, decline_code: str) -> None:
        self.presenter.page_failed(code or None, decline_code or None)

    def _on_paid(self, order: Order) -> None:
        self.view.set_state("paid")
        self.status.setText(_("Order %(code)s is paid.") % {"code": order.code})
        self.paid.emit(order)
        self.accept()

    def _on_failed(self, text: str) -> None:
        self.status.setText("")
        self.view.show_error(text)  # the page shows it next to the card

    def _on_page_busy(self, busy: bool) -> None:
        self._page_busy = busy
        if not busy:
            self._warned = False
