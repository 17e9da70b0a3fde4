"""Base classes of wire models, money on the wire, and list paging."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator
from pydantic.alias_generators import to_camel


def _json_number(value: Decimal) -> int | float:
    """Money leaves as a JSON number, as Tickethead sends it (`12.5`, `0`)."""
    return int(value) if value == value.to_integral_value() else float(value)


Amount = Annotated[
    Decimal, PlainSerializer(_json_number, return_type=int | float, when_used="json")
]
"""A money amount in major units (`12.50` euro); exact in Python, a JSON number on the wire."""

COUNTER_HEADER = "X-Counter"
"""The request header naming the counter (a named till) a request is made at (1–64 chars)."""

MAX_ID = 2**63 - 1
"""The largest id or count a request may carry: the largest BIGINT of the databases."""


def _checked_request_value(value: Any) -> Any:
    """Refuse what no database column can hold: integers beyond a BIGINT, strings with NUL."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -MAX_ID - 1 <= value <= MAX_ID:
        raise ValueError(f"must be at most {MAX_ID}")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _checked_request_value(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _checked_request_value(key)
            _checked_request_value(item)
    return value


class WireModel(BaseModel):
    """A response body: snake_case on the wire, unknown fields tolerated, times in UTC."""

    model_config = ConfigDict(extra="ignore", from_attributes=True)

    @field_validator("*", mode="after")
    @classmethod
    def _aware_times_in_utc(cls, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value


class RequestModel(BaseModel):
    """A request body: accepts snake_case and camelCase keys alike and refuses unknown ones
    (`422 unknown_field`): a misspelt or unsupported field never vanishes without a word."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=False,
        str_strip_whitespace=True,
    )

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return _checked_request_value(value)


T = TypeVar("T")


class Paging(WireModel):
    limit: int
    offset: int
    total: int


class ListInfo(WireModel, Generic[T]):
    """A page of a list, the whole answer: `{"data": [...], "paging": {...}}`."""

    data: list[T]
    paging: Paging


class StatusResponse(WireModel):
    success: bool = True


class HealthStatus(WireModel):
    """`GET <service>/health`. Tickethead sends only `status`; a venue server also says which
    server it is and whether it is in training mode."""

    status: str = "ok"
    instance_id: str | None = None  # a venue server's id, the same across its restarts
    mode: str | None = None  # "training" (cards on the Stripe emulator) or "live"

    @property
    def training(self) -> bool | None:
        """True in training mode (no real money), False when live, None when not said."""
        return None if self.mode is None else self.mode == "training"


PositiveId = Annotated[int, Field(gt=0)]
