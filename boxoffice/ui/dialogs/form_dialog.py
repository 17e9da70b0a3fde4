"""The counter's small OK/Cancel dialogs: a form, a `problem` label saying what to fix
before OK counts, window-modal, opened with `open()` (never `exec()`, which would block the
qasync loop). A subclass fills `form`, calls `finish_layout()`, and hands the entries on in
`apply()`, raising ValueError with a sentence to keep the dialog open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from boxoffice.i18n import _


class FormDialog(QDialog):
    """A form with OK and Cancel; OK runs `apply()` and closes unless it says what to fix."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("%(title)s — Box Office") % {"title": title})
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.form = QFormLayout()
        self.problem = QLabel()
        self.problem.setProperty("tone", "error")  # the style sheet's colour for errors
        self.problem.setAccessibleName(_("Problem"))
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(self.form)

    def finish_layout(self) -> None:
        """Add the problem label and the buttons under what the subclass added."""
        self.layout_.addWidget(self.problem)
        self.layout_.addWidget(self.buttons)

    def _ok(self) -> None:
        try:
            self.apply()
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()

    def apply(self) -> None:
        """Hand the entries on; ValueError with a sentence keeps the dialog open."""
        raise NotImplementedError
