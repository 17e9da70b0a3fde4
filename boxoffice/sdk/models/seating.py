"""Seat maps, seat statuses and seats.io-style hold tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from boxoffice.sdk.models.common import Amount, RequestModel, WireModel

SeatStatus = Literal["free", "reservedByToken", "booked"]


class HoldTokenObject(WireModel):
    """As seats.io has it: the token, when it expires, and how many seconds are left."""

    hold_token: str
    expires_at: datetime
    expires_in_seconds: int


class CreateHoldTokenRequest(RequestModel):
    expires_in_minutes: int | None = Field(default=None, ge=1, le=120)


class ExtendHoldTokenRequest(RequestModel):
    expires_in_minutes: int = Field(ge=0, le=120)


class SeatCategory(WireModel):
    key: str
    ticket_config_id: int | None = None
    name: str
    color: str | None = None
    price: Amount | None = None
    currency: str | None = None


class SeatObject(WireModel):
    label: str
    section: str
    row: str
    number: str
    category: str
    accessible: bool = False
    x: float = 0.0
    y: float = 0.0
    status: SeatStatus
    held_by_you: bool = False


class SeatMap(WireModel):
    event_id: int
    categories: list[SeatCategory]
    seats: list[SeatObject]


class SeatSpec(RequestModel):
    section: str = Field(min_length=1, max_length=64)
    row: str = Field(min_length=1, max_length=16)
    number: str = Field(min_length=1, max_length=16)
    label: str | None = Field(default=None, max_length=64)
    category: str = Field(min_length=1, max_length=64)
    accessible: bool = False
    x: float = 0.0
    y: float = 0.0


class PutSeatMapRequest(RequestModel):
    seats: list[SeatSpec] = Field(min_length=1, max_length=100_000)


class SeatActionRequest(RequestModel):
    """Hold or release seats (`objects` are seat labels) with a hold token."""

    objects: list[str] = Field(min_length=1, max_length=100)
    hold_token: str = Field(min_length=1, max_length=64)


class BestAvailableRequest(RequestModel):
    number: int = Field(ge=1, le=50)
    hold_token: str = Field(min_length=1, max_length=64)
    categories: list[str] | None = None
    accessible: bool = False


class SeatActionResult(WireModel):
    objects: list[str]
    hold_token: str
    expires_at: datetime
