"""The outermost check of every request: a bounded body, no NUL in the path or query, and no
failure that ends a keep-alive connection.

- A body over `MAX_BODY` (1 MiB; a seat map, up to 20 000 seats, may have `MAX_SEAT_MAP_BODY`)
  is refused with `413 payload_too_large` before any route or the idempotency store sees it,
  whether it announces its length or comes chunked.
- A NUL character in the path or the query string is `422 validation_error`: no database
  column can hold one (PostgreSQL refuses it outright).
- An unexpected exception is answered with the JSON `500` (if nothing was sent yet) and goes
  no further: uvicorn closes the connection of any request whose app raised, which would fail
  the client's next request on it too.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boxoffice.server.api.asgi_json import send_json
from boxoffice.server.api.errors import error_body, unexpected_error_body

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
MAX_SEAT_MAP_BODY = 8 * 1024 * 1024
_SEAT_MAP = re.compile(r"^/event/v1/event/[^/]+/seat_map/?$")


def body_limit(method: str, path: str) -> int:
    """The largest body a request may send: 1 MiB, or 8 MiB for a whole seat map."""
    return MAX_SEAT_MAP_BODY if method == "PUT" and _SEAT_MAP.match(path) else MAX_BODY


class RequestGuard:
    """Pure ASGI middleware; added last, so it wraps the idempotency middleware too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._checked(scope, receive, tracking_send)
        except Exception as exc:
            logger.exception("unhandled error", exc_info=exc)
            if not started:
                await send_json(tracking_send, 500, unexpected_error_body())

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        if "\x00" in scope["path"] or b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            await send_json(
                send,
                422,
                error_body("The path or query contains a NUL character.", "validation_error"),
            )
            return
        limit = body_limit(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await send_json(send, 413, _too_large(limit))
            return
        body: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before its body was complete: nothing to answer
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await send_json(send, 413, _too_large(limit))
                return
            body.append(chunk)
            if not message.get("more_body", False):
                break
        whole = b"".join(body)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large(limit: int) -> dict[str, Any]:
    return error_body(
        f"The request body is larger than {limit // 1024} KiB.",
        "payload_too_large",
        details={"limit_bytes": limit},
    )


__all__ = ["MAX_BODY", "MAX_SEAT_MAP_BODY", "RequestGuard", "body_limit"]
