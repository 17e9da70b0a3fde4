"""The desktop app's settings (Qt-free): which API, which organizer, which printer."""

from __future__ import annotations

import enum
import os
import socket
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from boxoffice.i18n import N_, _
from boxoffice.sdk import API_URL_ENV, is_tickethead_url

TRAINING_LABEL = N_("Training — no real money")  # shown as `_(TRAINING_LABEL)`


class Mode(enum.StrEnum):
    """Where the app sells: its own child server, a venue server on the LAN, or Tickethead."""

    EMBEDDED = "embedded"
    VENUE = "venue"
    TICKETHEAD = "tickethead"

    @classmethod
    def of(cls, api_url: str | None) -> Mode:
        """The mode of a run on `api_url` (None: the embedded venue server)."""
        if api_url is None:
            return cls.EMBEDDED
        if is_tickethead_url(api_url):
            return cls.TICKETHEAD  # a bare Tickethead host, or a tenant's (`demo.api…`)
        return cls.VENUE

    @property
    def label(self) -> str:
        """The mode's name in the language in use."""
        return {
            Mode.EMBEDDED: _(TRAINING_LABEL),
            Mode.VENUE: _("Venue server"),
            Mode.TICKETHEAD: "Tickethead",  # a product's name
        }[self]

    def status_label(self, training: bool | None) -> tuple[str, bool]:
        """The status bar's mode text, and whether it is the training banner: shown while the
        server says it is in training mode (before it has said: in embedded mode)."""
        if training is None:
            training = self is Mode.EMBEDDED
        if training:
            return _(TRAINING_LABEL), True
        return (_("Built-in server") if self is Mode.EMBEDDED else self.label), False


def server_origin(url: str) -> str:
    """`scheme://host:port` of `url` (the port written out), what a pin is kept for."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{parts.hostname or ''}:{port}"


def default_counter_name() -> str:
    """This computer's name, as a counter (a till) is first called: at most 64 characters."""
    return (socket.gethostname().split(".")[0] or "Counter")[:64]


class AppSettings(BaseModel):
    """What a counter remembers between runs (kept by `ui.settings_store` in QSettings)."""

    api_url: str | None = None  # None: the embedded venue server
    organizer: str = "demo"
    # The till this computer is: cash is booked against this counter's open shift.
    counter_name: str = Field(default_factory=default_counter_name, min_length=1, max_length=64)
    printer: str | None = None  # None: no printer, the tickets are saved to the save folder
    printer_asked: bool = False  # the first start's question (a printer or save only) answered
    auto_print: bool = True
    # Receipts: the printer they go to (None: no receipts printed; "PDF file": the save
    # folder), and whether one is printed after each paid sale.
    receipt_printer: str | None = None
    print_receipts: bool = False
    ticket_size: Literal["a4", "ticket"] = "a4"
    save_folder: str | None = None
    last_user: str | None = None
    # This computer starts as a self-service kiosk (`boxoffice --kiosk`); only staff switch
    # it on (counter Settings) or off (the kiosk's staff exit).
    kiosk: bool = False
    # TLS of a venue server on the LAN: a CA file that vouches for its certificate, or the
    # SHA-256 fingerprint of its certificate, pinned when the cashier accepted it for the
    # server at `tls_pinned_for` (scheme://host:port).
    tls_ca_file: str | None = None
    tls_fingerprint: str | None = None
    tls_pinned_for: str | None = None
    # The look: text at this scale (Settings → Larger text: 1.25) and the theme.
    text_scale: float = Field(default=1.0, ge=1.0, le=2.0)
    theme: Literal["light", "high-contrast"] = "light"
    # The language of the window (Settings → Language); None: the system's.
    language: Literal["en", "cs", "de"] | None = None

    def tls_verify(self, url: str) -> str | None:
        """What the certificate of the server at `url` is verified with: its pinned
        fingerprint, the CA file, or None (the system's CAs)."""
        if self.tls_fingerprint and self.tls_pinned_for == server_origin(url):
            return self.tls_fingerprint
        return self.tls_ca_file or None

    def needs_trust_question(self, url: str) -> bool:
        """Whether an unknown self-signed certificate at `url` may be offered for pinning: an
        https venue server with neither a CA file nor a pin of its own."""
        return (
            urlsplit(url).scheme == "https"
            and not is_tickethead_url(url)
            and self.tls_verify(url) is None
        )

    def pin_certificate(self, url: str, fingerprint: str) -> None:
        """Trust the certificate with `fingerprint` for the server at `url` from now on."""
        self.tls_fingerprint = fingerprint
        self.tls_pinned_for = server_origin(url)

    def effective_api_url(self) -> str | None:
        """The API URL from the environment (for scripts and kiosks) or the saved setting."""
        return os.environ.get(API_URL_ENV) or self.api_url or None

    @property
    def mode(self) -> Mode:
        return Mode.of(self.effective_api_url())
