"""Bearer tokens, guest mode, and one refresh on 401 before the request is sent again."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from boxoffice.sdk import AuthenticationError, PasswordCredentials, RefreshTokenCredentials
from tests.unit.sdk.helpers import Recorder, build, error, ok

USER = {
    "id": 3,
    "username": "clerk",
    "role": "staff",
    "type": "registered",
    "created_at": "2026-11-27T14:05:07Z",
}


def pair(n: int) -> httpx.Response:
    return ok({"token": f"jwt-{n}", "refresh_token": f"refresh-{n}"})


def paths(recorder: Recorder) -> list[str]:
    return [r.url.path for r in recorder.requests]


async def test_guest_authorize_then_bearer():
    recorder = Recorder(pair(1), ok(USER))
    sdk = await build(recorder)
    assert not sdk.is_authorized
    await sdk.authorize()
    recorder.answers = [ok(USER)]
    await sdk.account.me()
    assert paths(recorder) == ["/account/v1/guest/login", "/account/v1/user/me"]
    assert "Authorization" not in recorder.requests[0].headers
    assert recorder.requests[1].headers["Authorization"] == "Bearer jwt-1"
    assert sdk.refresh_token == "refresh-1"


async def test_refresh_token_credentials_refresh_on_401_once_and_retry():
    recorder = Recorder(pair(1))
    sdk = await build(recorder)
    await sdk.authorize(RefreshTokenCredentials("refresh-0"))
    recorder.answers = [error(401, "token_expired"), pair(2), ok(USER)]
    assert (await sdk.account.me()).id == 3
    assert paths(recorder) == [
        "/account/v1/auth/refresh",
        "/account/v1/user/me",
        "/account/v1/auth/refresh",
        "/account/v1/user/me",
    ]
    assert json.loads(recorder.requests[2].content) == {"refresh_token": "refresh-1"}
    assert "Authorization" not in recorder.requests[2].headers
    assert recorder.requests[3].headers["Authorization"] == "Bearer jwt-2"
    assert sdk.refresh_token == "refresh-2"


async def test_password_credentials_log_in_again_on_401():
    recorder = Recorder(pair(1))
    sdk = await build(recorder)
    await sdk.authorize(PasswordCredentials("clerk", "secret password"))
    recorder.answers = [error(401, "token_expired"), pair(2), ok(USER)]
    await sdk.account.me()
    assert paths(recorder)[2] == "/account/v1/auth/login"
    assert json.loads(recorder.requests[2].content) == {
        "username": "clerk",
        "password": "secret password",
    }
    assert recorder.requests[3].headers["Authorization"] == "Bearer jwt-2"


async def test_a_second_401_is_not_refreshed_again():
    recorder = Recorder(pair(1))
    sdk = await build(recorder)
    await sdk.authorize()
    recorder.answers = [error(401, "token_expired"), pair(2), error(401, "invalid_token")]
    with pytest.raises(AuthenticationError) as caught:
        await sdk.account.me()
    assert caught.value.code == "invalid_token"
    assert paths(recorder).count("/account/v1/auth/refresh") == 1
    assert len(recorder.requests) == 4


async def test_a_failed_refresh_raises_authentication_error():
    recorder = Recorder(pair(1))
    sdk = await build(recorder)
    await sdk.authorize()
    recorder.answers = [error(401, "token_expired"), error(401, "invalid_refresh_token")]
    with pytest.raises(AuthenticationError) as caught:
        await sdk.account.me()
    assert caught.value.code == "invalid_refresh_token"


async def test_anonymous_401_is_not_refreshed():
    recorder = Recorder(error(401, "not_authenticated"))
    sdk = await build(recorder)
    with pytest.raises(AuthenticationError):
        await sdk.account.me()
    assert len(recorder.requests) == 1


def test_credentials_hide_secrets_in_repr():
    assert "hunter2" not in repr(PasswordCredentials("clerk", "hunter2"))
    assert "tok" not in repr(RefreshTokenCredentials("tok"))


async def test_concurrent_401s_share_one_refresh():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/account/v1/auth/refresh":
            return pair(2)
        if request.headers.get("Authorization") == "Bearer jwt-2":
            return ok(USER)
        return error(401, "token_expired")

    recorder = Recorder(pair(1))
    sdk = await build(recorder)
    await sdk.authorize()
    recorder.answers = [answer]
    users = await asyncio.gather(sdk.account.me(), sdk.account.me(), sdk.account.me())
    assert [u.id for u in users] == [3, 3, 3]
    assert paths(recorder).count("/account/v1/auth/refresh") == 1
