"""Ticket codes, and QR payloads that a scanner verifies offline with the event's public key.

Every ticket gets a unique code of `TICKET_CODE_LENGTH` characters from the printer-safe
alphabet of order codes (`codes.ALPHABET`: no o/0/1/i/l). Each event has its own Ed25519 key
pair; the server keeps the private key and hands the public key to the scanners.

The QR payload is four fields joined by dots:

    BO1.<event_id>.<ticket_code>.<signature>

- `BO1` names the format and its version.
- `event_id` is the event's id in decimal, without sign or leading zeros (1 to 9 digits).
- `ticket_code` is the ticket's code, exactly as issued (upper case).
- `signature` is the 64-byte Ed25519 signature, base64url without padding (86 characters),
  over the UTF-8 bytes of `BO1|<event_id>|<ticket_code>`.

For example, ticket PAUD6JHXZR of event 42 (104 characters):

    BO1.42.PAUD6JHXZR.22uA45zgKBSvMzMqQQmYp5jLeBLioCQVYPR0-F7FBr5BrJpAinpsCRixfskaC-jhTHI9mTr8BuAJyamKV9DQDQ

The longest payload (a nine-digit event id) has 111 characters, which a QR code holds in byte
mode at error correction M in version 7 (45×45 modules, up to 122 bytes; 104 fit version 6).

Each field has exactly one spelling, so a payload that verifies can only be the one the server
signed. The signature proves the server issued the ticket; it cannot say that the ticket is
still valid. A scanner therefore also needs the list of invalidated codes (from the ownership
ledger) and remembers which codes it has already let in.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from boxoffice.server.errors import InvalidInput
from boxoffice.server.services.codes import ALPHABET

VERSION = "BO1"
TICKET_CODE_LENGTH = 10  # 31**10 ≈ 8·10**14 codes, about 50 bits
_SIGNATURE_CHARS = 86  # 64 bytes in unpadded base64url
MAX_EVENT_ID = 10**9 - 1  # nine digits at most keep every payload within MAX_PAYLOAD_LENGTH
_PAYLOAD = re.compile(
    rf"{VERSION}\.([1-9][0-9]{{0,8}})\.([{re.escape(ALPHABET)}]{{{TICKET_CODE_LENGTH}}})"
    rf"\.([A-Za-z0-9_-]{{{_SIGNATURE_CHARS}}})"
)
MAX_PAYLOAD_LENGTH = len(f"{VERSION}.{MAX_EVENT_ID}.{'X' * TICKET_CODE_LENGTH}.") + _SIGNATURE_CHARS

# Why a payload was refused, in `InvalidTicketCode.reason`.
MALFORMED = "malformed"
UNKNOWN_EVENT = "unknown_event"
BAD_SIGNATURE = "bad_signature"


class InvalidTicketCode(InvalidInput):
    """A scanned payload is not a ticket of ours: `reason` is malformed, unknown_event or
    bad_signature."""

    default_code = "invalid_ticket_code"

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(
            message or "This is not a valid ticket code.",
            code=self.default_code,
            details={"reason": reason},
        )
        self.reason = reason


@dataclass(frozen=True)
class VerifiedTicket:
    """What a payload with a good signature says: this code is a ticket of this event."""

    event_id: int
    code: str


def new_ticket_code() -> str:
    """A random ticket code; the caller keeps codes unique (a unique column, retry on clash)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(TICKET_CODE_LENGTH))


def is_ticket_code(code: str) -> bool:
    return len(code) == TICKET_CODE_LENGTH and all(c in ALPHABET for c in code)


# --- keys ----------------------------------------------------------------------------------


def new_private_pem() -> str:
    """A fresh Ed25519 private key as unencrypted PKCS#8 PEM (also the access-token key's)."""
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def new_event_keypair() -> tuple[str, str]:
    """A fresh Ed25519 key pair for one event as `(private_pem, public_pem)`; the caller stores
    both (the private key in PKCS#8, the public key as SubjectPublicKeyInfo)."""
    private_pem = new_private_pem()
    public_pem = (
        load_private_key(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def load_private_key(pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def load_public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


# --- signing and verifying -----------------------------------------------------------------


def _signed_bytes(event_id: int, code: str) -> bytes:
    return f"{VERSION}|{event_id}|{code}".encode()


def sign_ticket(private_key: Ed25519PrivateKey, event_id: int, code: str) -> str:
    """The QR payload for ticket `code` of event `event_id` (format in the module docstring)."""
    if not 0 < event_id <= MAX_EVENT_ID:
        raise ValueError(f"event id out of range: {event_id}")
    if not is_ticket_code(code):
        raise ValueError(f"not a ticket code: {code!r}")
    signature = private_key.sign(_signed_bytes(event_id, code))
    encoded = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    return f"{VERSION}.{event_id}.{code}.{encoded}"


def verify_payload(
    payload: str, public_key_for_event: Callable[[int], Ed25519PublicKey | None]
) -> VerifiedTicket:
    """Check a scanned payload offline; `public_key_for_event` gives an event's key, or None
    for an event the scanner does not know. Raises `InvalidTicketCode`."""
    match = _PAYLOAD.fullmatch(payload.strip())
    if match is None:
        raise InvalidTicketCode(MALFORMED, "This is not a Box Office ticket code.")
    event_text, code, encoded = match.groups()
    try:
        signature = base64.urlsafe_b64decode(encoded + "==")
    except (binascii.Error, ValueError) as exc:
        raise InvalidTicketCode(MALFORMED, "The ticket code's signature is unreadable.") from exc
    # 86 characters carry 4 bits more than 64 bytes; only the spelling with zeros is accepted.
    if base64.urlsafe_b64encode(signature).rstrip(b"=").decode() != encoded:
        raise InvalidTicketCode(MALFORMED, "The ticket code's signature is unreadable.")
    event_id = int(event_text)
    public_key = public_key_for_event(event_id)
    if public_key is None:
        raise InvalidTicketCode(UNKNOWN_EVENT, "This ticket is for an event this scanner lacks.")
    try:
        public_key.verify(signature, _signed_bytes(event_id, code))
    except InvalidSignature as exc:
        raise InvalidTicketCode(BAD_SIGNATURE, "This ticket code is forged or damaged.") from exc
    return VerifiedTicket(event_id=event_id, code=code)
