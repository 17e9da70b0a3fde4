"""Sign-in abuse (issue 12, item 3): failed sign-ins per account and per client address slow
down and then lock (`429 signin_locked` with `Retry-After`); a success resets the account; the
SDK, the app and the CLI turn the lock into a sentence.

Real server over loopback HTTP. Each client address is its own loopback address (127.0.0.x).
The lock windows are short settings here (one or two seconds), and the tests wait them out by
the server's own `Retry-After`: they test what is answered, never how fast.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from boxoffice import sdk as sdk_module
from boxoffice.cli.output import ExitCode, describe, exit_code_for
from boxoffice.sdk import SDK, PasswordCredentials
from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.models import IdempotencyRecord
from boxoffice.ui.errors import user_message
from tests.helpers import factories as f
from tests.helpers.live_server import FakeClock, LiveServer, serve_in_thread

pytestmark = pytest.mark.integration

LOGIN = "/account/v1/auth/login"
# Generous limits that a test does not reach unless it sets them lower.
QUIET = {
    "signin_window_seconds": 900,
    "signin_slowdown_after": 100,
    "signin_slowdown_seconds": 1,
    "signin_lock_after": 100,
    "signin_lock_seconds": 600,
    "signin_address_slowdown_after": 100,
    "signin_address_lock_after": 100,
}


@contextmanager
def server(tmp_path: Path, **limits: Any) -> Iterator[LiveServer]:
    settings = ServerSettings(
        data_dir=tmp_path / "data",
        load_demo=False,
        sweep_interval_seconds=3600,
        **{**QUIET, **limits},
    )
    clock = FakeClock()
    app = create_app(settings, clock=clock)
    with serve_in_thread(app) as base_url:
        live = LiveServer(app=app, base_url=base_url, clock=clock)
        f.make_user(live.state, "cashier", role="staff")
        yield live
    app.state.server.engine.dispose()


@contextmanager
def client_from(live: LiveServer, address: str = "127.0.0.1") -> Iterator[httpx.Client]:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=live.base_url, timeout=30, transport=transport) as client:
        yield client


def sign_in(client: httpx.Client, password: str, username: str = "cashier") -> httpx.Response:
    return client.post(LOGIN, json={"username": username, "password": password})


def assert_locked(response: httpx.Response, *, at_most: int) -> int:
    """A `429 signin_locked` with a whole-second `Retry-After` in 1..at_most; returns it."""
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["errorCode"] == "signin_locked"
    assert body["message"]
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= at_most
    assert body["details"]["retry_after"] == retry_after
    return retry_after


def wait_out(retry_after: int) -> None:
    """Wait as long as the server asked (plus a little), so the lock has run out."""
    time.sleep(retry_after + 0.2)


def test_failures_lock_the_account_and_a_success_after_the_lock_resets_it(tmp_path):
    with (
        server(tmp_path, signin_lock_after=3, signin_lock_seconds=2) as live,
        client_from(live) as client,
    ):
        for _ in range(3):
            assert sign_in(client, "wrong password").status_code == 401
        # Locked: the right password is refused too, and so is another wrong one.
        retry_after = assert_locked(sign_in(client, f.PASSWORD), at_most=2)
        assert_locked(sign_in(client, "wrong password"), at_most=2)
        # The name is matched as at sign-in (case and spaces do not make a new account).
        assert_locked(sign_in(client, f.PASSWORD, username=" CASHIER "), at_most=2)
        wait_out(retry_after)
        assert sign_in(client, f.PASSWORD).status_code == 200
        # The success forgot the three failures: two more are answered 401, not a lock.
        assert sign_in(client, "wrong password").status_code == 401
        assert sign_in(client, "wrong password").status_code == 401
        assert sign_in(client, f.PASSWORD).status_code == 200


def test_an_unknown_user_locks_the_same_way(tmp_path):
    with server(tmp_path, signin_lock_after=2) as live, client_from(live) as client:
        for name in ("cashier", "ghost"):
            for _ in range(2):
                assert sign_in(client, "wrong password", username=name).status_code == 401
        known = sign_in(client, "wrong password", username="cashier")
        unknown = sign_in(client, "wrong password", username="ghost")
        assert_locked(known, at_most=600)
        assert_locked(unknown, at_most=600)
        assert known.json()["message"] == unknown.json()["message"]


def test_failures_slow_down_before_the_lock(tmp_path):
    limits = {
        "signin_slowdown_after": 2,
        "signin_slowdown_seconds": 1,
        "signin_lock_after": 4,
        "signin_lock_seconds": 600,
    }
    with server(tmp_path, **limits) as live, client_from(live) as client:
        assert sign_in(client, "wrong password").status_code == 401
        assert sign_in(client, "wrong password").status_code == 401
        # Slowed down: one try a second from now on...
        wait_out(assert_locked(sign_in(client, f.PASSWORD), at_most=1))
        assert sign_in(client, "wrong password").status_code == 401
        wait_out(assert_locked(sign_in(client, "wrong password"), at_most=1))
        # ...and the fourth failure locks the account for long.
        assert sign_in(client, "wrong password").status_code == 401
        assert assert_locked(sign_in(client, f.PASSWORD), at_most=600) > 60


def test_the_address_limit_is_independent_of_the_account(tmp_path):
    with server(tmp_path, signin_address_lock_after=4) as live:
        f.make_user(live.state, "other", role="staff")
        with client_from(live, "127.0.0.2") as guesser:
            # Four failures on four names: no account has more than one...
            for name in ("cashier", "ghost", "nobody", "root"):
                assert sign_in(guesser, "wrong password", username=name).status_code == 401
            # ...but this address is locked, whatever name and password it sends next.
            assert_locked(sign_in(guesser, f.PASSWORD, username="other"), at_most=600)
            assert_locked(sign_in(guesser, "wrong", username="someone-new"), at_most=600)
        # Another address signs in to the same accounts as usual.
        with client_from(live, "127.0.0.3") as counter:
            assert sign_in(counter, f.PASSWORD).status_code == 200
            assert sign_in(counter, f.PASSWORD, username="other").status_code == 200


def test_the_account_limit_is_independent_of_the_address(tmp_path):
    with server(tmp_path, signin_lock_after=3) as live:
        for number in (2, 3, 4):
            with client_from(live, f"127.0.0.{number}") as client:
                assert sign_in(client, "wrong password").status_code == 401
        with client_from(live, "127.0.0.5") as fresh:
            assert_locked(sign_in(fresh, f.PASSWORD), at_most=600)
            # Another account from the same fresh address is not affected.
            f.make_user(live.state, "other", role="staff")
            assert sign_in(fresh, f.PASSWORD, username="other").status_code == 200


def test_a_sign_in_passes_the_idempotency_store_by_and_every_attempt_counts(tmp_path):
    with server(tmp_path, signin_lock_after=2) as live, client_from(live) as client:
        keyed = {"Idempotency-Key": "same-key"}
        for _ in range(2):  # the same key twice: checked (and counted) twice, never replayed
            wrong = client.post(
                LOGIN, json={"username": "cashier", "password": "wrong password"}, headers=keyed
            )
            assert wrong.status_code == 401 and "idempotent-replayed" not in wrong.headers
        assert_locked(
            client.post(LOGIN, json={"username": "cashier", "password": f.PASSWORD}, headers=keyed),
            at_most=600,
        )
        with live.state.read_sessions() as session:
            assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


async def test_the_sdk_app_and_cli_turn_the_lock_into_a_sentence(tmp_path):
    with server(tmp_path, signin_lock_after=1) as live:
        async with await SDK.build(live.base_url, organizer="demo") as client:
            with pytest.raises(sdk_module.AuthenticationError):
                await client.authorize(PasswordCredentials("cashier", "wrong password"))
            with pytest.raises(sdk_module.SignInLockedError) as caught:
                await client.authorize(PasswordCredentials("cashier", f.PASSWORD))
    locked = caught.value
    assert isinstance(locked, sdk_module.RateLimitError)
    assert locked.code == "signin_locked" and locked.retry_after == 600
    assert user_message(locked) == (
        "Too many failed sign-ins: sign-in is paused for 10 minutes. Check the user name and "
        "password, or ask a supervisor."
    )
    assert exit_code_for(locked) is ExitCode.NOT_AUTHORIZED
    assert "10 minutes" in describe(locked, live.base_url)
