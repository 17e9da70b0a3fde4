"""Who is signed in: staff with a password (optionally remembered), a guest kiosk, or the
embedded server's own counter account."""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from boxoffice.credentials import CredentialStoreUnavailable
from boxoffice.i18n import _
from boxoffice.sdk import (
    SDK,
    APIConnectionError,
    BoxOfficeError,
    PasswordCredentials,
    RefreshTokenCredentials,
    ServerError,
)
from boxoffice.sdk.models.account import STAFF_ROLES, User
from boxoffice.sdk.models.auth import COUNTER_USERNAME
from boxoffice.ui.errors import user_message

logger = logging.getLogger(__name__)


class TokenStore(Protocol):
    """Where remembered refresh tokens live (`boxoffice.credentials`)."""

    def save(self, base_url: str, username: str, refresh_token: str) -> None: ...
    def load(self, base_url: str, username: str) -> str | None: ...
    def forget(self, base_url: str, username: str) -> None: ...


class SessionPresenter(QObject):
    """Signs in and out and says who is signed in.

    Signals:
        changed(): the signed-in user changed (or signed out).
        error(str): a sentence for the cashier.
    """

    changed = Signal()
    error = Signal(str)

    def __init__(
        self,
        sdk: SDK,
        *,
        base_url: str,
        tokens: TokenStore | None = None,
        counter_password: str | None = None,
    ) -> None:
        super().__init__()
        self._sdk = sdk
        self._base_url = base_url
        self._tokens = tokens
        self.counter_password = counter_password
        self.user: User | None = None
        # The last sign-in got no answer from the server (it is away): worth trying again
        # once it is back, and a remembered token is kept meanwhile.
        self.unreachable = False

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        if self.user is None:
            return _("Not signed in")
        if self.user.type == "guest":
            return _("Kiosk (guest)")
        if self.user.username == COUNTER_USERNAME:
            return _("Training counter")
        name = " ".join(p for p in (self.user.first_name, self.user.last_name) if p)
        return name or self.user.username or _("user %(id)s") % {"id": self.user.id}

    @property
    def can_remember(self) -> bool:
        return self._tokens is not None

    async def sign_in(self, username: str, password: str, *, remember: bool = False) -> bool:
        """Staff sign-in; with `remember` the refresh token goes to the credential store."""
        if not await self._authorize(PasswordCredentials(username, password)):
            return False
        if remember and self._tokens is not None and self._sdk.refresh_token:
            try:
                self._tokens.save(self._base_url, username, self._sdk.refresh_token)
            except CredentialStoreUnavailable as exc:  # signing in still worked
                self.error.emit(
                    _("Signed in, but this computer cannot remember you: %(problem)s")
                    % {"problem": exc}
                )
        return True

    async def sign_in_guest(self) -> bool:
        """A guest session, as a self-service kiosk uses."""
        return await self._authorize(None)

    async def sign_in_counter(self) -> bool:
        """The embedded server's counter account (training mode)."""
        if not self.counter_password:
            self.error.emit(_("This counter has no built-in account; sign in with your own."))
            return False
        return await self._authorize(PasswordCredentials(COUNTER_USERNAME, self.counter_password))

    async def resume(self, username: str) -> bool:
        """Sign `username` in with a remembered refresh token, if there is one."""
        if self._tokens is None:
            return False
        try:
            token = self._tokens.load(self._base_url, username)
        except CredentialStoreUnavailable as exc:
            logger.warning("cannot read the credential store: %s", exc)
            return False
        if not token:
            return False
        if not await self._authorize(RefreshTokenCredentials(token), quiet=True):
            if not self.unreachable:  # refused, not unanswered: the token is no good
                self._tokens.forget(self._base_url, username)
            return False
        if self._sdk.refresh_token:
            self._tokens.save(self._base_url, username, self._sdk.refresh_token)
        return True

    def sign_out(self, *, forget: bool = False) -> None:
        """Sign out; with `forget`, also drop the remembered token of this user."""
        if forget and self._tokens is not None and self.user and self.user.username:
            self._tokens.forget(self._base_url, self.user.username)
        self._sdk.sign_out()
        self.user = None
        self.changed.emit()

    async def _authorize(
        self,
        credentials: PasswordCredentials | RefreshTokenCredentials | None,
        *,
        quiet: bool = False,
    ) -> bool:
        self.unreachable = False
        try:
            await self._sdk.authorize(credentials)
            self.user = await self._sdk.account.me()
        except BoxOfficeError as exc:
            self.user = None
            # The server did not answer (or failed): signing in may work once it is back.
            self.unreachable = isinstance(exc, (APIConnectionError, ServerError))
            if not quiet:
                self.error.emit(user_message(exc))
            self.changed.emit()
            return False
        logger.info("signed in as %s (%s)", self.user.username or "guest", self.user.role)
        self.changed.emit()
        return True
