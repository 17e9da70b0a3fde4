"""The request path: retries, backoff, Retry-After, Idempotency-Key, connection errors."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from boxoffice.sdk import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    ServerError,
    UnprocessableEntityError,
)
from tests.unit.sdk.helpers import Recorder, build, error, ok

ORGANIZER = {"id": 1, "name": "demo", "display_name": "Demo", "currency": "EUR"}
TOKEN = {"hold_token": "tok", "expires_at": "2026-11-27T14:05:07Z", "expires_in_seconds": 900}


async def test_retries_5xx_with_exponential_backoff():
    recorder = Recorder(error(503, "unavailable"), error(500, "internal_error"), ok(ORGANIZER))
    sdk = await build(recorder)
    organizer = await sdk.account.get_organizer()
    assert organizer.name == "demo"
    assert recorder.sleeps == [0.5, 1.0]
    assert len(recorder.requests) == 3


async def test_gives_up_after_max_retries():
    recorder = Recorder(error(502, "bad_gateway"))
    sdk = await build(recorder, max_retries=3)
    with pytest.raises(ServerError) as caught:
        await sdk.account.get_organizer()
    assert caught.value.status == 502 and caught.value.code == "bad_gateway"
    assert len(recorder.requests) == 4 and recorder.sleeps == [0.5, 1.0, 2.0]


async def test_backoff_is_capped_and_jittered():
    sdk = await build(Recorder(ok(ORGANIZER)))
    assert sdk.requestor.backoff(10, None) == 8.0
    sdk.requestor.rand = lambda: 1.0
    assert sdk.requestor.backoff(0, None) == 0.375


async def test_retry_after_is_honoured():
    limited = error(429, "rate_limited", headers={"Retry-After": "3"})
    recorder = Recorder(limited, ok(ORGANIZER))
    sdk = await build(recorder)
    await sdk.account.get_organizer()
    assert recorder.sleeps == [3.0]


async def test_one_idempotency_key_per_call_reused_by_every_retry():
    in_progress = error(409, "idempotency_in_progress", headers={"Retry-After": "1"})
    recorder = Recorder(in_progress, error(503, "unavailable"), ok(TOKEN, 201))
    sdk = await build(recorder)
    await sdk.seating.create_hold_token()
    keys = {r.headers["Idempotency-Key"] for r in recorder.requests}
    assert len(recorder.requests) == 3 and len(keys) == 1
    recorder.answers = [ok(TOKEN, 201)]
    await sdk.seating.create_hold_token()
    assert recorder.requests[-1].headers["Idempotency-Key"] not in keys
    await sdk.seating.create_hold_token(options={"idempotency_key": "mine"})
    assert recorder.requests[-1].headers["Idempotency-Key"] == "mine"


async def test_reads_carry_no_idempotency_key():
    recorder = Recorder(ok(ORGANIZER))
    sdk = await build(recorder)
    await sdk.account.get_organizer(options={"extra_headers": {"X-Terminal": "7"}})
    assert "Idempotency-Key" not in recorder.requests[0].headers
    assert recorder.requests[0].headers["X-Terminal"] == "7"


@pytest.mark.parametrize(
    ("answer", "raised"),
    [
        (error(400, "invalid_body"), BadRequestError),
        (error(422, "invalid_amount"), UnprocessableEntityError),
        (error(409, "sold_out"), ConflictError),
    ],
)
async def test_client_errors_are_not_retried(answer, raised):
    recorder = Recorder(answer, ok(TOKEN))
    sdk = await build(recorder)
    with pytest.raises(raised):
        await sdk.seating.create_hold_token()
    assert len(recorder.requests) == 1 and recorder.sleeps == []


async def test_connection_errors_are_retried_then_mapped():
    recorder = Recorder(httpx.ConnectError("refused"), ok(ORGANIZER))
    sdk = await build(recorder)
    assert (await sdk.account.get_organizer()).id == 1
    recorder.answers = [httpx.ConnectError("refused")]
    with pytest.raises(APIConnectionError) as caught:
        await sdk.account.get_organizer()
    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    recorder.answers = [httpx.ReadTimeout("slow")]
    with pytest.raises(APITimeoutError):
        await sdk.account.get_organizer(options={"max_retries": 0})
    recorder.answers = [httpx.RemoteProtocolError("bad")]
    with pytest.raises(APIConnectionError):
        await sdk.account.get_organizer(options={"max_retries": 0})


async def test_tenant_services_go_to_the_tenant_host_on_tickethead():
    recorder = Recorder(ok({"data": [], "paging": {"limit": 20, "offset": 0, "total": 0}}))
    sdk = await build(recorder, base_url="https://api.staging.tickethead.io")
    await sdk.event.list_events()
    assert recorder.requests[0].url.host == "demo.api.staging.tickethead.io"
    recorder.answers = [ok(ORGANIZER)]
    await sdk.account.get_organizer()
    assert recorder.requests[1].url.host == "api.staging.tickethead.io"


async def test_a_venue_server_url_is_used_as_is():
    recorder = Recorder(ok({"data": [], "paging": {"limit": 5, "offset": 0, "total": 0}}))
    sdk = await build(recorder, base_url="http://127.0.0.1:8765/")
    page = await sdk.event.list_events(limit=5, with_=["venue", "ticket_config"])
    url = recorder.requests[0].url
    assert str(url).startswith("http://127.0.0.1:8765/event/v1/organizer/demo/event?")
    assert url.params["with"] == "[venue,ticket_config]" and url.params["limit"] == "5"
    assert page.paging.limit == 5


async def test_debug_log_names_method_path_status_never_the_token(caplog):
    pair = {"token": "secret-jwt", "refresh_token": "secret-refresh"}
    recorder = Recorder(ok(pair), ok(ORGANIZER))
    sdk = await build(recorder)
    with caplog.at_level(logging.DEBUG, logger="boxoffice.sdk"):
        await sdk.authorize()
        recorder.answers = [ok(ORGANIZER)]
        await sdk.account.get_organizer()
    assert recorder.requests[-1].headers["Authorization"] == "Bearer secret-jwt"
    text = caplog.text
    assert "GET account/v1/organizer/demo → 200 (attempt 0)" in text
    assert "secret" not in text


async def test_a_bad_url_is_a_connection_error_without_retries():
    recorder = Recorder(httpx.UnsupportedProtocol("ftp"))
    sdk = await build(recorder, base_url="ftp://venue.test")
    with pytest.raises(APIConnectionError) as caught:
        await sdk.account.get_organizer()
    assert "bad URL" in caught.value.message
    assert len(recorder.requests) == 1 and recorder.sleeps == []


def test_retry_after_as_an_http_date():
    from email.utils import formatdate

    from boxoffice.sdk._requestor import retry_after_seconds

    soon = httpx.Response(503, headers={"Retry-After": formatdate(time.time() + 30, usegmt=True)})
    assert 25 < (retry_after_seconds(soon) or 0) <= 30
    assert retry_after_seconds(httpx.Response(503, headers={"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Response(503)) is None


class FrozenServer:
    """A server that takes every request and never answers: each attempt waits its whole
    read timeout (on a fake clock) and times out."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timeouts: list[dict[str, float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions["timeout"]
        self.timeouts.append(timeout)
        self.now += timeout["read"]
        raise httpx.ReadTimeout("no answer", request=request)


async def test_a_counter_waits_seconds_not_minutes_for_a_frozen_server():
    """Connect 3 s, read 10 s by default; the retries of one call end within 12 s in all."""
    frozen = FrozenServer()
    sdk = await build(Recorder(frozen))
    sdk.requestor.clock = lambda: frozen.now
    with pytest.raises(APITimeoutError):
        await sdk.order.create_order([{"quantity": 1, "ticket_config_id": 1}])
    assert (frozen.timeouts[0]["connect"], frozen.timeouts[0]["read"]) == (3.0, 10.0)
    assert len(frozen.timeouts) == 2 and frozen.timeouts[1]["read"] < 10.0
    assert frozen.now <= 12.0


async def test_a_call_gives_up_when_its_next_retry_would_end_too_late():
    limited = error(503, "unavailable", headers={"Retry-After": "30"})
    recorder = Recorder(limited, ok(ORGANIZER))
    sdk = await build(recorder)
    with pytest.raises(ServerError):
        await sdk.account.get_organizer()
    assert len(recorder.requests) == 1 and recorder.sleeps == []
    recorder.answers = [limited, ok(ORGANIZER)]
    await sdk.account.get_organizer(options={"timeout": 30})  # 36 s in all: it waits
    assert recorder.sleeps == [30.0]


async def test_ticket_downloads_may_take_longer_to_answer():
    recorder = Recorder(httpx.Response(200, content=b"%PDF-"))
    sdk = await build(recorder)
    assert await sdk.order.download_tickets(7) == b"%PDF-"
    assert recorder.requests[0].extensions["timeout"]["read"] == 30.0
