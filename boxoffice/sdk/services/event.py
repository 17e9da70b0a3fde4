"""`sdk.event`: the event catalog, and the set-up calls staff need."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk._pagination import auto_page
from boxoffice.sdk.models import events as ev
from boxoffice.sdk.models.common import HealthStatus, ListInfo
from boxoffice.sdk.services._base import Service, With, render_with


def _body(request: Any) -> Any:
    return request.model_dump(mode="json", exclude_unset=True)


class EventService(Service):
    """Events, ticket configs, timeslots, sectors and discounts of the SDK's organizer."""

    async def list_events(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        with_: With = None,
        query: str | None = None,
        status: ev.EventStatus | None = None,
        start_at: str | None = None,
        options: RequestOptions | None = None,
    ) -> ListInfo[ev.Event]:
        """`GET event/v1/organizer/{organizer}/event` → one page (`data`, `paging`)."""
        params = {
            "limit": limit,
            "offset": offset,
            "with": render_with(with_),
            "query": query,
            "status": status,
            "start_at": start_at,
        }
        return await self._requestor.request(
            "GET",
            f"event/v1/organizer/{self._organizer}/event",
            ListInfo[ev.Event],
            params=params,
            options=options,
        )

    def iter_events(
        self,
        *,
        page_size: int = 100,
        with_: With = None,
        query: str | None = None,
        status: ev.EventStatus | None = None,
        start_at: str | None = None,
    ) -> AsyncIterator[ev.Event]:
        """Every event of `GET event/v1/organizer/{organizer}/event`, page by page."""

        async def fetch(limit: int, offset: int) -> ListInfo[ev.Event]:
            return await self.list_events(
                limit=limit,
                offset=offset,
                with_=with_,
                query=query,
                status=status,
                start_at=start_at,
            )

        return auto_page(fetch, page_size=page_size)

    async def health(self, *, options: RequestOptions | None = None) -> HealthStatus:
        """`GET event/health` → `{"status": "ok"}` when the event service answers (a venue
        server adds its `instance_id` and `mode`)."""
        return await self._requestor.request(
            "GET", "event/health", HealthStatus, options=options or {"max_retries": 0}
        )

    async def get_event(
        self, event_id: int, *, with_: With = None, options: RequestOptions | None = None
    ) -> ev.Event:
        """`GET event/v1/organizer/{organizer}/event/{event_id}`."""
        return await self._requestor.request(
            "GET",
            f"event/v1/organizer/{self._organizer}/event/{event_id}",
            ev.Event,
            params={"with": render_with(with_)},
            options=options,
        )

    async def get_ticket_config(
        self, config_id: int, *, with_: With = None, options: RequestOptions | None = None
    ) -> ev.TicketConfig:
        """`GET event/v1/ticket_config/{config_id}`."""
        return await self._requestor.request(
            "GET",
            f"event/v1/ticket_config/{config_id}",
            ev.TicketConfig,
            params={"with": render_with(with_)},
            options=options,
        )

    async def create_event(
        self, request: ev.CreateEventRequest, *, options: RequestOptions | None = None
    ) -> ev.Event:
        """`POST event/v1/organizer/{organizer}/event` (staff; a draft)."""
        return await self._requestor.request(
            "POST",
            f"event/v1/organizer/{self._organizer}/event",
            ev.Event,
            json=_body(request),
            options=options,
        )

    async def update_event(
        self,
        event_id: int,
        request: ev.UpdateEventRequest,
        *,
        options: RequestOptions | None = None,
    ) -> ev.Event:
        """`PATCH event/v1/event/{event_id}` (staff; only the fields set are sent)."""
        return await self._requestor.request(
            "PATCH", f"event/v1/event/{event_id}", ev.Event, json=_body(request), options=options
        )

    async def publish_event(
        self, event_id: int, *, options: RequestOptions | None = None
    ) -> ev.Event:
        """`POST event/v1/event/{event_id}/publish` (staff)."""
        return await self._requestor.request(
            "POST", f"event/v1/event/{event_id}/publish", ev.Event, options=options
        )

    async def unpublish_event(
        self, event_id: int, *, options: RequestOptions | None = None
    ) -> ev.Event:
        """`POST event/v1/event/{event_id}/unpublish` (staff)."""
        return await self._requestor.request(
            "POST", f"event/v1/event/{event_id}/unpublish", ev.Event, options=options
        )

    async def cancel_event(
        self, event_id: int, *, options: RequestOptions | None = None
    ) -> ev.Event:
        """`POST event/v1/event/{event_id}/cancel` (staff)."""
        return await self._requestor.request(
            "POST", f"event/v1/event/{event_id}/cancel", ev.Event, options=options
        )

    async def create_ticket_config(
        self,
        event_id: int,
        request: ev.CreateTicketConfigRequest,
        *,
        options: RequestOptions | None = None,
    ) -> ev.TicketConfig:
        """`POST event/v1/event/{event_id}/ticket_config` (staff)."""
        return await self._requestor.request(
            "POST",
            f"event/v1/event/{event_id}/ticket_config",
            ev.TicketConfig,
            json=_body(request),
            options=options,
        )

    async def update_ticket_config(
        self,
        config_id: int,
        request: ev.UpdateTicketConfigRequest,
        *,
        options: RequestOptions | None = None,
    ) -> ev.TicketConfig:
        """`PATCH event/v1/ticket_config/{config_id}` (staff)."""
        return await self._requestor.request(
            "PATCH",
            f"event/v1/ticket_config/{config_id}",
            ev.TicketConfig,
            json=_body(request),
            options=options,
        )

    async def create_timeslot(
        self,
        event_id: int,
        request: ev.CreateTimeslotRequest,
        *,
        options: RequestOptions | None = None,
    ) -> ev.Timeslot:
        """`POST event/v1/event/{event_id}/timeslot` (staff)."""
        return await self._requestor.request(
            "POST",
            f"event/v1/event/{event_id}/timeslot",
            ev.Timeslot,
            json=_body(request),
            options=options,
        )

    async def create_sector(
        self,
        event_id: int,
        request: ev.CreateSectorRequest,
        *,
        options: RequestOptions | None = None,
    ) -> ev.Sector:
        """`POST event/v1/event/{event_id}/sector` (staff)."""
        return await self._requestor.request(
            "POST",
            f"event/v1/event/{event_id}/sector",
            ev.Sector,
            json=_body(request),
            options=options,
        )

    async def create_ticket_discount(
        self,
        event_id: int,
        request: ev.CreateDiscountRequest,
        *,
        options: RequestOptions | None = None,
    ) -> ev.TicketDiscount:
        """`POST event/v1/event/{event_id}/ticket_discount` (staff)."""
        return await self._requestor.request(
            "POST",
            f"event/v1/event/{event_id}/ticket_discount",
            ev.TicketDiscount,
            json=_body(request),
            options=options,
        )

    async def get_venue(self, venue_id: int, *, options: RequestOptions | None = None) -> ev.Venue:
        """`GET venue/v1/venue/{venue_id}` (global host)."""
        return await self._requestor.request(
            "GET", f"venue/v1/venue/{venue_id}", ev.Venue, options=options
        )

    async def create_venue(
        self, request: ev.CreateVenueRequest, *, options: RequestOptions | None = None
    ) -> ev.Venue:
        """`POST venue/v1/venue` (staff; global host)."""
        return await self._requestor.request(
            "POST", "venue/v1/venue", ev.Venue, json=_body(request), options=options
        )
