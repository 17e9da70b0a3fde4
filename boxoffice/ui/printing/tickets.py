"""Print the server's ticket PDFs on a QPrinter through QtPdf, preview them, save them to a folder.

The ticket layout has one source: the PDF the API produced (`download_tickets`). It is not
re-drawn here. QtPdf (PDFium) turns each page into an image, and the image is painted
onto one sheet of the printer:

- The page is fitted into the sheet with its aspect ratio kept and centred. An A4 ticket on
  A4 paper comes out at 1:1; on Letter it is shrunk a little.
- A "PDF file" pseudo-printer (`printers.pdf_file_printer`) gets the server's PDF itself,
  written whole to its file: the server's layout exactly, vector and searchable, and no
  page is rasterised to be stored as an image in a PDF again (that took 230 ms for two
  tickets). The preview still paints the pages as a printer gets them.
- The image is rendered at the printer's resolution, capped at `MAX_RENDER_DPI`. Ticket
  printers print at 203–300 dpi, and 300 dpi keeps a QR module about 12 pixels wide. An A4
  page at a printer's nominal 1200 dpi would be a 560 MB image.

Rendering is synchronous and takes about 50 ms a page.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QObject,
    QRectF,
    QSize,
    QSizeF,
    Signal,
)
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from boxoffice.i18n import _
from boxoffice.ui.printing.printers import PrintingError, is_pdf_file

logger = logging.getLogger(__name__)

MAX_RENDER_DPI = 300
_POINTS_PER_INCH = 72.0
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


class TicketFileError(PrintingError):
    """The ticket PDF cannot be read: empty, cut short, or not a PDF."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            _(
                "The ticket file could not be read, so nothing was printed. "
                "Download the tickets again and retry."
            )
        )
        self.detail = detail


class PrintFailed(PrintingError):
    """The printer did not accept the job (it could not start, or a page failed)."""

    def __init__(self, printer_name: str) -> None:
        if printer_name:
            message = _(
                'Printing on "%(printer)s" failed. Check the printer, then print the tickets again.'
            ) % {"printer": printer_name}
        else:
            message = _(
                "Printing on the printer failed. Check the printer, then print the tickets again."
            )
        super().__init__(message)
        self.printer_name = printer_name


class SaveFailed(PrintingError):
    """The tickets could not be written to the chosen folder."""

    def __init__(self, folder: Path, reason: str) -> None:
        super().__init__(
            _('The tickets could not be saved in "%(folder)s" (%(reason)s). Choose another folder.')
            % {"folder": folder, "reason": reason}
        )
        self.folder = folder


def print_tickets(data: bytes, printer: QPrinter, *, title: str | None = None) -> int:
    """Print every page of the ticket PDF `data` on `printer`; returns the number of pages.

    `title` names the print job (and the PDF file's title; default "Tickets"). Raises
    TicketFileError when `data` is not a readable PDF, and PrintFailed when the printer does
    not take the job.
    Nothing is printed when the PDF is unreadable.
    """
    with _open_pdf(data) as document:
        if is_pdf_file(printer) and printer.outputFileName():
            return _write_pdf_file(data, printer, document.pageCount())
        printer.setDocName(title or _("Tickets"))
        return _paint_document(document, printer)


def _write_pdf_file(data: bytes, printer: QPrinter, pages: int) -> int:
    """The ticket PDF written whole to the pseudo-printer's file (never half: a temporary
    file, then renamed); PrintFailed, as from any printer, when it cannot be written."""
    path = Path(printer.outputFileName())
    try:
        temporary = _write_temporary(data, path.parent)
        try:
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        raise PrintFailed(printer.printerName()) from exc
    return pages


def preview_dialog(
    data: bytes, printer: QPrinter, parent: QWidget | None = None
) -> TicketPreviewDialog:
    """A print preview of the ticket PDF `data` on `printer`, drawn the same way as printing.

    The caller shows it (`open()`, or `exec()` through `run_modal`); printing from the
    dialog prints on `printer`, which the dialog keeps alive (`TicketPreviewDialog`).
    Raises TicketFileError when `data` is not a readable PDF.
    """
    document = _load_pdf(data)
    dialog = TicketPreviewDialog(printer, parent)
    dialog.setWindowTitle(_("Ticket preview"))
    document.setParent(dialog)  # lives as long as the dialog

    def paint(target: QPrinter) -> None:
        try:
            _paint_document(document, target)
        except PrintingError as exc:
            logger.warning("ticket preview failed: %s", exc)

    dialog.paintRequested.connect(paint)
    return dialog


class TicketPreviewDialog(QPrintPreviewDialog):
    """A print preview that owns the printer it previews on.

    `QPrintPreviewDialog(printer)` keeps a bare pointer to `printer`: a QPrinter is not a
    QObject, so neither Qt nor the dialog owns it. A QPrinter made for one preview (as
    `PrintingPresenter.make_printer()` makes them) was deleted with its last Python
    reference, when the code that opened the dialog returned, and the dialog then painted on
    freed memory: a segmentation fault in QtPrintSupport. This dialog holds the printer for
    as long as it lives. Its Python side, and so the printer, goes after its C++ side, whether
    Python drops it or its parent (or WA_DeleteOnClose) deletes it.
    """

    def __init__(self, printer: QPrinter, parent: QWidget | None = None) -> None:
        super().__init__(printer, parent)
        self._printer = printer

    @property
    def ticket_printer(self) -> QPrinter:
        """The printer this preview paints on (and prints on, from its Print button)."""
        return self._printer


def save_tickets(data: bytes, folder: Path, filename: str) -> Path:
    """Write `data` to `folder`/`filename` atomically and return the path written.

    An existing file is never replaced: "tickets.pdf" becomes "tickets (2).pdf",
    "tickets (3).pdf"… The content goes to a temporary file in `folder` first. The
    name is then claimed with an exclusive create, and the content is moved onto it
    with `os.replace`. A reader sees the whole file or an empty one, never half of it.
    `filename` loses any folder part. Raises SaveFailed when the folder is not writable.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = _write_temporary(data, folder)
        try:
            target = _move_to_free_name(temporary, folder, _safe_filename(filename))
        finally:
            temporary.unlink(missing_ok=True)  # gone already when the move worked
    except OSError as exc:
        raise SaveFailed(folder, exc.strerror or type(exc).__name__) from exc
    logger.info("saved tickets to %s", target)
    return target


class TicketPrinter(QObject):
    """Prints ticket PDFs for a presenter and reports how it went.

    Signals:
        printed(int): the tickets went to the printer; the number of pages.
        failed(str): nothing (or not everything) was printed; a sentence for the cashier.
    """

    printed = Signal(int)
    failed = Signal(str)

    def print_tickets(self, data: bytes, printer: QPrinter, *, title: str | None = None) -> bool:
        """Print `data` on `printer` (synchronously); emits `printed` or `failed`."""
        try:
            pages = print_tickets(data, printer, title=title)
        except PrintingError as exc:
            logger.warning("printing tickets on %r failed: %r", printer.printerName(), exc)
            self.failed.emit(str(exc))
            return False
        logger.info("printed %d ticket page(s) on %r", pages, printer.printerName())
        self.printed.emit(pages)
        return True


# --- loading -------------------------------------------------------------------------------


def _load_pdf(data: bytes) -> QPdfDocument:
    """A loaded document that owns its byte buffer (PDFium reads the pages lazily)."""
    document = QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise TicketFileError(f"{document.error().name}, {len(data)} bytes")
    return document


@contextmanager
def _open_pdf(data: bytes) -> Iterator[QPdfDocument]:
    document = _load_pdf(data)
    try:
        yield document
    finally:
        document.close()


# --- painting ------------------------------------------------------------------------------


def _paint_document(document: QPdfDocument, printer: QPrinter) -> int:
    pages = document.pageCount()
    if is_pdf_file(printer):
        _match_page(printer, document.pagePointSize(0))
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(printer.printerName())
    # Without this hint Qt stores images in PDF output (and so in CUPS jobs) as JPEG,
    # which smudges the QR modules' edges.
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
    try:
        for index in range(pages):
            if index:
                _next_page(printer, document.pagePointSize(index))
            _paint_page(painter, document, index, printer)
    except BaseException:
        printer.abort()  # a half-printed order is worse than none: the cashier reprints it
        raise
    finally:
        painter.end()
    return pages


def _next_page(printer: QPrinter, size: QSizeF) -> None:
    if is_pdf_file(printer):
        _match_page(printer, size)
    if not printer.newPage():
        raise PrintFailed(printer.printerName())


def _match_page(printer: QPrinter, size: QSizeF) -> None:
    """Make the pseudo-printer's next sheet the ticket page's size, without margins."""
    page_size = QPageSize(size, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    layout = QPageLayout(
        page_size, QPageLayout.Orientation.Portrait, QMarginsF(), QPageLayout.Unit.Point
    )
    printer.setPageLayout(layout)


def _paint_page(painter: QPainter, document: QPdfDocument, index: int, printer: QPrinter) -> None:
    sheet = printer.paperRect(QPrinter.Unit.DevicePixel)
    target = _fit(document.pagePointSize(index), sheet, printer.resolution())
    image = _render(document, index, target.size(), printer.resolution())
    painter.drawImage(target, image)


def _fit(page: QSizeF, sheet: QRectF, resolution: int) -> QRectF:
    """`page` (in points) scaled to fit into `sheet` (device pixels), centred."""
    width = page.width() * resolution / _POINTS_PER_INCH
    height = page.height() * resolution / _POINTS_PER_INCH
    if width <= 0 or height <= 0:
        raise TicketFileError(f"page of size {page.width()}×{page.height()} pt")
    scale = min(sheet.width() / width, sheet.height() / height)
    size = QSizeF(width * scale, height * scale)
    left = sheet.left() + (sheet.width() - size.width()) / 2
    top = sheet.top() + (sheet.height() - size.height()) / 2
    return QRectF(left, top, size.width(), size.height())


def _render(document: QPdfDocument, index: int, target: QSizeF, resolution: int) -> QImage:
    """The page as an opaque image for `target` device pixels, at most MAX_RENDER_DPI."""
    factor = min(1.0, MAX_RENDER_DPI / resolution) if resolution > 0 else 1.0
    pixels = QSize(max(1, round(target.width() * factor)), max(1, round(target.height() * factor)))
    rendered = document.render(index, pixels)
    if rendered.isNull():
        raise TicketFileError(f"page {index + 1} could not be rendered")
    # PDFium leaves the unpainted page transparent; printers want white paper.
    sheet = QImage(pixels, QImage.Format.Format_RGB32)
    sheet.fill(Qt.GlobalColor.white)
    with _painting(sheet) as painter:
        painter.drawImage(0, 0, rendered)
    return sheet


@contextmanager
def _painting(image: QImage) -> Iterator[QPainter]:
    painter = QPainter(image)
    try:
        yield painter
    finally:
        painter.end()


# --- saving --------------------------------------------------------------------------------


def _safe_filename(filename: str) -> str:
    """`filename` without folders or characters that some file systems refuse."""
    name = _UNSAFE_FILENAME.sub("_", Path(filename.replace("\\", "/")).name).strip(" .")
    return name or "tickets.pdf"


def _write_temporary(data: bytes, folder: Path) -> Path:
    handle, name = tempfile.mkstemp(dir=folder, prefix=".tickets-", suffix=".part")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _move_to_free_name(temporary: Path, folder: Path, filename: str) -> Path:
    target = _claim_free_name(folder, filename)
    try:
        os.replace(temporary, target)
    except BaseException:
        target.unlink(missing_ok=True)  # the empty placeholder we claimed
        raise
    return target


def _claim_free_name(folder: Path, filename: str) -> Path:
    """Create an empty `filename` (or "stem (n).ext") that did not exist; return its path."""
    stem, suffix = os.path.splitext(filename)
    number = 1
    while True:
        candidate = folder / (filename if number == 1 else f"{stem} ({number}){suffix}")
        with suppress(FileExistsError):
            candidate.open("xb").close()
            return candidate
        number += 1
