"""Can the kiosk sell now? The server, a way to pay by card, the ticket printer, events on
sale — each problem with the customer's words (marked with `N_`, translated where shown)
and the detail for staff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from boxoffice.desktop.printer_state import PrinterState, read_state
from boxoffice.i18n import N_
from boxoffice.sdk import SDK, BoxOfficeError
from boxoffice.sdk.models.readers import Reader
from boxoffice.ui.presenters.connection import HEALTH_OPTIONS
from boxoffice.ui.sale_state import EventSummary, SaleState

logger = logging.getLogger(__name__)

OUT_OF_ORDER = N_(
    "This kiosk is out of order right now. Please buy your tickets at the box office."
)
NO_SERVER = N_("The kiosk cannot reach the ticket system.")
NO_CARD = N_("Card payments are not working.")
READER_OFFLINE = N_("The card reader is not working.")
NO_PRINTER = N_("The ticket printer is missing.")
NOTHING_ON_SALE = N_("No tickets are on sale here right now.")
SOLD_OUT = N_("Everything is sold out.")
PRINT_TO_FILE = "PDF file"  # the printing presenter's pseudo-printer: always ready


@dataclass(frozen=True)
class Problem:
    """Why the kiosk cannot sell: `reason` for the customer (in English, as logged: the screens
    show `_(reason)`), `detail` for staff."""

    reason: str
    detail: str


@dataclass(frozen=True)
class Report:
    """What one check found; `reader` is the counter's card reader (None: the payment page)."""

    problem: Problem | None
    reader: Reader | None = None
    training: bool = False


class KioskHealth:
    """Runs the checks; `printer()` is the chosen printer's name (None: none chosen), and
    `print_required` False means tickets are shown on screen only (no printer needed)."""

    def __init__(
        self,
        sdk: SDK,
        *,
        printer: Callable[[], str | None],
        print_required: bool = True,
        read_printer: Callable[[str], PrinterState] = read_state,
    ) -> None:
        self._sdk = sdk
        self._printer = printer
        self.print_required = print_required
        self._read_printer = read_printer

    async def check(self, events: Sequence[EventSummary] | None = None) -> Report:
        """Every check in turn; the first problem found is the report's. `events`: the
        event list just loaded (None: not looked at)."""
        try:
            health = await self._sdk.event.health(options=HEALTH_OPTIONS)
        except BoxOfficeError as exc:
            return Report(Problem(NO_SERVER, f"GET event/health failed: {exc}"))
        training = bool(health.training)
        reader, problem = await self._card()
        if problem is None:
            problem = await self._printer_problem()
        if problem is None and events is not None:
            problem = events_problem(events)
        return Report(problem, reader, training)

    async def _card(self) -> tuple[Reader | None, Problem | None]:
        counter = self._sdk.counter
        try:
            readers = (await self._sdk.reader.list(options=HEALTH_OPTIONS)).data
        except BoxOfficeError as exc:
            logger.info("cannot list the card readers: %s", exc)
            readers = []
        mine = next((r for r in readers if counter and r.counter == counter), None)
        if mine is not None:
            if mine.status == "offline":
                return mine, Problem(
                    READER_OFFLINE, f"card reader {mine.label} ({mine.id}) is offline"
                )
            return mine, None
        # No reader: the payment page, if the server has a Stripe key (training: its emulator).
        try:
            key = await self._sdk.payment.get_publishable_key(options=HEALTH_OPTIONS)
        except BoxOfficeError as exc:
            key, why = "", str(exc)
        else:
            why = "the server has no Stripe publishable key"
        if key:
            return None, None
        return None, Problem(NO_CARD, f"no card reader is picked for counter {counter!r} and {why}")

    async def _printer_problem(self) -> Problem | None:
        if not self.print_required:
            return None
        name = self._printer()
        if name is None:
            return Problem(NO_PRINTER, "no ticket printer is chosen in the kiosk's settings")
        if name == PRINT_TO_FILE:
            return None
        state = await asyncio.to_thread(self._read_printer, name)
        return None if state.problem is None else Problem(state.problem, state.detail)


def events_problem(events: Sequence[EventSummary]) -> Problem | None:
    """None when some event is on sale; else why not, in the customer's words."""
    if any(s.state.sellable for s in events):
        return None
    if any(s.state is SaleState.SOLD_OUT for s in events):
        return Problem(SOLD_OUT, "every event on sale is sold out")
    return Problem(NOTHING_ON_SALE, f"{len(events)} events, none on sale now")
