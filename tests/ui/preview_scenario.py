"""Open the counter's print previews in a process of their own (a crash must not end pytest).

`python -m tests.ui.preview_scenario FOLDER PRINTER` starts a demo venue server, signs a
counter in as `clerk` with PRINTER chosen ("PDF file" or a system queue), sells one ticket,
then opens the print preview twice as a cashier does — Ctrl+Shift+P (the last sale) and
Orders → Preview — lets each preview paint, collects the garbage, and closes it. It prints one
line per preview shown and exits 0; a crash in Qt ends it with a signal instead
(`tests/ui/test_counter_regressions.py` runs it).
"""

from __future__ import annotations

import asyncio
import gc
import sys
from pathlib import Path

from tests.helpers import qt

qt.configure_environment()

from PySide6 import QtWebEngineWidgets  # noqa: E402, F401  (before the QApplication)
from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from boxoffice.server.app import create_app  # noqa: E402
from boxoffice.server.config import ServerSettings  # noqa: E402
from boxoffice.ui.counter import Counter  # noqa: E402
from boxoffice.ui.messages import Level  # noqa: E402
from boxoffice.ui.web.scheme import register_scheme  # noqa: E402
from tests.helpers import factories  # noqa: E402
from tests.helpers.counter import (  # noqa: E402
    clerk_counter,
    config_id,
    named,
    open_event,
    shortcut,
    wait_until,
)
from tests.helpers.live_server import FakeClock, serve_in_thread  # noqa: E402


def say(line: str) -> None:
    """One line for the test that runs this script (stdout, at once)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def previews() -> list[QPrintPreviewDialog]:
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QPrintPreviewDialog) and widget.isVisible()
    ]


async def show_and_close_preview(counter: Counter, how: str) -> None:
    """Wait for the preview `how` opened; let it paint (twice), then close it."""
    await wait_until(lambda: bool(previews()), timeout=30)
    dialog = previews()[0]
    preview = dialog.findChild(QPrintPreviewWidget)
    assert preview is not None
    await wait_until(lambda: preview.pageCount() > 0, timeout=30)
    gc.collect()  # whatever Python let go of is gone now
    preview.updatePreview()  # paints on the dialog's printer again
    await asyncio.sleep(0.3)
    say(f"{how}: preview of {preview.pageCount()} page(s) shown")
    dialog.close()
    await wait_until(lambda: not previews(), timeout=10)
    gc.collect()
    await asyncio.sleep(0.2)


async def scenario(base_url: str, folder: Path, printer: str) -> None:
    async with clerk_counter(base_url, folder, printer=printer, auto_print=False) as counter:
        problems: list[str] = []
        counter.messages.posted.connect(
            lambda level, text: problems.append(text) if level >= Level.ERROR else None
        )
        window = counter.window
        window.show()
        window.activateWindow()
        await wait_until(window.isActiveWindow, timeout=10)
        pop = await open_event(counter, named("Pop"))
        counter.cart.add(config_id(pop, "Standard"), 1)
        counter.checkout.complete_sale(method="cash")
        await counter.checkout.tasks.wait("sale")
        assert counter.checkout.last_result is not None, problems

        await shortcut(counter, "preview")  # Ctrl+Shift+P: the last sale
        await show_and_close_preview(counter, "Ctrl+Shift+P")

        window.show_orders()
        pane = window.panes.history
        counter.history.search("")
        await wait_until(lambda: pane.orders.topLevelItemCount() > 0, timeout=30)
        pane.preview_button.click()  # Orders → Preview
        await show_and_close_preview(counter, "Orders → Preview")
        if problems:
            say("errors: " + " | ".join(problems))


def main(folder: Path, printer: str) -> int:
    import qasync

    register_scheme()
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    settings = ServerSettings(
        data_dir=folder / "server", load_demo=True, sweep_interval_seconds=3600
    )
    server_app = create_app(settings, clock=FakeClock())
    with serve_in_thread(server_app) as base_url:
        factories.make_user(server_app.state.server, "clerk", role="staff")
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(
                asyncio.wait_for(scenario(base_url, folder / "app", printer), 120)
            )
        finally:
            loop.close()
    server_app.state.server.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
