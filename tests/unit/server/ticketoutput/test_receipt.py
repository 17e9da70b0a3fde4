"""The receipt renderer alone: roll and A4, sale and refund, read back with pdftotext and
the QR decoded with zbar; the tax arithmetic per rate."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from boxoffice.server.services.receipts import tax_included, taxes_by_rate
from boxoffice.server.ticketoutput.receipt import (
    PaymentLine,
    ReceiptLine,
    ReceiptView,
    render_receipt,
)
from tests.helpers.qr import decode_qr, rasterise, require_tools


def view(**changes: object) -> ReceiptView:
    lines = [
        ReceiptLine(
            "Stalls",
            2,
            Decimal("45.00"),
            Decimal("36.00"),
            Decimal("72.00"),
            Decimal("13"),
            ("Student",),
        ),
        ReceiptLine(
            "Gala dinner", 1, Decimal("30.00"), Decimal("30.00"), Decimal("30.00"), Decimal("20")
        ),
    ]
    base: dict[str, object] = {
        "kind": "sale",
        "organizer_name": "Stadthalle Demo",
        "organizer_address": "Stadthalle Demo GmbH\nHauptplatz 1\n1010 Wien",
        "organizer_vat_id": "ATU12345678",
        "event_name": "Symphony Evening: Dvořák & Brahms",
        "event_start": datetime(2026, 12, 12, 19, 0, tzinfo=UTC),
        "timezone_name": "Europe/Vienna",
        "order_code": "K7M2QX",
        "currency": "EUR",
        "lines": lines,
        "taxes": taxes_by_rate([(7200, 1300), (3000, 2000)], "EUR"),
        "total": Decimal("102.00"),
        "payments": [
            PaymentLine("cash", Decimal("50.00"), Decimal("60.00"), Decimal("10.00")),
            PaymentLine("card", Decimal("52.00")),
        ],
        "issued_at": datetime(2026, 12, 4, 17, 42, tzinfo=UTC),
        "cashier": "Anna Berger",
        "counter": "Till 1",
        "receipt_number": "S-42",
    }
    base.update(changes)
    return ReceiptView(**base)  # type: ignore[arg-type]


def text_of(pdf: bytes, folder: Path) -> str:
    path = folder / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split())


def test_tax_per_rate_is_exact():
    assert tax_included(7200, 1300) == 828  # 8.283… → 8.28
    assert tax_included(3000, 2000) == 500
    assert tax_included(105, 1000) == 10  # 9.545… → 10 (half up)
    (thirteen, twenty) = taxes_by_rate([(7000, 1300), (200, 1300), (3000, 2000), (500, 0)], "EUR")
    assert (thirteen.gross, thirteen.tax, thirteen.net) == (
        Decimal("72.00"),
        Decimal("8.28"),
        Decimal("63.72"),
    )
    assert (twenty.gross, twenty.tax, twenty.net) == (
        Decimal("30.00"),
        Decimal("5.00"),
        Decimal("25.00"),
    )


@pytest.mark.parametrize("size", ["roll", "a4"])
def test_sale_receipt_reads_back(size, tmp_path):
    out = render_receipt(view(), size=size)
    assert out.filename == "receipt-K7M2QX-S-42.pdf" and out.mimetype == "application/pdf"
    text = text_of(out.data, tmp_path)
    for expected in (
        "Stadthalle Demo GmbH",
        "VAT ID ATU12345678",
        "RECEIPT",
        "2 × Stalls €72.00",
        "2 × €45.00, discount −€9.00 each (Student)",
        "1 × Gala dinner €30.00",
        "TOTAL €102.00",
        "incl. VAT 13 % on €72.00 €8.28",
        "incl. VAT 20 % on €30.00 €5.00",
        "VAT total €13.28",
        "Cash €50.00",
        "Tendered €60.00",
        "Change €10.00",
        "Card €52.00",
        "Fri 4 Dec 2026, 18:42 CET",  # the event's time zone
        "Cashier Anna Berger",
        "Counter Till 1",
        "Order K7M2QX",
        "Dvořák",
    ):
        assert expected in text, (expected, text)
    require_tools()
    pages = rasterise(out.data, tmp_path, dpi=200)
    assert len(pages) == 1
    assert decode_qr(pages[0]) == ["K7M2QX"]


def test_refund_receipt_shows_what_went_back(tmp_path):
    refund = view(
        kind="refund",
        lines=[
            ReceiptLine(
                "Stalls", 1, Decimal("45.00"), Decimal("36.00"), Decimal("36.00"), Decimal("13")
            )
        ],
        taxes=taxes_by_rate([(3600, 1300)], "EUR"),
        total=Decimal("36.00"),
        payments=[PaymentLine("cash", Decimal("36.00"))],
        receipt_number="R-7",
        reason="Concert moved",
    )
    out = render_receipt(refund)
    assert out.filename == "refund-K7M2QX-R-7.pdf"
    text = text_of(out.data, tmp_path)
    for expected in (
        "REFUND",
        "1 × Stalls -€36.00",
        "TOTAL REFUNDED -€36.00",
        "incl. VAT 13 % on -€36.00 -€4.14",
        "Paid back",
        "Cash back €36.00",
        "Reason: Concert moved",
    ):
        assert expected in text, (expected, text)


def test_a_long_receipt_is_one_roll_page_or_several_a4_pages(tmp_path):
    many = [
        ReceiptLine(f"Seat {n}", 1, Decimal("10"), Decimal("10"), Decimal("10"), Decimal("0"))
        for n in range(90)
    ]
    long_view = view(lines=many, taxes=[], total=Decimal("900"))
    require_tools()
    (tmp_path / "roll").mkdir()
    roll = rasterise(render_receipt(long_view).data, tmp_path / "roll")
    assert len(roll) == 1
    (tmp_path / "a4").mkdir()
    assert len(rasterise(render_receipt(long_view, size="a4").data, tmp_path / "a4")) >= 2
