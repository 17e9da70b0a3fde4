"""The Qt binding holds up for a whole day at the counter.

PySide6 6.12.0 on Python 3.11 dropped a reference to None on every call of a Qt method that
returns nothing (`setText`, `processEvents`, each turn of the qasync loop): None's count ran
down to zero and the interpreter aborted ("deallocating None") after about 200 sales, or half
an hour of an idle window. None is not immortal before Python 3.12, so this is checked here.
"""

from __future__ import annotations

import asyncio
import sys

from PySide6.QtWidgets import QLabel


def test_qt_calls_that_return_nothing_keep_none_alive(qapp):
    label = QLabel()
    before = sys.getrefcount(None)
    for _index in range(2000):
        label.setText("29.00 EUR")
        qapp.processEvents()
    assert sys.getrefcount(None) >= before - 100


def test_the_event_loop_turning_keeps_none_alive(qloop):
    async def turn() -> int:
        before = sys.getrefcount(None)
        for _index in range(500):
            await asyncio.sleep(0)
        return sys.getrefcount(None) - before

    assert qloop.run(turn()) >= -100
