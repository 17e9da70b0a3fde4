"""Where one run of the desktop app (counter or kiosk) sells: `--api` for this run only, else
the saved API URL, else the embedded venue server, started here as a child process."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from boxoffice import paths
from boxoffice.desktop.embedded import EmbeddedServer, ServerStatus
from boxoffice.desktop.settings import AppSettings, Mode


@dataclass
class ServerLink:
    """Where one run sells: the API's base URL and mode, the embedded server (when no API is
    configured) and a future that is done when the API can be used."""

    mode: Mode
    base_url: str
    data_dir: Path
    server: EmbeddedServer | None
    ready: asyncio.Future[None]
    # How the server's certificate is verified (`AppSettings.tls_verify`); None for the
    # embedded server (plain HTTP on loopback) or the system's CAs.
    verify: str | None = None


def link_server(
    args: argparse.Namespace,
    settings: AppSettings,
    stack: AsyncExitStack,
    *,
    on_state: Callable[[ServerStatus, str], None] | None = None,
) -> ServerLink:
    """The API of this run: `--api` (for this run only, never saved), else the settings', else
    the embedded server, started here (it boots while the window is built; `stack` stops it)."""
    api_url = args.api or settings.effective_api_url()
    mode = Mode.of(api_url)
    data_dir = args.data_dir or paths.default_data_dir()
    ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    if mode is not Mode.EMBEDDED:
        ready.set_result(None)
        base_url = api_url or ""
        return ServerLink(mode, base_url, data_dir, None, ready, settings.tls_verify(base_url))
    server = EmbeddedServer(data_dir, on_state=on_state)
    stack.push_async_callback(server.stop)
    return ServerLink(
        mode, server.base_url, data_dir, server, asyncio.ensure_future(server.start())
    )
