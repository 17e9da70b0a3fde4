"""Takes docs/screenshots/desktop-split-payment.png: the checkout in split mode (a cash part,
the cash tendered, the card part and the change worked out live), offscreen, the demo venue.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_split_screenshot.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from boxoffice.desktop.qt_env import prepare_qt_environment  # noqa: E402

prepare_qt_environment(offscreen=True)

OUT = ROOT / "docs" / "screenshots"


async def take(folder: Path) -> None:
    from boxoffice.ui.presenters.printing import PRINT_TO_FILE
    from tests.helpers.counter import config_id, embedded_counter, named, open_event

    async with embedded_counter(folder, printer=PRINT_TO_FILE) as counter:
        window, panes = counter.window, counter.window.panes
        pop = await open_event(counter, named("Pop"))
        counter.cart.add(config_id(pop, "Standard"), 2)
        window.actions_by_name["split"].trigger()  # F10
        panes.checkout.cash_part.setText("20")
        panes.checkout.tendered.setText("50")
        await asyncio.sleep(0.3)
        window.grab().save(str(OUT / "desktop-split-payment.png"))
        print("saved", OUT / "desktop-split-payment.png")  # noqa: T201
        counter.checkout.abandon()


def main() -> int:
    import qasync
    from PySide6 import QtWebEngineWidgets  # noqa: F401
    from PySide6.QtWidgets import QApplication

    from boxoffice import paths

    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    app.setStyleSheet(paths.resource("qss", "boxoffice.qss").read_text(encoding="utf-8"))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="bo-shots-") as tmp, loop:
        loop.run_until_complete(take(Path(tmp)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
