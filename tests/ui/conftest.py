"""Fixtures for the desktop app's tests: a qasync loop on pytest-qt's QApplication, a CUPS queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from tests.helpers.cups import CupsPdfPrinter, cups_pdf_printer
from tests.helpers.qt import QtLoop, qasync_loop


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[QtLoop]:
    yield from qasync_loop(qapp)


@pytest.fixture(scope="session")
def cups_printer() -> Iterator[CupsPdfPrinter]:
    """A cups-pdf queue on a private scheduler, the default printer for this session's Qt."""
    with cups_pdf_printer() as printer:
        yield printer


# QtWebEngine must be imported, and the app's `boxoffice:` scheme registered, before the
# QApplication exists (pytest-qt makes it when the first test asks for `qapp`).
from PySide6 import QtWebEngineWidgets  # noqa: E402, F401

from boxoffice.ui.web.scheme import register_scheme  # noqa: E402

register_scheme()
