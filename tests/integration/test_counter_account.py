"""BOXOFFICE_COUNTER_PASSWORD: the embedded app's own staff account `counter`."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.models import User
from tests.helpers.live_server import serve_in_thread

pytestmark = pytest.mark.integration


def login(base_url: str, password: str, username: str = "counter") -> httpx.Response:
    return httpx.post(
        f"{base_url}/account/v1/auth/login",
        json={"username": username, "password": password},
        timeout=10,
    )


def counter_logins(settings: ServerSettings, *passwords: str) -> list[int]:
    """Start a server with `settings`; the login status code for each password."""
    app = create_app(settings)
    try:
        with serve_in_thread(app) as base_url:
            return [login(base_url, password).status_code for password in passwords]
    finally:
        app.state.server.engine.dispose()


def test_the_environment_sets_the_counter_password_and_no_repr_shows_it(monkeypatch):
    monkeypatch.setenv("BOXOFFICE_COUNTER_PASSWORD", "from the environment")
    settings = ServerSettings()
    assert settings.counter_password is not None
    assert settings.counter_password.get_secret_value() == "from the environment"
    assert "from the environment" not in repr(settings)
    monkeypatch.delenv("BOXOFFICE_COUNTER_PASSWORD")
    assert ServerSettings().counter_password is None


def test_counter_is_created_then_its_password_follows_the_setting(settings):
    first = settings.model_copy(update={"counter_password": SecretStr("first launch secret")})
    app = create_app(first)
    try:
        with serve_in_thread(app) as base_url:
            response = login(base_url, "first launch secret")
            assert response.status_code == 200, response.text
            me = httpx.get(
                f"{base_url}/account/v1/user/me",
                headers={"Authorization": f"Bearer {response.json()['data']['token']}"},
                timeout=10,
            )
            assert me.status_code == 200, me.text
            assert me.json()["data"]["role"] == "staff"
            refresh = response.json()["data"]["refresh_token"]
    finally:
        app.state.server.engine.dispose()
    # Same secret again (a restart): nothing changes. A new secret (a new launch): reset.
    assert counter_logins(first, "first launch secret") == [200]
    second = settings.model_copy(update={"counter_password": SecretStr("second launch secret")})
    app = create_app(second)
    try:
        with serve_in_thread(app) as base_url:
            assert login(base_url, "first launch secret").status_code == 401
            assert login(base_url, "second launch secret").status_code == 200
            refreshed = httpx.post(
                f"{base_url}/account/v1/auth/refresh", json={"refresh_token": refresh}, timeout=10
            )
            assert refreshed.status_code == 401  # the old launch's tokens are revoked
    finally:
        app.state.server.engine.dispose()


def test_without_the_setting_there_is_no_counter_user(settings):
    assert settings.counter_password is None
    app = create_app(settings)
    try:
        with app.state.server.read_sessions() as session:
            assert session.scalar(select(User).where(User.username == "counter")) is None
    finally:
        app.state.server.engine.dispose()
