"""Fixtures for the desktop app's tests: a qasync loop on pytest-qt's QApplication, a CUPS queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.helpers.cups import CupsPdfPrinter, cups_pdf_printer
from tests.helpers.live_server import FakeClock, LiveServer, demo_live_server
from tests.helpers.qt import QtLoop, qasync_loop
from tests.helpers.web import delete_loop_timers, keep_webengine_alive


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[QtLoop]:
    qapp.setQuitOnLastWindowClosed(False)  # closing a test's window must not stop the loop
    # Never QCoreApplication.exit() between steps: its aboutToQuit tears QtWebEngine down and
    # the next step of any later test then crashes the process (tests/helpers/web.py).
    for loop in qasync_loop(qapp):
        yield keep_webengine_alive(loop)
    delete_loop_timers(loop)  # after the loop's own teardown


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


@pytest.fixture
def demo_server(tmp_path: Path, clock: FakeClock) -> Iterator[LiveServer]:
    """A real venue server with the demo venue loaded and a staff user `clerk`."""
    with demo_live_server(tmp_path / "server", clock) as server:
        yield server
