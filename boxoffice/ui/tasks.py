"""Named async tasks on the qasync loop: one per name, errors routed, references kept."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from boxoffice.sdk import BoxOfficeError

logger = logging.getLogger(__name__)

ErrorHandler = Callable[[BaseException], None]


class TaskRunner:
    """Runs a presenter's coroutines as named tasks.

    Starting a task cancels the running one of the same name (a second search replaces the
    first). `BoxOfficeError`s go to `on_error`; anything else is a bug and goes to
    `sys.excepthook` (the crash handler). Busy state is reported through `on_busy`.
    """

    def __init__(
        self,
        *,
        on_error: ErrorHandler,
        on_busy: Callable[[bool], None] | None = None,
    ) -> None:
        self._on_error = on_error
        self._on_busy = on_busy
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def run(self, name: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start `coro` as task `name`, cancelling the previous task of that name."""
        self.cancel(name)
        task = asyncio.ensure_future(self._guarded(coro))
        self._tasks[name] = task
        task.add_done_callback(lambda done: self._forget(name, done, coro))
        self._report_busy()
        return task

    def cancel(self, name: str | None = None) -> None:
        """Cancel task `name`, or every task when `name` is None."""
        names = list(self._tasks) if name is None else [name]
        for each in names:
            task = self._tasks.get(each)
            if task is not None and not task.done():
                task.cancel()

    def is_running(self, name: str | None = None) -> bool:
        if name is None:
            return any(not task.done() for task in self._tasks.values())
        task = self._tasks.get(name)
        return task is not None and not task.done()

    async def wait_all(self) -> None:
        """Wait until no task runs (tasks started meanwhile included)."""
        while running := [task for task in self._tasks.values() if not task.done()]:
            await asyncio.wait(running)

    async def aclose(self) -> None:
        """Cancel every task and wait until each has stopped (its owner is closing)."""
        self.cancel()
        await self.wait_all()

    async def wait(self, name: str) -> None:
        """Wait for task `name` to finish (for tests and orderly shutdown)."""
        task = self._tasks.get(name)
        if task is not None:
            await asyncio.wait([task])

    async def _guarded(self, coro: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await coro
        except asyncio.CancelledError:
            raise
        except BoxOfficeError as exc:
            logger.info("task failed: %s", exc)
            self._on_error(exc)
        except Exception:
            sys.excepthook(*sys.exc_info())
        return None

    def _forget(self, name: str, done: asyncio.Task[Any], coro: Coroutine[Any, Any, Any]) -> None:
        coro.close()  # a task cancelled before it ran never started `coro`: no "never awaited"
        if self._tasks.get(name) is done:
            del self._tasks[name]
        self._report_busy()

    def _report_busy(self) -> None:
        if self._on_busy is not None:
            self._on_busy(self.is_running())
