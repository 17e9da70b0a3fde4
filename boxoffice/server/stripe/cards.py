"""The server's card-payment gateway: real Stripe keys from settings, else the emulator."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from boxoffice.server.config import ServerSettings

if TYPE_CHECKING:  # loaded by `_build`, on first use: a server start does without Stripe
    from boxoffice.server.stripe.emulator import StripeEmulator
    from boxoffice.server.stripe.gateway import StripeGateway

logger = logging.getLogger(__name__)
TRAINING_READERS_FILE = "training-readers.json"  # the emulator's readers, kept over restarts


class CardPayments:
    """Owns the `StripeGateway`; in training mode also the emulator child process.

    The emulator starts on first use (or `warm_up()`), so a server that never takes a card
    never starts it.
    """

    def __init__(self, settings: ServerSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._gateway: StripeGateway | None = None
        self._emulator: StripeEmulator | None = None

    @property
    def training_mode(self) -> bool:
        return not self._settings.stripe_secret_key

    def gateway(self) -> StripeGateway:
        with self._lock:
            if self._gateway is None:
                self._gateway = self._build()
            return self._gateway

    def warm_up(self) -> None:
        self.gateway()

    def _build(self) -> StripeGateway:
        from boxoffice.server.stripe.emulator import StripeEmulator  # imports the `stripe` library
        from boxoffice.server.stripe.gateway import StripeGateway

        settings = self._settings
        if settings.stripe_secret_key:
            if not settings.stripe_publishable_key:
                raise RuntimeError("BOXOFFICE_STRIPE_PUBLISHABLE_KEY is missing")
            return StripeGateway(
                settings.stripe_secret_key,
                settings.stripe_publishable_key,
                webhook_secret=settings.stripe_webhook_secret,
            )
        self._emulator = StripeEmulator(
            terminal_state=settings.data_dir / TRAINING_READERS_FILE
        ).start()
        logger.info("Stripe emulator (training mode, no real money) on %s", self._emulator.base_url)
        return self._emulator.gateway(webhook_secret=settings.stripe_webhook_secret)

    @property
    def emulator(self) -> StripeEmulator | None:
        return self._emulator

    def close(self) -> None:
        with self._lock:
            if self._gateway is not None:
                self._gateway.close()
            if self._emulator is not None:
                self._emulator.stop()
            self._gateway = self._emulator = None
