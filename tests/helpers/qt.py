"""Qt test plumbing: offscreen platform, no Chromium sandbox as root, and a qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from boxoffice.desktop.qt_env import prepare_qt_environment

T = TypeVar("T")


def configure_environment() -> None:
    """Offscreen Qt unless a display was asked for; QtWebEngine needs no sandbox as root."""
    prepare_qt_environment(offscreen=True, chromium_flags="--disable-gpu --no-sandbox")


class QtLoop:
    """A qasync event loop for one test; `run(coro)` drives a coroutine to its end."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def wait_until(self, condition: Any, timeout: float = 20) -> None:
        """Run the loop (Qt events included) until `condition()` is true."""

        async def poll() -> None:
            while not condition():
                await asyncio.sleep(0.02)

        self.run(poll(), timeout)


def qasync_loop(app: Any) -> Iterator[QtLoop]:
    """Body of the `qloop` fixture: a fresh qasync loop, torn down with bounded waits."""
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        yield QtLoop(loop)
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=2))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
