"""Driving the app's web pages in tests: run JavaScript, wait for the page, type into inputs."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import shiboken6
from PySide6.QtCore import QEventLoop
from PySide6.QtWebEngineWidgets import QWebEngineView

from tests.helpers.qt import QtLoop


def run_js(qloop: QtLoop, view: QWebEngineView, script: str, timeout: float = 10) -> Any:
    """The value of `script` in the page (the qasync loop runs while waiting)."""
    box: list[Any] = []
    view.page().runJavaScript(script, 0, box.append)
    qloop.wait_until(lambda: bool(box), timeout)
    return box[0]


def wait_js(qloop: QtLoop, view: QWebEngineView, script: str, timeout: float = 20) -> Any:
    """Poll `script` until it gives a truthy value; that value."""
    result: list[Any] = [None]

    async def poll() -> None:
        while True:
            box: list[Any] = []
            view.page().runJavaScript(script, 0, box.append)
            while not box:
                await asyncio.sleep(0.02)
            result[0] = box[0]
            if box[0]:
                return
            await asyncio.sleep(0.05)

    qloop.run(poll(), timeout)
    return result[0]


def click(qloop: QtLoop, view: QWebEngineView, selector: str) -> None:
    """A mouse click on the first element matching `selector` (it must exist)."""
    found = run_js(
        qloop,
        view,
        f"""(function () {{
          var el = document.querySelector({json.dumps(selector)});
          if (!el) return false;
          var init = {{bubbles: true, cancelable: true, view: window}};
          el.dispatchEvent(new MouseEvent('click', init));
          return true;
        }})()""",
    )
    assert found, f"nothing matches {selector}"


def press(qloop: QtLoop, view: QWebEngineView, key: str) -> None:
    """A `keydown` of `key` (e.g. "ArrowRight", "Enter") on the focused element."""
    run_js(
        qloop,
        view,
        "document.activeElement.dispatchEvent(new KeyboardEvent('keydown', "
        f"{{key: {json.dumps(key)}, bubbles: true, cancelable: true}})); true",
    )


def type_into(qloop: QtLoop, view: QWebEngineView, selector: str, text: str) -> None:
    """Set an input's value as typing does (focus, value, an `input` event)."""
    found = run_js(
        qloop,
        view,
        f"""(function () {{
          var el = document.querySelector({json.dumps(selector)});
          if (!el) return false;
          el.focus();
          el.value = {json.dumps(text)};
          el.dispatchEvent(new InputEvent('input', {{bubbles: true, inputType: 'insertText'}}));
          return true;
        }})()""",
    )
    assert found, f"nothing matches {selector}"


class _NestedLoopApp:
    """The QApplication as a qasync loop sees it, but `exec()` runs a nested QEventLoop and
    `exit()` leaves it: stopping the loop then never calls `QCoreApplication.exit()`,
    which emits `aboutToQuit`, on which QtWebEngine tears itself down (a live view then
    crashes the process). The app itself runs one loop for its whole life, so only tests,
    which run the loop once per step, need this."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._loops: list[QEventLoop] = []

    def exec(self) -> int:
        loop = QEventLoop()
        self._loops.append(loop)
        try:
            return loop.exec()
        finally:
            self._loops.remove(loop)

    def exit(self, code: int = 0) -> None:
        if self._loops:
            self._loops[-1].exit(code)

    def eventDispatcher(self) -> _NoDispatch:  # noqa: N802 (Qt name)
        return _NoDispatch()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


class _NoDispatch:
    """qasync processes Qt events once more after each run, with no running asyncio loop:
    a task step that runs then fails (httpx, anyio need the loop). Skip that pass; the
    events wait for the next run."""

    def processEvents(self, flags: Any) -> bool:  # noqa: N802 (Qt name)
        return False


def keep_webengine_alive(qloop: QtLoop) -> QtLoop:
    """Make `qloop` stop without `QCoreApplication.exit()` (see `_NestedLoopApp`)."""
    loop = qloop.loop
    app = loop._QEventLoop__app  # type: ignore[attr-defined]  # qasync's private field
    if not isinstance(app, _NestedLoopApp):
        loop._QEventLoop__app = _NestedLoopApp(app)  # type: ignore[attr-defined]
    return qloop


def dispose(qloop: QtLoop, dialog: Any) -> None:
    """`dialog.dispose()` and wait until it is deleted (on this thread, not by the GC)."""
    dialog.dispose()
    qloop.wait_until(lambda: not shiboken6.isValid(dialog), 20)


def delete_loop_timers(qloop: QtLoop) -> None:
    """Delete a closed qasync loop's timer object now, on this thread.

    qasync never kills the Qt timers of cancelled `call_later` handles (every
    `asyncio.wait_for` leaves one); the loop's `_SimpleTimer` keeps them until the garbage
    collector deletes it, possibly from another thread ("Timers cannot be stopped from
    another thread"), and a later timer event for it then crashes the process.
    """
    timer = getattr(qloop.loop, "_timer", None)
    if timer is not None and shiboken6.isValid(timer):
        shiboken6.delete(timer)
