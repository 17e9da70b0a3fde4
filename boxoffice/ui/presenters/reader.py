"""The venue's card readers (Stripe Terminal) as the counter sees them: the list, the reader
picked for this counter, registering a new one, picking one (or none) for this counter, the
*Test* (is it online?) and, in training mode, the customer's test card tapped on it.

The server keeps which reader belongs to which counter; card payments on a reader use the
one the server has for the SDK's counter (`X-Counter`), so this presenter only reads and
changes that pick.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from boxoffice.i18n import N_, _
from boxoffice.sdk import SDK, BoxOfficeError
from boxoffice.sdk.models.readers import Reader
from boxoffice.ui.errors import user_message
from boxoffice.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

# Training (the server's Stripe emulator): the codes of its simulated readers.
TRAINING_CODE = "simulated-wpe"
# The customer's test cards a training reader takes (Stripe's card_present test numbers).
APPROVED_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
NO_FUNDS_CARD = "4000000000009995"

DEVICE_NAMES = {
    "bbpos_wisepos_e": "BBPOS WisePOS E",
    "stripe_s700": "Stripe Reader S700",
    "stripe_m2": "Stripe Reader M2",
    "bbpos_chipper2x": "BBPOS Chipper 2X BT",
    "simulated_wisepos_e": N_("WisePOS E (simulated)"),
    "simulated_stripe_s700": N_("S700 (simulated)"),
    "simulated_s700": N_("S700 (simulated)"),
}
STATUS_TEXT = {"online": N_("online"), "offline": N_("offline"), "unknown": N_("unknown")}


def device_name(device_type: str) -> str:
    """A reader's model as a person names it (`simulated_wisepos_e` → "WisePOS E (simulated)")."""
    if device_type in DEVICE_NAMES:
        return _(DEVICE_NAMES[device_type])  # the model names are the same in every language
    return device_type.replace("_", " ")


def status_text(reader: Reader) -> str:
    """ "online", "offline" or "unknown" (Stripe could not be asked)."""
    status = reader.status or "unknown"
    return _(STATUS_TEXT[status]) if status in STATUS_TEXT else status


def test_sentence(reader: Reader) -> str:
    """What *Test* found, as one sentence."""
    label = {"reader": reader.label}
    if reader.status == "online":
        if reader.action is not None:
            return (
                _("%(reader)s is online and ready for card payments. It is taking a payment now.")
                % label
            )
        return _("%(reader)s is online and ready for card payments.") % label
    if reader.status == "offline":
        return (
            _(
                "%(reader)s is offline. Check that it is switched on and connected to the "
                "network, then test again."
            )
            % label
        )
    return (
        _(
            "Could not find out whether %(reader)s is online: the card payment service did "
            "not answer. Try again in a moment."
        )
        % label
    )


class ReaderPresenter(QObject):
    """The readers and this counter's pick.

    Signals:
        changed(): `readers` (and so `counter_reader`) were read again.
        message(str): a sentence for the cashier (registered, picked, the test's result).
        error(str): a sentence for the cashier: what went wrong.
        busy_changed(bool): a server call is running.
    """

    changed = Signal()
    message = Signal(str)
    error = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, sdk: SDK) -> None:
        super().__init__()
        self._sdk = sdk
        self.readers: list[Reader] = []
        self.loaded = False  # the list was read at least once (a guest never reads it)
        self.tasks = TaskRunner(on_error=self._failed, on_busy=self.busy_changed.emit)

    @property
    def counter(self) -> str | None:
        """This counter's name (what the server keeps its reader under)."""
        return self._sdk.counter

    @property
    def counter_reader(self) -> Reader | None:
        """The reader picked for this counter, if there is one."""
        counter = self.counter
        if counter is None:
            return None
        return next((r for r in self.readers if r.counter == counter), None)

    def reader(self, reader_id: str) -> Reader | None:
        return next((r for r in self.readers if r.id == reader_id), None)

    # --- actions ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the readers again; quietly none when this user may not (a guest, a kiosk)."""
        self.tasks.run("refresh", self._refresh())

    async def load(self) -> list[Reader]:
        """Read the readers (errors raise)."""
        listed = await self._sdk.reader.list()
        self.readers = list(listed.data)
        self.loaded = True
        self.changed.emit()
        return self.readers

    def register(self, code: str, label: str, *, use_here: bool) -> None:
        """Pair a reader by the code it shows; with `use_here` it is this counter's reader."""
        self.tasks.run("register", self.register_reader(code, label, use_here=use_here))

    async def register_reader(self, code: str, label: str, *, use_here: bool) -> Reader:
        reader = await self._sdk.reader.register(
            code.strip(), label.strip(), counter=self.counter if use_here else None
        )
        await self.load()
        self.message.emit(
            _("%(reader)s is registered and is the reader of counter %(counter)s.")
            % {"reader": reader.label, "counter": self.counter}
            if use_here
            else _("%(reader)s is registered.") % {"reader": reader.label}
        )
        return reader

    def choose(self, reader_id: str | None) -> None:
        """Pick the reader `reader_id` for this counter (None: no reader at this counter)."""
        self.tasks.run("choose", self.choose_reader(reader_id))

    async def choose_reader(self, reader_id: str | None) -> Reader | None:
        current = self.counter_reader
        if reader_id is None:
            if current is not None:
                await self._sdk.reader.update(current.id, counter=None)
            await self.load()
            self.message.emit(
                _(
                    "Counter %(counter)s has no card reader now: cards are taken on the "
                    "payment page."
                )
                % {"counter": self.counter}
            )
            return None
        chosen = await self._sdk.reader.update(reader_id, counter=self.counter)
        await self.load()
        self.message.emit(
            _("%(reader)s is now the card reader of counter %(counter)s.")
            % {"reader": chosen.label, "counter": self.counter}
        )
        return chosen

    def test(self, reader_id: str) -> None:
        """Ask the server (and so Stripe) whether the reader is online; say so."""
        self.tasks.run("test", self.test_reader(reader_id))

    async def test_reader(self, reader_id: str) -> str:
        await self.load()
        reader = self.reader(reader_id)
        sentence = (
            test_sentence(reader)
            if reader is not None
            else _("That reader is not registered any more. Refresh the list.")
        )
        self.message.emit(sentence)
        return sentence

    def present_card(self, reader_id: str, card_number: str) -> None:
        """Training: the customer taps the test card `card_number` on the reader."""
        self.tasks.run("present", self._present(reader_id, card_number))

    async def aclose(self) -> None:
        await self.tasks.aclose()

    # --- internals -------------------------------------------------------------------------

    async def _refresh(self) -> None:
        try:
            await self.load()
        except BoxOfficeError as exc:  # not allowed (a guest), or the server is away
            logger.info("readers not listed: %s", exc)
            if not self.loaded:
                self.readers = []
                self.changed.emit()

    async def _present(self, reader_id: str, card_number: str) -> None:
        await self._sdk.reader.present_card(reader_id, card_number)

    def _failed(self, exc: BaseException) -> None:
        self.error.emit(user_message(exc))
