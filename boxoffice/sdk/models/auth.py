"""Login, guest login and refresh: requests and token pairs."""

from __future__ import annotations

from pydantic import Field

from boxoffice.sdk.models.common import RequestModel, WireModel

# The staff account a venue server keeps for the desktop app's embedded server: the server
# creates it, or resets its password, from BOXOFFICE_COUNTER_PASSWORD; the app signs in as it.
COUNTER_USERNAME = "counter"


class LoginRequest(RequestModel):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    accepted_latest_tos: bool | None = None
    organizer_id: str | None = None


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=1)
    organizer_id: str | None = None


class Jwt(WireModel):
    token: str


class RefreshableJwt(WireModel):
    token: str
    refresh_token: str
