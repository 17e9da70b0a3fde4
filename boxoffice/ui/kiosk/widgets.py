"""Small building blocks of the kiosk's screens: big buttons, titles, a quantity stepper."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

MIN_TARGET = 44  # px: the smallest thing a finger must hit


def button(text: str, name: str = "kioskButton", parent: QWidget | None = None) -> QPushButton:
    """A big touch button (its look is in kiosk.qss by object name)."""
    widget = QPushButton(text, parent)
    widget.setObjectName(name)
    widget.setMinimumHeight(88 if name == "kioskPrimary" else 72)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    widget.setAutoDefault(False)
    return widget


def label(text: str = "", name: str = "kioskText", parent: QWidget | None = None) -> QLabel:
    widget = QLabel(text, parent)
    widget.setObjectName(name)
    widget.setWordWrap(True)
    widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return widget


def title(text: str = "", parent: QWidget | None = None) -> QLabel:
    widget = label(text, "kioskTitle", parent)
    widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    # The 48 px title with its descenders, even when laid out before the style sheet's font.
    widget.setMinimumHeight(72)
    return widget


class Stepper(QWidget):
    """− quantity + for one ticket type.

    Signals:
        changed(int): −1 or +1 was pressed.
    """

    changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minus = button("−", "kioskStep", self)
        self.plus = button("+", "kioskStep", self)
        self.value = label("0", "kioskQuantity", self)
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.value.setMinimumWidth(80)
        for each in (self.minus, self.plus):
            each.setFixedSize(88, 88)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.minus)
        layout.addWidget(self.value)
        layout.addWidget(self.plus)
        self.minus.clicked.connect(lambda: self.changed.emit(-1))
        self.plus.clicked.connect(lambda: self.changed.emit(1))

    def show_value(self, value: int, *, most: int) -> None:
        self.value.setText(str(value))
        self.minus.setEnabled(value > 0)
        self.plus.setEnabled(value < most)
