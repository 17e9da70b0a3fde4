"""The kiosk's sale as a state machine: attract → events → tickets → pay → done → attract,
and out of order whenever it cannot sell.

It reuses the counter's presenters: `EventsPresenter` lists the events, `CartPresenter` and
`CheckoutPresenter` make and pay the order (card on the counter's reader, or the payment
page), `PrintingPresenter` prints the tickets, `SeatingPresenter` holds seats. What is the
kiosk's own: which screen is up, the quantities chosen, the customer's email, the idle reset
(everything of the customer given up: reader payment canceled, unpaid order canceled, seats
released), the health checks that take it out of order and back, and the customer's
language (chosen on the attract screen; the next customer gets the kiosk's own again).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from PySide6.QtCore import QObject, QTimer, Signal

from boxoffice import i18n
from boxoffice.i18n import _
from boxoffice.sdk import SDK, BoxOfficeError
from boxoffice.sdk.models.events import Event, TicketConfig
from boxoffice.sdk.models.orders import Order
from boxoffice.sdk.models.readers import Reader
from boxoffice.ui import language as ui_language
from boxoffice.ui.errors import user_message
from boxoffice.ui.kiosk.health import (
    NO_SERVER,
    NOTHING_ON_SALE,
    KioskHealth,
    Problem,
    events_problem,
)
from boxoffice.ui.kiosk.idle import IdleWatch
from boxoffice.ui.presenters.cart import CartError, CartPresenter
from boxoffice.ui.presenters.checkout import (
    CheckoutPresenter,
    Contact,
    PaymentMethod,
    ReaderWait,
    SaleResult,
)
from boxoffice.ui.presenters.events import EventsPresenter
from boxoffice.ui.presenters.seating import SeatingPresenter
from boxoffice.ui.sale_state import EventSummary, config_on_sale
from boxoffice.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

MAX_PER_TYPE = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WITH_TICKETS = "[order_item.[ticket]]"
APPROVED_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


class Stage(enum.StrEnum):
    SETUP = "setup"
    ATTRACT = "attract"
    EVENTS = "events"
    TICKETS = "tickets"
    PAY = "pay"
    DONE = "done"
    OUT_OF_ORDER = "out_of_order"


IDLE = "idle"  # why the sale was given up: nobody answered "Are you still there?"

CHECKED = (Stage.ATTRACT, Stage.EVENTS, Stage.OUT_OF_ORDER)  # checked while nobody buys
WATCHED = (Stage.EVENTS, Stage.TICKETS, Stage.PAY, Stage.DONE)  # a customer is here


@dataclass(frozen=True)
class Done:
    """A paid sale: the QR codes to show (label, payload) and what happened to the tickets."""

    order: Order
    codes: list[tuple[str, str]]
    printed: bool
    emailed_to: str | None


SignIn = Callable[[], Awaitable[bool]]  # False: the kiosk has no device account yet
Setup = Callable[[str, str], Awaitable[None]]  # staff user, password → device account made
VerifyStaff = Callable[[str, str], Awaitable[str | None]]  # → the staff user name, or None


def seated(event: Event, config: TicketConfig) -> bool:
    """A ticket type sold by picking seats on the map."""
    return bool(event.has_seat_map and config.seat_category)


def by_number(event: Event, config: TicketConfig, now: datetime) -> bool:
    """A ticket type the kiosk sells by number: on sale, some left, no time slot, sector or
    seat to choose (the kiosk keeps it simple; the box office sells those)."""
    return (
        config_on_sale(config, now)
        and (config.available is None or config.available > 0)
        and not config.timeslot_ids
        and not config.sector_ids
        and not seated(event, config)
    )


def kiosk_sells(summary: EventSummary) -> bool:
    """An event on sale with tickets the kiosk sells (by number, or seats on the map)."""
    if not summary.state.sellable:
        return False
    event, now = summary.event, datetime.now(UTC)
    return any(
        by_number(event, c, now) or (seated(event, c) and config_on_sale(c, now))
        for c in event.ticket_config or []
    )


class KioskPresenter(QObject):
    """The kiosk's state; the window shows `stage` and the screens read the rest.

    Signals:
        stage_changed(str): another screen (a `Stage`).
        problem_changed(): `problem` changed (the out-of-order screen's reason and detail).
        events_changed(): `events` (the events on sale) changed.
        tickets_changed(): the chosen event, the quantities or the held seats changed.
        notice(str): a sentence for the customer on the screen that is up ("" clears it).
        pay_changed(): `pay_text`, `pay_error` or `reader_waiting` changed.
        card_page_requested(object): show the card payment page for this `Order`.
        finished(object): the `Done` of a paid sale (the done screen).
        countdown(int): "Are you still there?" with seconds left; -1 hides it.
        exit_answer(bool, str): the staff exit's verdict and its sentence.
        setup_answer(str): why setting up failed ("" while it works).
        exit_allowed(): staff may close the kiosk now.
        training_changed(bool): the server says it is (or is not) in training mode.
        language_changed(str): the kiosk speaks another language now (the screens say
            everything again in it).
    """

    stage_changed = Signal(str)
    problem_changed = Signal()
    events_changed = Signal()
    tickets_changed = Signal()
    notice = Signal(str)
    pay_changed = Signal()
    card_page_requested = Signal(object)
    finished = Signal(object)
    countdown = Signal(int)
    exit_answer = Signal(bool, str)
    setup_answer = Signal(str)
    exit_allowed = Signal()
    training_changed = Signal(bool)
    language_changed = Signal(str)

    def __init__(
        self,
        sdk: SDK,
        *,
        events: EventsPresenter,
        cart: CartPresenter,
        checkout: CheckoutPresenter,
        health: KioskHealth,
        idle: IdleWatch,
        sign_in: SignIn,
        setup: Setup,
        verify_staff: VerifyStaff,
        audit: Callable[[str], None],
        check_every: float = 10.0,
        done_seconds: float = 30.0,
        default_language: str | None = None,
    ) -> None:
        super().__init__()
        self.sdk = sdk
        self.events = events
        self.cart = cart
        self.checkout = checkout
        self.health = health
        self.idle = idle
        self._sign_in = sign_in
        self._setup = setup
        self._verify_staff = verify_staff
        self._audit = audit
        self.check_every = check_every
        self.done_seconds = done_seconds
        self.stage = Stage.ATTRACT
        self.signed_in = False
        self.checks = 0  # health checks done (tests wait for the first)
        self.problem: Problem | None = None
        self.reader: Reader | None = None
        self.training = False
        self.on_sale: list[EventSummary] = []
        self.chosen: Event | None = None
        self.quantities: dict[int, int] = {}
        self.seating: SeatingPresenter | None = None
        self.email = ""
        self.pay_text = ""
        self.pay_error = ""
        self.reader_waiting = False
        self.last_done: Done | None = None
        # The kiosk's own language (its setting, else the system's); a customer's choice lasts
        # until the sale ends, the idle reset, or the attract screen is left alone.
        self.default_language = default_language or i18n.current()
        self._language_timer = QTimer(self)
        self._language_timer.setSingleShot(True)
        self._language_timer.timeout.connect(self._language_timed_out)
        self.tasks = TaskRunner(on_error=self._failed)
        self._connect()

    def _connect(self) -> None:
        self.events.event_loaded.connect(self._event_loaded)
        self.events.event_failed.connect(self._event_failed)
        self.checkout.reader_waiting.connect(self._reader_waiting)
        self.checkout.reader_done.connect(self._reader_done)
        self.checkout.card_payment_requested.connect(self._card_page)
        self.checkout.completed.connect(self._completed)
        self.checkout.error.connect(self._pay_failed)
        self.idle.countdown.connect(self.countdown)
        self.idle.expired.connect(self.idle_reset)

    # --- start, setup, health -----------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Sign in with the device account (or ask for the setup), then keep checking."""
        return self.tasks.run("run", self._run())

    async def _run(self) -> None:
        while not self.signed_in:
            try:
                ready = await self._sign_in()
            except BoxOfficeError as exc:
                self._out_of_order(Problem(NO_SERVER, f"signing in failed: {exc}"))
                await asyncio.sleep(self.check_every)
                continue
            if not ready:
                self._set_stage(Stage.SETUP)
                return  # `set_up` starts again
            self.signed_in = True
            await self._settle_unfinished()
            if self.stage is Stage.SETUP:
                self._set_stage(Stage.ATTRACT)
        while True:
            if self.stage in CHECKED:
                await self.check_now()
            await asyncio.sleep(self.check_every)

    async def _settle_unfinished(self) -> None:
        """Sales the kiosk's journal says did not finish (it was stopped mid-sale): an unpaid
        order is canceled, a paid one logged (its customer left without the tickets)."""
        try:
            for line in await self.checkout.settle_unfinished():
                logger.warning("kiosk: unfinished sale: %s", line)
        except BoxOfficeError as exc:
            logger.warning("kiosk: unfinished sales not settled now: %s", exc)

    def set_up(self, username: str, password: str) -> None:
        """Staff set the kiosk up: its device account is made with their sign-in."""
        self.tasks.run("setup", self._set_up(username, password))

    async def _set_up(self, username: str, password: str) -> None:
        self.setup_answer.emit("")
        try:
            await self._setup(username, password)
        except BoxOfficeError as exc:
            self.setup_answer.emit(user_message(exc))
            return
        except PermissionError as exc:
            self.setup_answer.emit(str(exc))
            return
        self._audit(f"kiosk set up by {username}")
        self.start()

    async def check_now(self) -> Problem | None:
        """Check everything; out of order when something is wrong, back when it is fine."""
        report = await self.health.check()
        self.reader = report.reader
        if report.training != self.training:
            self.training = report.training
            self.training_changed.emit(self.training)
        problem = report.problem
        if problem is None:
            try:
                await self.events.load_list()
            except BoxOfficeError as exc:
                problem = Problem(NO_SERVER, f"loading the events failed: {exc}")
            else:
                self.on_sale = [s for s in self.events.visible if kiosk_sells(s)]
                self.events_changed.emit()
                problem = events_problem(self.events.visible)
                if problem is None and not self.on_sale:
                    problem = Problem(NOTHING_ON_SALE, "no event on sale has tickets a kiosk sells")
        self.checks += 1
        if self.stage not in CHECKED:
            return problem  # a customer came meanwhile: a sale going on is not broken off
        if problem is not None:
            self._out_of_order(problem)
        elif self.stage is Stage.OUT_OF_ORDER:
            logger.info("kiosk back in order")
            self._set_problem(None)
            self._set_stage(Stage.ATTRACT)
        else:
            self._set_problem(None)
        return problem

    def _out_of_order(self, problem: Problem) -> None:
        if problem != self.problem:
            logger.warning("kiosk out of order: %s (%s)", problem.reason, problem.detail)
        self._set_problem(problem)
        if self.stage in (Stage.ATTRACT, Stage.EVENTS, Stage.OUT_OF_ORDER):
            self._set_stage(Stage.OUT_OF_ORDER)

    def _set_problem(self, problem: Problem | None) -> None:
        if problem != self.problem:
            self.problem = problem
            self.problem_changed.emit()

    # --- the customer's way ---------------------------------------------------------------

    def begin(self) -> None:
        """The attract screen was touched: the events on sale."""
        if self.stage is Stage.ATTRACT:
            self._language_timer.stop()  # the customer who chose it is here
            self._set_stage(Stage.EVENTS)
            self.events_changed.emit()

    def choose_event(self, event_id: int) -> None:
        if self.stage is not Stage.EVENTS:
            return
        self.notice.emit("")
        self.events.select(event_id)

    def _event_loaded(self, event: Event) -> None:
        if self.stage is not Stage.EVENTS:
            return
        self.cart.clear()
        self.cart.leave_event()
        self.cart.show_event(event)
        self.chosen = event
        self.quantities = {}
        if event.has_seat_map and any(self._seated(c) for c in event.ticket_config or []):
            self.seating = SeatingPresenter(self.sdk, event_id=event.id)
            self.seating.selection_changed.connect(self._seats_changed)
            self.seating.error.connect(self.notice)
            self.seating.load()
        self._set_stage(Stage.TICKETS)
        self.tickets_changed.emit()

    def _seats_changed(self, *_: object) -> None:
        self.idle.touch()  # a seat picked on the map is the customer's input too
        self.tickets_changed.emit()

    def _event_failed(self, text: str) -> None:
        if self.stage is Stage.EVENTS:
            self.notice.emit(_("This event cannot be opened right now. Please choose again."))
            logger.warning("kiosk: %s", text)

    def offered(self) -> list[TicketConfig]:
        """The chosen event's ticket types sold by number here (seated ones: on the map)."""
        if self.chosen is None:
            return []
        now = datetime.now(UTC)
        return [c for c in self.chosen.ticket_config or [] if by_number(self.chosen, c, now)]

    def _seated(self, config: TicketConfig) -> bool:
        return self.chosen is not None and seated(self.chosen, config)

    def change(self, config_id: int, delta: int) -> None:
        """One more (+1) or one fewer (−1) ticket of a type."""
        config = next((c for c in self.offered() if c.id == config_id), None)
        if config is None:
            return
        most = MAX_PER_TYPE if config.available is None else min(MAX_PER_TYPE, config.available)
        now = self.quantities.get(config_id, 0)
        self.quantities[config_id] = max(0, min(most, now + delta))
        self.tickets_changed.emit()

    @property
    def seats(self) -> list[str]:
        return self.seating.selected_labels if self.seating is not None else []

    @property
    def ticket_count(self) -> int:
        return sum(self.quantities.values()) + len(self.seats)

    @property
    def total_text(self) -> str:
        """The tickets' price before the server prices the order ("50.00 EUR")."""
        configs = {c.id: c for c in (self.chosen.ticket_config or [])} if self.chosen else {}
        total = sum(
            (Decimal(configs[i].face_value) * n for i, n in self.quantities.items() if n),
            Decimal(0),
        )
        if self.seating is not None:
            for label in self.seats:
                category = self.seating.category_of(label)
                if category is not None and category.price is not None:
                    total += Decimal(category.price)
        currency = next((c.currency for c in configs.values()), "")
        return i18n.money(total, currency) if currency else f"{total:.2f}"

    def pay(self, email: str = "") -> None:
        """Tickets chosen: make the order and take the card (the reader, else the page)."""
        if self.stage is not Stage.TICKETS:
            return
        email = email.strip()
        if email and not EMAIL.match(email):
            self.notice.emit(
                _("That email address does not look right. Check it, or leave it empty.")
            )
            return
        if self.ticket_count == 0:
            self.notice.emit(_("Choose at least one ticket."))
            return
        try:
            self.cart.clear()
            for config_id, quantity in self.quantities.items():
                if quantity:
                    self.cart.add(config_id, quantity)
            if self.seating is not None and self.seats:
                self.cart.add_held_seats(self.seating.order_items(), self.seating.hold_token)
        except (CartError, ValueError) as exc:
            self.notice.emit(str(exc))
            return
        self.email = email
        self.notice.emit("")
        self._set_stage(Stage.PAY)
        self._take_payment()

    def _take_payment(self) -> None:
        self.pay_error = ""
        self.pay_text = _("Getting your order ready…")
        self.pay_changed.emit()
        contact = Contact("Kiosk", "customer", self.email) if self.email else None
        method: PaymentMethod = "reader" if self.reader is not None else "card"
        self.checkout.complete_sale(
            method="free" if self.cart.is_free else method,
            contact=contact,
            ticket_format="PDF",
        )

    def try_again(self) -> None:
        """After a refused card: the same order, the card again."""
        if self.stage is Stage.PAY and not self.checkout.selling:
            self._take_payment()

    def tap_card(self, card_number: str) -> None:
        """Training only: the customer's test card on the simulated reader."""
        if self.training and self.reader is not None:
            self.tasks.run("tap", self.sdk.reader.present_card(self.reader.id, card_number))

    def card_page_paid(self, order: Order) -> None:
        """The payment page says the order is paid (the server agreed)."""
        self.checkout.on_card_paid(order)

    def card_page_failed(self, text: str) -> None:
        self.pay_error = text
        self.pay_changed.emit()

    def _reader_waiting(self, wait: ReaderWait) -> None:
        self.reader_waiting = True
        self.pay_error = ""
        amount = i18n.money(wait.amount, wait.currency)
        self.pay_text = _("Tap, insert or swipe your card on the card reader.\n%(amount)s") % {
            "amount": amount
        }
        self.pay_changed.emit()

    def _reader_done(self) -> None:
        self.reader_waiting = False
        self.pay_changed.emit()

    def _card_page(self, order: Order) -> None:
        self.pay_text = _("Pay %(amount)s by card") % {
            "amount": i18n.money(order.amount_due, order.currency)
        }
        self.pay_changed.emit()
        self.card_page_requested.emit(order)

    def _pay_failed(self, text: str) -> None:
        if self.stage is not Stage.PAY:
            return
        self.tasks.run("pay-failed", self._after_failure(text))

    async def _after_failure(self, text: str) -> None:
        report = await self.health.check()
        if report.problem is not None:  # the server or the reader went: out of order
            await self._reset()
            self._out_of_order(report.problem)
            return
        self.pay_text = ""
        self.pay_error = text
        self.pay_changed.emit()

    def _completed(self, result: SaleResult) -> None:
        self.tasks.run("done", self._show_done(result))

    async def _show_done(self, result: SaleResult) -> None:
        order = result.order
        codes: list[tuple[str, str]] = []
        try:
            full = await self.sdk.order.get_order(order.id, with_=WITH_TICKETS)
            for item in full.order_item:
                for ticket in item.ticket or []:
                    label = item.ticket_config_name or _("Ticket")
                    if ticket.seat_label:
                        label = _("%(ticket)s · seat %(seat)s") % {
                            "ticket": label,
                            "seat": ticket.seat_label,
                        }
                    codes.append((label, ticket.qr_payload or ticket.code))
        except BoxOfficeError as exc:
            logger.warning("kiosk: the tickets of %s could not be read: %s", order.code, exc)
        if not codes:
            codes = [(_("Order %(code)s") % {"code": order.code}, order.code)]
        logger.info("kiosk sale %s: %s", order.code, result.delivery.message)
        done = Done(order, codes, result.delivery.printed_pages > 0, self.email or None)
        self.last_done = done
        self._forget_customer()
        self._set_stage(Stage.DONE)
        self.finished.emit(done)
        await asyncio.sleep(self.done_seconds)
        if self.stage is Stage.DONE:
            self.finish()

    def finish(self) -> None:
        """The customer is done (or walked away): back to the attract screen, in the kiosk's
        own language for the next customer."""
        if self.stage is Stage.DONE:
            self.last_done = None
            self.use_language(self.default_language)
            self._set_stage(Stage.ATTRACT)
            self.tasks.run("check", self.check_now())

    def cancel(self) -> None:
        """The customer gives up (Cancel): everything of theirs is released."""
        self.tasks.run("reset", self._reset_to_attract("canceled by the customer"))

    def still_here(self) -> None:
        """ "Yes, I'm here": the idle time starts again."""
        self.idle.touch()

    def idle_reset(self) -> None:
        """Nobody answered "Are you still there?": everything of the customer goes."""
        self.tasks.run("reset", self._reset_to_attract(IDLE))

    async def _reset_to_attract(self, why: str) -> None:
        logger.info("kiosk reset (%s) from %s", why, self.stage)
        await self._reset()
        if why == IDLE:  # the customer walked away: the next one gets the kiosk's language
            self.use_language(self.default_language)
        else:  # "Start over": theirs, unless nobody starts again
            self._keep_language_a_while()
        self._set_stage(Stage.ATTRACT)
        await self.check_now()

    async def _reset(self) -> None:
        """Cancel the payment on the reader, cancel the unpaid order, release the seats,
        forget the customer."""
        self.idle.disarm()
        checkout = self.checkout
        wait = checkout.reader_wait
        checkout.tasks.cancel("sale")
        if wait is not None:
            try:
                await self.sdk.reader.cancel_payment(wait.order.id)
            except BoxOfficeError as exc:
                logger.info("kiosk: canceling the reader payment failed: %s", exc)
        checkout.abandon()  # cancels an unpaid order, clears the cart
        seating = self.seating
        self._forget_customer()
        if seating is not None:
            await seating.reset()
        await checkout.tasks.wait_all()

    def _forget_customer(self) -> None:
        self.cart.clear()
        self.cart.leave_event()
        self.chosen = None
        self.quantities = {}
        self.seating = None
        self.email = ""
        self.pay_text = self.pay_error = ""
        self.reader_waiting = False
        self.tickets_changed.emit()
        self.pay_changed.emit()
        self.notice.emit("")

    # --- the customer's language -----------------------------------------------------------

    def choose_language(self, language: str) -> None:
        """The customer chose a language on the attract screen: the kiosk speaks it now, and
        the order they buy records it (their tickets and mail come in it)."""
        if self.stage is not Stage.ATTRACT:
            return
        self.use_language(language)
        self._keep_language_a_while()

    def _keep_language_a_while(self) -> None:
        """Another language than the kiosk's on the attract screen lasts `language_seconds`
        if nobody starts: the next customer must not find the last one's language."""
        if i18n.current() != self.default_language:
            self._language_timer.start(int(1000 * self.language_seconds))

    @property
    def language_seconds(self) -> float:
        """How long a language chosen on the attract screen lasts if nobody starts."""
        return self.idle.idle_seconds + self.idle.countdown_seconds

    def use_language(self, language: str) -> None:
        """Speak `language` (the window, Qt's own words, the server's answers and the order's
        tickets and mail); `language_changed` when it is another one."""
        self._language_timer.stop()
        if language == i18n.current():
            return
        chosen = ui_language.apply(language)  # the order records it (CheckoutPresenter)
        logger.info("kiosk: the customer's language is %s", chosen)
        self.language_changed.emit(chosen)

    def _language_timed_out(self) -> None:
        if self.stage in (Stage.ATTRACT, Stage.OUT_OF_ORDER, Stage.SETUP):
            self.use_language(self.default_language)

    # --- staff ----------------------------------------------------------------------------

    def staff_exit(self, username: str, password: str) -> None:
        """Check a staff password; a right one lets staff close the kiosk (logged)."""
        self.tasks.run("exit", self._staff_exit(username, password))

    async def _staff_exit(self, username: str, password: str) -> None:
        try:
            staff = await self._verify_staff(username, password)
        except BoxOfficeError as exc:
            self._audit(f"staff exit failed: server not reachable ({exc})")
            self.exit_answer.emit(False, _("The server cannot check the password now."))
            return
        if staff is None:
            self._audit(f"staff exit refused: wrong password or not staff ({username!r})")
            self.exit_answer.emit(False, _("Wrong user name or password, or not a staff account."))
            return
        self._audit(f"staff exit by {staff}")
        self.exit_answer.emit(True, _("Signed in as %(user)s. The kiosk closes.") % {"user": staff})
        try:
            await self._reset()  # a customer's unpaid order and seats go first
        except BoxOfficeError as exc:
            logger.warning("kiosk: giving up the sale at the staff exit failed: %s", exc)
        self.exit_allowed.emit()

    # --- plumbing -------------------------------------------------------------------------

    def _set_stage(self, stage: Stage) -> None:
        if stage is self.stage:
            return
        logger.info("kiosk: %s → %s", self.stage, stage)
        self.stage = stage
        if stage in WATCHED:
            self.idle.arm()
        else:
            self.idle.disarm()
        self.stage_changed.emit(str(stage))

    def _failed(self, exc: BaseException) -> None:
        logger.warning("kiosk task failed: %s", exc)
        self.notice.emit(user_message(exc))

    async def aclose(self) -> None:
        self.idle.disarm()
        await self.tasks.aclose()
        if self.seating is not None:
            await self.seating.reset()
