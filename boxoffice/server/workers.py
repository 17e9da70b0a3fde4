"""Several worker processes serving one app on one listening socket (`serve --workers N`).

The parent builds the app once (migrations, signing key, demo venue: start-up runs once),
binds the port, closes its database connections and forks the workers; each serves an
inherited listening socket with its own event loop and connection pool, and the kernel spreads
the connections between them. What must happen once across the workers is arranged in the
database layer (`db/locking.py`): the SQLite write gate is a file lock as well, and the
sweeper and the mail deliverer run in the worker holding the lead.

The parent only supervises: SIGTERM or SIGINT is passed on to the workers, which stop as a
single server does (`serving.BoundedServer`, bounded); a worker that dies otherwise is
replaced. A worker whose parent is gone (killed) stops by itself.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from boxoffice.server import serving

logger = logging.getLogger(__name__)
ORPHAN_CHECK_SECONDS = 1.0
RESPAWN_PAUSE = 1.0  # seconds between replacing workers that die at once (no fork storm)
BACKLOG = 2048


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """Bound, listening TCP sockets the workers inherit: one per worker on the same port
    with SO_REUSEPORT where the kernel balances connections between them (Linux), so a
    burst of new connections is not all taken by whichever worker wakes first; else one
    shared by all."""
    balanced = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")
    sockets: list[socket.socket] = []
    try:
        for _ in range(count if balanced else 1):
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if balanced:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]  # port 0: the others on the one chosen
            sock.listen(BACKLOG)
            sock.setblocking(False)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def serve_workers(
    app: Any,
    *,
    workers: int,
    host: str,
    port: int,
    log_level: str,
    before_fork: Callable[[], None],
    cleanup: Callable[[], None] | None = None,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
) -> int:
    """Serve `app` with `workers` processes until SIGTERM/SIGINT; the exit code.
    `before_fork()` closes what the workers must not share (the database connections)."""
    sockets = listening_sockets(host, port, workers)
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=int(serving.SHUTDOWN_GRACE),
        proxy_headers=False,  # see `serving.serve`
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )
    before_fork()
    if hasattr(app, "middleware_stack"):  # each worker builds its own (Starlette does so
        app.middleware_stack = None  # lazily): its own boot id, its own locks
    gc.freeze()  # what the app built stays shared between the workers' pages
    parent = os.getpid()
    children: dict[int, int] = {}  # pid -> worker number
    stopping = False

    def start(number: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            os._exit(_run_worker(config, sockets[number % len(sockets)], parent, number))
        children[pid] = number

    def stop(sig: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            _signal(pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for number in range(workers):
            start(number)
        logger.info("%d worker processes: %s", workers, ", ".join(map(str, children)))
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            number = children.pop(pid, -1)
            if number < 0:  # not a worker (e.g. the Stripe emulator's child)
                continue
            if not stopping:
                logger.error(
                    "worker %d (pid %d) ended (status %d); starting another", number, pid, status
                )
                time.sleep(RESPAWN_PAUSE)
                if not stopping:
                    start(number)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sock in sockets:
            sock.close()
        if cleanup is not None:
            cleanup()
    return 0


def _run_worker(config: uvicorn.Config, sock: socket.socket, parent: int, number: int) -> int:
    """One worker: serve `sock` until told to stop, or the parent is gone; the exit code."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)  # uvicorn installs its own while it serves
    server = serving.BoundedServer(config)
    watcher = threading.Thread(
        target=_stop_when_orphaned, args=(server, parent), name="orphan-watch", daemon=True
    )
    watcher.start()
    try:
        server.run(sockets=[sock])
    except BaseException:
        logger.exception("worker %d failed", number)
        return 1
    finally:
        server.disarm()
        logging.shutdown()
    return 0


def _stop_when_orphaned(server: uvicorn.Server, parent: int) -> None:
    while not server.should_exit:
        if os.getppid() != parent:
            logger.warning("the supervising process is gone; worker %d stops", os.getpid())
            server.should_exit = True
            return
        time.sleep(ORPHAN_CHECK_SECONDS)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


__all__ = ["listening_sockets", "serve_workers"]
