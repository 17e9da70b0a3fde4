"""Screenshots of the seating and payment pages (docs/screenshots/*.png) from a live demo venue.

Run: `.venv/bin/python docs/screenshots/make_web_screenshots.py` (offscreen; training mode).
It starts a venue server on the demo catalog in a temporary directory, books and holds a
few seats of the symphony evening from a second counter, picks seats in the seating page,
and lets a declined test card fail on the payment page.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from boxoffice.desktop.qt_env import prepare_qt_environment  # noqa: E402

prepare_qt_environment(offscreen=True)

import httpx  # noqa: E402
import qasync  # noqa: E402
import uvicorn  # noqa: E402
from PySide6 import QtWebEngineWidgets  # noqa: E402, F401
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from boxoffice.sdk import SDK, PasswordCredentials  # noqa: E402
from boxoffice.server.app import create_app  # noqa: E402
from boxoffice.server.config import ServerSettings  # noqa: E402
from boxoffice.server.services import users  # noqa: E402
from boxoffice.ui import language  # noqa: E402
from boxoffice.ui.dialogs.payment import PaymentDialog  # noqa: E402
from boxoffice.ui.dialogs.seating import SeatingDialog  # noqa: E402
from boxoffice.ui.web.scheme import register_scheme  # noqa: E402

PASSWORD = "screenshot password"
# `--language cs` (or de): the same pages in that language, saved in docs/screenshots/cs/.
LANGUAGE = sys.argv[sys.argv.index("--language") + 1] if "--language" in sys.argv else "en"
OUT = HERE if LANGUAGE == "en" else HERE / LANGUAGE
OUT.mkdir(exist_ok=True)


def js(view: QWebEngineView, script: str) -> Awaitable[Any]:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    view.page().runJavaScript(script, 0, lambda value: future.set_result(value))
    return asyncio.wait_for(future, 10)


async def until(check: Callable[[], Any], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not await _value(check()):
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not get there")
        await asyncio.sleep(0.05)


async def _value(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) or asyncio.isfuture(value) else value


def save(widget: QWidget, name: str) -> None:
    path = OUT / name
    widget.grab().save(str(path))
    print(f"wrote {path}")  # noqa: T201 (a script)


async def counter(base_url: str, username: str) -> SDK:
    sdk = await SDK.build(base_url, organizer="demo", max_retries=0, counter=f"Till {username}")
    await sdk.authorize(PasswordCredentials(username, PASSWORD))
    return sdk


async def scenes(base_url: str) -> None:
    me, other = await counter(base_url, "me"), await counter(base_url, "other")
    events = await other.event.list_events(limit=50, with_=["ticket_config"])
    event = next(e for e in events.data if e.name.startswith("Symphony"))
    # Another counter sold four premium seats and holds three stalls seats right now.
    token = (await other.seating.create_hold_token()).hold_token
    sold = ["F-11", "F-12", "F-13", "F-14"]
    await other.seating.hold(event.id, sold, token)
    config = next(c.id for c in event.ticket_config or [] if c.seat_category == "premium")
    order = await other.order.create_order(
        [{"ticket_config_id": config, "quantity": 4, "selected_seats": sold}], hold_token=token
    )
    await other.shift.open(Decimal(100))  # cash is taken on an open shift
    await other.payment.create_payment_intent(order.id, type="cash", tendered=Decimal(300))
    held = (await other.seating.create_hold_token()).hold_token
    await other.seating.hold(event.id, ["C-7", "C-8", "C-9"], held)

    for size, name in (((1024, 768), "seating.png"), ((1920, 1080), "seating-kiosk.png")):
        dialog = SeatingDialog(me, event_id=event.id, title=event.name)
        dialog.resize(*size)
        dialog.show()
        await until(
            lambda d=dialog: js(d.view, "!!window.seatingPage && seatingPage.labels().length > 300")
        )
        if name == "seating.png":
            for label in ("G-9", "G-10"):
                await js(
                    dialog.view,
                    f"document.querySelector('[data-label=\"{label}\"]')"
                    ".dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                )
            await until(lambda d=dialog: len(d.selected_labels) == 2)
        await asyncio.sleep(0.6)
        save(dialog, name)
        dialog.reject()
        await dialog.presenter.settle()
        dialog.view.dispose()

    order = await me.order.create_order(
        [{"ticket_config_id": config, "quantity": 2, "selected_seats": ["E-1", "E-2"]}]
    )
    payment = PaymentDialog(me, order_id=order.id)
    payment.resize(1024, 720)
    payment.show()
    await until(lambda: js(payment.view, "window.paymentPage && paymentPage.state() === 'ready'"))
    failed: list[str] = []
    payment.presenter.failed.connect(failed.append)
    for field, value in (
        ("cardnumber", "4000 0000 0000 0341"),
        ("exp-date", "12 / 34"),
        ("cvc", "123"),
    ):
        await js(
            payment.view,
            f"""(function () {{
            var el = document.querySelector('[data-stripe-emulator="{field}"]');
            el.focus(); el.value = '{value}';
            el.dispatchEvent(new InputEvent('input', {{bubbles: true}})); }})()""",
        )
    await js(payment.view, "document.getElementById('pay-form').requestSubmit()")
    await until(lambda: bool(failed))
    await until(lambda: js(payment.view, "paymentPage.state() === 'retry'"))
    await js(payment.view, "document.querySelector('[data-stripe-emulator=\"cardnumber\"]').blur()")
    await asyncio.sleep(0.4)
    save(payment, "payment-declined.png")
    payment.dispose()
    await asyncio.sleep(0.3)
    for sdk in (me, other):
        await sdk.aclose()


def main() -> None:
    register_scheme()
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # the dialogs come and go
    language.apply(LANGUAGE)
    with tempfile.TemporaryDirectory() as tmp:
        settings = ServerSettings(data_dir=Path(tmp), load_demo=True, sweep_interval_seconds=3600)
        server_app = create_app(settings)
        state = server_app.state.server
        with state.write_sessions() as session, session.begin():
            for name in ("me", "other"):
                users.create_user(
                    session, username=name, password=PASSWORD, role="staff", now=state.clock()
                )
        port = 8799
        server = uvicorn.Server(
            uvicorn.Config(server_app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base_url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base_url}/event/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(asyncio.wait_for(scenes(base_url), 120))
        finally:
            server.should_exit = True
            thread.join(10)
            state.cards.close()


if __name__ == "__main__":
    main()
