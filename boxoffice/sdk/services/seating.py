"""`sdk.seating`: seat maps, hold tokens, hold/release and best available."""

from __future__ import annotations

from collections.abc import Sequence

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk.models.payments import SeatMapReplaced
from boxoffice.sdk.models.seating import (
    BestAvailableRequest,
    ExtendHoldTokenRequest,
    HoldTokenObject,
    PutSeatMapRequest,
    SeatActionRequest,
    SeatActionResult,
    SeatMap,
    SeatSpec,
)
from boxoffice.sdk.services._base import Service


class SeatingService(Service):
    """seats.io-style seating (tenant host)."""

    async def get_seat_map(
        self, event_id: int, *, hold_token: str | None = None, options: RequestOptions | None = None
    ) -> SeatMap:
        """`GET event/v1/event/{event_id}/seat_map`."""
        return await self._requestor.request(
            "GET",
            f"event/v1/event/{event_id}/seat_map",
            SeatMap,
            params={"hold_token": hold_token},
            options=options,
        )

    async def put_seat_map(
        self, event_id: int, seats: Sequence[SeatSpec], *, options: RequestOptions | None = None
    ) -> SeatMapReplaced:
        """`PUT event/v1/event/{event_id}/seat_map` (staff; replaces the whole map)."""
        body = PutSeatMapRequest(seats=list(seats)).model_dump(mode="json", exclude_none=True)
        return await self._requestor.request(
            "PUT",
            f"event/v1/event/{event_id}/seat_map",
            SeatMapReplaced,
            json=body,
            options=options,
        )

    async def create_hold_token(
        self, *, expires_in_minutes: int | None = None, options: RequestOptions | None = None
    ) -> HoldTokenObject:
        """`POST event/v1/hold_token`."""
        body = {} if expires_in_minutes is None else {"expires_in_minutes": expires_in_minutes}
        return await self._requestor.request(
            "POST", "event/v1/hold_token", HoldTokenObject, json=body, options=options
        )

    async def get_hold_token(
        self, hold_token: str, *, options: RequestOptions | None = None
    ) -> HoldTokenObject:
        """`GET event/v1/hold_token/{token}`."""
        return await self._requestor.request(
            "GET", f"event/v1/hold_token/{hold_token}", HoldTokenObject, options=options
        )

    async def extend_hold_token(
        self, hold_token: str, expires_in_minutes: int, *, options: RequestOptions | None = None
    ) -> HoldTokenObject:
        """`POST event/v1/hold_token/{token}` (expiry = now + minutes; 0 expires it)."""
        body = ExtendHoldTokenRequest(expires_in_minutes=expires_in_minutes).model_dump()
        return await self._requestor.request(
            "POST",
            f"event/v1/hold_token/{hold_token}",
            HoldTokenObject,
            json=body,
            options=options,
        )

    async def hold(
        self,
        event_id: int,
        objects: Sequence[str],
        hold_token: str,
        *,
        options: RequestOptions | None = None,
    ) -> SeatActionResult:
        """`POST event/v1/event/{event_id}/seat/hold` (all or nothing)."""
        return await self._seat_action("hold", event_id, objects, hold_token, options)

    async def release(
        self,
        event_id: int,
        objects: Sequence[str],
        hold_token: str,
        *,
        options: RequestOptions | None = None,
    ) -> SeatActionResult:
        """`POST event/v1/event/{event_id}/seat/release`."""
        return await self._seat_action("release", event_id, objects, hold_token, options)

    async def _seat_action(
        self,
        action: str,
        event_id: int,
        objects: Sequence[str],
        hold_token: str,
        options: RequestOptions | None,
    ) -> SeatActionResult:
        body = SeatActionRequest(objects=list(objects), hold_token=hold_token).model_dump()
        return await self._requestor.request(
            "POST",
            f"event/v1/event/{event_id}/seat/{action}",
            SeatActionResult,
            json=body,
            options=options,
        )

    async def best_available(
        self,
        event_id: int,
        number: int,
        hold_token: str,
        *,
        categories: Sequence[str] | None = None,
        accessible: bool = False,
        options: RequestOptions | None = None,
    ) -> SeatActionResult:
        """`POST event/v1/event/{event_id}/seat/best_available` → the held seats."""
        request = BestAvailableRequest(
            number=number,
            hold_token=hold_token,
            categories=None if categories is None else list(categories),
            accessible=accessible,
        )
        return await self._requestor.request(
            "POST",
            f"event/v1/event/{event_id}/seat/best_available",
            SeatActionResult,
            json=request.model_dump(exclude_none=True),
            options=options,
        )
