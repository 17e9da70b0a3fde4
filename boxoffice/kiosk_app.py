"""The kiosk's composition root (`boxoffice --kiosk`): settings, the embedded server (when no
API is configured), the SDK client signed in with the kiosk's device account, the kiosk's
presenter and its full-screen window on one qasync event loop.

The kiosk never signs in as staff or as the training counter account: it sells with its own
device account (role `kiosk`). On a venue server staff set it up once on the kiosk's setup
screen; on the embedded training server the app makes the device account itself at the first
start (with the server's own staff account, inside the app: that account never reaches the
kiosk's screens or its client).

The kiosk speaks its own language (Settings' choice, else the system's) until a customer picks
another on the attract screen; the next customer gets its own again. Its look is the Settings'
theme and text size.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from boxoffice.desktop.embedded import EmbeddedServerError
from boxoffice.desktop.journal import SaleJournal, ServerIdentity
from boxoffice.desktop.kiosk_device import (
    DeviceStore,
    create_device_account,
    staff_user,
)
from boxoffice.desktop.qt_env import prepare_qt_environment
from boxoffice.desktop.server_link import link_server
from boxoffice.desktop.settings import AppSettings
from boxoffice.i18n import _
from boxoffice.logs import setup_logging
from boxoffice.sdk import (
    SDK,
    APIStatusError,
    ConflictError,
    PasswordCredentials,
    ServerError,
    Verify,
)
from boxoffice.sdk.models.account import STAFF_ROLES
from boxoffice.sdk.models.auth import COUNTER_USERNAME
from boxoffice.ui.kiosk.health import KioskHealth
from boxoffice.ui.kiosk.idle import IdleWatch
from boxoffice.ui.kiosk.presenter import KioskPresenter
from boxoffice.ui.kiosk.window import KioskWindow
from boxoffice.ui.presenters.cart import CartPresenter
from boxoffice.ui.presenters.checkout import CheckoutPresenter
from boxoffice.ui.presenters.events import EventsPresenter
from boxoffice.ui.presenters.printing import PrintingPresenter
from boxoffice.ui.settings_store import SettingsStore

logger = logging.getLogger(__name__)

AUDIT_FILE = "kiosk-audit.log"


@dataclass
class Kiosk:
    """Everything of one kiosk run."""

    sdk: SDK
    presenter: KioskPresenter
    window: KioskWindow
    printing: PrintingPresenter
    checkout: CheckoutPresenter
    device: DeviceStore
    audit_log: Path

    async def aclose(self) -> None:
        await self.presenter.aclose()
        for presenter in (self.checkout, self.printing, self.presenter.events):
            await presenter.aclose()


def run(args: argparse.Namespace) -> int:
    """`boxoffice --kiosk`: the self-service kiosk, full screen."""
    from boxoffice.app import NO_DISPLAY, display_available

    setup_logging(args.log_level)
    if not display_available():
        sys.stderr.write(_(NO_DISPLAY) + "\n")
        return 2
    prepare_qt_environment()
    import qasync
    from PySide6 import QtWebEngineWidgets  # noqa: F401  (must load before the QApplication)
    from PySide6.QtWidgets import QApplication

    from boxoffice.ui import crash, language, teardown, theme
    from boxoffice.ui.web.scheme import register_scheme

    register_scheme()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Box Office")
    app.setOrganizationName("boxoffice")
    app.setQuitOnLastWindowClosed(False)
    look = _settings_store(args).load()
    # Palette, font, style sheet (the kiosk's on top), focus ring: Settings' theme and size.
    theme.apply(app, look.theme, look.text_scale, kiosk=True)
    language.apply(look.language)  # the kiosk's own language: Settings' choice, else the system's
    crash.install(show_dialog=False)  # a stranger never sees a crash dialog
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            code: int = loop.run_until_complete(_main(args))
            return code
    finally:
        asyncio.set_event_loop(None)
        teardown.shut_down(app)  # while everything is in place, not at the interpreter's exit


def kiosk_style_sheet(theme_name: str = "light", text_scale: float = 1.0) -> str:
    """The counter's style sheet with the kiosk's on top, filled from the theme."""
    from boxoffice.ui import theme

    return theme.style_sheet(theme.theme_named(theme_name), text_scale, kiosk=True)


def _settings_store(args: argparse.Namespace) -> SettingsStore:
    return SettingsStore.in_file(args.settings_file) if args.settings_file else SettingsStore()


async def _main(args: argparse.Namespace) -> int:
    closed = asyncio.Event()
    async with AsyncExitStack() as stack:
        store = _settings_store(args)
        settings = store.load()
        if args.kiosk_printer:
            settings.printer = args.kiosk_printer  # this run only (Settings are not saved)
        link = link_server(args, settings, stack)
        base_url, data_dir, server, verify = link.base_url, link.data_dir, link.server, link.verify
        sdk = await SDK.build(
            base_url,
            organizer=args.organizer or settings.organizer,
            verify=verify,
            counter=settings.counter_name,
        )
        stack.push_async_callback(sdk.aclose)
        kiosk = build_kiosk(
            sdk=sdk,
            settings=settings,
            base_url=base_url,
            data_dir=data_dir,
            verify=verify,
            training_password=server.counter_password if server else None,
            idle_seconds=args.kiosk_idle,
            print_required=not args.kiosk_screen_only,
        )
        stack.push_async_callback(kiosk.aclose)
        kiosk.window.closing.connect(closed.set)
        kiosk.window.showFullScreen()
        try:
            await link.ready
        except EmbeddedServerError as exc:
            logger.error("the training server cannot start: %s", exc)
        if settings.kiosk:  # kiosk mode is this computer's setting: staff may end it
            kiosk.window.staff.turn_off.setVisible(True)
        kiosk.presenter.start()
        await closed.wait()
        if settings.kiosk and kiosk.window.staff.turn_off.isChecked():
            store.save(store.load().model_copy(update={"kiosk": False}))
            logger.info("kiosk mode turned off at the staff exit")
    return 0


def build_kiosk(
    *,
    sdk: SDK,
    settings: AppSettings,
    base_url: str,
    data_dir: Path,
    verify: Verify = None,
    training_password: str | None = None,
    idle_seconds: float = 60.0,
    countdown_seconds: float = 10.0,
    check_every: float = 10.0,
    done_seconds: float = 30.0,
    print_required: bool = True,
    device: DeviceStore | None = None,
    default_language: str | None = None,
) -> Kiosk:
    """The kiosk's presenters and window around one SDK client (not signed in yet).

    `training_password`: the embedded server's staff password, used once to make the
    device account on a training kiosk's first start (and for nothing else).
    `default_language`: the kiosk's own language (None: the one in use now, which `run` set
    from Settings or the system)."""
    device = device or DeviceStore(base_url, data_dir, settings.counter_name)
    audit_log = data_dir / "logs" / AUDIT_FILE
    printing = PrintingPresenter(sdk, settings, default_folder=lambda: data_dir / "tickets")
    cart = CartPresenter()
    checkout = CheckoutPresenter(
        sdk,
        cart=cart,
        tickets=printing,
        journal=SaleJournal(data_dir / "kiosk-journal.jsonl", server=ServerIdentity(base_url)),
    )
    health = KioskHealth(sdk, printer=lambda: printing.printer_name, print_required=print_required)
    idle = IdleWatch(idle_seconds=idle_seconds, countdown_seconds=countdown_seconds)

    def audit(line: str) -> None:
        logger.warning("kiosk audit: %s", line)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            audit_log.parent.mkdir(parents=True, exist_ok=True)
            with audit_log.open("a", encoding="utf-8") as out:
                out.write(f"{stamp} counter={settings.counter_name!r} {line}\n")
        except OSError as exc:
            logger.error("cannot write the kiosk audit log %s: %s", audit_log, exc)

    async def sign_in() -> bool:
        account = device.load(device.username)
        if account is None and training_password is not None:
            await _make_device_account(
                base_url, verify, device, COUNTER_USERNAME, training_password
            )
            account = device.load(device.username)
            audit(f"device account {device.username} made on the training server")
        if account is None:
            return False
        try:
            await sdk.authorize(PasswordCredentials(account.username, account.password))
            user = await sdk.account.me()
        except APIStatusError as exc:
            if isinstance(exc, ServerError):
                raise
            logger.warning("the kiosk account %s is refused: %s", account.username, exc)
            device.forget(account.username)
            return False
        if user.role != "kiosk":  # never sell as anyone else
            sdk.sign_out()
            device.forget(account.username)
            return False
        logger.info("kiosk signed in as %s", user.username)
        return True

    async def setup(username: str, password: str) -> None:
        await _make_device_account(base_url, verify, device, username, password)

    async def verify_staff(username: str, password: str) -> str | None:
        if username == COUNTER_USERNAME:
            return None  # the training counter account is never a way out of the kiosk
        user = await staff_user(base_url, username, password, verify=verify)
        return None if user is None else (user.username or username)

    presenter = KioskPresenter(
        sdk,
        events=EventsPresenter(sdk),
        cart=cart,
        checkout=checkout,
        health=health,
        idle=idle,
        sign_in=sign_in,
        setup=setup,
        verify_staff=verify_staff,
        audit=audit,
        check_every=check_every,
        done_seconds=done_seconds,
        default_language=default_language,
    )
    window = KioskWindow(presenter, sdk, training=False)
    presenter.training_changed.connect(window.band.setVisible)
    return Kiosk(sdk, presenter, window, printing, checkout, device, audit_log)


async def _make_device_account(
    base_url: str,
    verify: Verify,
    device: DeviceStore,
    username: str,
    password: str,
) -> None:
    """Sign staff in with a client of its own, make the device account, keep its password."""
    async with await SDK.build(base_url, verify=verify, max_retries=0) as staff:
        await staff.authorize(PasswordCredentials(username, password))
        me = await staff.account.me()
        if me.role not in STAFF_ROLES:
            raise PermissionError(_("Only staff can set up a kiosk. Sign in with a staff account."))
        name = device.username
        try:
            account = await create_device_account(staff, name)
        except ConflictError:  # the name is taken (a kiosk set up before): another name
            account = await create_device_account(staff, device.new_username())
    device.save(account)
    logger.info("kiosk device account %s kept in %s", account.username, device.description)
