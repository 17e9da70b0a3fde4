"""Ending the Qt application in a set order when a program's run is over.

A QApplication left for the interpreter's exit is destroyed by PySide's atexit hook while
Python tears its objects down, which may crash (PYSIDE-2254: an intermittent segmentation
fault after all the work is done, seen at the end of `--self-test` runs). Closing the windows,
letting Qt delete them, then `QCoreApplication.shutdown()` destroys the application while
everything is still in place, and leaves the exit hook nothing to do.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication


def shut_down(app: QCoreApplication) -> None:
    """Close and delete every window of `app`, then destroy `app` itself."""
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            widget.close()
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    app.shutdown()
