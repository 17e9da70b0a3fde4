"""Many events: the list shows its first page before the rest arrives, and a search finds an
event the counter has not loaded yet (asking the server), by keyboard too."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import Qt

from boxoffice.sdk import SDK
from boxoffice.ui.presenters import events as events_module
from boxoffice.ui.presenters.events import EventsPresenter
from tests.helpers.counter import clerk_counter, keys, shortcut, wait_until
from tests.ui.test_presenters import staff_sdk


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 2 events: the demo's handful spans several."""
    monkeypatch.setattr(events_module, "FIRST_PAGE", 2)
    monkeypatch.setattr(events_module, "PAGE", 2)


def hold_later_pages(sdk: SDK) -> asyncio.Event:
    """Pages after the first wait until the returned event is set; searches go through."""
    gate = asyncio.Event()
    original = sdk.event.list_events

    async def gated(**kwargs: Any) -> Any:
        if kwargs.get("offset") and not kwargs.get("query"):
            await gate.wait()
        return await original(**kwargs)

    sdk.event.list_events = gated  # type: ignore[method-assign]
    return gate


async def names_in_server_order(sdk: SDK) -> list[str]:
    return [e.name for e in (await sdk.event.list_events(limit=100)).data]


def test_first_page_shows_before_the_rest_and_search_reaches_beyond(qloop, demo_server):
    async def scenario() -> tuple[list[str], list[str], list[str], list[str], list[str]]:
        sdk = await staff_sdk(demo_server.base_url)
        try:
            every = await names_in_server_order(sdk)
            events = EventsPresenter(sdk, clock=demo_server.clock)
            gate = hold_later_pages(sdk)
            events.refresh()
            await wait_until(lambda: events.visible)
            first = [s.event.name for s in events.visible]
            assert events.loading and not events.complete  # the rest is still to come
            wanted = every[-1]
            events.set_filter(wanted.upper())
            assert events.searching
            await wait_until(lambda: not events.searching)
            found = [s.event.name for s in events.visible]
            gate.set()
            await events.tasks.wait("list")
            assert events.complete
            after = [s.event.name for s in events.visible]
            events.set_filter("")
            return every, first, found, after, [s.event.name for s in events.visible]
        finally:
            await sdk.aclose()

    every, first, found, after, whole = qloop.run(scenario())
    assert len(every) > 4
    assert sorted(first) == sorted(every[:2])
    assert found == [every[-1]]
    assert after == [every[-1]]  # the filter holds once everything is in
    assert sorted(whole) == sorted(every)


def test_keyboard_search_opens_an_event_beyond_the_first_page(qloop, qtbot, demo_server, tmp_path):
    async def scenario() -> tuple[str, str | None]:
        async with clerk_counter(demo_server.base_url, tmp_path / "app") as counter:
            every = await names_in_server_order(counter.sdk)
            gate = hold_later_pages(counter.sdk)
            window = counter.window
            window.show()
            window.raise_()
            window.activateWindow()
            await counter.after_sign_in()
            await wait_until(lambda: counter.events.visible)
            await wait_until(window.isActiveWindow, timeout=5)
            wanted = every[-1]
            assert wanted not in [s.event.name for s in counter.events.visible]
            await shortcut(counter, "search")
            await keys(wanted.lower())
            await keys(Qt.Key.Key_Return)  # before the server has answered the search
            await wait_until(lambda: counter.events.selected is not None)
            gate.set()
            chosen = counter.events.selected
            return wanted, chosen.name if chosen else None

    wanted, chosen = qloop.run(scenario(), timeout=120)
    assert chosen == wanted
