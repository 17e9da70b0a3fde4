"""The QR symbol of a payload (error correction M) with qrcode's own mask, from a single build.

Why this exists: qrcode's `make()` picks the mask (`best_mask_pattern`) by building the whole
symbol eight times in pure Python and scoring each build with `util.lost_point`. For a ticket
payload (`BO1.<event>.<code>.<signature>`, 104–111 characters) that takes about 6 ms, against
under 3 ms here: with it a two-ticket PDF took ~24 ms instead of ~16 ms (the target is 30 ms)
and a 50-ticket PDF ~450 ms instead of ~260 ms (benchmarks/tickets.py, 2 shared CPUs). The
masks differ only in the data modules, so this module builds the
symbol once with mask 0 and derives the other seven with integer XORs: each row is an int,
bit (size - 1 - column) set for a dark module. The penalty is the one qrcode computes (its
rules 1–4, with the format and version modules light, as its test builds leave them), so the
chosen mask and the final matrix are exactly what `qrcode.QRCode(...).make(fit=True)` gives.

It reads qrcode internals (`setup_*` pattern methods, `util.mask_func`, the scoring rules),
so pyproject.toml bounds qrcode to the versions tests/unit/server/ticketoutput/test_qr_mask.py
has checked, over many payloads, that the mask and the matrix agree with qrcode's own.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import qrcode  # type: ignore[import-untyped]
from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]
from qrcode.util import mask_func  # type: ignore[import-untyped]


@dataclass(frozen=True, slots=True)
class QrSymbol:
    """A QR symbol without its quiet zone: `rows[r]` has bit (size - 1 - c) set when the
    module in row r, column c is dark."""

    version: int
    mask: int
    rows: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.rows)

    def matrix(self) -> list[list[bool]]:
        """Rows of dark (True) / light modules."""
        size = self.size
        return [[bool(row >> (size - 1 - c) & 1) for c in range(size)] for row in self.rows]


@functools.lru_cache(maxsize=1024)
def qr_symbol(payload: str) -> QrSymbol:
    """The symbol `qrcode.make(fit=True)` makes for `payload` at error correction M."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, mask_pattern=0)
    qr.add_data(payload)
    qr.make(fit=True)
    layout = _qr_layout(qr.version)
    base = [_bits(row) ^ flip for row, flip in zip(qr.modules, layout.masks[0], strict=True)]

    def masked(mask: int) -> list[int]:
        return [
            (row ^ flip) & ~info
            for row, flip, info in zip(base, layout.masks[mask], layout.info, strict=True)
        ]

    best = min(range(8), key=lambda mask: _penalty(masked(mask), layout.size))
    rows = tuple(
        row | value for row, value in zip(masked(best), layout.info_values[best], strict=True)
    )
    return QrSymbol(version=qr.version, mask=best, rows=rows)


@dataclass(frozen=True, slots=True)
class _QrLayout:
    size: int
    info: tuple[int, ...]  # format/version-information modules, per row
    masks: tuple[tuple[int, ...], ...]  # data modules each mask flips, per mask and row
    info_values: tuple[tuple[int, ...], ...]  # the real information bits, per mask and row


def _bits(row: Sequence[bool | None]) -> int:
    value = 0
    for cell in row:
        value = (value << 1) | bool(cell)
    return value


@functools.cache
def _qr_layout(version: int) -> _QrLayout:
    """Where the data and information modules of a version-`version` symbol (EC M) are."""

    size = version * 4 + 17

    def build(*, patterns: bool, information: bool | None, mask: int = 0) -> list[list[Any]]:
        """A scratch grid with the function patterns and/or the information modules set
        (`information`: True = qrcode's light test values, False = the real bits)."""
        qr = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M)
        qr.modules_count = size
        qr.modules = [[None] * size for _ in range(size)]
        if patterns:  # in the order of qrcode's makeImpl
            qr.setup_position_probe_pattern(0, 0)
            qr.setup_position_probe_pattern(size - 7, 0)
            qr.setup_position_probe_pattern(0, size - 7)
            qr.setup_position_adjust_pattern()
            qr.setup_timing_pattern()
        if information is not None:
            qr.setup_type_info(information, mask)
            if version >= 7:
                qr.setup_type_number(information)
        return list(qr.modules)

    data = [[cell is None for cell in row] for row in build(patterns=True, information=True)]
    info = [
        _bits([cell is not None for cell in row]) for row in build(patterns=False, information=True)
    ]
    masks = []
    values = []
    for mask in range(8):
        flips = mask_func(mask)
        masks.append(
            tuple(_bits([data[r][c] and flips(r, c) for c in range(size)]) for r in range(size))
        )
        real = build(patterns=False, information=False, mask=mask)
        values.append(tuple(_bits(row) for row in real))
    return _QrLayout(size, tuple(info), tuple(masks), tuple(values))


_RUNS = re.compile(r"0{5,}|1{5,}")


def _penalty(rows: Sequence[int], size: int) -> int:
    """qrcode's `util.lost_point` on a matrix given as row ints."""
    lines = [format(row, f"0{size}b") for row in rows]
    columns = ["".join(column) for column in zip(*lines, strict=True)]
    text = " ".join(lines + columns)  # the spaces end runs and patterns at each line's end
    points = sum(len(run) - 2 for run in _RUNS.findall(text))
    points += 40 * (text.count("10111010000") + text.count("00001011101"))  # no self-overlap
    full = (1 << size) - 1
    for upper, lower in itertools.pairwise(rows):
        dark = upper & lower
        light = full & ~(upper | lower)
        points += 3 * ((dark & dark >> 1).bit_count() + (light & light >> 1).bit_count())
    percent = sum(row.bit_count() for row in rows) / size**2
    return points + int(abs(percent * 100 - 50) / 5) * 10
