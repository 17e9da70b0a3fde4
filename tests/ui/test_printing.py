"""Ticket printing: the server's ticket PDFs through QtPdf onto a PDF file and a real CUPS queue,
read back and their QR codes decoded; printer errors; saving tickets without overwriting."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintPreviewDialog

from boxoffice.server.db.models import Ticket
from boxoffice.ui.printing import printers, tickets
from boxoffice.ui.printing.printers import PrinterUnavailable
from boxoffice.ui.printing.tickets import PrintFailed, SaveFailed, TicketFileError
from tests.helpers import factories as f
from tests.helpers.cups import CupsPdfPrinter
from tests.helpers.qr import qr_codes_of_pdf, rasterise


@dataclass
class Sale:
    pdf: bytes
    filename: str
    codes: list[str]  # the issued tickets' QR payloads, in order


def sell(live_server, size: str = "a4") -> Sale:
    """A counter sale of 2 tickets paid in cash; the server's ticket PDF."""
    ids = f.make_event(
        live_server.state,
        name="Printing Night",
        configs=[{"name": "Adult", "face_value": "12.50", "quantity": 10}],
    )
    f.make_user(live_server.state, "cashier")
    f.open_shift(live_server.state)
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        staff = f.at_counter(f.login(client, "cashier"))
        order = client.post(
            "/event/v1/order",
            headers=staff,
            json={
                "order_item": [{"quantity": 2, "ticket_config_id": ids["config_ids"][0]}],
                "format": "PDF",
            },
        )
        assert order.status_code == 201, order.text
        order_id = order.json()["data"]["id"]
        paid = client.post(
            "/payment/v1/payment",
            headers=staff,
            params={"order_id": order_id, "type": "cash"},
            json={"tendered": 30},
        )
        assert paid.status_code == 201, paid.text
        pdf = client.get(
            f"/event/v1/order/{order_id}/download_tickets", headers=staff, params={"size": size}
        )
        assert pdf.status_code == 200, pdf.text
    with live_server.state.read_sessions() as session:
        codes = [t.qr_payload for t in session.query(Ticket).order_by(Ticket.id)]
    filename = pdf.headers["content-disposition"].split('filename="')[1].rstrip('"')
    return Sale(pdf=pdf.content, filename=filename, codes=codes)


@pytest.fixture
def sale(live_server) -> Sale:
    return sell(live_server)


def page_sizes(pdf: bytes) -> list[tuple[int, int]]:
    return [
        (round(p.mediabox.width), round(p.mediabox.height))
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


def ink_boxes(pdf: bytes, folder: Path) -> list[tuple[int, int, int, int]]:
    """Where each page has ink, in pixels at 30 dpi (about 1 mm a pixel)."""
    folder.mkdir()
    boxes = []
    for png in rasterise(pdf, folder, dpi=30):
        with Image.open(png) as image:
            ink = image.convert("L").point(lambda value: 255 if value < 64 else 0)
            box = ink.getbbox()
        assert box is not None, f"{png.name} is blank"
        boxes.append(box)
    return boxes


def assert_same_layout(printed: bytes, original: bytes, folder: Path) -> None:
    """Same page count, and each page's ink where the original has it (within 2 mm)."""
    ours, theirs = ink_boxes(printed, folder / "printed"), ink_boxes(original, folder / "original")
    assert len(ours) == len(theirs)
    for mine, expected in zip(ours, theirs, strict=True):
        assert all(abs(a - b) <= 2 for a, b in zip(mine, expected, strict=True)), (mine, expected)


def test_tickets_printed_to_a_pdf_file_keep_their_pages_and_codes(qapp, sale, tmp_path):
    target = tmp_path / "printed.pdf"
    assert tickets.print_tickets(sale.pdf, printers.pdf_file_printer(target)) == 2
    printed = target.read_bytes()
    assert page_sizes(printed) == page_sizes(sale.pdf) == [(595, 842)] * 2  # A4, 1:1
    assert qr_codes_of_pdf(printed, tmp_path) == [[code] for code in sale.codes]
    assert_same_layout(printed, sale.pdf, tmp_path)


def test_ticket_stock_keeps_its_landscape_page_in_a_pdf_file(qapp, live_server, tmp_path):
    stock = sell(live_server, size="ticket")
    target = tmp_path / "stock.pdf"
    assert tickets.print_tickets(stock.pdf, printers.pdf_file_printer(target)) == 2
    assert page_sizes(target.read_bytes()) == [(576, 234)] * 2  # 8 × 3.25 in
    assert qr_codes_of_pdf(target.read_bytes(), tmp_path) == [[code] for code in stock.codes]


def test_tickets_printed_through_a_cups_queue_by_name(
    qapp, cups_printer: CupsPdfPrinter, sale, tmp_path
):
    assert cups_printer.name in printers.available_printers()
    assert printers.default_printer() == cups_printer.name
    known = cups_printer.printed_files()
    printer = printers.printer_for(cups_printer.name)
    assert tickets.print_tickets(sale.pdf, printer, title=sale.filename) == 2
    printed = cups_printer.wait_for_new_pdf(known).read_bytes()
    assert page_sizes(printed) == [(595, 842)] * 2
    assert qr_codes_of_pdf(printed, tmp_path) == [[code] for code in sale.codes]
    assert_same_layout(printed, sale.pdf, tmp_path)


def test_ticket_printer_reports_by_signal(qapp, qtbot, sale, tmp_path):
    printer = tickets.TicketPrinter()
    with qtbot.waitSignal(printer.printed) as printed:
        assert printer.print_tickets(sale.pdf, printers.pdf_file_printer(tmp_path / "a.pdf"))
    assert printed.args == [2]
    with qtbot.waitSignal(printer.failed) as failed:
        assert not printer.print_tickets(
            b"%PDF-1.4 broken", printers.pdf_file_printer(tmp_path / "b.pdf")
        )
    assert failed.args is not None and "could not be read" in failed.args[0]


def test_an_unknown_printer_is_reported_by_name(qapp):
    with pytest.raises(PrinterUnavailable) as raised:
        printers.printer_for("Front desk Boca")
    assert raised.value.printer_name == "Front desk Boca"
    assert str(raised.value).startswith('The printer "Front desk Boca" is not available.')


@pytest.mark.parametrize("data", [b"", b"not a pdf", b"%PDF-1.4\n%broken\n"])
def test_broken_ticket_files_print_nothing(qapp, tmp_path, data):
    target = tmp_path / "out.pdf"
    with pytest.raises(TicketFileError, match="could not be read"):
        tickets.print_tickets(data, printers.pdf_file_printer(target))
    assert not target.exists()


def test_a_cut_short_ticket_file_prints_nothing(qapp, sale, tmp_path):
    target = tmp_path / "out.pdf"
    with pytest.raises(TicketFileError):
        tickets.print_tickets(sale.pdf[: len(sale.pdf) // 3], printers.pdf_file_printer(target))
    assert not target.exists()


def test_a_printer_that_cannot_start_says_so(qapp, sale, tmp_path):
    unwritable = tmp_path / "no such folder" / "out.pdf"
    with pytest.raises(PrintFailed, match="Check the printer"):
        tickets.print_tickets(sale.pdf, printers.pdf_file_printer(unwritable))


def test_preview_paints_the_tickets_like_printing(qapp, qtbot, sale, tmp_path):
    dialog = tickets.preview_dialog(sale.pdf, printers.pdf_file_printer(tmp_path / "p.pdf"))
    qtbot.addWidget(dialog)
    assert isinstance(dialog, QPrintPreviewDialog)
    painted = tmp_path / "painted.pdf"
    dialog.paintRequested.emit(printers.pdf_file_printer(painted))
    assert qr_codes_of_pdf(painted.read_bytes(), tmp_path) == [[code] for code in sale.codes]


def test_preview_of_a_broken_file_is_refused(qapp):
    with pytest.raises(TicketFileError):
        tickets.preview_dialog(b"nope", printers.pdf_file_printer(Path("unused.pdf")))


def test_saving_never_overwrites(tmp_path):
    folder = tmp_path / "saved"
    first = tickets.save_tickets(b"one", folder, "tickets-KX7MPQ.pdf")
    second = tickets.save_tickets(b"two", folder, "tickets-KX7MPQ.pdf")
    third = tickets.save_tickets(b"three", folder, "tickets-KX7MPQ.pdf")
    assert [p.name for p in (first, second, third)] == [
        "tickets-KX7MPQ.pdf",
        "tickets-KX7MPQ (2).pdf",
        "tickets-KX7MPQ (3).pdf",
    ]
    assert [p.read_bytes() for p in (first, second, third)] == [b"one", b"two", b"three"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (first, second, third)
    )


def test_saving_keeps_to_the_folder(tmp_path):
    saved = tickets.save_tickets(b"x", tmp_path, "../../etc/tickets?.pdf")
    assert saved == tmp_path / "tickets_.pdf"
    assert tickets.save_tickets(b"y", tmp_path, "").name == "tickets.pdf"


def test_saving_into_an_unusable_folder_says_so(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_bytes(b"")
    with pytest.raises(SaveFailed, match="could not be saved"):
        tickets.save_tickets(b"x", not_a_folder, "tickets.pdf")
    assert list(tmp_path.iterdir()) == [not_a_folder]
