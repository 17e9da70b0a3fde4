"""The composition root: settings, logging, the embedded server (when no API is configured),
the SDK client, the presenters and the main window on one qasync event loop."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from pathlib import Path

from boxoffice import i18n
from boxoffice.credentials import CredentialStore, CredentialStoreUnavailable, open_store
from boxoffice.desktop.arguments import add_arguments
from boxoffice.desktop.catalog_cache import CatalogCache
from boxoffice.desktop.embedded import EmbeddedServerError, ServerStatus
from boxoffice.desktop.journal import SaleJournal, ServerIdentity
from boxoffice.desktop.qt_env import prepare_qt_environment
from boxoffice.desktop.server_link import link_server
from boxoffice.desktop.settings import AppSettings, Mode
from boxoffice.i18n import N_, _
from boxoffice.logs import setup_logging
from boxoffice.sdk import SDK, BoxOfficeError, TLSVerificationError, fetch_fingerprint
from boxoffice.ui.counter import Counter, Presenters
from boxoffice.ui.dialogs.host import DialogHost
from boxoffice.ui.dialogs.questions import ask_to_trust_certificate
from boxoffice.ui.mainwindow import MainWindow, Panes
from boxoffice.ui.messages import MessageBridge
from boxoffice.ui.panes.cart_pane import CartPane
from boxoffice.ui.panes.checkout_pane import CheckoutPane
from boxoffice.ui.panes.event_pane import EventPane
from boxoffice.ui.panes.history_pane import HistoryPane
from boxoffice.ui.presenters.cart import CartPresenter
from boxoffice.ui.presenters.checkout import CheckoutPresenter
from boxoffice.ui.presenters.connection import ConnectionPresenter
from boxoffice.ui.presenters.events import EventsPresenter
from boxoffice.ui.presenters.history import HistoryPresenter
from boxoffice.ui.presenters.printing import PrintingPresenter
from boxoffice.ui.presenters.reader import ReaderPresenter
from boxoffice.ui.presenters.session import SessionPresenter
from boxoffice.ui.presenters.shift import ShiftPresenter
from boxoffice.ui.settings_store import SettingsStore

logger = logging.getLogger(__name__)
EMBEDDED_CATALOG = "embedded"  # the catalog cache's server key for the embedded server

NO_DISPLAY = N_(
    "Box Office needs a display and none was found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
    "On a machine without a screen run it under Xvfb:  xvfb-run -a boxoffice\n"
    "or check it headless with:  QT_QPA_PLATFORM=offscreen boxoffice --self-test"
)  # shown as `_(NO_DISPLAY)`


def display_available() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    """`boxoffice` with no command: the desktop box office."""
    if args.kiosk or _settings_store(args).load().kiosk:
        from boxoffice import kiosk_app

        return kiosk_app.run(args)
    started = time.perf_counter()
    setup_logging(args.log_level)
    if not display_available():
        i18n.use(_settings_store(args).load().language or i18n.system_language())
        sys.stderr.write(_(NO_DISPLAY) + "\n")
        return 2
    prepare_qt_environment()
    import qasync
    from PySide6 import QtWebEngineWidgets  # noqa: F401  (must load before the QApplication)
    from PySide6.QtWidgets import QApplication

    from boxoffice.ui import crash, language, teardown, theme
    from boxoffice.ui.web.scheme import register_scheme

    register_scheme()  # before the QApplication exists
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Box Office")
    app.setOrganizationName("boxoffice")
    app.setQuitOnLastWindowClosed(False)  # the run ends when _main returns, after shutdown
    look = _settings_store(args).load()
    theme.apply(app, look.theme, look.text_scale)  # palette, font, style sheet, focus ring
    language.apply(look.language)  # Settings' choice, else the system's
    crash.install(show_dialog=not args.self_test)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            code: int = loop.run_until_complete(_main(args, started))
            return code
    finally:
        asyncio.set_event_loop(None)
        teardown.shut_down(app)  # while everything is in place, not at the interpreter's exit


async def _main(args: argparse.Namespace, started: float) -> int:
    closed = asyncio.Event()
    async with AsyncExitStack() as stack:
        counter, server_ready = await assemble(args, stack)
        counter.window.closing.connect(closed.set)
        counter.window.show()  # at once; the embedded server may still be starting
        from_cache = counter.events.show_cached()  # listed before the server answers
        if args.self_test and from_cache:
            _report_ready(counter, started, "from the cache")
        try:
            await server_ready
        except EmbeddedServerError as exc:
            counter.messages.error(str(exc))
            await closed.wait()
            return 1
        await counter.start()
        if args.self_test:
            return await _self_test(counter, started, from_cache=from_cache)
        await closed.wait()
    return 0


async def assemble(
    args: argparse.Namespace, stack: AsyncExitStack
) -> tuple[Counter, asyncio.Future[None]]:
    """Build everything for one run; `stack` closes it in reverse order at the end.

    Returns the counter and a future that is done when the API can be used: the embedded
    server boots (about 2 s) while the window is built and shown."""
    store = _settings_store(args)
    settings = store.load()
    organizer = args.organizer or settings.organizer
    counter_ref: list[Counter] = []

    def server_state(status: ServerStatus, message: str) -> None:
        if counter_ref:
            counter_ref[0].connection.server_state(status, message)

    link = link_server(args, settings, stack, on_state=server_state)
    mode, base_url, data_dir, server, verify = (
        link.mode,
        link.base_url,
        link.data_dir,
        link.server,
        link.verify,
    )
    if mode is not Mode.EMBEDDED and settings.needs_trust_question(base_url):
        verify = await trust_on_first_use(base_url, settings, store)
    sdk = await SDK.build(
        base_url, organizer=organizer, verify=verify, counter=settings.counter_name
    )
    stack.push_async_callback(sdk.aclose)
    counter = build_counter(
        sdk=sdk,
        settings=settings,
        store=store,
        mode=mode,
        base_url=base_url,
        data_dir=data_dir,
        counter_password=server.counter_password if server else None,
    )
    counter_ref.append(counter)
    if server is None:
        counter.connection.connected()
    else:
        counter.connection.server_state(server.status, "")
    stack.push_async_callback(counter.aclose)
    return counter, link.ready


async def trust_on_first_use(
    base_url: str,
    settings: AppSettings,
    store: SettingsStore,
    ask: Callable[..., object] | None = None,
) -> str | None:
    """For an https venue server whose certificate no trusted CA vouches for: show its
    fingerprint and ask the cashier once; if trusted, pin it (saved in the settings) and
    return it. None when the certificate is trusted anyway, the server cannot be reached (the
    connection status says so later), or the cashier declined (nothing is then sent)."""
    async with await SDK.build(base_url, max_retries=0, timeout=5.0) as probe:
        try:
            await probe.event.health()
            return None
        except TLSVerificationError:
            pass
        except BoxOfficeError:
            return None
    try:
        fingerprint = await fetch_fingerprint(base_url, timeout=5.0)
    except OSError:
        return None
    answered: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    (ask or ask_to_trust_certificate)(
        None, url=base_url, fingerprint=fingerprint, on_answer=answered.set_result
    )
    if not await answered:
        logger.warning("the certificate of %s (%s) was not trusted", base_url, fingerprint)
        return None
    settings.pin_certificate(base_url, fingerprint)
    store.save(settings)
    logger.info("pinned the certificate of %s: SHA-256 %s", base_url, fingerprint)
    return fingerprint


def build_counter(
    *,
    sdk: SDK,
    settings: AppSettings,
    store: SettingsStore,
    mode: Mode,
    base_url: str,
    data_dir: Path,
    counter_password: str | None,
) -> Counter:
    """The presenters, panes, window, dialog host and counter around one SDK client."""
    messages = MessageBridge()
    catalog = CatalogCache(
        data_dir / "catalog",
        # The embedded server gets a new port each run; its data dir is its identity.
        base_url=EMBEDDED_CATALOG if mode is Mode.EMBEDDED else base_url,
        organizer=sdk.organizer,
    )
    journal = SaleJournal(data_dir / "journal.jsonl", server=ServerIdentity(base_url))
    cart = CartPresenter()
    printing = PrintingPresenter(sdk, settings, default_folder=lambda: data_dir / "tickets")
    presenters = Presenters(
        session=SessionPresenter(
            sdk, base_url=base_url, tokens=_token_store(), counter_password=counter_password
        ),
        connection=ConnectionPresenter(sdk, messages=messages),
        events=EventsPresenter(sdk, cache=catalog),
        cart=cart,
        checkout=CheckoutPresenter(sdk, cart=cart, tickets=printing, journal=journal),
        printing=printing,
        history=HistoryPresenter(sdk, printing=printing),
        shift=ShiftPresenter(sdk),
        readers=ReaderPresenter(sdk),
    )
    panes = Panes(
        events=EventPane(presenters.events),
        cart=CartPane(cart),
        checkout=CheckoutPane(presenters.checkout, cart, card_available=True),
        history=HistoryPane(presenters.history),
    )
    window = MainWindow(
        panes,
        session=presenters.session,
        connection=presenters.connection,
        messages=messages,
        mode=mode,
    )
    dialogs = DialogHost(
        sdk,
        parent=window,
        session=presenters.session,
        cart=cart,
        checkout=presenters.checkout,
        printing=printing,
        messages=messages,
        readers=presenters.readers,
        catalog=catalog,
    )
    return Counter(
        sdk=sdk,
        window=window,
        presenters=presenters,
        dialogs=dialogs,
        settings=settings,
        settings_store=store,
        messages=messages,
        mode=mode,
    )


def _settings_store(args: argparse.Namespace) -> SettingsStore:
    return SettingsStore.in_file(args.settings_file) if args.settings_file else SettingsStore()


def _token_store() -> CredentialStore | None:
    """The keyring (or the opted-in file); None when neither is there ("remember me" off)."""
    try:
        return open_store()
    except CredentialStoreUnavailable as exc:
        logger.info("remember me is off: %s", exc)
        return None


def _report_ready(counter: Counter, started: float, source: str) -> None:
    """The self-test's first line: events listed and keys taken (what `benchmarks/desktop.py`
    times as launch → interactive)."""
    elapsed = time.perf_counter() - started
    sys.stdout.write(
        f"self-test: ready in {elapsed:.2f} s, {len(counter.events.visible)} events "
        f"({source}), mode {counter.mode.value}\n"
    )
    sys.stdout.flush()


async def _self_test(counter: Counter, started: float, *, from_cache: bool) -> int:
    """Wait until the server's own event list is shown (not only the cached one)."""
    deadline = time.perf_counter() + 60
    events = counter.events
    while (events.loading or not events.visible) and time.perf_counter() < deadline:
        await asyncio.sleep(0.02)
    ready = bool(events.visible) and not events.offline_text and not events.loading
    if not from_cache or not ready:
        if ready:
            _report_ready(counter, started, "from the server")
        else:
            sys.stdout.write(f"self-test: NOT ready, mode {counter.mode.value}\n")
    else:
        elapsed = time.perf_counter() - started
        sys.stdout.write(f"self-test: the server's events shown in {elapsed:.2f} s\n")
    counter.window.close()
    return 0 if ready else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="boxoffice app")
    add_arguments(parser)
    return run(parser.parse_args(argv))
