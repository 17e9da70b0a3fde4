"""Credentials and the httpx auth flow: bearer token, one refresh on 401, guest mode."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

import httpx

REFRESH_PATH = "account/v1/auth/refresh"
LOGIN_PATH = "account/v1/auth/login"


@dataclass(frozen=True)
class PasswordCredentials:
    """A staff or customer account; on an expired token the SDK logs in again."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class RefreshTokenCredentials:
    """A refresh token kept from an earlier login; it is rotated on every refresh."""

    refresh_token: str = field(repr=False)


Credentials = PasswordCredentials | RefreshTokenCredentials


class BearerAuth(httpx.Auth):
    """Adds `Authorization: Bearer …`; on a 401 refreshes once and sends the request again."""

    def __init__(self, global_url: str) -> None:
        self._global_url = global_url.rstrip("/")
        self._lock = asyncio.Lock()
        self.token: str | None = None
        self.refresh_token: str | None = None
        self.credentials: Credentials | None = None

    def set_tokens(self, data: Any, credentials: Credentials | None) -> None:
        """Keep the token pair of a login or refresh answer (`{"token", "refresh_token"?}`)."""
        self.token = str(data["token"])
        self.refresh_token = data.get("refresh_token") or None
        self.credentials = credentials

    def clear(self) -> None:
        """Forget every token (anonymous calls from now on)."""
        self.token = self.refresh_token = None
        self.credentials = None

    def _refresh_request(self) -> httpx.Request | None:
        """The request that renews the token, or None when nothing can renew it."""
        if isinstance(self.credentials, PasswordCredentials):
            body = {"username": self.credentials.username, "password": self.credentials.password}
            return httpx.Request("POST", f"{self._global_url}/{LOGIN_PATH}", json=body)
        if self.refresh_token:
            body = {"refresh_token": self.refresh_token}
            return httpx.Request("POST", f"{self._global_url}/{REFRESH_PATH}", json=body)
        return None

    def _sign(self, request: httpx.Request) -> None:
        if self.token:
            request.headers["Authorization"] = f"Bearer {self.token}"

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Send signed; on 401 renew the token once (serialised) and resend."""
        sent_with = self.token
        self._sign(request)
        response = yield request
        if response.status_code != 401 or sent_with is None:
            return
        async with self._lock:
            if self.token == sent_with:
                renew = self._refresh_request()
                if renew is None:
                    return
                answer = yield renew
                await answer.aread()
                if not answer.is_success:
                    return
                data = answer.json().get("data", {})
                self.token = str(data["token"])
                self.refresh_token = data.get("refresh_token") or self.refresh_token
        self._sign(request)
        yield request
