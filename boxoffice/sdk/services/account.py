"""`sdk.account`: users and organizers (global host)."""

from __future__ import annotations

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk.models.account import CreateUserRequest, MailJob, MailStatus, Organizer, User
from boxoffice.sdk.models.common import ListInfo
from boxoffice.sdk.services._base import Service


class AccountService(Service):
    """Users and organizers."""

    async def me(self, *, options: RequestOptions | None = None) -> User:
        """`GET account/v1/user/me`."""
        return await self._requestor.request("GET", "account/v1/user/me", User, options=options)

    async def get_user(self, user_id: int, *, options: RequestOptions | None = None) -> User:
        """`GET account/v1/user/{user_id}`."""
        return await self._requestor.request(
            "GET", f"account/v1/user/{user_id}", User, options=options
        )

    async def create_user(
        self, request: CreateUserRequest, *, options: RequestOptions | None = None
    ) -> User:
        """`POST account/v1/user`."""
        body = request.model_dump(mode="json", exclude_none=True)
        return await self._requestor.request(
            "POST", "account/v1/user", User, json=body, options=options
        )

    async def get_organizer(
        self, organizer: str | int | None = None, *, options: RequestOptions | None = None
    ) -> Organizer:
        """`GET account/v1/organizer/{organizer}` (default: the SDK's organizer)."""
        name = self._organizer if organizer is None else organizer
        return await self._requestor.request(
            "GET", f"account/v1/organizer/{name}", Organizer, options=options
        )

    async def list_mail(
        self,
        *,
        status: MailStatus | None = None,
        limit: int | None = None,
        offset: int | None = None,
        options: RequestOptions | None = None,
    ) -> ListInfo[MailJob]:
        """`GET account/v1/mail` (staff): the confirmation mail queue, newest first."""
        params = {"status": status, "limit": limit, "offset": offset}
        return await self._requestor.request(
            "GET", "account/v1/mail", ListInfo[MailJob], params=params, options=options
        )

    async def retry_mail(self, mail_id: int, *, options: RequestOptions | None = None) -> MailJob:
        """`POST account/v1/mail/{mail_id}/retry` (staff): send a failed mail again."""
        return await self._requestor.request(
            "POST", f"account/v1/mail/{mail_id}/retry", MailJob, options=options
        )
