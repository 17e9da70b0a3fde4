"""The Stripe emulator for training mode: localstripe in a child process on 127.0.0.1.

`StripeEmulator().start()` runs `python -m boxoffice.server.stripe.emulator_process` on a
free loopback port and waits until it answers. The child keeps everything in memory, dies
with this process (it watches its stdin pipe and, on POSIX, the parent's pid) and puts a
compatibility layer in front of localstripe so that a payment page written for real
Stripe.js works against it (see `emulator_compat` and docs/stripe.md).

Emulated mode uses fixed, obviously fake test keys; nothing in it is ever live.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import httpx

from boxoffice.server.stripe.gateway import StripeGateway

logger = logging.getLogger(__name__)

EMULATED_SECRET_KEY = "sk_test_emulated_boxoffice"
EMULATED_PUBLISHABLE_KEY = "pk_test_emulated_boxoffice"
HOST = "127.0.0.1"
ENTRY_MODULE = "boxoffice.server.stripe.emulator_process"
EXIT_BIND_FAILED = 3  # emulator_process's exit code when the port was taken meanwhile
_BIND_ATTEMPTS = 3


class EmulatorError(RuntimeError):
    """The emulator did not start, or refused a configuration call."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class StripeEmulator:
    """A localstripe child process with the Stripe.js compatibility layer; a context manager.

    `base_url` is the API base for `StripeGateway(api_base=…)`; the Stripe.js shim is at
    `js_url`. `startup_seconds` tells how long the last `start()` took.
    """

    secret_key = EMULATED_SECRET_KEY
    publishable_key = EMULATED_PUBLISHABLE_KEY

    def __init__(
        self,
        *,
        start_timeout: float = 20.0,
        command: Sequence[str] | None = None,
        terminal_state: Path | None = None,
    ) -> None:
        """`command` replaces `[sys.executable, "-m", ENTRY_MODULE]` (e.g. in a frozen app);
        `terminal_state` is a file that keeps training readers over restarts."""
        self._start_timeout = start_timeout
        self._terminal_state = terminal_state
        self._command = list(command) if command else [sys.executable, "-m", ENTRY_MODULE]
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._port: int | None = None
        self._http: httpx.Client | None = None
        self.startup_seconds: float | None = None

    # --- life ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def base_url(self) -> str:
        if self._port is None or not self.running:
            raise EmulatorError("The Stripe emulator is not running.")
        return f"http://{HOST}:{self._port}"

    @property
    def js_url(self) -> str:
        """Where the Stripe.js shim is served: the page's `<script src>` in training mode."""
        return f"{self.base_url}/js.stripe.com/v3/"

    def start(self) -> StripeEmulator:
        """Start the child and wait (at most `start_timeout` seconds) until it answers."""
        if self.running:
            return self
        began = time.monotonic()
        deadline = began + self._start_timeout
        self._http = httpx.Client(
            timeout=5.0,
            trust_env=False,
            headers={"Authorization": f"Bearer {self.secret_key}"},
        )
        for attempt in range(1, _BIND_ATTEMPTS + 1):
            port = _free_port()
            self._spawn(port)
            if self._wait_until_answering(self._http, port, deadline):
                self._port = port
                self.startup_seconds = time.monotonic() - began
                logger.info(
                    "Stripe emulator on %s:%d (pid %s) answered after %.2f s",
                    HOST,
                    port,
                    self.pid,
                    self.startup_seconds,
                )
                return self
            code = self._process.poll() if self._process is not None else None
            if code == EXIT_BIND_FAILED and attempt < _BIND_ATTEMPTS:
                self._reap()
                continue
            detail = self._stderr_tail()
            self.stop()
            if code is None:
                raise EmulatorError(
                    f"The Stripe emulator did not answer within {self._start_timeout:g} s."
                    + (f"\n{detail}" if detail else "")
                )
            raise EmulatorError(
                f"The Stripe emulator exited with code {code}." + (f"\n{detail}" if detail else "")
            )
        raise EmulatorError("The Stripe emulator found no free port.")  # pragma: no cover

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the child to stop (close its stdin), then terminate, then kill it."""
        process = self._process
        if process is not None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout)
        self._reap()
        self._port = None
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> StripeEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _spawn(self, port: int) -> None:
        # Open for the child's whole life, for the error report if it fails to start.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._process = subprocess.Popen(
            [
                *self._command,
                "--port",
                str(port),
                "--parent-pid",
                str(os.getpid()),
                "--stdin-lifeline",
                *(
                    ["--terminal-state", str(self._terminal_state)]
                    if self._terminal_state is not None
                    else []
                ),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            env=env,
        )

    def _wait_until_answering(self, client: httpx.Client, port: int, deadline: float) -> bool:
        url = f"http://{HOST}:{port}/_boxoffice/health"
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                if client.get(url, timeout=1.0).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        return False

    def _reap(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdin is not None:
                process.stdin.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _stderr_tail(self, limit: int = 4000) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-limit:].decode("utf-8", "replace").strip()

    # --- configuration -----------------------------------------------------------------

    def _config(self, method: str, path: str, data: dict[str, str] | None = None) -> None:
        base_url = self.base_url
        assert self._http is not None
        response = self._http.request(method, f"{base_url}{path}", data=data)
        if response.status_code != 200:
            raise EmulatorError(
                f"The Stripe emulator refused {method} {path}: HTTP {response.status_code}"
            )

    def register_webhook(
        self,
        url: str,
        secret: str,
        *,
        name: str = "boxoffice",
        events: Sequence[str] | None = None,
    ) -> None:
        """Send events (all, or only `events`) to `url`, signed with `secret`, once each.

        Registrations live in the child's memory only; `name` replaces an earlier one.
        """
        data = {"url": url, "secret": secret}
        data.update({f"events[{i}]": event for i, event in enumerate(events or ())})
        self._config("POST", f"/_config/webhooks/{name}", data)

    def unregister_webhook(self, name: str = "boxoffice") -> None:
        self._config("DELETE", f"/_config/webhooks/{name}")

    def flush(self) -> None:
        """Forget every intent, payment method, charge… (webhook registrations stay)."""
        self._config("DELETE", "/_config/data")

    def set_reader_online(self, reader_id: str, online: bool) -> None:
        """Take a simulated Terminal reader off the network, or back (the emulator's own
        `POST /v1/_emulator/terminal/readers/{id}/offline|online`, not a Stripe call)."""
        verb = "online" if online else "offline"
        self._config("POST", f"/v1/_emulator/terminal/readers/{reader_id}/{verb}")

    def gateway(self, *, webhook_secret: str | None = None) -> StripeGateway:
        """A `StripeGateway` with the emulated keys, talking to this emulator."""
        return StripeGateway(
            self.secret_key,
            self.publishable_key,
            api_base=self.base_url,
            webhook_secret=webhook_secret,
        )
