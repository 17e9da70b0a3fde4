"""The presenters against a real venue server with the demo venue: events and their filter,
event detail, order history with reprint and save, sign-in, and settling unfinished sales."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from boxoffice.credentials import FileStore
from boxoffice.desktop.journal import SaleJournal, ServerIdentity, Step
from boxoffice.desktop.settings import AppSettings
from boxoffice.sdk import SDK, PasswordCredentials
from boxoffice.sdk.models.account import User
from boxoffice.sdk.models.events import Event
from boxoffice.sdk.models.orders import Order
from boxoffice.ui.presenters.cart import CartPresenter
from boxoffice.ui.presenters.checkout import CheckoutPresenter, Contact
from boxoffice.ui.presenters.events import EventsPresenter
from boxoffice.ui.presenters.history import HistoryPresenter
from boxoffice.ui.presenters.printing import PRINT_TO_FILE, PrintingPresenter
from boxoffice.ui.presenters.recovery import settle_unfinished
from boxoffice.ui.presenters.session import SessionPresenter
from boxoffice.ui.sale_state import SaleState
from tests.helpers import factories as f
from tests.helpers.counter import TEST_COUNTER, ensure_shift

MUSEUM = "Museum of Sound: Exhibition"
VIENNA = ZoneInfo("Europe/Vienna")


async def staff_sdk(base_url: str) -> SDK:
    """The clerk at the test counter, its shift open (cash can be taken)."""
    sdk = await SDK.build(base_url, organizer="demo", max_retries=1, counter=TEST_COUNTER)
    await sdk.authorize(PasswordCredentials("clerk", f.PASSWORD))
    await ensure_shift(sdk)
    return sdk


# --- events ----------------------------------------------------------------------------------


def test_events_load_and_filter_by_text_and_day(qloop, demo_server):
    async def scenario() -> tuple[EventsPresenter, list[None]]:
        sdk = await staff_sdk(demo_server.base_url)
        try:
            events = EventsPresenter(sdk, clock=demo_server.clock)
            changes: list[None] = []
            events.events_changed.connect(lambda: changes.append(None))
            await events.load_list()
            return events, changes
        finally:
            await sdk.aclose()

    events, changes = qloop.run(scenario())
    names = [s.event.name for s in events.visible]
    assert {"Pop & Soul Night", MUSEUM, "Open Air Festival", "Open Rehearsal", "Gala Night"} <= set(
        names
    )
    assert changes
    states = [s.state.sellable for s in events.visible]
    assert states == sorted(states, reverse=True)  # rows on sale first
    pop = next(s for s in events.visible if s.event.name == "Pop & Soul Night")
    assert pop.state is SaleState.ON_SALE and pop.remaining == 330  # 300 Standard + 30 free
    assert pop.status_text == "On sale · 330 left"
    gala = next(s for s in events.visible if s.event.name == "Gala Night")
    assert gala.state is SaleState.NOT_STARTED
    sale_day = demo_server.clock.now.astimezone(VIENNA).date() + timedelta(days=3)
    assert gala.status_text == f"Sale starts {sale_day:%d %b} 10:00"  # "+3d 10:00" at the venue
    assert events.summary_of(pop.event.id) is pop

    events.set_filter("  POP ")
    assert [s.event.name for s in events.visible] == ["Pop & Soul Night"]
    events.set_filter("open")
    assert sorted(s.event.name for s in events.visible) == ["Open Air Festival", "Open Rehearsal"]
    events.set_filter("stadthalle")  # the venue's name matches every event there
    assert len(events.visible) == len(names)

    in_three_days = demo_server.clock.now.astimezone(VIENNA).date() + timedelta(days=3)
    events.set_filter("", in_three_days)
    assert [s.event.name for s in events.visible] == [MUSEUM]
    events.set_filter("museum", in_three_days)
    assert [s.event.name for s in events.visible] == [MUSEUM]
    events.set_filter("pop", in_three_days)
    assert events.visible == []
    events.set_filter("", in_three_days + timedelta(days=365))
    assert events.visible == []
    events.set_filter()
    assert len(events.visible) == len(names)


def test_event_detail_has_configs_timeslots_sectors_and_discounts(qloop, demo_server):
    async def scenario() -> tuple[Event, Event, Event | None, list[object]]:
        sdk = await staff_sdk(demo_server.base_url)
        try:
            events = EventsPresenter(sdk, clock=demo_server.clock)
            loaded: list[object] = []
            events.event_loaded.connect(loaded.append)
            await events.load_list()
            by_name = {s.event.name: s.event.id for s in events.visible}
            museum = await events.load_detail(by_name[MUSEUM])
            festival = await events.load_detail(by_name["Open Air Festival"])
            events.select(by_name["Pop & Soul Night"])  # the pane's way: a named task
            await events.tasks.wait("detail")
            return museum, festival, events.selected, loaded
        finally:
            await sdk.aclose()

    museum, festival, pop, loaded = qloop.run(scenario())
    assert [c.name for c in museum.ticket_config or []] == [
        "Adult",
        "Child (6–15)",
        "Reduced (students, seniors)",
    ]
    slots = museum.timeslot or []
    assert len(slots) >= 8 * 6
    assert all(slot.quantity == 25 for slot in slots)
    assert all(c.timeslot_ids for c in museum.ticket_config or [])
    assert {s.name for s in festival.sector or []} == {"Front of stage", "Back"}
    assert all(c.sector_ids for c in festival.ticket_config or [])
    assert pop is not None and pop.name == "Pop & Soul Night"
    assert {d.name for d in pop.ticket_discount or []} == {"Student", "Member"}
    assert pop.venue is not None and pop.venue.name == "Stadthalle Demo"
    assert loaded == [museum, festival, pop]


def test_the_cart_takes_a_real_event_detail(qloop, qapp, demo_server):
    async def scenario() -> Event:
        sdk = await staff_sdk(demo_server.base_url)
        try:
            events = EventsPresenter(sdk, clock=demo_server.clock)
            await events.load_list()
            museum_id = next(s.event.id for s in events.visible if s.event.name == MUSEUM)
            return await events.load_detail(museum_id)
        finally:
            await sdk.aclose()

    museum = qloop.run(scenario())
    cart = CartPresenter()
    cart.show_event(museum)
    adult = (museum.ticket_config or [])[0]
    slot = next(s for s in museum.timeslot or [] if adult.id in s.ticket_config_ids)
    cart.add(adult.id, 2, timeslot_id=slot.id)
    assert cart.total == Decimal("28.00")
    assert cart.order_items() == [
        {"quantity": 2, "ticket_config_id": adult.id, "timeslot_id": slot.id}
    ]


# --- history ---------------------------------------------------------------------------------


class Shop:
    """The presenters a sale and the order history need, around one signed-in SDK client."""

    def __init__(self, sdk: SDK, data_dir: Path) -> None:
        self.sdk = sdk
        self.settings = AppSettings(
            printer=PRINT_TO_FILE, auto_print=False, save_folder=str(data_dir / "saved")
        )
        self.journal = SaleJournal(data_dir / "journal.jsonl")
        self.cart = CartPresenter()
        self.printing = PrintingPresenter(
            sdk, self.settings, default_folder=lambda: data_dir / "tickets"
        )
        self.checkout = CheckoutPresenter(
            sdk, cart=self.cart, tickets=self.printing, journal=self.journal
        )
        self.history = HistoryPresenter(sdk, printing=self.printing)
        self.events = EventsPresenter(sdk)

    async def sell_pop(self, quantity: int, contact: Contact) -> Order:
        await self.events.load_list()
        pop = next(s.event for s in self.events.visible if s.event.name == "Pop & Soul Night")
        self.cart.show_event(await self.events.load_detail(pop.id))
        standard = next(c.id for c in pop.ticket_config or [] if c.name == "Standard")
        self.cart.add(standard, quantity)
        self.checkout.complete_sale(method="cash", tendered=Decimal(29 * quantity), contact=contact)
        await self.checkout.tasks.wait("sale")
        result = self.checkout.last_result
        assert result is not None
        return result.order


def test_history_finds_reprints_and_saves_an_order(qloop, qapp, demo_server, tmp_path):
    async def scenario() -> Any:
        sdk = await staff_sdk(demo_server.base_url)
        shop = Shop(sdk, tmp_path / "app")
        said: list[str] = []
        problems: list[str] = []
        printed: list[str] = []
        shop.history.message.connect(said.append)
        shop.history.error.connect(problems.append)
        shop.printing.printed.connect(printed.append)
        try:
            ada = await shop.sell_pop(2, Contact("Ada", "Lovelace", "ada@example.org"))
            grace = await shop.sell_pop(1, Contact("Grace", "Hopper", "grace@example.org"))
            found = {
                text: [o.id for o in await shop.history.find(text)]
                for text in (
                    ada.code,
                    ada.code.lower(),
                    "lovelace",
                    "ada@example.org",
                    "Ada Lovelace",
                    "hopper",
                    "nobody-like-this",
                    "",
                )
            }
            shop.history.reprint(ada)
            await shop.history.tasks.wait("reprint")
            shop.history.save(ada, "pdf", tmp_path / "out")
            await shop.history.tasks.wait("save")
            draft = await sdk.order.create_order(
                [{"quantity": 1, "ticket_config_id": ada.order_item[0].ticket_config_id}]
            )
            shop.history.save(draft, "pdf", tmp_path / "out")
            await shop.history.tasks.wait("save")
            return ada, grace, draft, found, said, problems, printed, shop.printing
        finally:
            await sdk.aclose()

    ada, grace, draft, found, said, problems, printed, printing = qloop.run(scenario(), timeout=120)
    assert ada.status == "paid" and ada.order_contact is not None
    for text in (ada.code, ada.code.lower(), "lovelace", "ada@example.org", "Ada Lovelace"):
        assert found[text] == [ada.id], text
    assert found["hopper"] == [grace.id]
    assert found["nobody-like-this"] == []
    assert found[""] == [grace.id, ada.id]  # every recent order, newest first

    assert printed == [f"Order {ada.code}: 2 tickets printed on {PRINT_TO_FILE}."]
    pdf = printing.last_printed_file
    assert pdf is not None and pdf.is_file()
    assert pdf.parent == tmp_path / "app" / "saved"
    assert len(PdfReader(pdf).pages) == 2

    saved = tmp_path / "out" / f"{ada.code}.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(saved).pages) == 2
    assert said == [f"Order {ada.code} saved to {saved}."]
    assert problems == [f"Order {draft.code} is draft: it has no tickets."]


# --- session ---------------------------------------------------------------------------------


def test_sign_in_errors_guest_and_sign_out(qloop, qapp, demo_server):
    async def scenario() -> Any:
        sdk = await SDK.build(demo_server.base_url, organizer="demo", max_retries=1)
        session = SessionPresenter(sdk, base_url=demo_server.base_url)
        errors: list[str] = []
        changes: list[None] = []
        session.error.connect(errors.append)
        session.changed.connect(lambda: changes.append(None))
        try:
            wrong = await session.sign_in("clerk", "not the password")
            after_wrong = (session.user, session.display_name)
            guest = await session.sign_in_guest()
            guest_view = (session.display_name, session.is_staff, session.signed_in)
            staff = await session.sign_in("clerk", f.PASSWORD)
            staff_view = (session.user.username if session.user else None, session.is_staff)
            session.sign_out()
            return (
                wrong,
                after_wrong,
                guest,
                guest_view,
                staff,
                staff_view,
                session,
                errors,
                changes,
            )
        finally:
            await sdk.aclose()

    wrong, after_wrong, guest, guest_view, staff, staff_view, session, errors, changes = qloop.run(
        scenario()
    )
    assert wrong is False
    assert after_wrong == (None, "Not signed in")
    assert errors == ["Wrong user name or password."]
    assert guest is True and guest_view == ("Kiosk (guest)", False, True)
    assert staff is True and staff_view == ("clerk", True)
    assert session.user is None and not session.signed_in
    assert session.display_name == "Not signed in"
    assert len(changes) == 4  # failed sign-in, guest, staff, sign-out
    assert not session.can_remember


def test_the_counter_account_needs_its_password(qloop, qapp, demo_server):
    async def scenario() -> tuple[bool, list[str]]:
        sdk = await SDK.build(demo_server.base_url, organizer="demo", max_retries=1)
        session = SessionPresenter(sdk, base_url=demo_server.base_url)
        errors: list[str] = []
        session.error.connect(errors.append)
        try:
            return await session.sign_in_counter(), errors
        finally:
            await sdk.aclose()

    signed_in, errors = qloop.run(scenario())
    assert signed_in is False
    assert errors == ["This counter has no built-in account; sign in with your own."]


def test_remember_me_then_resume_without_a_password(qloop, qapp, demo_server, tmp_path):
    store = FileStore(tmp_path / "credentials.json")
    base_url = demo_server.base_url

    async def sign_in_and_remember() -> bool:
        sdk = await SDK.build(base_url, organizer="demo", max_retries=1)
        try:
            session = SessionPresenter(sdk, base_url=base_url, tokens=store)
            assert session.can_remember
            return await session.sign_in("clerk", f.PASSWORD, remember=True)
        finally:
            await sdk.aclose()

    async def resume(username: str) -> tuple[bool, User | None, bool]:
        sdk = await SDK.build(base_url, organizer="demo", max_retries=1)
        try:
            session = SessionPresenter(sdk, base_url=base_url, tokens=store)
            resumed = await session.resume(username)
            return resumed, session.user, sdk.is_authorized
        finally:
            await sdk.aclose()

    assert qloop.run(sign_in_and_remember()) is True
    first_token = store.load(base_url, "clerk")
    assert first_token and store.last_user(base_url) == "clerk"

    resumed, user, authorized = qloop.run(resume("clerk"))
    assert resumed is True and authorized
    assert user is not None and user.username == "clerk" and user.role == "staff"
    assert store.load(base_url, "clerk")  # the rotated token is kept for next time

    assert qloop.run(resume("somebody")) == (False, None, False)

    store.save(base_url, "clerk", "not-a-token")
    resumed, user, _ = qloop.run(resume("clerk"))
    assert resumed is False and user is None
    assert store.load(base_url, "clerk") is None  # a refused token is forgotten


def test_sign_out_can_forget_the_remembered_token(qloop, qapp, demo_server, tmp_path):
    store = FileStore(tmp_path / "credentials.json")

    async def scenario() -> User | None:
        sdk = await SDK.build(demo_server.base_url, organizer="demo", max_retries=1)
        try:
            session = SessionPresenter(sdk, base_url=demo_server.base_url, tokens=store)
            assert await session.sign_in("clerk", f.PASSWORD, remember=True)
            session.sign_out(forget=True)
            return session.user
        finally:
            await sdk.aclose()

    assert qloop.run(scenario()) is None
    assert store.load(demo_server.base_url, "clerk") is None


# --- recovery --------------------------------------------------------------------------------


async def test_settle_unfinished_sales(demo_server, tmp_path):
    journal = SaleJournal(tmp_path / "journal.jsonl", server=ServerIdentity(demo_server.base_url))
    async with await staff_sdk(demo_server.base_url) as sdk:
        events = [e async for e in sdk.event.iter_events(with_=["ticket_config"])]
        [pop] = [e for e in events if e.name == "Pop & Soul Night"]
        standard = next(c.id for c in pop.ticket_config or [] if c.name == "Standard")
        items = [{"quantity": 2, "ticket_config_id": standard}]

        # (a) paid on the server, but the journal stopped at order_created
        paid = await sdk.order.create_order(items)
        journal.record("a", Step.STARTED, items=items)
        journal.record("a", Step.ORDER_CREATED, order_id=paid.id, code=paid.code)
        await sdk.payment.create_payment_intent(paid.id, type="cash", tendered=Decimal(58))
        # (b) an order that was never paid
        draft = await sdk.order.create_order(items)
        journal.record("b", Step.STARTED, items=items)
        journal.record("b", Step.ORDER_CREATED, order_id=draft.id, code=draft.code)
        # (c) stopped before any order was made
        journal.record("c", Step.STARTED, items=items)
        # (d) an order the server does not know
        journal.record("d", Step.ORDER_CREATED, order_id=999_999, code="GONE")
        # (e) a finished sale is left alone
        journal.record("e", Step.STARTED)
        journal.record("e", Step.DONE, order_id=paid.id)

        messages = await settle_unfinished(sdk, journal)
        again = await settle_unfinished(sdk, journal)
        draft_now = await sdk.order.get_order(draft.id)
        paid_now = await sdk.order.get_order(paid.id)

    assert messages == [
        f"Order {paid.code} was paid before Box Office stopped; "
        "print its tickets from Orders (Ctrl+2) if the customer has none.",
        f"Order {draft.code} was not paid when Box Office stopped; it was released.",
    ]
    assert again == []
    assert draft_now.status == "canceled"
    assert paid_now.status == "paid"
    assert journal.unfinished() == []
    sales = journal.sales()
    assert {sale_id: sales[sale_id].step for sale_id in "abcde"} == {
        "a": "done",
        "b": "canceled",
        "c": "canceled",
        "d": "canceled",
        "e": "done",
    }
    assert sales["a"].data["recovered"] is True and sales["b"].data["recovered"] is True
    assert sales["c"].data["reason"] == "no order was made"
    assert sales["d"].data["reason"] == "order not found"


async def test_a_part_paid_sale_found_after_a_crash_is_given_back(demo_server, tmp_path):
    """Cash part taken, then the counter stopped: the next start cancels the order, the
    drawer gives the part back, and the cashier is told to hand it over."""
    journal = SaleJournal(tmp_path / "journal.jsonl", server=ServerIdentity(demo_server.base_url))
    async with await staff_sdk(demo_server.base_url) as sdk:
        events = [e async for e in sdk.event.iter_events(with_=["ticket_config"])]
        [pop] = [e for e in events if e.name == "Pop & Soul Night"]
        standard = next(c.id for c in pop.ticket_config or [] if c.name == "Standard")
        items = [{"quantity": 2, "ticket_config_id": standard}]
        order = await sdk.order.create_order(items)
        journal.record("p", Step.STARTED, items=items)
        journal.record("p", Step.ORDER_CREATED, order_id=order.id, code=order.code)
        drawer_before = (await sdk.shift.current()).expected_cash
        await sdk.payment.create_payment_intent(
            order.id, type="cash", amount=Decimal(20), tendered=Decimal(20)
        )

        messages = await settle_unfinished(sdk, journal)
        now = await sdk.order.get_order(order.id)
        drawer_after = (await sdk.shift.current()).expected_cash

    assert messages == [
        f"Order {order.code} was part-paid (20.00 EUR) when Box Office stopped; it was "
        "canceled and the 20.00 EUR given back the way it came: hand back any cash."
    ]
    assert now.status == "canceled" and drawer_after == drawer_before
    assert journal.sales()["p"].step == "canceled"
