"""What the OpenAPI document says the server sends: the `{"data": …}` envelope of every answer
and the one error body of every `4xx`.

Only documentation: routes still build their `JSONResponse` themselves (`views.ok`,
`views.page`), and FastAPI neither validates nor serialises a `Response` a route returns, so
declaring `response_model=Envelope[X]` costs nothing per request and changes nothing on the
wire. `tests/integration/test_openapi_contract.py` checks that the two agree.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from boxoffice.sdk.models.common import WireModel

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    """`{"data": …}`: every JSON answer but lists, health and errors."""

    data: T


class ErrorBody(BaseModel):
    """Every `4xx` and `5xx` (errors.py): a sentence, a stable code, the field at fault and
    more details when there are."""

    message: str
    error_code: str = Field(alias="errorCode")
    field: str | None = None
    details: dict[str, Any] | None = None


class WebhookReceived(WireModel):
    """The answer to Stripe: the event was verified, and whether it changed an order."""

    received: bool
    applied: bool


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "Refused: the request or the state is wrong"},
    "5XX": {"model": ErrorBody, "description": "Failed or the database busy; nothing changed"},
}
"""Declared on every route (app.py); the `4XX` replaces FastAPI's own `422` schema
(`{"detail": [...]}`), which is not what the server sends."""
