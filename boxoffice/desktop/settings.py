"""The desktop app's settings (Qt-free): which API, which organizer, which printer."""

from __future__ import annotations

import enum
import os
from typing import Literal

from pydantic import BaseModel

from boxoffice.sdk import API_URL_ENV, is_tickethead_url


class Mode(enum.StrEnum):
    """Where the app sells: its own child server, a venue server on the LAN, or Tickethead."""

    EMBEDDED = "embedded"
    VENUE = "venue"
    TICKETHEAD = "tickethead"

    @property
    def label(self) -> str:
        return {
            Mode.EMBEDDED: "Training — no real money",
            Mode.VENUE: "Venue server",
            Mode.TICKETHEAD: "Tickethead",
        }[self]


class AppSettings(BaseModel):
    """What a counter remembers between runs (kept by `ui.settings_store` in QSettings)."""

    api_url: str | None = None  # None: the embedded venue server
    organizer: str = "demo"
    printer: str | None = None  # None: the system's default printer
    auto_print: bool = True
    ticket_size: Literal["a4", "ticket"] = "a4"
    save_folder: str | None = None
    last_user: str | None = None

    def effective_api_url(self) -> str | None:
        """The API URL from the environment (for scripts and kiosks) or the saved setting."""
        return os.environ.get(API_URL_ENV) or self.api_url or None

    @property
    def mode(self) -> Mode:
        url = self.effective_api_url()
        if url is None:
            return Mode.EMBEDDED
        if is_tickethead_url(url):
            return Mode.TICKETHEAD  # a bare Tickethead host, or a tenant's (`demo.api…`)
        return Mode.VENUE
