"""Child-process entry of the Stripe emulator: localstripe on 127.0.0.1, in memory only, behind
the Stripe.js compatibility layer (`emulator_compat`).

    python -m boxoffice.server.stripe.emulator_process --port N [--parent-pid P]
        [--stdin-lifeline]

localstripe's own command listens on every interface and pickles its store to /tmp on every
write; this runs its aiohttp application on 127.0.0.1 only, in memory only.

The process stops when its parent closes stdin (`--stdin-lifeline`), when the parent
process is gone (`--parent-pid`, checked every second on POSIX), or on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from boxoffice.server.stripe.emulator_compat import EXIT_BIND_FAILED, HOST, build_app

logger = logging.getLogger(__name__)


# --- process life ------------------------------------------------------------------------


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Stop when stdin reaches end of file: the parent closed it or died."""

    def read_until_eof() -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            fd = sys.stdin.fileno()
            while os.read(fd, 4096):
                pass
        with contextlib.suppress(RuntimeError):  # the loop has already closed
            loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=read_until_eof, name="parent-lifeline", daemon=True).start()


async def _watch_parent(parent_pid: int, stop: asyncio.Event) -> None:
    """Stop when the parent is gone (POSIX re-parents orphans, so getppid changes)."""
    while not stop.is_set():
        if os.getppid() != parent_pid:
            logger.warning("Parent process %d is gone; stopping", parent_pid)
            stop.set()
            return
        await asyncio.sleep(1.0)


async def serve(
    port: int,
    *,
    parent_pid: int | None,
    stdin_lifeline: bool,
    terminal_state: Path | None = None,
) -> int:
    app = build_app(port=port, terminal_state=terminal_state)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, HOST, port)
    try:
        await site.start()
    except OSError as exc:
        logger.error("Cannot listen on %s:%d: %s", HOST, port, exc)
        await runner.cleanup()
        return EXIT_BIND_FAILED
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(signum, stop.set)
    if stdin_lifeline:
        _watch_stdin(loop, stop)
    watcher = None
    if parent_pid is not None and os.name == "posix":
        watcher = asyncio.create_task(_watch_parent(parent_pid, stop))
    await stop.wait()
    if watcher is not None:
        watcher.cancel()
    await runner.cleanup()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, default=None)
    parser.add_argument("--stdin-lifeline", action="store_true")
    parser.add_argument("--terminal-state", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING,
        stream=sys.stderr,
        format="stripe-emulator %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(
        serve(
            args.port,
            parent_pid=args.parent_pid,
            stdin_lifeline=args.stdin_lifeline,
            terminal_state=args.terminal_state,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
