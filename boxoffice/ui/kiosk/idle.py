"""Idle reset: no input for `idle_seconds` → "Are you still there?" for `countdown_seconds`,
then the customer's sale is given up. The clock is injectable, so tests need not wait."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QChildEvent, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.Wheel,
    }
)
TICK_MS = 100


class IdleWatch(QObject):
    """Watches the input to the kiosk's widgets (`watch`) while armed.

    Signals:
        countdown(int): seconds left before the reset (the question is shown); -1: input
            came, the question goes away.
        expired(): nobody answered: reset now.
    """

    countdown = Signal(int)
    expired = Signal()

    def __init__(
        self,
        *,
        idle_seconds: float = 60.0,
        countdown_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.idle_seconds = idle_seconds
        self.countdown_seconds = countdown_seconds
        self._clock = clock
        self._last_input = clock()
        self._armed = False
        self._shown: int | None = None  # the seconds last announced while asking
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    @property
    def asking(self) -> bool:
        """The "Are you still there?" question is up."""
        return self._shown is not None

    def watch(self, widget: QWidget) -> None:
        """Count input to `widget` and to every widget put into it, now or later.

        Web views are left out (and the signals of their pages touch instead): a Python
        event filter on the whole application or on QtWebEngine's own widgets crashes
        QtWebEngine."""
        if widget.inherits("QWebEngineView"):
            return
        widget.installEventFilter(self)
        for child in widget.findChildren(
            QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
        ):
            self.watch(child)

    def arm(self) -> None:
        """Start watching (a customer is using the kiosk); the idle time starts now."""
        self.touch()
        self._armed = True
        self._timer.start()

    def disarm(self) -> None:
        """Stop watching (attract or out-of-order screen)."""
        self._armed = False
        self._timer.stop()
        self._hide()

    def touch(self) -> None:
        """Input came: the idle time starts again (and the question goes away)."""
        self._last_input = self._clock()
        self._hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        kind = event.type()
        if kind == QEvent.Type.ChildAdded:
            assert isinstance(event, QChildEvent)
            child = event.child()
            if isinstance(child, QWidget):
                self.watch(child)
        elif self._armed and kind in INPUT_EVENTS:
            self.touch()
        return False

    def _tick(self) -> None:
        if not self._armed:
            return
        idle = self._clock() - self._last_input
        if idle < self.idle_seconds:
            return
        left = self.countdown_seconds - (idle - self.idle_seconds)
        if left <= 0:
            self.disarm()
            self.expired.emit()
            return
        seconds = int(left + 0.999)
        if seconds != self._shown:
            self._shown = seconds
            self.countdown.emit(seconds)

    def _hide(self) -> None:
        if self._shown is not None:
            self._shown = None
            self.countdown.emit(-1)
