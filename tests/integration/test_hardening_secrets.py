"""Issue 12, secrets and accounts: the data folder is private, tokens of missing or disabled
users are refused, sign-in answers are never kept in the idempotency store, and admins can list,
disable, enable and reset the password of accounts."""

from __future__ import annotations

import logging
import os
import stat
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.models import IdempotencyRecord, User
from boxoffice.server.services import tokens
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.helpers.live_server import FakeClock, serve_in_thread
from tests.integration.test_order_rules import assert_error

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _loose_entries(folder: Path) -> list[str]:
    """Everything under `folder` (itself included) that group or others may use."""
    entries = [folder, *folder.rglob("*")]
    return [f"{p} {oct(_mode(p))}" for p in entries if _mode(p) & 0o077]


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=10) as client:
        yield client


# --- 1. secrets at rest ----------------------------------------------------------------------


@POSIX
def test_a_new_data_folder_is_private_from_the_first_start(tmp_path, clock):
    folder = tmp_path / "venue"
    app = create_app(ServerSettings(data_dir=folder, sweep_interval_seconds=3600), clock=clock)
    with serve_in_thread(app) as base:
        with httpx.Client(base_url=base, timeout=10) as http:
            # Writes: the -wal and -shm files exist now; a guest order queues nothing yet.
            assert http.post("/account/v1/guest/login").status_code == 200
        assert (folder / "boxoffice.sqlite3-wal").exists()
        assert _mode(folder) == 0o700
        assert _loose_entries(folder) == []
    app.state.server.engine.dispose()


@POSIX
def test_a_loose_data_folder_is_tightened_at_start_with_a_log_line(tmp_path, clock, caplog):
    folder = tmp_path / "venue"
    first = create_app(ServerSettings(data_dir=folder, sweep_interval_seconds=3600), clock=clock)
    first.state.server.engine.dispose()
    # What an old version, a copy or a careless admin leaves: everything readable by all.
    for name in ("passes", "outbox", "logs"):
        (folder / name).mkdir(exist_ok=True)
    (folder / "outbox" / "old.eml").write_text("To: someone\n")
    (folder / "logs" / "server.log").write_text("a log\n")
    (folder / "boxoffice.sqlite3-wal").touch()
    (folder / "logs" / "rotate.sh").write_text("#!/bin/sh\n")
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() or path.suffix == ".sh" else 0o644)
    assert _loose_entries(folder)

    with caplog.at_level(logging.WARNING, logger="boxoffice"):
        again = create_app(
            ServerSettings(data_dir=folder, sweep_interval_seconds=3600), clock=clock
        )
    again.state.server.engine.dispose()
    assert _loose_entries(folder) == []
    assert _mode(folder / "passes") == 0o700
    assert _mode(folder / "boxoffice.sqlite3") == 0o600
    assert _mode(folder / "outbox" / "old.eml") == 0o600
    assert _mode(folder / "logs" / "rotate.sh") == 0o700  # the owner keeps what they had
    fixed = [r.getMessage() for r in caplog.records if "permissions" in r.getMessage()]
    assert any("boxoffice.sqlite3" in line and "0o644" in line for line in fixed), fixed
    assert any(str(folder) in line and "0o755" in line for line in fixed), fixed


def _forged(live_server, user_id: int, role: str = "admin") -> dict[str, str]:
    """A token signed with the server's own key (what a reader of the database could make)."""
    row = User(id=user_id, username="forged", verified=True, type="registered", role=role)
    token = tokens.issue_access_token(
        live_server.state.signing_key,
        row,
        organizer="demo",
        now=live_server.clock(),
        ttl_seconds=600,
    )
    return {"Authorization": f"Bearer {token}"}


@BOTH_DATABASES
def test_a_token_for_a_user_that_does_not_exist_is_401(live_server, client):
    forged = _forged(live_server, 987654)
    assert_error(client.get("/account/v1/mail", headers=forged), 401, "invalid_token")
    assert_error(
        client.post(
            "/account/v1/user",
            headers=forged,
            json={"username": "mallory", "password": "long enough pw", "role": "admin"},
        ),
        401,
        "invalid_token",
    )
    assert_error(client.get("/account/v1/user/me", headers=forged), 401, "invalid_token")


def test_the_role_comes_from_the_account_not_the_token(live_server, client):
    f.make_user(live_server.state, "buyer", role="customer")
    me = client.get("/account/v1/user/me", headers=f.login(client, "buyer")).json()["data"]
    forged = _forged(live_server, me["id"], role="admin")
    assert_error(client.get("/account/v1/mail", headers=forged), 403, "permission_denied")


# --- 2. credentials never kept in the idempotency store --------------------------------------


def _stored_bodies(live_server) -> list[bytes]:
    with live_server.state.read_sessions() as session:
        rows = session.scalars(select(IdempotencyRecord)).all()
        return [row.body or b"" for row in rows]


def _retry(client: httpx.Client, url: str, **kwargs: Any) -> httpx.Response:
    """POST again, as the SDK does after `409 idempotency_in_progress` (the first answer can
    reach the client a moment before the server has stored or forgotten its key)."""
    for _ in range(50):
        response = client.post(url, **kwargs)
        if response.status_code != 409:
            break
        assert response.json()["errorCode"] == "idempotency_in_progress", response.text
        time.sleep(0.05)
    return response


@BOTH_DATABASES
def test_sign_in_answers_are_not_stored_and_a_retry_signs_in_again(live_server, client):
    f.make_user(live_server.state, "cashier", role="staff")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"username": "cashier", "password": f.PASSWORD}
    first = client.post("/account/v1/auth/login", headers=key, json=body)
    again = _retry(client, "/account/v1/auth/login", headers=key, json=body)
    assert first.status_code == again.status_code == 200
    assert "idempotent-replayed" not in again.headers
    assert again.json()["data"]["refresh_token"] != first.json()["data"]["refresh_token"]
    assert first.headers["cache-control"] == "no-store"

    guest_key = {"Idempotency-Key": str(uuid.uuid4())}
    guest = client.post("/account/v1/guest/login", headers=guest_key)
    assert guest.status_code == 200
    refreshed = client.post(
        "/account/v1/auth/refresh",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={"refresh_token": guest.json()["data"]["refresh_token"]},
    )
    assert refreshed.status_code == 200
    secrets = [
        answer.json()["data"][name].encode()
        for answer in (first, again, guest, refreshed)
        for name in ("token", "refresh_token")
    ]
    stored = b"".join(_stored_bodies(live_server))
    assert not [secret for secret in secrets if secret in stored]
    # Other answers are still kept and replayed.
    order_key = {**f.login(client, "cashier"), "Idempotency-Key": str(uuid.uuid4())}
    user = {"username": "newbie", "password": "long enough pw"}
    created = client.post("/account/v1/user", headers=order_key, json=user)
    assert created.status_code == 201, created.text
    replay = _retry(client, "/account/v1/user", headers=order_key, json=user)
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"


def test_the_migration_forgets_sign_in_answers_already_stored(tmp_path):
    """Revision 0004 deletes stored answers that carry a token; other answers stay."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import insert

    from boxoffice.server.db.engine import make_engine
    from boxoffice.server.db.migrate import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = alembic_config(engine)
    before = ScriptDirectory.from_config(config).get_revision("0004_accounts").down_revision
    now = FakeClock().now
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, str(before))
    leaked = b'{"data":{"token":"eyJ.a.b","refresh_token":"r3fr3sh"}}'
    kept = b'{"data":{"id":7,"code":"ABC"}}'
    with engine.begin() as connection:
        for key, body in (("login", leaked), ("order", kept), ("pending", None)):
            connection.execute(
                insert(IdempotencyRecord.__table__),  # type: ignore[arg-type]
                {
                    "actor": "anon:x",
                    "key": key,
                    "request_hash": "0" * 64,
                    "status_code": 200 if body else None,
                    "content_type": "application/json",
                    "body": body,
                    "created_at": now,
                },
            )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with engine.connect() as connection:
        keys = connection.execute(select(IdempotencyRecord.key)).scalars().all()
    engine.dispose()
    assert sorted(keys) == ["order", "pending"]


# --- 4. listing, disabling and enabling accounts, setting passwords --------------------------


def _user_id(client: httpx.Client, headers: dict[str, str]) -> int:
    user_id: int = client.get("/account/v1/user/me", headers=headers).json()["data"]["id"]
    return user_id


@BOTH_DATABASES
def test_admin_disables_a_user_whose_tokens_stop_at_once(live_server, client):
    f.make_user(live_server.state, "boss", role="admin")
    f.make_user(live_server.state, "cashier", role="staff")
    admin = f.login(client, "boss")
    pair = client.post(
        "/account/v1/auth/login", json={"username": "cashier", "password": f.PASSWORD}
    ).json()["data"]
    cashier = {"Authorization": f"Bearer {pair['token']}"}
    cashier_id = _user_id(client, cashier)

    listed = client.get("/account/v1/user", headers=admin)
    assert listed.status_code == 200, listed.text
    rows = {row["username"]: row for row in listed.json()["data"]}
    assert rows["cashier"]["role"] == "staff" and rows["cashier"]["disabled"] is False
    assert set(rows) >= {"boss", "cashier"}
    staff_only = client.get("/account/v1/user", params={"role": "staff"}, headers=admin)
    assert [row["username"] for row in staff_only.json()["data"]] == ["cashier"]

    # Only admins manage accounts.
    assert_error(client.get("/account/v1/user", headers=cashier), 403, "permission_denied")
    assert_error(
        client.post(f"/account/v1/user/{cashier_id}/disable", headers=cashier),
        403,
        "permission_denied",
    )

    disabled = client.post(f"/account/v1/user/{cashier_id}/disable", headers=admin)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["data"]["disabled"] is True
    # The access token and the refresh token stop at once; so does the password.
    assert_error(client.get("/account/v1/user/me", headers=cashier), 401, "account_disabled")
    assert_error(client.get("/event/v1/order", headers=cashier), 401, "account_disabled")
    assert_error(
        client.post("/account/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}),
        401,
        "invalid_refresh_token",
    )
    assert_error(
        client.post("/account/v1/auth/login", json={"username": "cashier", "password": f.PASSWORD}),
        401,
        "account_disabled",
    )
    # A wrong password on a disabled account still says only "wrong".
    assert_error(
        client.post("/account/v1/auth/login", json={"username": "cashier", "password": "nope"}),
        401,
        "invalid_credentials",
    )

    enabled = client.post(f"/account/v1/user/{cashier_id}/enable", headers=admin)
    assert enabled.status_code == 200 and enabled.json()["data"]["disabled"] is False
    assert f.login(client, "cashier")
    # The refresh token revoked by the disabling stays revoked.
    assert_error(
        client.post("/account/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}),
        401,
        "invalid_refresh_token",
    )


def test_admin_sets_a_password_and_old_refresh_tokens_end(live_server, client):
    f.make_user(live_server.state, "boss", role="admin")
    f.make_user(live_server.state, "cashier", role="staff")
    admin = f.login(client, "boss")
    pair = client.post(
        "/account/v1/auth/login", json={"username": "cashier", "password": f.PASSWORD}
    ).json()["data"]
    cashier_id = _user_id(client, {"Authorization": f"Bearer {pair['token']}"})
    url = f"/account/v1/user/{cashier_id}/password"
    assert_error(
        client.post(url, headers=admin, json={"password": "short"}),
        422,
        "password_too_short",
        "password",
    )
    changed = client.post(url, headers=admin, json={"password": "a brand new secret"})
    assert changed.status_code == 200, changed.text
    assert_error(
        client.post("/account/v1/auth/login", json={"username": "cashier", "password": f.PASSWORD}),
        401,
        "invalid_credentials",
    )
    new = client.post(
        "/account/v1/auth/login",
        json={"username": "cashier", "password": "a brand new secret"},
    )
    assert new.status_code == 200
    assert_error(
        client.post("/account/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}),
        401,
        "invalid_refresh_token",
    )


def test_admins_cannot_lock_themselves_out_and_unknown_users_are_404(live_server, client):
    f.make_user(live_server.state, "boss", role="admin")
    admin = f.login(client, "boss")
    boss_id = _user_id(client, admin)
    assert_error(
        client.post(f"/account/v1/user/{boss_id}/disable", headers=admin),
        409,
        "cannot_disable_self",
    )
    assert_error(
        client.post("/account/v1/user/424242/disable", headers=admin), 404, "user_not_found"
    )
    assert_error(
        client.post("/account/v1/user/424242/password", headers=admin, json={"password": "x" * 9}),
        404,
        "user_not_found",
    )


def test_a_disabled_users_token_is_refused_even_when_the_token_is_fresh(live_server, client):
    """The check is against the account on every request, not a cached verdict."""
    f.make_user(live_server.state, "boss", role="admin")
    f.make_user(live_server.state, "cashier", role="staff")
    admin = f.login(client, "boss")
    cashier = f.login(client, "cashier")
    cashier_id = _user_id(client, cashier)
    for _ in range(3):
        assert client.post(f"/account/v1/user/{cashier_id}/disable", headers=admin).is_success
        assert_error(client.get("/account/v1/user/me", headers=cashier), 401, "account_disabled")
        assert client.post(f"/account/v1/user/{cashier_id}/enable", headers=admin).is_success
        assert client.get("/account/v1/user/me", headers=cashier).status_code == 200
    live_server.clock.advance(seconds=timedelta(hours=3).total_seconds())
    assert_error(client.get("/account/v1/user/me", headers=cashier), 401, "token_expired")
