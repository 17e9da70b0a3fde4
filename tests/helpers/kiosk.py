"""Drive the self-service kiosk in tests and screenshots: build it around a real server, set
it up through its setup screen, touch its buttons as a customer would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from boxoffice.credentials import FileStore
from boxoffice.desktop.kiosk_device import DeviceStore
from boxoffice.desktop.settings import AppSettings
from boxoffice.kiosk_app import Kiosk, build_kiosk, kiosk_style_sheet
from boxoffice.sdk import SDK, PasswordCredentials
from boxoffice.sdk.models.readers import Reader
from boxoffice.ui.kiosk.presenter import Stage
from tests.helpers.counter import wait_until
from tests.helpers.factories import PASSWORD

KIOSK_COUNTER = "Hall kiosk"


@asynccontextmanager
async def staff_sdk(base_url: str, username: str = "clerk") -> AsyncIterator[SDK]:
    """A client signed in as staff (to look at the server, or pick a reader)."""
    async with await SDK.build(base_url, organizer="demo", counter=KIOSK_COUNTER) as sdk:
        await sdk.authorize(PasswordCredentials(username, PASSWORD))
        yield sdk


async def pick_reader(base_url: str) -> Reader:
    """A training reader registered and picked for the kiosk's counter."""
    async with staff_sdk(base_url) as staff:
        return await staff.reader.register("simulated-wpe", "Kiosk reader", counter=KIOSK_COUNTER)


@asynccontextmanager
async def running_kiosk(
    base_url: str,
    data_dir: Path,
    *,
    printer: str | None,
    size: tuple[int, int] = (1920, 1080),
    set_up: bool = True,
    **options: Any,
) -> AsyncIterator[Kiosk]:
    """A kiosk shown at `size`, started, set up by `clerk` through its setup screen (unless
    `set_up` is False), on its attract screen (or out of order); closed afterwards."""
    sdk = await SDK.build(base_url, organizer="demo", max_retries=1, counter=KIOSK_COUNTER)
    settings = AppSettings(
        counter_name=KIOSK_COUNTER,
        api_url=base_url,
        printer=printer,
        auto_print=True,
        save_folder=str(data_dir / "saved"),
        printer_asked=True,
    )
    device = DeviceStore(
        base_url, data_dir, KIOSK_COUNTER, store=FileStore(data_dir / "device-credentials.json")
    )
    options.setdefault("check_every", 0.3)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(kiosk_style_sheet())
    kiosk = build_kiosk(
        sdk=sdk, settings=settings, base_url=base_url, data_dir=data_dir, device=device, **options
    )
    window = kiosk.window
    window.resize(*size)
    window.show()
    try:
        kiosk.presenter.start()
        if set_up:
            await wait_until(lambda: kiosk.presenter.stage is Stage.SETUP, timeout=20)
            setup = window.setup
            type_text(setup.username, "clerk")
            type_text(setup.password, PASSWORD)
            touch(setup.go)
            await wait_until(lambda: kiosk.presenter.signed_in, timeout=20)
            await wait_until(lambda: kiosk.presenter.checks > 0, timeout=20)
        yield kiosk
    finally:
        await kiosk.aclose()
        window._may_close = True
        window.close()
        window.deleteLater()
        await sdk.aclose()


def touch(widget: QWidget) -> None:
    """A finger on the middle of `widget` (a mouse click is what a touch screen sends)."""
    assert widget.isVisible() and widget.isEnabled(), f"{widget} cannot be touched"
    if isinstance(widget, QAbstractButton):
        assert widget.height() >= 44, f"{widget.text()!r} is smaller than a finger"
    QTest.mouseClick(
        widget, Qt.MouseButton.LeftButton, pos=QPoint(widget.width() // 2, widget.height() // 2)
    )


def type_text(field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.clear()
    QTest.keyClicks(field, text)


def tile(kiosk: Kiosk, prefix: str) -> QWidget:
    """The events screen's tile of the event whose name starts with `prefix`."""
    return next(t for _, t in kiosk.window.events.tiles if t.accessibleName().startswith(prefix))
