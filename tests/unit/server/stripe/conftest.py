"""The Stripe emulator child process, one per test module, flushed before each test; and a
webhook receiver registered with it."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from boxoffice.server.stripe.emulator import StripeEmulator
from boxoffice.server.stripe.gateway import StripeGateway
from tests.unit.server.stripe.emulated import WAIT, WEBHOOK_SECRET


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


class _Receiver(BaseHTTPRequestHandler):
    calls: queue.Queue[tuple[bytes, str | None]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.calls.put((body, self.headers.get("Stripe-Signature")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(
    emulator: StripeEmulator,
) -> Iterator[tuple[str, queue.Queue[tuple[bytes, str | None]]]]:
    calls: queue.Queue[tuple[bytes, str | None]] = queue.Queue()
    handler = type("Receiver", (_Receiver,), {"calls": calls})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/stripe/webhook"
    emulator.register_webhook(url, WEBHOOK_SECRET, name="test")
    try:
        yield url, calls
    finally:
        emulator.unregister_webhook("test")
        server.shutdown()
        server.server_close()
        thread.join(WAIT)
