"""Finding orders over real HTTP, on SQLite and PostgreSQL: `query=` (every word part of the
code, a contact name or the email, any case), `email=` (exactly, the contact's or billing
email), `code=`, with paging and total; and the search index's migration, up and down."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import inspect, text

from boxoffice.server.db.engine import make_engine
from boxoffice.server.db.migrate import alembic_config, upgrade
from boxoffice.server.services import orders as order_service
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.integration.test_order_rules import order

pytestmark = pytest.mark.integration

EVERYONE = {"include_not_owned": "true"}


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


def _found(client: httpx.Client, staff: dict[str, str], **params: Any) -> tuple[list[int], int]:
    response = client.get("/event/v1/order", headers=staff, params={**params, **EVERYONE})
    assert response.status_code == 200, response.text
    body = response.json()
    return [o["id"] for o in body["data"]], body["paging"]["total"]


def _ids(client: httpx.Client, staff: dict[str, str], **params: Any) -> set[int]:
    ids, total = _found(client, staff, **params)
    assert total == len(ids)
    return set(ids)


@pytest.fixture
def orders(live_server, client) -> dict[str, Any]:
    """Four orders of a guest: Grace Hopper, Ada Lovelace (with a billing email), one without
    a contact, Grace Kelly; made in that order, a minute apart. Staff's headers too."""
    config = f.make_event(
        live_server.state, configs=[{"name": "S", "face_value": "5", "quantity": 50}]
    )["config_ids"][0]
    buyer = f.guest(client)
    contacts: list[dict[str, str] | None] = [
        {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@navy.example"},
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@engine.example",
            "billing_email": "Accounts@Bank.example",
        },
        None,
        {"first_name": "Grace", "last_name": "Kelly", "email": "GK@Monaco.example"},
    ]
    made = []
    for contact in contacts:
        extra = {"order_contact": contact} if contact else {}
        response = order(client, buyer, [{"quantity": 1, "ticket_config_id": config}], **extra)
        assert response.status_code == 201, response.text
        made.append(response.json()["data"])
        live_server.clock.advance(minutes=1)
    f.make_user(live_server.state, "clerk", role="staff")
    hopper, lovelace, anonymous, kelly = made
    return {
        "staff": f.login(client, "clerk"),
        "buyer": buyer,
        "hopper": hopper,
        "lovelace": lovelace,
        "anonymous": anonymous,
        "kelly": kelly,
    }


@BOTH_DATABASES
def test_every_word_must_be_in_the_code_a_name_or_the_email(client, orders):
    staff = orders["staff"]
    hopper, lovelace, anonymous, kelly = (
        orders[k]["id"] for k in ("hopper", "lovelace", "anonymous", "kelly")
    )
    expected = {
        "grace": {hopper, kelly},
        "GRACE hop": {hopper},
        "  opp  ": {hopper},  # part of a surname
        "velac": {lovelace},
        "navy": {hopper},  # a word of the email
        "monaco.EXAMPLE": {kelly},
        "ov": {lovelace},  # shorter than the index's trigrams ("o" is in no code)
        "@": {hopper, lovelace, kelly},
        "%": set(),  # LIKE's wildcards match themselves
        "gr_ce": set(),
        "hop%er": set(),
        "grace lovelace": set(),  # words of different orders
        "bank": set(),  # the billing email is not searched
        "zed": set(),
        orders["anonymous"]["code"][1:].lower(): {anonymous},
        f"{orders['hopper']['code']} grace": {hopper},
    }
    for query, found in expected.items():
        assert _ids(client, staff, query=query) == found, query


@BOTH_DATABASES
def test_a_search_reaches_the_newest_matching_orders(client, orders, monkeypatch):
    """`query=` looks at the newest SEARCH_REACH matches (here 2 of 3 orders with an "@"):
    they are listed and counted; narrower words still reach older orders. Multi-word
    searches intersect the words' matches."""
    monkeypatch.setattr(order_service, "SEARCH_REACH", 2)
    staff = orders["staff"]
    hopper, lovelace, kelly = (orders[k]["id"] for k in ("hopper", "lovelace", "kelly"))
    assert _found(client, staff, query="@") == ([kelly, lovelace], 2)
    assert _found(client, staff, query="@", limit=1) == ([kelly], 2)
    assert _found(client, staff, query="@", limit=1, offset=1) == ([lovelace], 2)
    assert _ids(client, staff, query="@ navy") == {hopper}
    # PostgreSQL looks among the newest blocks of ids first (here blocks of one id: the
    # anonymous order and Kelly's first), and the whole table when they hold too few matches.
    monkeypatch.setattr(order_service, "SEARCH_REACH", 1)
    monkeypatch.setattr(order_service, "SEARCH_BLOCK", 1)
    assert _found(client, staff, query="@") == ([kelly], 1)
    assert _found(client, staff, query="hop") == ([hopper], 1)
    assert _found(client, staff, query="grace example") == ([kelly], 1)
    assert _found(client, staff, query="grace hop") == ([hopper], 1)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_search_widens_its_window_as_the_matches_found_say(live_server, client, monkeypatch):
    """PostgreSQL reads the newest two blocks, then as many as their matches say hold
    SEARCH_REACH (half again to spare), and the whole table only when needed. Here blocks of
    one id, and every fourth of 24 orders, the newest among them, is Grace's."""
    config = f.make_event(
        live_server.state, configs=[{"name": "S", "face_value": "5", "quantity": 50}]
    )["config_ids"][0]
    buyer = f.guest(client)
    ids = []
    for n in range(24):
        first = "Grace" if (23 - n) % 4 == 0 else "Ada"
        contact = {"first_name": first, "last_name": f"Number{n}", "email": f"{n}@x.example"}
        response = order(
            client, buyer, [{"quantity": 1, "ticket_config_id": config}], order_contact=contact
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["data"]["id"])
    f.make_user(live_server.state, "clerk", role="staff")
    staff = f.login(client, "clerk")
    monkeypatch.setattr(order_service, "SEARCH_REACH", 3)
    monkeypatch.setattr(order_service, "SEARCH_BLOCK", 1)
    windows: list[int | None] = []
    real = order_service._trigram_matches

    def recorded(words: list[str], *, from_block: int | None) -> Any:
        windows.append(from_block)
        return real(words, from_block=from_block)

    monkeypatch.setattr(order_service, "_trigram_matches", recorded)
    newest = ids[-1]
    # The newest two hold one Grace: the next window is 2 * 3 * 1.5 = 9 ids and 2 more.
    assert _found(client, staff, query="grace") == ([ids[23], ids[19], ids[15]], 3)
    assert windows == [newest - 1, newest - 10]
    windows.clear()
    # No "number1" among the newest two: a rare word, looked for in the whole table.
    assert _found(client, staff, query="number1") == ([ids[19], ids[18], ids[17]], 3)
    assert windows == [newest - 1, None]
    windows.clear()
    # Too few in every window it may read (SEARCH_WINDOW): the whole table.
    monkeypatch.setattr(order_service, "SEARCH_WINDOW", 4)
    assert _found(client, staff, query="grace") == ([ids[23], ids[19], ids[15]], 3)
    assert windows == [newest - 1, None]


@BOTH_DATABASES
def test_search_follows_the_contact_as_it_changes(client, orders):
    staff = orders["staff"]
    anonymous, hopper = orders["anonymous"]["id"], orders["hopper"]["id"]
    kelly = orders["kelly"]["id"]
    for order_id, contact in [
        (anonymous, {"first_name": "Linus", "last_name": "Torvalds", "email": "l@kernel.example"}),
        (hopper, {"first_name": "Grace", "last_name": "Brewster", "email": "g@yale.example"}),
        (kelly, {"first_name": "Karel", "last_name": "Čapek", "email": "k@rur.example"}),
    ]:
        response = client.post(
            f"/event/v1/order/{order_id}/order_contact", headers=staff, json=contact
        )
        assert response.status_code == 200, response.text
    assert _ids(client, staff, query="torv kernel") == {anonymous}
    assert _ids(client, staff, query="hopper") == set()
    assert _ids(client, staff, query="brews") == {hopper}
    assert _ids(client, staff, query="čapek") == _ids(client, staff, query="ČAP") == {kelly}
    assert _ids(client, staff, email="G@YALE.example") == {hopper}
    assert _ids(client, staff, email="grace.hopper@navy.example") == set()


@BOTH_DATABASES
def test_email_is_exact_on_the_contact_or_billing_email(client, orders):
    staff = orders["staff"]
    assert _ids(client, staff, email="GRACE.HOPPER@NAVY.EXAMPLE") == {orders["hopper"]["id"]}
    assert _ids(client, staff, email="gk@monaco.example") == {orders["kelly"]["id"]}
    assert _ids(client, staff, email="accounts@bank.example") == {orders["lovelace"]["id"]}
    assert _ids(client, staff, email="grace") == set()
    both = _ids(client, staff, email="gk@monaco.example", query="grace")
    assert both == {orders["kelly"]["id"]}
    code = orders["lovelace"]["code"]
    assert _ids(client, staff, code=code.lower()) == {orders["lovelace"]["id"]}


@BOTH_DATABASES
def test_search_pages_newest_first_with_the_total(client, orders):
    staff = orders["staff"]
    first, total = _found(client, staff, query="grace", limit=1)
    assert (first, total) == ([orders["kelly"]["id"]], 2)
    second, total = _found(client, staff, query="grace", limit=1, offset=1)
    assert (second, total) == ([orders["hopper"]["id"]], 2)
    assert _found(client, staff, query="grace", limit=1, offset=2) == ([], 2)
    # Another filter narrows the matches, and the total counts only what it keeps.
    hopper = orders["hopper"]
    assert _found(client, staff, query="grace", code=hopper["code"], limit=1) == ([hopper["id"]], 1)
    # The buyer's own list searches the same way, without `include_not_owned`.
    mine = client.get("/event/v1/order", headers=orders["buyer"], params={"query": "ada"})
    assert [o["id"] for o in mine.json()["data"]] == [orders["lovelace"]["id"]]


def test_the_migration_indexes_existing_orders_and_goes_down(tmp_path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0009_order_language")
        # Orders made before the search index (no foreign keys checked: just the rows).
        raw = sqlite3.connect(path)
        raw.executescript(
            """
            INSERT INTO "order" (id, code, event_id, user_id, status, format, currency, total,
                created_at, updated_at)
            VALUES (7, 'ABC234', 1, 1, 'paid', 'PDF', 'EUR', 500, '2026-01-01', '2026-01-01'),
                   (8, 'XYZ234', 1, 1, 'paid', 'PDF', 'EUR', 500, '2026-01-01', '2026-01-01');
            INSERT INTO order_contact (order_id, first_name, last_name, email, extra)
            VALUES (7, 'Grace', 'Hopper', 'grace@navy.example', '{}');
            """
        )
        raw.close()
        upgrade(engine)

        def search(word: str) -> list[int]:
            with engine.connect() as connection:
                found = connection.execute(
                    text("SELECT rowid FROM order_search WHERE text LIKE :p ORDER BY rowid"),
                    {"p": f"%{word}%"},
                )
                return list(found.scalars())

        assert search("hopp") == [7]
        assert search("234") == [7, 8]
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009_order_language")
        names = set(inspect(engine).get_table_names())
        assert not {n for n in names if n.startswith("order_search")}
        with engine.connect() as connection:
            triggers = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert not [t for t in triggers if t.startswith("order_search")]
        upgrade(engine)
        assert search("navy") == [7]
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_the_migration_goes_down_and_up_on_postgres(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine)
    try:
        upgrade(engine)
        for target, step in (("0009_order_language", command.downgrade), ("head", command.upgrade)):
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                step(config, target)
        indexes = {i["name"] for i in inspect(engine).get_indexes("order_contact")}
        assert {"ix_order_search_contact", "ix_order_search_email"} <= indexes
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_search_of_the_newest_blocks_is_one_index_scan_on_postgres(database_url: str) -> None:
    """The windowed search spells the block and the contact's text as migration 0012's index
    does, so PostgreSQL intersects the block and every word in one index scan, and reads only
    rows of those blocks that hold every word."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        query = order_service._trigram_matches(["hopp", "navy"], from_block=3)
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.connect() as connection:
            connection.execute(text("SET enable_seqscan = off"))  # an empty table: any plan
            plan = connection.execute(text(f"EXPLAIN {sql}")).scalars().all()
        contact_scan = [line for line in plan if "ix_order_search_contact" in line]
        assert len(contact_scan) == 1, plan
        conditions = plan[plan.index(contact_scan[0]) + 1]
        assert "Index Cond" in conditions and "(order_id / 1000) >= 3" in conditions, plan
        assert "hopp" in conditions and "navy" in conditions, plan
    finally:
        engine.dispose()
