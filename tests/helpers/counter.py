"""Drive the desktop counter in tests, screenshots and benchmarks: build it around a real
server, sign in, and sell through the widgets (mouse-free, as a cashier at speed would)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from boxoffice import i18n
from boxoffice.app import build_counter
from boxoffice.desktop.embedded import EmbeddedServer
from boxoffice.desktop.settings import AppSettings, Mode
from boxoffice.sdk import SDK, NotFoundError
from boxoffice.sdk.models.events import Event
from boxoffice.ui.counter import Counter
from boxoffice.ui.mainwindow import SHORTCUTS
from boxoffice.ui.presenters.checkout import SaleResult
from boxoffice.ui.settings_store import SettingsStore
from tests.helpers.factories import PASSWORD

TEST_COUNTER = "Test counter"  # the till every test counter is


async def make_counter(
    base_url: str,
    data_dir: Path,
    *,
    printer: str | None = None,
    mode: Mode = Mode.VENUE,
    counter_password: str | None = None,
    auto_print: bool = True,
    printer_asked: bool = True,
) -> Counter:
    """A counter (presenters, panes, window) on a fresh SDK client for `base_url`; the
    first start's printer question counts as answered unless `printer_asked` is False."""
    settings = AppSettings(
        counter_name=TEST_COUNTER,
        api_url=None if mode is Mode.EMBEDDED else base_url,
        printer=printer,
        auto_print=auto_print,
        save_folder=str(data_dir / "saved"),
        printer_asked=printer_asked,
    )
    sdk = await SDK.build(base_url, organizer="demo", max_retries=1, counter=TEST_COUNTER)
    return build_counter(
        sdk=sdk,
        settings=settings,
        store=SettingsStore.in_file(data_dir / "settings.ini"),
        mode=mode,
        base_url=base_url,
        data_dir=data_dir,
        counter_password=counter_password,
    )


@asynccontextmanager
async def embedded_counter(folder: Path, *, printer: str | None) -> AsyncIterator[Counter]:
    """The app as it starts by default: its own server as a child, signed in as the counter
    account, the events listed."""
    async with EmbeddedServer(folder / "data") as server:
        counter = await make_counter(
            server.base_url,
            folder / "app",
            printer=printer,
            mode=Mode.EMBEDDED,
            counter_password=server.counter_password,
        )
        try:
            counter.window.show()
            counter.connection.server_state(server.status, "")
            if not await counter.session.sign_in_counter():
                raise RuntimeError("cannot sign in to the embedded server")
            await counter.after_sign_in()
            await wait_until(lambda: counter.events.visible)
            yield counter
        finally:
            await close_counter(counter)


async def open_event(counter: Counter, which: Callable[[Event], bool]) -> Event:
    """Load the events, open the first one `which` accepts in the cart; return it in full."""
    await counter.events.load_list()
    chosen = next(s.event for s in counter.events.visible if which(s.event))
    event = await counter.events.load_detail(chosen.id)
    counter.window.panes.cart.show_event(event)
    return event


def named(prefix: str) -> Callable[[Event], bool]:
    return lambda event: event.name.startswith(prefix)


def config_id(event: Event, name: str) -> int:
    return next(c.id for c in event.ticket_config or [] if c.name == name)


@asynccontextmanager
async def clerk_counter(
    base_url: str,
    data_dir: Path,
    *,
    printer: str | None = None,
    auto_print: bool = True,
    printer_asked: bool = True,
    shift_float: Decimal | None = Decimal(100),
) -> AsyncIterator[Counter]:
    """A counter signed in as the test server's staff user `clerk`, with its shift open
    (a float of `shift_float`; None: no shift); closed afterwards."""
    counter = await make_counter(
        base_url, data_dir, printer=printer, auto_print=auto_print, printer_asked=printer_asked
    )
    try:
        assert await counter.session.sign_in("clerk", PASSWORD), "clerk cannot sign in"
        if shift_float is not None:
            await ensure_shift(counter.sdk, shift_float)
            await counter.shift.read()
        yield counter
    finally:
        await close_counter(counter)


async def ensure_shift(sdk: SDK, float_amount: Decimal = Decimal(100)) -> None:
    """Open the shift of the SDK's counter (staff signed in) unless one is open already."""
    try:
        await sdk.shift.current()
    except NotFoundError:
        await sdk.shift.open(float_amount)


async def close_counter(counter: Counter) -> None:
    await counter.aclose()
    counter.window.close()
    await counter.sdk.aclose()


async def wait_until(condition: Callable[[], object], timeout: float = 30) -> None:
    """Let the loop (and Qt) run until `condition()` is true; fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        await asyncio.sleep(0.02)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


async def keys(text_or_key: str | Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    """Type into whatever has the focus, as the keyboard would."""
    target = focused()
    assert target is not None, "nothing has the keyboard focus"
    if isinstance(text_or_key, str):
        QTest.keyClicks(target, text_or_key)
    else:
        QTest.keyClick(target, text_or_key, modifier or Qt.KeyboardModifier.NoModifier)
    await asyncio.sleep(0)


async def shortcut(counter: Counter, name: str) -> None:
    """Press the keys of shortcut `name` (`mainwindow.SHORTCUTS`) on the focused widget."""
    target = focused() or counter.window
    QTest.keySequence(target, QKeySequence(SHORTCUTS[name]))
    await asyncio.sleep(0)


async def sell_with_keyboard(
    counter: Counter, *, event_query: str, quantity: int, tendered: str
) -> SaleResult:
    """Search an event, open it, add `quantity` of its first ticket type, pay cash, complete —
    keys only. Returns the sale's result once the tickets are out."""
    window = counter.window
    window.raise_()
    window.activateWindow()
    await wait_until(window.isActiveWindow, timeout=5)
    await shortcut(counter, "search")
    await keys(event_query)
    await wait_until(lambda: len(counter.events.visible) == 1)
    await keys(Qt.Key.Key_Return)
    await wait_until(lambda: window.panes.cart.configs.hasFocus())
    if i18n.current() == i18n.DEFAULT:
        await keys(Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)  # the "&Quantity" mnemonic
    else:
        window.panes.cart.quantity.setFocus()  # the language's own letter (Czech Alt+Č)
    await wait_until(lambda: window.panes.cart.quantity.hasFocus())
    await keys(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    await keys(str(quantity))
    await keys(Qt.Key.Key_Return)
    await wait_until(lambda: counter.cart.ticket_count == quantity)
    await shortcut(counter, "cash")
    await keys(tendered)
    before = counter.checkout.last_result
    await keys(Qt.Key.Key_Return)
    await wait_until(lambda: counter.checkout.last_result is not before, timeout=60)
    result = counter.checkout.last_result
    assert result is not None
    return result
