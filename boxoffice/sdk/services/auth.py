"""`sdk.auth`: password login, guest login and token refresh."""

from __future__ import annotations

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk.models.auth import LoginRequest, RefreshableJwt, RefreshRequest
from boxoffice.sdk.services._base import Service


class AuthService(Service):
    """Token pairs; `SDK.authorize` uses these and keeps the tokens."""

    async def login(
        self, username: str, password: str, *, options: RequestOptions | None = None
    ) -> RefreshableJwt:
        """`POST account/v1/auth/login`."""
        body = LoginRequest(username=username, password=password).model_dump(exclude_none=True)
        return await self._requestor.request(
            "POST", "account/v1/auth/login", RefreshableJwt, json=body, options=options
        )

    async def guest_login(self, *, options: RequestOptions | None = None) -> RefreshableJwt:
        """`POST account/v1/guest/login`."""
        return await self._requestor.request(
            "POST", "account/v1/guest/login", RefreshableJwt, options=options
        )

    async def refresh(
        self, refresh_token: str, *, options: RequestOptions | None = None
    ) -> RefreshableJwt:
        """`POST account/v1/auth/refresh`."""
        body = RefreshRequest(refresh_token=refresh_token).model_dump(exclude_none=True)
        return await self._requestor.request(
            "POST", "account/v1/auth/refresh", RefreshableJwt, json=body, options=options
        )
