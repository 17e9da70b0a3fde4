"""The kiosk's other screens: out of order, first-start setup, staff exit, and the
"Are you still there?" question over whatever is up. Each says its fixed words in
`retranslate()` (at the start and when the customer picks another language)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from boxoffice.i18n import _, ngettext
from boxoffice.ui.kiosk.health import OUT_OF_ORDER
from boxoffice.ui.kiosk.presenter import KioskPresenter
from boxoffice.ui.kiosk.widgets import button, label, title

FORM_WIDTH = 1100
STILL_THERE_WIDTH = 1200


def field(parent: QWidget, *, secret: bool = False) -> QLineEdit:
    widget = QLineEdit(parent)
    widget.setObjectName("kioskField")
    widget.setMinimumHeight(72)
    if secret:
        widget.setEchoMode(QLineEdit.EchoMode.Password)
    return widget


def name_field(widget: QLineEdit, placeholder: str) -> None:
    widget.setPlaceholderText(placeholder)
    widget.setAccessibleName(placeholder)  # no label in front: the placeholder says it


def column(screen: QWidget) -> QVBoxLayout:
    """A centred column at most `FORM_WIDTH` wide on `screen`; returns its layout."""
    inner = QWidget(screen)
    inner.setMaximumWidth(FORM_WIDTH)
    outer = QVBoxLayout(screen)
    outer.setContentsMargins(48, 24, 48, 32)
    outer.addStretch(1)
    outer.addWidget(inner, 0, Qt.AlignmentFlag.AlignHCenter)
    outer.addStretch(2)
    layout = QVBoxLayout(inner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(16)
    inner.setMinimumWidth(min(FORM_WIDTH, 900))
    return layout


class OutOfOrderScreen(QWidget):
    """Out of order, why in the customer's words; it checks again by itself."""

    def __init__(self, presenter: KioskPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self.heading = title("", self)
        self.heading.setObjectName("kioskHero")
        self.message = label("", "kioskLead", self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reason = label("", "kioskReason", self)
        self.reason.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.again = label("", "kioskText", self)
        self.again.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.addStretch(2)
        layout.addWidget(self.heading)
        layout.addWidget(self.message)
        layout.addSpacing(24)
        layout.addWidget(self.reason)
        layout.addStretch(3)
        layout.addWidget(self.again)
        presenter.problem_changed.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Sorry!"))
        self.message.setText(_(OUT_OF_ORDER))
        self.again.setText(_("This kiosk checks again by itself."))
        self.refresh()

    def refresh(self) -> None:
        problem = self._presenter.problem
        self.reason.setText(_(problem.reason) if problem else "")


class SetupScreen(QWidget):
    """First start: a staff member signs in once and the kiosk makes its own account."""

    def __init__(self, presenter: KioskPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = title("", self)
        self.text = label("", "kioskText", self)
        self.username = field(self)
        self.password = field(self, secret=True)
        self.error = label("", "kioskError", self)
        self.go = button("", "kioskPrimary", self)
        self.go.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        layout = column(self)
        for widget in (self.heading, self.text, self.username, self.password, self.error):
            layout.addWidget(widget)
        layout.addWidget(self.go)
        self._presenter = presenter
        presenter.setup_answer.connect(self.error.setText)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Set up this kiosk"))
        self.text.setText(
            _(
                "Staff: sign in once. The kiosk then makes its own device account (it can only "
                "sell like a guest buyer) and signs in with it from now on."
            )
        )
        name_field(self.username, _("Staff user name"))
        name_field(self.password, _("Password"))
        self.go.setText(_("Set up the kiosk"))

    def _submit(self) -> None:
        self.error.setText(_("Setting up…"))
        self._presenter.set_up(self.username.text().strip(), self.password.text())
        self.password.clear()


class StaffExitScreen(QWidget):
    """Behind the key chord: a staff password closes the kiosk; why it is out of order.

    Signals:
        back(): back to the kiosk.
    """

    back = Signal()

    def __init__(self, presenter: KioskPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self.heading = title("", self)
        self.detail = label("", "kioskDetail", self)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.username = field(self)
        self.password = field(self, secret=True)
        self.answer = label("", "kioskError", self)
        # Shown when kiosk mode is a setting of this computer: staff may switch it off here.
        self.turn_off = QCheckBox(self)
        self.turn_off.setObjectName("kioskCheck")
        self.turn_off.setMinimumHeight(48)
        self.turn_off.setVisible(False)
        self.exit = button("", "kioskPrimary", self)
        self.cancel = button("", "kioskSecondary", self)
        self.exit.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.cancel.clicked.connect(self.back)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel, 1)
        buttons.addWidget(self.exit, 1)
        layout = column(self)
        fields = (self.heading, self.detail, self.username, self.password, self.turn_off)
        for widget in (*fields, self.answer):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        presenter.exit_answer.connect(self._answered)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Staff exit"))
        self.detail.setAccessibleName(_("Kiosk state"))
        name_field(self.username, _("Staff user name"))
        name_field(self.password, _("Password"))
        self.turn_off.setText(_("Start as a counter next time (turn kiosk mode off)"))
        self.exit.setText(_("Close the kiosk"))
        self.cancel.setText(_("Back to the kiosk"))

    def open(self) -> None:
        problem = self._presenter.problem
        self.detail.setText(
            _("Out of order: %(reason)s\nDetail: %(detail)s")
            % {"reason": _(problem.reason), "detail": problem.detail}
            if problem
            else _("The kiosk is working.")
        )
        self.answer.clear()
        self.password.clear()
        self.username.setFocus()

    def _submit(self) -> None:
        self.answer.setText(_("Checking…"))
        self._presenter.staff_exit(self.username.text().strip(), self.password.text())
        self.password.clear()

    def _answered(self, ok: bool, text: str) -> None:
        self.answer.setText(text)


class StillThere(QFrame):
    """ "Are you still there?" with the seconds left and a big "Yes, I'm here"."""

    def __init__(self, presenter: KioskPresenter, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("kioskStillThere")
        self._presenter = presenter
        card = self._card = QFrame(self)
        card.setObjectName("kioskStillThereCard")
        self.heading = title("", card)
        self.heading.setWordWrap(False)
        self.heading.setMinimumHeight(96)  # the 48 px title with its descenders
        self.text = label("", "kioskLead", card)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.yes = button("", "kioskPrimary", card)
        self.yes.clicked.connect(presenter.still_here)
        box = QVBoxLayout(card)
        box.setContentsMargins(48, 40, 48, 40)
        box.addWidget(self.heading)
        box.addSpacing(12)
        box.addWidget(self.text)
        box.addSpacing(24)
        box.addWidget(self.yes)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        card.setMinimumWidth(720)
        presenter.countdown.connect(self.show_countdown)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.heading.setText(_("Are you still there?"))
        self.yes.setText(_("Yes, I'm here"))

    def show_countdown(self, seconds: int) -> None:
        if seconds < 0:
            self.hide()
            return
        self.text.setText(
            ngettext(
                "We will start over in %(count)d s for the next customer.",
                "We will start over in %(count)d s for the next customer.",
                seconds,
            )
            % {"count": seconds}
        )
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
            # Wide enough for the sentence in one or two lines, whatever the text size.
            width = max(720, min(STILL_THERE_WIDTH, parent.width() - 96))
            self._card.setFixedWidth(width)
            self.text.ensurePolished()  # the style sheet's font size
            self.text.setMinimumHeight(self.text.heightForWidth(width - 96))
        self.show()
        self.raise_()
