"""A counter started while its venue server is away: the cached catalog is listed at once,
the cashier is told it is offline, the remembered sign-in is kept, and when the server is
back the counter signs in by itself and sells at the server's prices."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from boxoffice.credentials import FILE_ENV
from boxoffice.desktop.catalog_cache import CatalogCache
from boxoffice.desktop.settings import Mode
from boxoffice.sdk import SDK
from boxoffice.sdk.models.seating import SeatMap
from boxoffice.ui.dialogs.login import LoginDialog
from boxoffice.ui.presenters.seating import SeatingPresenter
from tests.helpers.counter import (
    close_counter,
    ensure_shift,
    make_counter,
    sell_with_keyboard,
    wait_until,
)
from tests.helpers.factories import PASSWORD
from tests.helpers.live_server import FakeClock, demo_live_server
from tests.helpers.processes import free_port


def login_dialogs() -> set[int]:
    """The sign-in dialogs shown now."""
    from PySide6.QtWidgets import QApplication

    return {
        id(w)
        for w in QApplication.topLevelWidgets()
        if isinstance(w, LoginDialog) and w.isVisible()
    }


def test_a_counter_started_without_its_server_browses_the_cache_and_sells_when_back(
    qloop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "credentials.json"))  # "remember me" works
    clock, port, app_dir = FakeClock(), free_port(), tmp_path / "app"

    async def yesterday(base_url: str) -> None:
        counter = await make_counter(base_url, app_dir, mode=Mode.VENUE)
        try:
            assert await counter.session.sign_in("clerk", PASSWORD, remember=True)
            counter.settings.last_user = "clerk"
            counter._store.save(counter.settings)
            await counter.events.load_list()  # … and cached
        finally:
            await close_counter(counter)

    with demo_live_server(tmp_path / "server", clock, port=port) as server:
        qloop.run(yesterday(server.base_url))
    base_url = f"http://127.0.0.1:{port}"

    async def today_offline():
        counter = await make_counter(base_url, app_dir, mode=Mode.VENUE)
        counter.settings.last_user = "clerk"
        began = time.perf_counter()
        counter.window.show()
        assert counter.events.show_cached()
        listed = time.perf_counter() - began
        await counter.start()  # the server does not answer: no sign-in dialog, a wait
        await wait_until(lambda: counter.events.offline_text or counter.connection.online is False)
        return counter, listed

    logins_before = login_dialogs()  # other tests of the session may have left some
    counter, listed = qloop.run(today_offline())
    try:
        assert listed < 1.5  # launch budget; the cache is read in milliseconds
        assert [s.event.name for s in counter.events.visible][:1]
        assert not counter.session.signed_in
        assert login_dialogs() <= logins_before  # no sign-in dialog of its own
        counter.events.refresh()
        qloop.run(wait_until(lambda: counter.events.offline_text))
        assert counter.events.offline_text.startswith("Offline — showing events as of ")
        assert counter.window.panes.events.offline.isVisible()
        with demo_live_server(tmp_path / "server", clock, port=port):
            counter.connection.watch(every=0.2)

            async def back_and_sell():
                await wait_until(lambda: counter.session.signed_in, timeout=20)
                await wait_until(lambda: not counter.events.offline_text)
                await ensure_shift(counter.sdk)
                return await sell_with_keyboard(
                    counter, event_query="pop & soul", quantity=2, tendered="100"
                )

            result = qloop.run(back_and_sell())
            assert result.order.status == "paid"
            assert not counter.window.panes.events.offline.isVisible()
    finally:
        qloop.run(close_counter(counter))


def test_a_seat_map_is_shown_from_the_cache_while_the_server_is_away(
    qloop, demo_server, tmp_path: Path
) -> None:
    cache = CatalogCache(tmp_path / "catalog", base_url=demo_server.base_url, organizer="demo")

    async def scenario() -> tuple[SeatMap | None, SeatingPresenter]:
        async with await SDK.build(demo_server.base_url, organizer="demo") as sdk:
            await sdk.authorize()
            events = [e async for e in sdk.event.iter_events()]
            seated = next(e for e in events if e.has_seat_map)
            online = SeatingPresenter(sdk, event_id=seated.id, cache=cache)
            await online.load()
        away_url = f"http://127.0.0.1:{free_port()}"
        async with await SDK.build(away_url, organizer="demo", max_retries=0) as away:
            offline = SeatingPresenter(away, event_id=seated.id, cache=cache)
            await offline.load()
        return online.seat_map, offline

    online_map, offline = qloop.run(scenario())
    assert online_map is not None and not online_map.seats[0].held_by_you
    assert offline.offline and offline.seat_map == online_map
