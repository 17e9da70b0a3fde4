"""The Stripe emulator child process, one per test module, flushed before each test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from boxoffice.server.stripe.emulator import StripeEmulator
from boxoffice.server.stripe.gateway import StripeGateway
from tests.unit.server.stripe.emulated import WEBHOOK_SECRET


@pytest.fixture(scope="module")
def emulator() -> Iterator[StripeEmulator]:
    with StripeEmulator() as emu:
        yield emu


@pytest.fixture(autouse=True)
def _fresh(emulator: StripeEmulator) -> None:
    emulator.flush()


@pytest.fixture
def gateway(emulator: StripeEmulator) -> Iterator[StripeGateway]:
    with emulator.gateway(webhook_secret=WEBHOOK_SECRET) as gateway:
        yield gateway


@pytest.fixture
def browser(emulator: StripeEmulator) -> Iterator[httpx.Client]:
    """What Stripe.js does: form posts with the publishable key, no secret key anywhere."""
    with httpx.Client(base_url=emulator.base_url, timeout=5.0, trust_env=False) as client:
        yield client
