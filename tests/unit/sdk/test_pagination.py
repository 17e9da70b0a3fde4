"""`iter_events` / `iter_orders` walk every page until `paging.total`; a page is the whole
answer, `{"data": [...], "paging": {...}}` (earlier venue servers wrapped it once more)."""

from __future__ import annotations

import httpx

from tests.unit.sdk.helpers import Recorder, build, ok


def page(data: list[dict[str, object]], paging: dict[str, int]) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "paging": paging})


EVENT = {
    "name": "Concert",
    "status": "published",
    "start_at": "2026-12-01T19:00:00Z",
    "end_at": "2026-12-01T22:00:00Z",
    "timezone_name": "Europe/Vienna",
    "visible": True,
    "organizer_id": "demo",
    "created_at": "2026-11-01T00:00:00Z",
    "updated_at": "2026-11-01T00:00:00Z",
}


def events_page(request: httpx.Request) -> httpx.Response:
    limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
    ids = range(offset + 1, min(offset + limit, 5) + 1)
    return page([{**EVENT, "id": i} for i in ids], {"limit": limit, "offset": offset, "total": 5})


async def test_iter_events_fetches_every_page():
    recorder = Recorder(events_page)
    sdk = await build(recorder)
    ids = [event.id async for event in sdk.event.iter_events(page_size=2, status="published")]
    assert ids == [1, 2, 3, 4, 5]
    assert [r.url.params["offset"] for r in recorder.requests] == ["0", "2", "4"]
    assert all(r.url.params["status"] == "published" for r in recorder.requests)


async def test_iter_orders_stops_on_an_empty_page():
    recorder = Recorder(page([], {"limit": 100, "offset": 0, "total": 3}))
    sdk = await build(recorder)
    assert [order async for order in sdk.order.iter_orders()] == []
    assert len(recorder.requests) == 1


async def test_a_page_wrapped_twice_by_an_earlier_server_still_reads():
    recorder = Recorder(ok({"data": [{**EVENT, "id": 7}], "paging": PAGING}))
    sdk = await build(recorder)
    listed = await sdk.event.list_events(limit=1)
    assert [event.id for event in listed.data] == [7] and listed.paging.total == 1


PAGING = {"limit": 1, "offset": 0, "total": 1}
