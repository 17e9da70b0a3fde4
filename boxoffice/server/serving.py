"""Running the venue server under uvicorn with a bounded shutdown.

On SIGTERM (or Ctrl+C) uvicorn stops accepting connections and waits up to
`SHUTDOWN_GRACE` seconds for the requests in flight, then cancels them. A request stuck in a
worker thread (a lock wait, a database or Stripe call) cannot be cancelled, and would keep the
process alive until it ends — minutes, or for ever. So a watchdog armed when the shutdown
starts ends the process `SHUTDOWN_MARGIN` seconds later: the stuck requests are abandoned, and
their transactions, never committed, are rolled back by the database (PostgreSQL when the
connection drops, SQLite at the next open of the file).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import uvicorn

logger = logging.getLogger(__name__)

SHUTDOWN_GRACE = 10.0  # seconds uvicorn waits for requests in flight before cancelling them
SHUTDOWN_MARGIN = 5.0  # then for cancelled tasks and the lifespan's shutdown, at most
ABANDONED_EXIT_CODE = 1


class BoundedServer(uvicorn.Server):
    """A uvicorn server whose shutdown ends the process within grace + margin seconds;
    `on_started()` is called once it listens (it must not block: it runs on the event loop)."""

    def __init__(
        self,
        config: uvicorn.Config,
        cleanup: Callable[[], None] | None = None,
        on_started: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(config)
        self._cleanup = cleanup
        self._on_started = on_started
        self._watchdog: threading.Timer | None = None

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started and self._on_started is not None:
            self._on_started()

    async def shutdown(self, sockets: Any = None) -> None:
        if self._watchdog is None:
            self._watchdog = threading.Timer(SHUTDOWN_GRACE + SHUTDOWN_MARGIN, self._abandon)
            self._watchdog.daemon = True
            self._watchdog.start()
        await super().shutdown(sockets)

    def disarm(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()

    def _abandon(self) -> None:
        logger.error(
            "shutdown took over %.0f s: abandoning the requests still running; "
            "their transactions are rolled back",
            SHUTDOWN_GRACE + SHUTDOWN_MARGIN,
        )
        if self._cleanup is not None:  # e.g. stop the Stripe emulator child; bounded too
            helper = threading.Thread(target=self._cleanup, daemon=True)
            helper.start()
            helper.join(timeout=2)
        logging.shutdown()
        os._exit(ABANDONED_EXIT_CODE)


def serve(
    app: Any,
    *,
    host: str,
    port: int,
    log_level: str,
    cleanup: Callable[[], None] | None = None,
    on_started: Callable[[], None] | None = None,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
) -> None:
    """Serve `app` until SIGTERM/SIGINT; the process ends within `SHUTDOWN_GRACE` +
    `SHUTDOWN_MARGIN` seconds of the signal, whatever its requests are doing. With
    `ssl_certfile` and `ssl_keyfile` (PEM) it speaks HTTPS only. `on_started()` is called
    on the event loop once the server listens."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=int(SHUTDOWN_GRACE),
        # The client address is the socket's: sign-in throttling counts per address, and
        # X-Forwarded-For (which uvicorn trusts from 127.0.0.1 by default) would let any
        # local process claim another address. No proxy is put in front of this server.
        proxy_headers=False,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )
    server = BoundedServer(config, cleanup, on_started)
    try:
        server.run()
    finally:
        server.disarm()


__all__ = ["SHUTDOWN_GRACE", "SHUTDOWN_MARGIN", "BoundedServer", "serve"]
