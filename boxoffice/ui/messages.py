"""Messages for the cashier: any presenter posts, the main window shows (status bar, dialogs)."""

from __future__ import annotations

import enum

from PySide6.QtCore import QObject, Signal


class Level(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2


class MessageBridge(QObject):
    """One channel for user-facing messages.

    Signals:
        posted(int level, str text): a message to show now.
    """

    posted = Signal(int, str)

    def info(self, text: str) -> None:
        self.posted.emit(int(Level.INFO), text)

    def warning(self, text: str) -> None:
        self.posted.emit(int(Level.WARNING), text)

    def error(self, text: str) -> None:
        self.posted.emit(int(Level.ERROR), text)
