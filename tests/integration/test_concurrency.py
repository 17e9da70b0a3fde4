"""Many clients at once, over real HTTP: nothing is ever oversold, no seat is taken twice."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import httpx

from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f

CLIENTS = 64


async def _guests(client: httpx.AsyncClient, n: int) -> list[dict[str, str]]:
    async def one() -> dict[str, str]:
        response = await client.post("/account/v1/guest/login")
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['data']['token']}"}

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def _race(calls: list[Any]) -> list[httpx.Response]:
    """Start every call at the same moment."""
    start = asyncio.Event()

    async def run(call: Any) -> httpx.Response:
        await start.wait()
        response: httpx.Response = await call()
        return response

    tasks = [asyncio.create_task(run(call)) for call in calls]
    await asyncio.sleep(0.05)
    start.set()
    return list(await asyncio.gather(*tasks))


def _client(live_server) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    return httpx.AsyncClient(base_url=live_server.base_url, timeout=60, limits=limits)


@BOTH_DATABASES
async def test_last_ten_tickets_go_to_exactly_ten_buyers(live_server):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Last ones", "face_value": "30", "quantity": 10}]
    )
    config = ids["config_ids"][0]
    async with _client(live_server) as client:
        guests = await _guests(client, CLIENTS)
        rng = random.Random(7)
        quantities = [rng.choice([1, 1, 2, 3]) for _ in guests]
        responses = await _race(
            [
                (
                    lambda h=h, q=q: client.post(
                        "/event/v1/order",
                        headers=h,
                        json={
                            "order_item": [{"quantity": q, "ticket_config_id": config}],
                            "format": "PDF",
                        },
                    )
                )
                for h, q in zip(guests, quantities, strict=True)
            ]
        )
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    sold = sum(q for r, q in zip(responses, quantities, strict=True) if r.status_code == 201)
    assert sold <= 10
    losers = [r.json() for r in responses if r.status_code == 409]
    assert losers and all(body["errorCode"] == "sold_out" and body["message"] for body in losers)
    assert f.get_config(live_server.state, config).taken == sold
    # Whatever is left is less than the smallest refused order wanted.
    refused = [q for r, q in zip(responses, quantities, strict=True) if r.status_code == 409]
    assert 10 - sold < min(refused)


@BOTH_DATABASES
async def test_single_tickets_sell_exactly_out(live_server):
    ids = f.make_event(
        live_server.state, configs=[{"name": "Ten", "face_value": "30", "quantity": 10}]
    )
    config = ids["config_ids"][0]
    async with _client(live_server) as client:
        guests = await _guests(client, CLIENTS)
        responses = await _race(
            [
                (
                    lambda h=h: client.post(
                        "/event/v1/order",
                        headers=h,
                        json={
                            "order_item": [{"quantity": 1, "ticket_config_id": config}],
                            "format": "PDF",
                        },
                    )
                )
                for h in guests
            ]
        )
    assert Counter(r.status_code for r in responses) == {201: 10, 409: CLIENTS - 10}
    assert f.get_config(live_server.state, config).taken == 10


@BOTH_DATABASES
async def test_seats_are_held_by_exactly_one_token(live_server):
    ids = f.make_event(
        live_server.state,
        name="Hall",
        configs=[
            {"name": "Stalls", "face_value": "40", "quantity": None, "seat_category": "stalls"}
        ],
    )
    f.add_seats(live_server.state, ids["event_id"], rows="A", per_row=6)
    event_id, config = ids["event_id"], ids["config_ids"][0]
    async with _client(live_server) as client:
        guests = await _guests(client, CLIENTS)
        tokens = []
        for headers in guests:
            made = await client.post("/event/v1/hold_token", headers=headers)
            tokens.append(made.json()["data"]["hold_token"])
        rng = random.Random(11)
        wanted = [
            sorted(rng.sample([f"A-{n}" for n in range(1, 7)], rng.choice([1, 2]))) for _ in guests
        ]
        responses = await _race(
            [
                (
                    lambda h=h, t=t, w=w: client.post(
                        f"/event/v1/event/{event_id}/seat/hold",
                        headers=h,
                        json={"objects": w, "hold_token": t},
                    )
                )
                for h, t, w in zip(guests, tokens, wanted, strict=True)
            ]
        )
        assert {r.status_code for r in responses} <= {200, 409}
        winners = [
            (h, t, w)
            for (h, t, w), r in zip(
                zip(guests, tokens, wanted, strict=True), responses, strict=True
            )
            if r.status_code == 200
        ]
        held = [label for _, _, w in winners for label in w]
        assert len(held) == len(set(held)), "a seat was held by two tokens"
        assert all(r.json()["errorCode"] == "seat_taken" for r in responses if r.status_code == 409)
        # Every winner, and every loser trying the winners' seats, orders at once.
        calls = []
        for h, t, w in zip(guests, tokens, wanted, strict=True):
            calls.append(
                lambda h=h, t=t, w=w: client.post(
                    "/event/v1/order",
                    headers=h,
                    json={
                        "order_item": [
                            {"quantity": len(w), "ticket_config_id": config, "selected_seats": w}
                        ],
                        "format": "PDF",
                        "hold_token": t,
                    },
                )
            )
        orders = await _race(calls)
    ordered = [
        label
        for r in orders
        if r.status_code == 201
        for item in r.json()["data"]["order_item"]
        for label in item["selected_seats"]
    ]
    assert len(ordered) == len(set(ordered)), "a seat was ordered twice with hold tokens"
    assert sorted(ordered) == sorted(held)
    for response in orders:
        if response.status_code != 201:
            assert response.status_code in (400, 409), response.text
            assert response.json()["errorCode"] in ("seat_taken", "seats_not_held")
