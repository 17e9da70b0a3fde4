"""The sign-in dialog: staff with a password (and "remember me"), a guest kiosk, or — on the
embedded training server — its built-in counter account."""

from __future__ import annotations

import itertools
from collections.abc import Coroutine
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boxoffice.i18n import _
from boxoffice.ui.presenters.session import SessionPresenter
from boxoffice.ui.tasks import TaskRunner


class LoginDialog(QDialog):
    """Signs in through the session presenter; accepts itself once someone is signed in."""

    def __init__(
        self,
        session: SessionPresenter,
        *,
        last_user: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Sign in — Box Office"))
        self._session = session
        self.tasks = TaskRunner(on_error=lambda exc: self.problem.setText(str(exc)))
        self.username = QLineEdit(last_user or "")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(_("&Remember me on this computer"))
        if not session.can_remember:
            self.remember.setEnabled(False)
            self.remember.setToolTip(
                _("This computer has no password keyring; see docs/desktop.md to set one up.")
            )
        self.sign_in_button = QPushButton(_("&Sign in"))
        self.sign_in_button.setDefault(True)
        self.guest_button = QPushButton(_("&Kiosk (guest)"))
        self.counter_button = QPushButton(_("&Training counter"))
        self.counter_button.setVisible(bool(session.counter_password))
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.progress = QLabel()
        form = QFormLayout()
        form.addRow(_("&User"), self.username)
        form.addRow(_("&Password"), self.password)
        buttons = QHBoxLayout()
        buttons.addWidget(self.counter_button)
        buttons.addWidget(self.guest_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.problem)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.sign_in_button.clicked.connect(self._sign_in)
        self.guest_button.clicked.connect(lambda: self._run(session.sign_in_guest()))
        self.counter_button.clicked.connect(lambda: self._run(session.sign_in_counter()))
        session.error.connect(self.problem.setText)
        # Enter in the password field signs in with the password (the default button), and
        # Tab from the password reaches "Sign in" before the kiosk and training buttons (the
        # layout put those first, so Tab then Enter signed a cashier in as a guest).
        chain = (
            self.username,
            self.password,
            self.remember,
            self.sign_in_button,
            self.guest_button,
            self.counter_button,
        )
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
        (self.password if last_user else self.username).setFocus()

    def _sign_in(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.problem.setText(_("Type your user name and password."))
            return
        remember = self.remember.isChecked()
        self._run(self._session.sign_in(username, password, remember=remember))

    def _run(self, attempt: Coroutine[Any, Any, bool]) -> None:
        self.problem.clear()
        self.tasks.run("sign-in", self._attempt(attempt))

    async def _attempt(self, attempt: Coroutine[Any, Any, bool]) -> None:
        for button in (self.sign_in_button, self.guest_button, self.counter_button):
            button.setEnabled(False)
        self.progress.setText(_("Signing in… (Esc stops)"))
        try:
            if await attempt:
                self.password.clear()
                self.accept()
        finally:
            self.progress.clear()
            for button in (self.sign_in_button, self.guest_button, self.counter_button):
                button.setEnabled(True)

    def reject(self) -> None:
        """Esc or closing: stop a sign-in that is still waiting for the server."""
        self.tasks.cancel()
        super().reject()
