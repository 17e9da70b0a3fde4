"""The one-build mask choice (`qr_mask.qr_symbol`) against qrcode's own: same mask, same matrix.

qr_mask reads qrcode internals, so this is what pyproject.toml's bound on qrcode rests on.
"""

import random
import string

import pytest
import qrcode  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

from boxoffice.server.services import ticket_codes
from boxoffice.server.ticketoutput.qr_mask import qr_symbol


def ticket_payloads(count: int) -> list[str]:
    """Real signed ticket payloads, `BO1.<event>.<code>.<signature>` (104–111 characters)."""
    rng = random.Random(11)
    key = Ed25519PrivateKey.generate()
    return [
        ticket_codes.sign_ticket(
            key,
            rng.choice([42, 4242, 987_654, ticket_codes.MAX_EVENT_ID]),
            ticket_codes.new_ticket_code(),
        )
        for _ in range(count)
    ]


def other_payloads() -> list[str]:
    """Lengths from 1 to 700 characters (versions 1 to 25: with and without version
    information), byte mode included ("ř")."""
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + ".-_~ř"
    lengths = [1, 5, 10, 20, 40, 60, 80, 100, 107, 130, 160, 200, 250, 320, 400, 550, 700]
    return ["".join(rng.choice(alphabet) for _ in range(n)) for n in lengths * 3]


def qrcode_own(payload: str) -> tuple[int, list[list[bool]]]:
    """qrcode's mask (`best_mask_pattern`) and matrix (`make(fit=True)`), no quiet zone."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(payload)
    qr.make(fit=True)
    matrix = [[bool(module) for module in row] for row in qr.get_matrix()]
    return qr.best_mask_pattern(), matrix


def test_ticket_payloads_are_realistic():
    lengths = {len(payload) for payload in ticket_payloads(50)}
    assert min(lengths) >= 104 and max(lengths) <= 111


@pytest.mark.parametrize(
    "payloads", [ticket_payloads(120), other_payloads()], ids=["tickets", "lengths"]
)
def test_same_mask_and_matrix_as_qrcode(payloads):
    masks = set()
    for payload in payloads:
        mask, matrix = qrcode_own(payload)
        symbol = qr_symbol(payload)
        assert (symbol.mask, symbol.matrix()) == (mask, matrix), payload
        assert symbol.size == len(matrix) == symbol.version * 4 + 17
        masks.add(mask)
    assert len(masks) >= 6  # the payloads exercise (almost) every mask, not one or two


def test_rows_hold_the_matrix():
    symbol = qr_symbol("BO1.42.PAUD6JHXZR.x")
    for row, cells in zip(symbol.rows, symbol.matrix(), strict=True):
        assert row == int("".join("1" if cell else "0" for cell in cells), 2)
