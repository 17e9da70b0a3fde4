"""The card payment dialog of the checkout: the payment page, a training banner, Cancel (Esc)."""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from boxoffice.sdk import SDK
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.presenters.card_payment import CardPaymentPresenter
from boxoffice.ui.web.disposal import dispose_web_dialog
from boxoffice.ui.web.payment_view import PaymentPageArgs, PaymentView

logger = logging.getLogger(__name__)

TRAINING = "TRAINING MODE: no real money is charged. Test card 4242 4242 4242 4242."
STILL_BUSY = "The card is being processed. Press Esc again to close anyway."


class PaymentDialog(QDialog):
    """Takes the card payment of one order; accepted once the order is paid.

    Usage: `dialog = PaymentDialog(sdk, order_id=…, parent=…)`, connect `paid` and
    `rejected`, then `dialog.open()`. While the card is being processed, the first Esc
    only warns; a second one closes (the server still settles the payment later).

    Signals:
        paid(object): the paid Order; the dialog is then accepted.
    """

    paid = Signal(object)

    def __init__(self, sdk: SDK, *, order_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Card payment")
        self.setModal(True)
        self.presenter = CardPaymentPresenter(sdk, order_id=order_id, parent=self)
        self.view = PaymentView(parent=self)
        self._page_busy = False
        self._warned = False

        self.banner = QLabel(TRAINING, self)
        self.banner.setObjectName("trainingBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet(
            "QLabel#trainingBanner { background: #b45309; color: white; font-weight: bold;"
            " padding: 6px; }"
        )
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
            self.status.setText(STILL_BUSY)
            return
        self.presenter.cancel()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        if self.busy and not self._warned:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

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
        self.status.setText(f"Order {order.code} is paid.")
        self.paid.emit(order)
        self.accept()

    def _on_failed(self, text: str) -> None:
        self.status.setText("")
        self.view.show_error(text)  # the page shows it next to the card

    def _on_page_busy(self, busy: bool) -> None:
        self._page_busy = busy
        if not busy:
            self._warned = False
