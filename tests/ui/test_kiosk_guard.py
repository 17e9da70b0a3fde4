"""What a stranger cannot do at the kiosk: no key of the counter's F1 table, no Alt+F4,
Ctrl+Q or Esc and no window-manager close leaves it or opens anything; and a server that stops
answering takes it out of order and back, with no sale lost."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMenuBar, QMessageBox, QStatusBar

from boxoffice.ui.kiosk.health import NO_SERVER, OUT_OF_ORDER
from boxoffice.ui.kiosk.presenter import Stage
from boxoffice.ui.mainwindow import SHORTCUTS
from tests.helpers.counter import wait_until
from tests.helpers.kiosk import running_kiosk, tile, touch
from tests.helpers.processes import free_port

EXTRA_KEYS = ["Alt+F4", "Ctrl+Q", "Ctrl+W", "Escape", "Alt+Tab", "Ctrl+Alt+Delete", "F11"]


def open_dialogs() -> set[int]:
    """Dialogs shown now (other tests of the session may have left some behind)."""
    return {
        id(w)
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QDialog | QMessageBox) and w.isVisible()
    }


def visible_windows() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}


def test_no_key_and_no_close_leaves_the_kiosk_or_opens_anything(qloop, demo_server, tmp_path):
    async def scenario():
        async with running_kiosk(
            demo_server.base_url, tmp_path / "kiosk", printer="PDF file"
        ) as kiosk:
            window, presenter = kiosk.window, kiosk.presenter
            assert window.findChildren(QMenuBar) == [] and window.findChildren(QStatusBar) == []
            assert window.findChildren(QAction) == []  # no menu, no action to reach
            dialogs_before = open_dialogs()
            user = await kiosk.sdk.account.me()
            assert user.role == "kiosk"  # sells as a guest buyer would, never as staff
            before = visible_windows()
            seen: list[tuple[str, str]] = []
            touch(window.attract.start)
            await wait_until(lambda: presenter.stage is Stage.EVENTS and window.events.tiles)
            touch(tile(kiosk, "Pop & Soul"))
            await wait_until(lambda: presenter.stage is Stage.TICKETS, timeout=20)
            for stage_screen in ("tickets", "attract"):
                if stage_screen == "attract":
                    touch(window.tickets.cancel)
                    await wait_until(lambda: presenter.stage is Stage.ATTRACT)
                for keys in [*SHORTCUTS.values(), *EXTRA_KEYS]:
                    target = QApplication.focusWidget() or window.current or window
                    QTest.keySequence(target, QKeySequence(keys))
                    await asyncio.sleep(0.02)
                    seen.append((keys, str(presenter.stage)))
                    assert window.isVisible(), f"{keys} closed the kiosk"
                    assert not window.staff_exit_open, keys
                    assert visible_windows() == before, f"{keys} opened a window"
                    assert open_dialogs() <= dialogs_before, keys
            closed = window.close()  # the window manager's close (Alt+F4, the X)
            await asyncio.sleep(0.1)
            return seen, closed, window.isVisible(), presenter.stage

    seen, closed, visible, stage = qloop.run(scenario(), timeout=90)
    assert not closed and visible and stage is Stage.ATTRACT
    assert {stage for _, stage in seen[: len(SHORTCUTS)]} == {"tickets"}  # nothing moved it


class Switch:
    """A TCP proxy on a fixed port in front of the test server: `stop()` closes the port
    (connections refused, as a stopped server), `start()` opens it again."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self._target = target_port
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)

    def close(self) -> None:
        self.stop()
        asyncio.run_coroutine_threadsafe(self._cancel_links(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _cancel_links(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0.05)  # the closed transports let go of their sockets

    async def _start(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self._server = await asyncio.start_server(self._link, sock=sock)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._links):
            writer.close()
        self._links.clear()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target)
        except OSError:
            writer.close()
            return
        self._links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@contextmanager
def switch_for(base_url: str) -> Iterator[Switch]:
    switch = Switch(int(base_url.rsplit(":", 1)[1]))
    switch.start()
    try:
        yield switch
    finally:
        switch.close()


def test_out_of_order_when_the_server_stops_and_back_when_it_answers(qloop, demo_server, tmp_path):
    with switch_for(demo_server.base_url) as switch:

        async def scenario():
            async with running_kiosk(
                switch.base_url, tmp_path / "kiosk", printer="PDF file"
            ) as kiosk:
                window, presenter = kiosk.window, kiosk.presenter
                assert presenter.stage is Stage.ATTRACT, presenter.problem
                switch.stop()
                await wait_until(lambda: presenter.stage is Stage.OUT_OF_ORDER, timeout=20)
                shown = (
                    window.current is window.out_of_order,
                    window.out_of_order.message.text(),
                    window.out_of_order.reason.text(),
                )
                detail = presenter.problem.detail if presenter.problem else ""
                window.open_staff_exit()  # staff see the detail behind the exit
                staff_detail = window.staff.detail.text()
                window.close_staff_exit()
                switch.start()
                await wait_until(lambda: presenter.stage is Stage.ATTRACT, timeout=20)
                return shown, detail, staff_detail, window.current is window.attract

        (on_screen, message, reason), detail, staff_detail, back = qloop.run(scenario(), timeout=90)
    assert on_screen and message == OUT_OF_ORDER and reason == NO_SERVER
    assert "health" in detail and detail in staff_detail and detail not in reason
    assert back
