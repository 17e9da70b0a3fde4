"""Deleting a dialog that hosts a web page: the page at once, the dialog once its presenter's
server calls are over. Never left to Python's garbage collector, which may run on another
thread (QtWebEngine objects must die on the GUI thread)."""

from __future__ import annotations

import asyncio
from typing import Protocol

import shiboken6
from PySide6.QtWidgets import QDialog


class _View(Protocol):
    def dispose(self) -> None: ...


class _Presenter(Protocol):
    @property
    def busy(self) -> bool: ...

    async def settle(self) -> None: ...


def dispose_web_dialog(
    dialog: QDialog, view: _View, presenter: _Presenter
) -> asyncio.Future[None] | None:
    """Hide `dialog`, delete its page now and the dialog when `presenter` is idle.

    Returns the pending deletion (keep a reference to it), or None when it is done already.
    """
    if not shiboken6.isValid(dialog):
        return None
    dialog.hide()
    view.dispose()
    if not presenter.busy:
        shiboken6.delete(dialog)
        return None

    async def delete_when_idle() -> None:
        await presenter.settle()
        if shiboken6.isValid(dialog):
            shiboken6.delete(dialog)

    return asyncio.ensure_future(delete_when_idle())
