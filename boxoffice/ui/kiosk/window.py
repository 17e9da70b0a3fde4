"""The kiosk's one window: frameless, full screen, no menus; its screens in a stack.

Nothing closes it but the staff exit: the window manager's close (Alt+F4, the close button)
is ignored and keys do nothing but what the screens offer. Staff open the exit with
Ctrl+Alt+Shift+E or by holding the top-left corner for 3 s.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from boxoffice.i18n import N_, _
from boxoffice.sdk import SDK
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.kiosk.presenter import KioskPresenter, Stage
from boxoffice.ui.kiosk.screens import (
    AttractScreen,
    DoneScreen,
    EventsScreen,
    PayScreen,
    TicketsScreen,
)
from boxoffice.ui.kiosk.service import OutOfOrderScreen, SetupScreen, StaffExitScreen, StillThere

logger = logging.getLogger(__name__)

STAFF_CHORD = "Ctrl+Alt+Shift+E"
CORNER_HOLD_MS = 3000
CORNER = 64
STAFF_EXIT_MS = 60_000  # the staff exit goes back to the kiosk after this long
TRAINING_TEXT = N_("TRAINING — no real money is taken")
PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


class HiddenCorner(QWidget):
    """An invisible square; held for `CORNER_HOLD_MS` it emits `held`."""

    held = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFixedSize(CORNER, CORNER)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CORNER_HOLD_MS)
        self._timer.timeout.connect(self.held)

    def mousePressEvent(self, event: object) -> None:  # noqa: N802 (Qt name)
        self._timer.start()

    def mouseReleaseEvent(self, event: object) -> None:  # noqa: N802 (Qt name)
        self._timer.stop()


class KioskWindow(QWidget):
    """The screens of `presenter`, one at a time.

    Signals:
        closing(): the window closed (only after the staff exit).
    """

    closing = Signal()

    def __init__(self, presenter: KioskPresenter, sdk: SDK, *, training: bool) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.Window)
        self.setObjectName("kiosk")
        self.presenter = presenter
        self._sdk = sdk
        self._may_close = False
        self.band = QLabel(self)
        self.band.setObjectName("kioskTraining")
        self.band.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.band.setVisible(training)
        self.stack = QStackedWidget(self)
        self.attract = AttractScreen(self)
        self.events = EventsScreen(presenter, self)
        self.tickets = TicketsScreen(presenter, self)
        self.pay = PayScreen(presenter, self)
        self.done = DoneScreen(presenter, self)
        self.out_of_order = OutOfOrderScreen(presenter, self)
        self.setup = SetupScreen(presenter, self)
        self.staff = StaffExitScreen(presenter, self)
        self.screens: dict[Stage, QWidget] = {
            Stage.ATTRACT: self.attract,
            Stage.EVENTS: self.events,
            Stage.TICKETS: self.tickets,
            Stage.PAY: self.pay,
            Stage.DONE: self.done,
            Stage.OUT_OF_ORDER: self.out_of_order,
            Stage.SETUP: self.setup,
        }
        for screen in (*self.screens.values(), self.staff):
            self.stack.addWidget(screen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.band)
        layout.addWidget(self.stack, 1)
        self.still_there = StillThere(presenter, self)
        self.corner = HiddenCorner(self)
        self.corner.move(0, 0)
        self.corner.held.connect(self.open_staff_exit)
        self._staff_timeout = QTimer(self)
        self._staff_timeout.setSingleShot(True)
        self._staff_timeout.setInterval(STAFF_EXIT_MS)
        self._staff_timeout.timeout.connect(self._staff_walked_away)
        chord = QShortcut(QKeySequence(STAFF_CHORD), self)
        chord.setContext(Qt.ShortcutContext.ApplicationShortcut)
        chord.activated.connect(self.open_staff_exit)
        self.attract.touched.connect(presenter.begin)
        self.attract.language_chosen.connect(presenter.choose_language)
        presenter.language_changed.connect(self.retranslate)
        self.staff.back.connect(self.close_staff_exit)
        presenter.stage_changed.connect(self._show_stage)
        presenter.card_page_requested.connect(self._card_page)
        presenter.exit_allowed.connect(self._staff_closes)
        presenter.idle.watch(self)
        self._say_own_words()
        self._show_stage(str(presenter.stage))

    def _say_own_words(self) -> None:
        self.setWindowTitle(_("Box Office kiosk"))
        self.band.setText(_(TRAINING_TEXT))

    def retranslate(self) -> None:
        """Everything again in the language the kiosk speaks now."""
        self._say_own_words()
        for screen in (*self.screens.values(), self.staff, self.still_there):
            retranslate = getattr(screen, "retranslate", None)
            if retranslate is not None:
                retranslate()

    @property
    def current(self) -> QWidget | None:
        return self.stack.currentWidget()

    @property
    def staff_exit_open(self) -> bool:
        return self.stack.currentWidget() is self.staff

    def open_staff_exit(self) -> None:
        logger.info("kiosk: staff exit opened")
        self.still_there.hide()
        self.staff.open()
        self.stack.setCurrentWidget(self.staff)
        self._staff_timeout.start()

    def _staff_walked_away(self) -> None:
        if self.staff_exit_open and not self._may_close:
            logger.info("kiosk: the staff exit was left open; back to the kiosk")
            self.close_staff_exit()

    def close_staff_exit(self) -> None:
        self._staff_timeout.stop()
        self._show_stage(str(self.presenter.stage), leave_staff=True)

    def _show_stage(self, stage: str, *, leave_staff: bool = False) -> None:
        if self.staff_exit_open and not leave_staff:
            return  # staff are at the exit; the screen behind changes quietly
        screen = self.screens[Stage(stage)]
        if screen is not self.pay:
            self.pay.drop_page()
        self.stack.setCurrentWidget(screen)
        self.corner.raise_()
        screen.setFocus()

    def _card_page(self, order: Order) -> None:
        """No reader: the card payment page inside the pay screen."""
        from boxoffice.ui.presenters.card_payment import CardPaymentPresenter
        from boxoffice.ui.web.payment_view import PaymentPageArgs, PaymentView

        view = PaymentView(parent=self.pay)
        payment = CardPaymentPresenter(self._sdk, order_id=order.id, parent=view)
        payment.ready.connect(lambda args: view.start(PaymentPageArgs.model_validate(args)))
        payment.paid.connect(self.presenter.card_page_paid)
        payment.failed.connect(view.show_error)
        view.busy_changed.connect(lambda _busy: self.presenter.idle.touch())  # typing a card
        view.card_succeeded.connect(lambda _intent: payment.page_succeeded())
        view.card_failed.connect(
            lambda code, decline: payment.page_failed(code or None, decline or None)
        )
        self.pay.show_page(view)
        payment.start()

    def _staff_closes(self) -> None:
        self._may_close = True
        QTimer.singleShot(300, self.close)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        focused = QApplication.focusWidget()
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() in PLAIN and isinstance(focused, QAbstractButton):
            focused.click()  # Enter presses the focused button, as Space does
        event.accept()  # no other key does anything here (Esc, Alt+F4, Ctrl+Q, F-keys…)

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.still_there.isVisible():
            self.still_there.setGeometry(self.rect())
        self.corner.raise_()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        if not self._may_close:
            logger.info("kiosk: a close was ignored (only the staff exit closes the kiosk)")
            event.ignore()
            return
        event.accept()
        self.closing.emit()
