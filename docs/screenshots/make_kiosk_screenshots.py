"""Screenshots of the self-service kiosk (docs/screenshots/kiosk-*.png) from a live demo venue.

Run: `.venv/bin/python docs/screenshots/make_kiosk_screenshots.py` (offscreen; training mode).
It starts a venue server on the demo catalog in a temporary directory, picks a training card
reader for the kiosk's counter, sets the kiosk up through its setup screen and walks a
customer's way — at 1920×1080 (every screen) and 1080×1920 (portrait: the main ones).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from boxoffice.desktop.qt_env import prepare_qt_environment  # noqa: E402

prepare_qt_environment(offscreen=True)

import qasync  # noqa: E402
from PySide6 import QtWebEngineWidgets  # noqa: E402, F401
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from boxoffice.ui import language  # noqa: E402
from boxoffice.ui.web.scheme import register_scheme  # noqa: E402

# `--language cs` (or de): the same screens in that language, saved in docs/screenshots/cs/.
LANGUAGE = sys.argv[sys.argv.index("--language") + 1] if "--language" in sys.argv else "en"
OUT = ROOT / "docs" / "screenshots" / ("" if LANGUAGE == "en" else LANGUAGE)
OUT.mkdir(exist_ok=True)


def save(widget: QWidget, name: str) -> None:
    widget.grab().save(str(OUT / name))
    print("saved", OUT / name)  # noqa: T201


async def settle(seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)


async def take(folder: Path) -> None:
    from tests.helpers.kiosk import pick_reader
    from tests.helpers.live_server import FakeClock, demo_live_server

    with demo_live_server(folder / "server", FakeClock()) as server:
        await pick_reader(server.base_url)
        await setup_screen(server.base_url, folder / "setup")
        await walk(server.base_url, folder / "kiosk", (1920, 1080), "", every_screen=True)
        await walk(server.base_url, folder / "portrait", (1080, 1920), "-portrait")


async def setup_screen(base_url: str, folder: Path) -> None:
    """The first start's *Set up this kiosk*, a staff name typed in."""
    from boxoffice.ui.kiosk.presenter import Stage
    from tests.helpers.counter import wait_until
    from tests.helpers.kiosk import running_kiosk

    async with running_kiosk(base_url, folder, printer="PDF file", set_up=False) as kiosk:
        await wait_until(lambda: kiosk.presenter.stage is Stage.SETUP, timeout=20)
        kiosk.window.setup.username.setText("clerk")
        await settle()
        save(kiosk.window, "kiosk-setup.png")


async def walk(
    base_url: str, folder: Path, size: tuple[int, int], suffix: str, *, every_screen: bool = False
) -> None:
    """A customer's way at `size`; the main screens (every one with `every_screen`)."""
    from boxoffice.ui.kiosk.health import Problem
    from boxoffice.ui.kiosk.presenter import Stage
    from tests.helpers.counter import wait_until
    from tests.helpers.kiosk import running_kiosk, tile, touch

    async with running_kiosk(
        base_url, folder, printer="PDF file", size=size, check_every=120
    ) as kiosk:
        window, presenter = kiosk.window, kiosk.presenter
        await settle()
        save(window, f"kiosk-attract{suffix}.png")
        touch(window.attract.start)
        await wait_until(lambda: presenter.stage is Stage.EVENTS and window.events.tiles)
        await settle()
        save(window, f"kiosk-events{suffix}.png")
        touch(tile(kiosk, "Pop & Soul"))
        await wait_until(lambda: presenter.stage is Stage.TICKETS, timeout=20)
        standard = next(c.id for c in presenter.offered() if c.name == "Standard")
        touch(window.tickets.steppers[standard].plus)
        touch(window.tickets.steppers[standard].plus)
        window.tickets.email.setText("ada@example.org")
        await settle()
        save(window, f"kiosk-tickets{suffix}.png")
        touch(window.tickets.pay)
        await wait_until(lambda: window.pay.training.isVisible(), timeout=20)
        await settle()
        if every_screen:
            save(window, "kiosk-pay-reader.png")
            presenter.countdown.emit(7)
            await settle()
            save(window, "kiosk-still-there.png")
            presenter.countdown.emit(-1)
        touch(window.pay.approved)
        await wait_until(lambda: presenter.stage is Stage.DONE, timeout=30)
        await settle()
        save(window, f"kiosk-done{suffix}.png")
        touch(window.done.done)
        await wait_until(lambda: presenter.stage is Stage.ATTRACT)
        if every_screen:
            touch(window.attract.start)
            await wait_until(lambda: presenter.stage is Stage.EVENTS)
            touch(tile(kiosk, "Symphony"))
            await wait_until(lambda: presenter.stage is Stage.TICKETS, timeout=20)
            seating = presenter.seating
            assert seating is not None
            await seating.load()
            await seating.best_available(2)
            await settle(2.0)  # the seat map page draws
            save(window, "kiosk-tickets-seated.png")
            touch(window.tickets.cancel)
            await wait_until(lambda: presenter.stage is Stage.ATTRACT)
            await settle(1.0)  # the check after the reset is over
            presenter._out_of_order(  # as a jammed printer would
                Problem(
                    "The ticket printer is jammed.",
                    "BoxOffice-Hall: printer-state=5 reasons=media-jam-error",
                )
            )
            await settle()
            save(window, "kiosk-out-of-order.png")
            window.open_staff_exit()
            await settle()
            save(window, "kiosk-staff-exit.png")
            window.close_staff_exit()


def main() -> None:
    register_scheme()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    language.apply(LANGUAGE)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder, loop:
        loop.run_until_complete(take(Path(folder)))


if __name__ == "__main__":
    main()
