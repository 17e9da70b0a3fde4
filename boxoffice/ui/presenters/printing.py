"""Tickets out of the counter: which printer, auto-print, printing, previews and saving.

Printing prints the PDF the server made (one source of the ticket layout); this presenter
only chooses the printer and moves bytes. "Print to PDF file" is a printer choice too: the
printed file goes into the save folder (handy for training and for the benchmark). With no
printer chosen ("save only") a sale's tickets are saved into the save folder instead.

Receipts go to the receipt printer of the settings (`receipt_printer`; "PDF file" too), after
each paid sale when `print_receipts` is on, and after the tickets: a receipt never delays or
breaks the tickets, and its failure is one sentence by `error`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, Signal
from PySide6.QtPrintSupport import QPrinter

from boxoffice.desktop.settings import AppSettings
from boxoffice.i18n import N_, _, ngettext
from boxoffice.sdk import SDK, BoxOfficeError
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.errors import user_message
from boxoffice.ui.presenters.checkout import Delivery
from boxoffice.ui.printing import printers, tickets
from boxoffice.ui.printing.printers import PrintingError
from boxoffice.ui.tasks import TaskRunner

# The pseudo-printer: a PDF in the save folder. A settings value (kept in English); the
# settings dialog shows it translated.
PRINT_TO_FILE = N_("PDF file")  # kept in the settings in English; shown as _(PRINT_TO_FILE)
SaveFormat = Literal["pdf", "pkpass"]


class PrintingPresenter(QObject):
    """Prints and saves the tickets of paid orders.

    Signals:
        settings_changed(): the printer or auto-print changed (the app saves them).
        printed(str): a sentence saying what was printed.
        saved(str): a sentence saying where the tickets were saved.
        preview_ready(object): the ticket PDF (bytes) to show in a print preview.
        error(str): a sentence for the cashier.
    """

    settings_changed = Signal()
    printed = Signal(str)
    saved = Signal(str)
    preview_ready = Signal(object)
    error = Signal(str)

    def __init__(
        self, sdk: SDK, settings: AppSettings, *, default_folder: Callable[[], Path]
    ) -> None:
        super().__init__()
        self._sdk = sdk
        self.settings = settings
        self._default_folder = default_folder
        self.last_printed_file: Path | None = None
        self.tasks = TaskRunner(on_error=lambda exc: self.error.emit(user_message(exc)))

    # --- choices ---------------------------------------------------------------------------

    def printer_choices(self) -> list[str]:
        return [*printers.available_printers(), PRINT_TO_FILE]

    @property
    def printer_name(self) -> str | None:
        """The chosen printer; None: no printer, tickets are saved to the save folder."""
        return self.settings.printer

    def suggested_printer(self) -> str | None:
        """The printer to offer first when asking: the system's default, if there is one."""
        return printers.default_printer()

    @property
    def printer_question_due(self) -> bool:
        """No printer chosen and the first start's question never answered."""
        return self.settings.printer is None and not self.settings.printer_asked

    def set_printer(self, name: str | None) -> None:
        self.settings.printer = name
        self.settings_changed.emit()

    def answer_printer_question(self, name: str | None) -> None:
        """The first start's answer: printer `name`, or None to save the tickets only."""
        self.settings.printer_asked = True
        self.set_printer(name)

    def set_auto_print(self, on: bool) -> None:
        self.settings.auto_print = on
        self.settings_changed.emit()

    @property
    def save_folder(self) -> Path:
        chosen = self.settings.save_folder
        return Path(chosen) if chosen else self._default_folder()

    def set_save_folder(self, folder: Path) -> None:
        self.settings.save_folder = str(folder)
        self.settings_changed.emit()

    # --- verbs (each a task; the outcome comes by signal) -----------------------------------

    def print_again(self, order: Order) -> None:
        """Print `order`'s tickets again (`printed`, or `error`)."""
        self.tasks.run("reprint", self.reprint(order))

    def save_to_folder(self, order: Order) -> None:
        """Save `order`'s tickets into the save folder, without a dialog in the cashier's way:
        Wallet passes for a PKPASS order, else the PDF (`saved` says where)."""
        self.tasks.run("save", self._save_to_folder(order))

    def preview(self, order: Order) -> None:
        """Fetch `order`'s ticket PDF for a print preview (`preview_ready`)."""
        self.tasks.run("preview", self._fetch_preview(order))

    async def aclose(self) -> None:
        """Stop every task of this presenter (the app is closing)."""
        await self.tasks.aclose()

    # --- work ------------------------------------------------------------------------------

    async def deliver(self, order: Order) -> Delivery:
        """After a sale: print the tickets if auto-print is on, or save them when there is
        no printer (never raises for the printer or the folder)."""
        if order.format == "SECURE":
            return Delivery(
                0,
                _("Order %(code)s: the tickets are in the customer's wallet.")
                % {"code": order.code},
            )
        if not self.settings.auto_print:
            ready = (
                _("Order %(code)s is ready: save the tickets with Ctrl+S.")
                if self.printer_name is None
                else _("Order %(code)s is ready: print the tickets with Ctrl+P.")
            )
            return Delivery(0, ready % {"code": order.code})
        if self.printer_name is None:
            return await self._deliver_to_folder(order)
        pdf = await self.fetch_pdf(order)
        try:
            pages = self.print_pdf(pdf, title=_tickets_title(order))
        except PrintingError as exc:
            return Delivery(
                0,
                _("%(problem)s Reprint order %(code)s from Orders when it is ready.")
                % {"problem": exc, "code": order.code},
            )
        return Delivery(pages, self._printed_text(order, pages))

    async def reprint(self, order: Order) -> int:
        """Print `order`'s tickets again; errors come by `error`."""
        pdf = await self.fetch_pdf(order)
        try:
            pages = self.print_pdf(pdf, title=_tickets_title(order))
        except PrintingError as exc:
            self.error.emit(str(exc))
            return 0
        self.printed.emit(self._printed_text(order, pages))
        return pages

    async def save(self, order: Order, fmt: SaveFormat = "pdf", folder: Path | None = None) -> Path:
        """Save `order`'s tickets (PDF or Wallet passes) into `folder` (default: save folder)."""
        data = await self._sdk.order.download_tickets(
            order.id, format=fmt, size=self.settings.ticket_size
        )
        is_bundle = fmt == "pkpass" and sum(item.quantity for item in order.order_item) > 1
        extension = "pkpasses" if is_bundle else fmt
        return tickets.save_tickets(data, folder or self.save_folder, f"{order.code}.{extension}")

    def deliver_document(
        self, pdf: bytes, *, title: str, filename: str, printer: str | None = None
    ) -> None:
        """Print a document that is not tickets (a shift report, a receipt) on `printer`
        (default: the chosen printer), or save it to the save folder when there is none;
        says which by `printed` or `saved`, a printer's failure by `error`."""
        name = printer or self.printer_name
        try:
            if name is None:
                path = tickets.save_tickets(pdf, self.save_folder, filename)
                self.saved.emit(_("%(title)s saved to %(path)s.") % {"title": title, "path": path})
                return
            self.print_pdf(pdf, title=title, printer=name)
        except PrintingError as exc:  # SaveFailed is one too
            self.error.emit(
                _("%(title)s not printed: %(problem)s") % {"title": title, "problem": exc}
            )
            return
        self.printed.emit(
            _("%(title)s printed on %(printer)s.") % {"title": title, "printer": shown_name(name)}
        )

    # --- receipts --------------------------------------------------------------------------

    def receipt_after_sale(self, order: Order) -> None:
        """After a paid sale (its tickets out): its receipt on the receipt printer, when
        receipts are printed after each sale and a receipt printer is chosen."""
        if self.settings.print_receipts and self.settings.receipt_printer is not None:
            self.print_receipt(order)

    def print_receipt(self, order: Order) -> None:
        """Print `order`'s receipt (80 mm roll) on the receipt printer, or on the ticket
        printer (or into the save folder) when no receipt printer is chosen."""
        self.tasks.run(f"receipt-{order.id}", self._print_receipt(order))

    async def _print_receipt(self, order: Order) -> None:
        try:
            pdf = await self._sdk.order.receipt(order.id, size="roll")
        except BoxOfficeError as exc:
            self.error.emit(
                _("Receipt %(code)s not printed: %(problem)s")
                % {"code": order.code, "problem": user_message(exc)}
            )
            return
        self.deliver_document(
            pdf,
            title=_("Receipt %(code)s") % {"code": order.code},
            filename=f"receipt-{order.code}.pdf",
            printer=self.settings.receipt_printer,
        )

    async def fetch_pdf(self, order: Order) -> bytes:
        return await self._sdk.order.download_tickets(
            order.id, format="pdf", size=self.settings.ticket_size
        )

    def print_pdf(self, pdf: bytes, *, title: str, printer: str | None = None) -> int:
        """Print `pdf` on `printer` (default: the chosen printer); raises PrintingError with
        a cashier sentence."""
        pages = tickets.print_tickets(pdf, self.make_printer(title, printer), title=title)
        return pages

    def make_printer(self, title: str = "Tickets", printer: str | None = None) -> QPrinter:
        """A QPrinter for `printer` (default: the chosen printer)."""
        name = printer or self.printer_name
        if name is None:
            raise PrintingError(
                _(
                    "No printer is set up. Choose one in Settings (Ctrl+,), "
                    "or save the tickets instead."
                )
            )
        if name == PRINT_TO_FILE:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            path = self.save_folder / f"{title.replace(' ', '-')}-{stamp}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.last_printed_file = path
            return printers.pdf_file_printer(path)
        return printers.printer_for(name)

    async def save_order(self, order: Order) -> Path:
        """Save `order`'s tickets into the save folder: Wallet passes for a PKPASS order,
        else the PDF; returns the file written."""
        fmt: SaveFormat = "pkpass" if order.format == "PKPASS" else "pdf"
        return await self.save(order, fmt)

    async def _save_to_folder(self, order: Order) -> None:
        path = await self.save_order(order)
        self.saved.emit(_("Order %(code)s saved to %(path)s.") % {"code": order.code, "path": path})

    async def _deliver_to_folder(self, order: Order) -> Delivery:
        """No printer: the tickets go into the save folder at once."""
        try:
            path = await self.save_order(order)
        except PrintingError as exc:
            return Delivery(
                0,
                _("%(problem)s Then save order %(code)s again from Orders.")
                % {"problem": exc, "code": order.code},
            )
        return Delivery(
            0,
            _("Order %(code)s: no printer is set up, so the tickets were saved to %(path)s.")
            % {"code": order.code, "path": path},
            saved_to=path,
        )

    async def _fetch_preview(self, order: Order) -> None:
        self.preview_ready.emit(await self.fetch_pdf(order))

    def _printed_text(self, order: Order, pages: int) -> str:
        return ngettext(
            "Order %(code)s: %(count)d ticket printed on %(printer)s.",
            "Order %(code)s: %(count)d tickets printed on %(printer)s.",
            pages,
        ) % {"code": order.code, "count": pages, "printer": shown_name(self.printer_name)}


def _tickets_title(order: Order) -> str:
    """The print job's title ("Tickets ABC123")."""
    return _("Tickets %(code)s") % {"code": order.code}


def shown_name(printer: str | None) -> str:
    """A printer as people read it: the PDF pseudo-printer in the language in use."""
    if printer is None:
        return ""
    return _(PRINT_TO_FILE) if printer == PRINT_TO_FILE else printer
