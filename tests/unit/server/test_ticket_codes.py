"""Signed ticket codes: round trip, every kind of tampering, unknown events, payload size."""

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from boxoffice.server.services.codes import ALPHABET
from boxoffice.server.services.ticket_codes import (
    BAD_SIGNATURE,
    MALFORMED,
    MAX_EVENT_ID,
    MAX_PAYLOAD_LENGTH,
    TICKET_CODE_LENGTH,
    UNKNOWN_EVENT,
    InvalidTicketCode,
    VerifiedTicket,
    load_private_key,
    load_public_key,
    new_event_keypair,
    new_ticket_code,
    sign_ticket,
    verify_payload,
)

BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class Keys:
    """Two events' key pairs, loaded back from the PEM text the caller would store."""

    def __init__(self) -> None:
        self.private = {}
        self.public = {}
        for event_id in (42, 43):
            private_pem, public_pem = new_event_keypair()
            assert "PRIVATE KEY" in private_pem and "PUBLIC KEY" in public_pem
            self.private[event_id] = load_private_key(private_pem)
            self.public[event_id] = load_public_key(public_pem)

    def lookup(self, event_id: int) -> Ed25519PublicKey | None:
        return self.public.get(event_id)


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


def refused(payload, lookup) -> str:
    with pytest.raises(InvalidTicketCode) as caught:
        verify_payload(payload, lookup)
    assert caught.value.code == "invalid_ticket_code"
    assert caught.value.details == {"reason": caught.value.reason}
    return caught.value.reason


def test_round_trip(keys):
    code = new_ticket_code()
    payload = sign_ticket(keys.private[42], 42, code)
    prefix, event, got_code, signature = payload.split(".")
    assert (prefix, event, got_code) == ("BO1", "42", code)
    assert len(base64.urlsafe_b64decode(signature + "==")) == 64
    assert verify_payload(payload, keys.lookup) == VerifiedTicket(event_id=42, code=code)
    # A scanner that appends a line break still reads the same ticket.
    assert verify_payload(payload + "\r\n", keys.lookup).code == code


def test_ticket_codes_use_the_printer_safe_alphabet():
    code = new_ticket_code()
    assert len(code) == TICKET_CODE_LENGTH == 10
    assert set(code) <= set(ALPHABET)


def test_every_tampered_part_is_refused(keys):
    code = "K7QX2MPRHT"
    payload = sign_ticket(keys.private[42], 42, code)
    prefix, event, _, signature = payload.split(".")
    other_code = "K7QX2MPRHU"
    flipped = ("B" if signature[10] == "A" else "A").join([signature[:10], signature[11:]])
    cases = {
        "version": (f"BO2.{event}.{code}.{signature}", MALFORMED),
        "event id": (f"{prefix}.43.{code}.{signature}", BAD_SIGNATURE),
        "event id spelling": (f"{prefix}.042.{code}.{signature}", MALFORMED),
        "code": (f"{prefix}.{event}.{other_code}.{signature}", BAD_SIGNATURE),
        "code in lower case": (f"{prefix}.{event}.{code.lower()}.{signature}", MALFORMED),
        "code outside the alphabet": (f"{prefix}.{event}.K7QX2MPRH0.{signature}", MALFORMED),
        "signature byte": (f"{prefix}.{event}.{code}.{flipped}", BAD_SIGNATURE),
        "signature cut short": (f"{prefix}.{event}.{code}.{signature[:-1]}", MALFORMED),
        "signature padded": (f"{prefix}.{event}.{code}.{signature}==", MALFORMED),
        "extra field": (f"{payload}.x", MALFORMED),
        "empty": ("", MALFORMED),
        "not ours at all": ("https://example.com/ticket/123", MALFORMED),
    }
    for name, (tampered, reason) in cases.items():
        assert refused(tampered, keys.lookup) == reason, name


def test_trailing_bits_of_the_signature_have_one_spelling(keys):
    payload = sign_ticket(keys.private[42], 42, "K7QX2MPRHT")
    # The 86th character carries 2 signature bits and 4 unused ones; setting an unused one
    # decodes to the very same signature, and is refused all the same.
    index = BASE64URL.index(payload[-1])
    assert index % 16 == 0
    twin = payload[:-1] + BASE64URL[index + 1]
    assert base64.urlsafe_b64decode(twin.split(".")[3] + "==") == base64.urlsafe_b64decode(
        payload.split(".")[3] + "=="
    )
    assert refused(twin, keys.lookup) == MALFORMED


def test_the_wrong_event_key_is_refused(keys):
    payload = sign_ticket(keys.private[42], 42, "K7QX2MPRHT")
    assert refused(payload, lambda event_id: keys.public[43]) == BAD_SIGNATURE
    # Signed with event 43's key but claiming event 42.
    forged = sign_ticket(keys.private[43], 42, "K7QX2MPRHT")
    assert refused(forged, keys.lookup) == BAD_SIGNATURE


def test_an_unknown_event_is_refused(keys):
    payload = sign_ticket(keys.private[42], 44, "K7QX2MPRHT")
    assert refused(payload, keys.lookup) == UNKNOWN_EVENT


def test_payload_length_is_bounded(keys):
    longest = sign_ticket(keys.private[42], MAX_EVENT_ID, new_ticket_code())
    assert len(longest) == MAX_PAYLOAD_LENGTH == 111
    assert len(sign_ticket(keys.private[42], 42, new_ticket_code())) == 104
    with pytest.raises(ValueError):
        sign_ticket(keys.private[42], MAX_EVENT_ID + 1, new_ticket_code())
    with pytest.raises(ValueError):
        sign_ticket(keys.private[42], 0, new_ticket_code())
    with pytest.raises(ValueError):
        sign_ticket(keys.private[42], 42, "SHORT")
    assert refused(longest.replace("BO1.", "BO1.1"), keys.lookup) == MALFORMED


def test_ten_thousand_codes_are_distinct():
    codes = {new_ticket_code() for _ in range(10_000)}
    assert len(codes) == 10_000


def test_keys_of_another_kind_are_rejected():
    other = Ed448PrivateKey.generate()
    private_pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        other.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(ValueError, match="Ed25519"):
        load_private_key(private_pem)
    with pytest.raises(ValueError, match="Ed25519"):
        load_public_key(public_pem)
