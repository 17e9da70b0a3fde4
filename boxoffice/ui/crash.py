"""Unexpected errors: logged with their traceback and shown once as a plain dialog; Qt's own
warnings go to logging too."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from boxoffice.i18n import _

logger = logging.getLogger("boxoffice.crash")
qt_logger = logging.getLogger("boxoffice.qt")

QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def install(*, show_dialog: bool = True) -> None:
    """Route uncaught exceptions and Qt messages into logging (and a dialog, once)."""
    shown = False

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        nonlocal shown
        logger.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if show_dialog and not shown and QApplication.instance() is not None:
            shown = True
            QMessageBox.critical(
                None,
                _("Box Office — unexpected error"),
                _(
                    "Something unexpected went wrong. Paid sales are safe on the server; "
                    "the details are in the log. If it repeats, restart Box Office."
                ),
            )

    sys.excepthook = hook
    qInstallMessageHandler(_qt_message)


def _qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    qt_logger.log(QT_LEVELS.get(kind, logging.INFO), "%s", message)
