"""The printers tickets can go to: list them, find the default, configure a QPrinter by name.

Printer names are what the system calls its queues (CUPS queue names on Linux and macOS,
printer names on Windows). Qt asks the platform each time, so a printer switched on after
start-up shows up the next time the list is read.

Every QPrinter made here prints the whole sheet (`fullPage`): the ticket PDFs bring their
own margins, so the painter's origin is the paper's corner and a ticket is not shifted by
the driver's margins. One copy, single-sided, at the printer's high resolution.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from boxoffice.i18n import _
from boxoffice.ui.errors import CashierError


class PrintingError(CashierError):
    """A ticket could not be printed or saved; `str(exc)` is a sentence for the cashier."""


class PrinterUnavailable(PrintingError):
    """The chosen printer is not known to the system (removed, renamed, or not set up)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            _(
                'The printer "%(name)s" is not available. Check that it is switched on and '
                "connected, or choose another printer."
            )
            % {"name": name}
        )
        self.printer_name = name


def available_printers() -> list[str]:
    """The names of the system's printers, sorted case-insensitively."""
    return sorted(QPrinterInfo.availablePrinterNames(), key=str.casefold)


def default_printer() -> str | None:
    """The system's default printer, or None when there is none."""
    return QPrinterInfo.defaultPrinterName() or None


def printer_for(name: str) -> QPrinter:
    """A QPrinter set up for the system printer `name`; PrinterUnavailable if it is unknown."""
    info = QPrinterInfo.printerInfo(name)
    if info.isNull():
        raise PrinterUnavailable(name)
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    if not printer.isValid():
        raise PrinterUnavailable(name)
    _configure(printer)
    return printer


def pdf_file_printer(path: Path) -> QPrinter:
    """A pseudo-printer that writes a PDF file at `path` (print to file).

    Its page size follows the tickets when they are printed (see `tickets.print_tickets`),
    so the file shows each ticket as the server laid it out.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path.resolve()))  # Qt fails quietly on some relative paths
    _configure(printer)
    return printer


def is_pdf_file(printer: QPrinter) -> bool:
    """Whether `printer` writes a PDF file rather than feeding a print queue."""
    return printer.outputFormat() == QPrinter.OutputFormat.PdfFormat


def _configure(printer: QPrinter) -> None:
    printer.setFullPage(True)
    printer.setCopyCount(1)
    printer.setCollateCopies(False)
    printer.setDuplex(QPrinter.DuplexMode.DuplexNone)
    printer.setDocName(_("Tickets"))
