"""Verifying a venue server's TLS certificate: by a CA file, or by its pinned SHA-256
fingerprint (a self-signed certificate, as `boxoffice serve --tls-self-signed` makes).

A pinned fingerprint is checked right after the TLS handshake, before any byte of a request
(a password, a token) is sent: the SSL objects of the context compare the SHA-256 of the
certificate the server presented with the pin, and end the handshake if they differ. The
host name is not checked then: the pin names the one certificate that is accepted.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import socket
import ssl
from urllib.parse import urlsplit

_FINGERPRINT_RE = re.compile(r"^(?:sha256:)?((?:[0-9a-f]{2}:?){31}[0-9a-f]{2})$")

Verify = str | os.PathLike[str] | ssl.SSLContext | None
"""What the SDK verifies a server's certificate with: None for the system's CAs, a CA file
(path), a pinned SHA-256 fingerprint (64 hex digits, colons allowed), or an SSL context."""


def normalize_fingerprint(text: str) -> str | None:
    """`AB:CD:…` (the form `boxoffice serve` prints) for a SHA-256 fingerprint written with or
    without colons, in either case, optionally after `sha256:`; None if `text` is not one."""
    match = _FINGERPRINT_RE.match(text.strip().lower().replace(" ", ""))
    if match is None:
        return None
    digits = match.group(1).replace(":", "")
    return ":".join(digits[i : i + 2] for i in range(0, 64, 2)).upper()


def certificate_fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint of a DER certificate, as `AB:CD:…`."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2))


class FingerprintMismatch(ssl.SSLCertVerificationError):
    """The server presented a certificate other than the pinned one."""

    def __init__(self, presented: str, pinned: str) -> None:
        super().__init__(
            f"the server's certificate fingerprint {presented} does not match the pinned {pinned}"
        )
        self.presented = presented
        self.pinned = pinned

    def __str__(self) -> str:
        return str(self.args[0])


class _PinnedSSLObject(ssl.SSLObject):
    """An SSL object (asyncio, anyio) that checks the pin once the handshake is done."""

    def do_handshake(self) -> None:
        super().do_handshake()
        context = self.context
        if isinstance(context, _PinningContext):
            context.check(self.getpeercert(binary_form=True))


class _PinnedSSLSocket(ssl.SSLSocket):
    """A blocking SSL socket (sync clients) that checks the pin once the handshake is done."""

    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        context = self.context
        if isinstance(context, _PinningContext):
            context.check(self.getpeercert(binary_form=True))


class _PinningContext(ssl.SSLContext):
    pinned: str

    def check(self, der: bytes | None) -> None:
        presented = certificate_fingerprint(der) if der else "(none)"
        if presented != self.pinned:
            raise FingerprintMismatch(presented, self.pinned)


def pinning_context(fingerprint: str) -> ssl.SSLContext:
    """A client context that accepts exactly the certificate with this SHA-256 fingerprint."""
    pinned = normalize_fingerprint(fingerprint)
    if pinned is None:
        raise ValueError(f"not a SHA-256 fingerprint: {fingerprint!r}")
    context = _PinningContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the pin is checked instead, after the handshake
    context.pinned = pinned
    context.sslobject_class = _PinnedSSLObject  # asyncio and anyio (httpx.AsyncClient)
    context.sslsocket_class = _PinnedSSLSocket  # blocking sockets (httpx.Client)
    return context


def ssl_context(verify: Verify) -> ssl.SSLContext:
    """The client SSL context for `verify` (see `Verify`)."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is None:
        return ssl.create_default_context()
    if isinstance(verify, str) and normalize_fingerprint(verify) is not None:
        return pinning_context(verify)
    path = os.fspath(verify)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no CA file at {path}")
    return ssl.create_default_context(cafile=path)


def _presented_fingerprint(url: str, timeout: float) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or 443
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only to read the certificate; nothing is sent
    with (
        socket.create_connection((host, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    if not der:
        raise ssl.SSLError("the server presented no certificate")
    return certificate_fingerprint(der)


async def fetch_fingerprint(url: str, *, timeout: float = 10.0) -> str:
    """The SHA-256 fingerprint of the certificate an https server presents (not verified:
    show it to a person, who compares it with the one the server printed, before pinning)."""
    return await asyncio.to_thread(_presented_fingerprint, url, timeout)


def mismatch_in(exc: BaseException | None) -> ssl.SSLCertVerificationError | None:
    """The certificate failure behind an HTTP client's connection error, if there is one."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLCertVerificationError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


__all__ = [
    "FingerprintMismatch",
    "Verify",
    "certificate_fingerprint",
    "fetch_fingerprint",
    "normalize_fingerprint",
    "pinning_context",
    "ssl_context",
]
