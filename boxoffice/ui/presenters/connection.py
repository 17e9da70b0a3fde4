"""Whether the counter can reach its server: the status bar's connection line, the messages
when the line goes or comes back, and whether the server says it is in training mode.

The presenter asks the server (`GET event/health`) every `CONNECTION_CHECK_SECONDS` with a
short timeout, so a server that stops answering — gone, or frozen: a stopped process still
counts as running — shows as Offline within seconds. A venue server or Tickethead is
watched from the start (`watch`); the embedded training server once its supervisor reports
it running (`server_state`). While the supervisor reports it not running (starting,
restarting, failed…) the supervisor's text is shown and the checks stay silent.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, Signal

from boxoffice.desktop.embedded import ServerStatus
from boxoffice.i18n import N_, _
from boxoffice.sdk import SDK, BoxOfficeError, RequestOptions
from boxoffice.ui.errors import user_message
from boxoffice.ui.messages import MessageBridge
from boxoffice.ui.tasks import TaskRunner

CONNECTION_CHECK_SECONDS = 5
HEALTH_OPTIONS: RequestOptions = {"timeout": 3.0, "connect_timeout": 3.0, "max_retries": 0}

# The status bar's texts, marked N_(): `text` is translated when it is set.
CONNECTING = N_("Connecting…")
CONNECTED = N_("Connected")
OFFLINE = N_("Offline — cannot reach the server")

SERVER_TEXT = {
    ServerStatus.STARTING: (N_("Starting the training server…"), False),
    ServerStatus.RUNNING: (CONNECTED, True),
    ServerStatus.RESTARTING: (N_("Training server stopped — restarting…"), False),
    ServerStatus.STOPPED: (N_("Training server stopped"), False),
    ServerStatus.FAILED: (N_("Training server failed — restart Box Office"), False),
}


class ConnectionPresenter(QObject):
    """The connection to the server as one line of text, and whether it is good.

    Signals:
        changed(): `text` and `ok` were set (the window shows them).
    """

    changed = Signal()
    came_back = Signal()

    def __init__(self, sdk: SDK, *, messages: MessageBridge) -> None:
        super().__init__()
        self._sdk = sdk
        self._messages = messages
        self.text = _(CONNECTING)
        self.ok = False
        self.online: bool | None = None  # what the last health check found (None: none yet)
        self.training: bool | None = None  # the server's training mode (None: not said yet)
        self.server_status: ServerStatus | None = None  # the embedded server's last report
        self.tasks = TaskRunner(on_error=lambda exc: messages.error(user_message(exc)))

    def watch(self, every: float = CONNECTION_CHECK_SECONDS) -> None:
        """Check the connection now and every `every` seconds."""
        self.tasks.run("watch", self._watch(every))

    async def check(self) -> bool:
        """Ask the server whether it is there (and in training mode); `text` says what was
        found, unless the embedded server's supervisor has its own say."""
        try:
            health = await self._sdk.event.health(options=HEALTH_OPTIONS)
        except BoxOfficeError:
            self._found(online=False)
            return False
        if health.training is not None:
            self.training = health.training
        self._found(online=True)
        return True

    def connected(self) -> None:
        """The server is there (a remote API the app was just pointed at)."""
        self._show(CONNECTED, ok=True)

    def server_state(self, status: ServerStatus, message: str) -> None:
        """The embedded server's supervisor reports here."""
        text, ok = SERVER_TEXT[status]
        self._show(text, ok=ok)
        was, self.server_status = self.server_status, status
        if status is ServerStatus.RESTARTING and was is not ServerStatus.RESTARTING:
            self._messages.warning(_("The training server stopped; Box Office is restarting it."))
        elif status is ServerStatus.FAILED:
            self._messages.error(
                _("The training server cannot start. %(problem)s") % {"problem": message}
            )
        elif status is ServerStatus.RUNNING and was is ServerStatus.RESTARTING:
            self._messages.info(_("The training server is back."))
        if status is ServerStatus.RUNNING and not self.tasks.is_running("watch"):
            self.watch()  # a frozen child still runs: only asking it tells

    async def aclose(self) -> None:
        """Stop watching (the app is closing)."""
        await self.tasks.aclose()

    async def _watch(self, every: float) -> None:
        while True:
            await self.check()
            await asyncio.sleep(every)

    def _found(self, *, online: bool) -> None:
        """Show what a check found; silent while the embedded server is not running (its
        supervisor's text stays)."""
        if self.server_status not in (None, ServerStatus.RUNNING):
            self.online = None
            return
        if not online and self.online is not False:
            self._show(OFFLINE, ok=False)
            self._messages.warning(
                _("Cannot reach the ticket server. Sales wait until it is back; nothing is lost.")
            )
        elif online:
            if self.online is False:
                self._messages.info(_("The ticket server is back."))
                self.came_back.emit()
            self._show(CONNECTED, ok=True)
        self.online = online

    def _show(self, text: str, *, ok: bool) -> None:
        self.text, self.ok = _(text), ok
        self.changed.emit()
