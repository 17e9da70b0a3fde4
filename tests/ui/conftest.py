"""Fixtures for the desktop app's tests: a qasync loop on pytest-qt's QApplication."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from tests.helpers.qt import QtLoop, qasync_loop


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[QtLoop]:
    yield from qasync_loop(qapp)
