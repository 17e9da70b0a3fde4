"""PDF tickets, read back: pages and sizes with pypdf, QR codes decoded from real renders.

Pages are rasterised with poppler's `pdftoppm` and decoded with zbar's `zbarimg` (Debian
packages poppler-utils and zbar-tools).
"""

import dataclasses
import io
import random
import string

import pytest
import qrcode  # type: ignore[import-untyped]
from PIL import Image
from pypdf import PdfReader
from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

from boxoffice.server.errors import InvalidInput
from boxoffice.server.ticketoutput.base import SeatLabel
from boxoffice.server.ticketoutput.pdf import PdfOptions, PdfOutput, latin1_safe, qr_matrix
from boxoffice.server.ticketoutput.registry import get_output
from tests.helpers.qr import decode_qr, rasterise, require_tools

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
STOCK = (8 * 72, 3.25 * 72)


@pytest.fixture(scope="module")
def tools() -> None:
    require_tools()


def page_sizes(reader: PdfReader) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def test_two_tickets_on_a4(tickets, tmp_path, tools):
    out = PdfOutput().render(tickets[:2], options=PdfOptions(size="a4"))

    assert (out.filename, out.mimetype) == ("tickets-KX7MPQ.pdf", "application/pdf")
    reader = PdfReader(io.BytesIO(out.data))
    assert page_sizes(reader) == [pytest.approx(A4, abs=0.01)] * 2
    pages = rasterise(out.data, tmp_path)
    assert [decode_qr(page) for page in pages] == [[t.qr_payload] for t in tickets[:2]]
    seated, standing = (page.extract_text() for page in reader.pages)
    for text in (seated, standing):
        assert "Dvořák: Symphony No. 9" in text
        assert "KX7MPQ" in text
        assert "Sat 12 Dec 2026, 19:30 CET" in text
        assert "Rudolfinum – Dvořák Hall" in text
    assert "Parterre left" in seated and "24" in seated and "Antonín Dvořák" in seated
    assert "PAUD6JHXZR" in seated
    assert "Standing area" in standing and "€15.00" in standing


def test_three_tickets_on_ticket_stock(tickets, tmp_path, tools):
    out = PdfOutput().render(tickets, options=PdfOptions(size="ticket"))

    reader = PdfReader(io.BytesIO(out.data))
    assert page_sizes(reader) == [pytest.approx(STOCK, abs=0.01)] * 3
    pages = rasterise(out.data, tmp_path)
    assert [decode_qr(page) for page in pages] == [[t.qr_payload] for t in tickets]
    texts = [page.extract_text() for page in reader.pages]
    assert all("KX7MPQ" in text for text in texts)
    assert "Parterre left" in texts[0]
    assert "Museum of Music" in texts[2]
    assert "Sun 13 Dec 2026, 14:00 CET" in texts[2]  # the entry slot, not the event start
    assert "Entry 14:00–14:30" in texts[2]
    assert "Ticket 3 of 3" in texts[2]


def test_qr_is_big_enough(tickets, tmp_path, tools):
    """The symbol (quiet zone excluded) is ≥ 34 mm wide on A4 and ≥ 46 mm on ticket stock."""
    for size, minimum in (("a4", 34), ("ticket", 46)):
        out = PdfOutput().render(tickets[:1], options=PdfOptions(size=size))
        folder = tmp_path / size
        folder.mkdir()
        (page,) = rasterise(out.data, folder, dpi=100)
        image = Image.open(page).convert("L")
        pixels = image.tobytes()  # one byte per pixel, row by row
        width, height = image.size
        # the stub is the right third of the page; find the dark square there
        dark = [
            (x, y)
            for y in range(0, height, 2)
            for x in range(width * 2 // 3, width, 2)
            if pixels[y * width + x] < 60
        ]
        xs = [x for x, _ in dark]
        assert (max(xs) - min(xs)) / 100 * 25.4 >= minimum


def test_long_texts_stay_on_the_stock(tickets, tmp_path, tools):
    long = dataclasses.replace(
        tickets[0],
        event_name="The Extraordinarily Long Annual New Year's Eve Gala Concert and Fireworks "
        "Spectacular with Special Guests and Friends",
        venue_name="The Metropolitan Grand Opera House and Performing Arts Center of the Area",
        venue_address="1234 Very Long Boulevard Name, Suite 5600, Building C, Springfield, NY",
        ticket_config_name="Premium VIP Package with Champagne Reception and Backstage Meeting",
        seat=SeatLabel("Second Balcony Right Side Upper Tier", "WW", "1234"),
        holder_name="Maximilian Alexander Wolfeschlegelsteinhausenbergerdorff",
        organizer_name="The Metropolitan Grand Opera House Foundation of Springfield",
        qr_payload="X" * 300,
    )
    out = PdfOutput().render([long], options=PdfOptions(size="ticket"))

    (page,) = rasterise(out.data, tmp_path, dpi=100)
    assert decode_qr(page) == [long.qr_payload]
    image = Image.open(page).convert("L")
    width, height = image.size
    edge = round(4 / 25.4 * 100)  # nothing printed in the outer 4 mm of the 5 mm margin
    strips = [(0, 0, width, edge), (0, height - edge, width, height)]
    strips += [(0, 0, edge, height), (width - edge, 0, width, height)]
    for box in strips:
        assert min(image.crop(box).tobytes()) > 200, box


def test_helvetica_fallback_replaces_what_it_cannot_show(tickets, tmp_path, tools):
    output = PdfOutput(font_dirs=())
    assert not output.fonts.unicode
    out = output.render(tickets[:1])

    text = PdfReader(io.BytesIO(out.data)).pages[0].extract_text()
    assert "Dvorák: Symphony No. 9" in text  # ř → r, á is in Latin-1
    assert "Antonín Dvorák" in text
    assert decode_qr(rasterise(out.data, tmp_path)[0]) == [tickets[0].qr_payload]
    assert latin1_safe("Dvořák €5 „Łódź“ 東京") == "Dvorák €5 „Lódz“ ??"


def test_qr_matrix_is_what_qrcode_makes():
    """The one-build mask choice gives qrcode's own symbol, mask included."""
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + ".-_~ř"
    for length in [1, 10, 40, 80, 107, 160, 250, 400, 700] * 4:
        payload = "".join(rng.choice(alphabet) for _ in range(length))
        qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
        qr.add_data(payload)
        qr.make(fit=True)
        assert qr_matrix(payload) == [[bool(m) for m in row] for row in qr.get_matrix()]


def test_contract(tickets):
    output = get_output("PDF")()
    assert output.printable and output.identifier == "pdf"
    with pytest.raises(ValueError, match="at least one ticket"):
        output.render([])
    with pytest.raises(InvalidInput):
        output.parse_options({"size": "letter"})
    assert output.parse_options({"size": "ticket"}) == PdfOptions(size="ticket")
    other_order = dataclasses.replace(tickets[1], order_code="ZZZZZZ")
    assert output.render([tickets[0], other_order]).filename == "tickets.pdf"
    with pytest.raises(InvalidInput):
        get_output("docx")


def test_naive_datetimes_are_refused(tickets):
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(tickets[0], event_start=tickets[0].event_start.replace(tzinfo=None))
