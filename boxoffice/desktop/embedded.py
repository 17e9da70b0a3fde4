"""The embedded venue server: `boxoffice serve` as a supervised child process on loopback."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import enum
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

import httpx

from boxoffice.i18n import _, ngettext
from boxoffice.paths import default_data_dir

HOST = "127.0.0.1"
_LOG_ROTATE_BYTES = 5_000_000
_START_MARK = "--- starting the venue server"


class ServerStatus(enum.Enum):
    """Where the embedded server is in its life."""

    STARTING = "starting"
    RUNNING = "running"
    RESTARTING = "restarting"
    STOPPED = "stopped"
    FAILED = "failed"


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be started."""


StateCallback = Callable[[ServerStatus, str], None]


def default_command() -> list[str]:
    """How to run `boxoffice`: this interpreter, or the PyInstaller bundle's own binary."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "boxoffice"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def die_with_parent(parent_pid: int) -> Callable[[], None]:
    """A preexec_fn (Linux): SIGTERM the child when the thread that forked it dies."""
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork, not after
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


class EmbeddedServer:
    """Runs `boxoffice serve` on 127.0.0.1, waits until it answers, restarts it if it dies.

    The child dies with the app: on Linux through `PR_SET_PDEATHSIG` (SIGTERM, even if the app
    is SIGKILLed; it fires when the *thread* that started the child exits, so call `start()`
    from the event-loop thread), elsewhere through `stop()` and an atexit hook. The child runs
    in its own session, so a Ctrl-C in a terminal reaches the app, which then stops it in order.
    The counter password goes to the child only through its environment, never its argv.
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        port: int | None = None,
        command: Sequence[str] | None = None,
        on_state: StateCallback | None = None,
        start_timeout: float = 30.0,
        stop_timeout: float = 10.0,
        max_quick_failures: int = 3,
        quick_failure_seconds: float = 30.0,
        poll_interval: float = 0.25,
    ) -> None:
        """`command` replaces `default_command()` (the `serve …` arguments follow it);
        `on_state(status, message)` hears every change, on the event loop, and must not raise.
        `max_quick_failures` deaths in a row, each within `quick_failure_seconds` of a start,
        and it gives up (FAILED)."""
        self._data_dir = data_dir or default_data_dir()
        self._port = port or _free_port()
        self._command = list(command) if command is not None else default_command()
        self._on_state = on_state
        self._start_timeout = start_timeout
        self._stop_timeout = stop_timeout
        self._max_quick_failures = max_quick_failures
        self._quick_seconds = quick_failure_seconds
        self._poll_interval = poll_interval
        self._password = secrets.token_urlsafe(24)
        self._process: subprocess.Popen[bytes] | None = None
        self._started_at: float | None = None  # when the current child became healthy
        self._status = ServerStatus.STOPPED
        self._watcher: asyncio.Task[None] | None = None

    @property
    def data_dir(self) -> Path:
        """The server's data folder."""
        return self._data_dir

    @property
    def status(self) -> ServerStatus:
        """Where the server is in its life."""
        return self._status

    @property
    def counter_password(self) -> str:
        """The password of the staff user `counter`, fresh for each EmbeddedServer."""
        return self._password

    @property
    def base_url(self) -> str:
        """The server's URL; it stays the same across restarts."""
        return f"http://{HOST}:{self._port}"

    @property
    def pid(self) -> int | None:
        """The current child's process id, or None when none is running."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    @property
    def log_path(self) -> Path:
        """Where the child's stdout and stderr go."""
        return self._data_dir / "logs" / "server.log"

    async def start(self) -> None:
        """Start the child, wait until it is healthy, then supervise it in the background."""
        self._set_status(
            ServerStatus.STARTING,
            _("Starting the venue server on %(url)s") % {"url": self.base_url},
        )
        self._rotate_log()
        atexit.register(self.stop_now)
        try:
            await self._launch()
        except EmbeddedServerError as exc:
            self._set_status(ServerStatus.FAILED, str(exc))
            self.stop_now()
            raise
        self._set_status(ServerStatus.RUNNING, self._running_text())
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        """Stop supervising, then SIGTERM the child and SIGKILL it after `stop_timeout`."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            deadline = time.monotonic() + self._stop_timeout
            while process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            self._kill(process)
        self.stop_now()

    def stop_now(self) -> None:
        """Stop the child synchronously (also the atexit hook); harmless when none runs."""
        atexit.unregister(self.stop_now)
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(self._stop_timeout)
            except subprocess.TimeoutExpired:
                self._kill(process)
        if self._status is not ServerStatus.FAILED:
            self._set_status(ServerStatus.STOPPED, _("The venue server is stopped."))

    async def __aenter__(self) -> EmbeddedServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def log_tail(self, lines: int = 15) -> str:
        """The last lines the current (or last) child wrote to the server log."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - 8192))
                text = log.read().decode("utf-8", "replace")
        except OSError:
            return ""
        text = text.rpartition(_START_MARK)[2].partition("\n")[2]  # only the last start's
        return "\n".join(text.strip().splitlines()[-lines:])

    async def _watch(self) -> None:
        """Restart the child on the same port when it dies, with backoff; FAILED after
        `max_quick_failures` deaths or failed starts in a row, each soon after starting."""
        failures = 0
        while True:
            await asyncio.sleep(self._poll_interval)
            process = self._process
            code = process.poll() if process is not None else None
            if process is not None and code is None:
                continue
            started = self._started_at
            ran_long = started is not None and time.monotonic() - started >= self._quick_seconds
            failures = 1 if ran_long else failures + 1
            if failures > self._max_quick_failures:
                self._reap()
                stops = failures - 1
                self._set_status(
                    ServerStatus.FAILED,
                    ngettext(
                        "The built-in venue server stopped %(count)d time in a row and is not "
                        "restarted again: %(log)s",
                        "The built-in venue server stopped %(count)d times in a row and is not "
                        "restarted again: %(log)s",
                        stops,
                    )
                    % {"count": stops, "log": self.log_tail()},
                )
                return
            if process is not None:
                why = _(
                    "The venue server stopped (exit code %(code)s); restarting it (try %(try)d)…"
                ) % {"code": code, "try": failures}
            else:
                why = _("The venue server did not start; restarting it (try %(try)d)…") % {
                    "try": failures
                }
            self._set_status(ServerStatus.RESTARTING, why)
            await asyncio.sleep(min(0.5 * 2 ** (failures - 1), 10.0))
            with contextlib.suppress(EmbeddedServerError):
                await self._launch()
                self._set_status(ServerStatus.RUNNING, self._running_text())

    async def _launch(self) -> None:
        """Spawn the child and wait for `/event/health`; EmbeddedServerError if it fails."""
        self._reap()
        self._started_at = None
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = [
            *self._command,
            "serve",
            "--host",
            HOST,
            "--port",
            str(self._port),
            "--data-dir",
            str(self._data_dir),
        ]
        env = dict(os.environ, BOXOFFICE_COUNTER_PASSWORD=self._password, PYTHONUNBUFFERED="1")
        linux = sys.platform.startswith("linux")
        with self.log_path.open("ab") as log:
            log.write(f"{_START_MARK} on {self.base_url}\n".encode())
            log.flush()
            try:
                self._process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=os.name == "posix",
                    preexec_fn=die_with_parent(os.getpid()) if linux else None,
                )
            except OSError as exc:
                log.write(f"cannot run {argv[0]}: {exc}\n".encode())
                log.flush()
                raise self._error() from exc
        if not await self._healthy():
            self._reap()
            raise self._error()
        self._started_at = time.monotonic()

    async def _healthy(self) -> bool:
        deadline = time.monotonic() + self._start_timeout
        async with httpx.AsyncClient(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self._process is None or self._process.poll() is not None:
                    return False
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    response = await client.get(f"{self.base_url}/event/health")
                    body = response.json()
                    if isinstance(body, dict) and body.get("status") == "ok":
                        return True
                await asyncio.sleep(0.1)
        return False

    def _error(self) -> EmbeddedServerError:
        return EmbeddedServerError(
            _("The built-in venue server did not start: %(log)s") % {"log": self.log_tail()}
        )

    def _running_text(self) -> str:
        return _("The venue server runs on %(url)s") % {"url": self.base_url}

    def _reap(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            self._kill(process)

    def _kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the child's whole process group (POSIX) and collect it."""
        if process.poll() is None:
            if os.name == "posix":
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        process.wait()

    def _rotate_log(self) -> None:
        with contextlib.suppress(OSError):
            if self.log_path.stat().st_size > _LOG_ROTATE_BYTES:
                self.log_path.replace(self.log_path.with_suffix(".log.1"))

    def _set_status(self, status: ServerStatus, message: str) -> None:
        self._status = status
        if self._on_state is not None:
            self._on_state(status, message)
