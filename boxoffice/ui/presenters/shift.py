"""The counter's shift: whether one is open, what the drawer should hold, and opening it with
a float, paying petty cash in and out, the X report and closing it with the counted cash."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject, Signal

from boxoffice import i18n
from boxoffice.i18n import _
from boxoffice.sdk import SDK, NotFoundError, PermissionDeniedError
from boxoffice.sdk.models.shifts import ShiftReport
from boxoffice.ui.errors import user_message
from boxoffice.ui.tasks import TaskRunner

OPEN_KEY = "F9"  # the one key that opens a shift (mainwindow.SHORTCUTS["open_shift"])


class ShiftPresenter(QObject):
    """Follows the open shift of the counter the SDK is set to (`SDK.counter`).

    `report` is the open shift's X report as last read (None: no shift open, or not read
    yet); `known` says whether the counter has been asked at all.

    Signals:
        changed(): `report` was read again (opened, moved, closed, or after a sale).
        closed(ShiftReport): the shift was closed; the Z report.
        report_pdf(bytes): a printable report (X or Z) that was asked for.
        message(str): what was done.
        error(str): a sentence for the cashier.
    """

    changed = Signal()
    closed = Signal(object)
    report_pdf = Signal(bytes)
    message = Signal(str)
    error = Signal(str)

    def __init__(self, sdk: SDK) -> None:
        super().__init__()
        self._sdk = sdk
        self.report: ShiftReport | None = None
        self.known = False
        self.tasks = TaskRunner(on_error=lambda exc: self.error.emit(user_message(exc)))

    @property
    def counter(self) -> str:
        return self._sdk.counter or _("this counter")

    @property
    def is_open(self) -> bool:
        return self.report is not None

    @property
    def status_text(self) -> str:
        """The status bar's words: the counter, and its shift's cash or that none is open."""
        if not self.known:
            return _("Counter %(counter)s") % {"counter": self.counter}
        if self.report is None:
            return _("Counter %(counter)s · no shift open (%(key)s opens one)") % {
                "counter": self.counter,
                "key": OPEN_KEY,
            }
        cash = i18n.money(self.report.expected_cash, self.report.shift.currency)
        return _("Counter %(counter)s · shift open · cash %(cash)s") % {
            "counter": self.counter,
            "cash": cash,
        }

    # --- actions ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self.tasks.run("refresh", self.read())

    def open_shift(self, float_amount: Decimal) -> None:
        self.tasks.run("open", self._open(float_amount))

    def move_cash(self, amount: Decimal, reason: str) -> None:
        self.tasks.run("cash", self._move_cash(amount, reason))

    def close_shift(self, counted: Decimal, pieces: dict[str, int] | None = None) -> None:
        """Close with the counted cash (and, counted by notes and coins, how many of each:
        face value → pieces)."""
        self.tasks.run("close", self._close(counted, pieces))

    def print_report(self) -> None:
        """The open shift's X report as a receipt-roll PDF (`report_pdf`)."""
        self.tasks.run("report", self._report_pdf())

    async def aclose(self) -> None:
        await self.tasks.aclose()

    # --- the calls -------------------------------------------------------------------------

    async def read(self) -> ShiftReport | None:
        """Ask the server for the counter's open shift (staff only; others have none)."""
        try:
            self.report = await self._sdk.shift.current()
        except NotFoundError:
            self.report = None
        except PermissionDeniedError:
            self.report = None  # a guest or customer account: no drawer
        self.known = True
        self.changed.emit()
        return self.report

    async def _open(self, float_amount: Decimal) -> None:
        await self._sdk.shift.open(float_amount)
        await self.read()
        self.message.emit(_("Shift opened at counter %(counter)s.") % {"counter": self.counter})

    async def _move_cash(self, amount: Decimal, reason: str) -> None:
        report = self.report or await self.read()
        if report is None:
            self.error.emit(
                _("No shift is open at counter %(counter)s: press %(key)s.")
                % {"counter": self.counter, "key": OPEN_KEY}
            )
            return
        await self._sdk.shift.cash(report.shift.id, amount, reason)
        await self.read()
        money = {"amount": i18n.money(abs(amount), report.shift.currency)}
        self.message.emit(
            _("Paid in %(amount)s.") % money if amount > 0 else _("Paid out %(amount)s.") % money
        )

    async def _close(self, counted: Decimal, pieces: dict[str, int] | None) -> None:
        report = self.report or await self.read()
        if report is None:
            self.error.emit(
                _("No shift is open at counter %(counter)s.") % {"counter": self.counter}
            )
            return
        final = await self._sdk.shift.close(report.shift.id, counted, pieces)
        self.report = None
        self.changed.emit()
        self.closed.emit(final)
        self.report_pdf.emit(
            await self._sdk.shift.report_pdf(report.shift.id, "roll", language=i18n.current())
        )

    async def _report_pdf(self) -> None:
        report = self.report or await self.read()
        if report is None:
            self.error.emit(
                _("No shift is open at counter %(counter)s.") % {"counter": self.counter}
            )
            return
        self.report_pdf.emit(
            await self._sdk.shift.report_pdf(report.shift.id, "roll", language=i18n.current())
        )
