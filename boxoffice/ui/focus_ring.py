"""The keyboard focus ring: a ring (3 px dark blue in the light theme; colour and width from
the theme, `set_look`) around whatever has the keyboard focus.

The native ring (Fusion: a 1 px line in a pale blue) is easy to lose on a busy counter
screen. Restyling every kind of widget in the style sheet for its `:focus` state breaks the
native look of spin boxes and combo boxes, so the ring is a `QFocusFrame` instead: Qt keeps it
around the focused widget (moves, resizes, scroll areas), just outside its edge, over the
layout's margin, and the widget itself keeps its native look. Web pages draw their own focus.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QApplication,
    QFocusFrame,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QWidget,
)

RING_COLOUR = "#0b57d0"  # dark blue: about 6:1 against the light window and white fields
RING_WIDTH = 3  # px


def set_look(colour: str, width: int) -> None:
    """The ring's colour and width from now on (the theme's `focus` and `focus_width`)."""
    global RING_COLOUR, RING_WIDTH  # one ring per application
    RING_COLOUR, RING_WIDTH = colour, max(width, 2)
    app = QApplication.instance()
    ring = app.findChild(FocusRing, "focusRing") if isinstance(app, QApplication) else None
    live = ring._live_ring() if ring is not None else None
    if live is not None and live.widget() is not None:
        live.setWidget(live.widget())  # Qt lays the frame out again at the new margin
        live.update()


class _RingStyle(QProxyStyle):
    """The application's style, with the focus frame's margin as wide as the ring (the
    frame's mask is then the ring itself: the widget inside gets every mouse click)."""

    def pixelMetric(  # noqa: N802 (Qt's name)
        self,
        metric: QStyle.PixelMetric,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> int:
        if metric in (
            QStyle.PixelMetric.PM_FocusFrameHMargin,
            QStyle.PixelMetric.PM_FocusFrameVMargin,
        ):
            return RING_WIDTH
        return super().pixelMetric(metric, option, widget)


class _Ring(QFocusFrame):
    """The ring itself: a frame `RING_WIDTH` px wide around its widget, mouse-transparent."""

    def __init__(self, style: QStyle) -> None:
        super().__init__()
        self.setStyle(style)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        pen = QPen(QColor(RING_COLOUR))
        pen.setWidth(RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = RING_WIDTH / 2
        painter.drawRect(QRectF(self.rect()).adjusted(half, half, -half, -half))
        painter.end()


class FocusRing(QObject):
    """Follows the application's keyboard focus with one `_Ring` (a child of the application).

    `FocusRing.install()` once per application; later calls return the same ring.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("focusRing")
        self._style = _RingStyle()
        self._ring: _Ring | None = None
        app.focusChanged.connect(self._focus_moved)

    @classmethod
    def install(cls) -> FocusRing | None:
        """The application's focus ring, made the first time (None without an application)."""
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return None
        existing = app.findChild(FocusRing, "focusRing")
        return existing if existing is not None else cls(app)

    @property
    def widget(self) -> QWidget | None:
        """The widget the ring is around now, if any."""
        ring = self._live_ring()
        return ring.widget() if ring is not None and ring.isVisible() else None

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        ring = self._live_ring()
        if new is None or not _wants_ring(new):
            if ring is not None:
                ring.setWidget(None)  # type: ignore[arg-type]  # Qt takes nullptr: no widget
                ring.hide()
            return
        if ring is None:
            ring = self._ring = _Ring(self._style)
        ring.setWidget(new)
        ring.show()
        ring.raise_()

    def _live_ring(self) -> _Ring | None:
        """The ring, unless it went with the window it was in (it lives in the focused
        widget's parent, so closing a dialog deletes it)."""
        if self._ring is not None and not shiboken6.isValid(self._ring):
            self._ring = None
        return self._ring


def _wants_ring(widget: QWidget) -> bool:
    """A widget that takes the keyboard inside a window; not a window itself, and not a web
    page (it draws its own focus)."""
    if widget.isWindow() or widget.parentWidget() is None:
        return False
    each: QWidget | None = widget
    while each is not None:
        if each.inherits("QWebEngineView"):
            return False
        each = each.parentWidget()
    return True
