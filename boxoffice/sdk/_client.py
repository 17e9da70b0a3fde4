"""The SDK: one httpx.AsyncClient, the requestor, the credentials and the service namespaces."""

from __future__ import annotations

import enum
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

import httpx

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk._requestor import CONNECT_TIMEOUT, READ_TIMEOUT, Requestor
from boxoffice.sdk._tls import Verify, ssl_context
from boxoffice.sdk.auth import BearerAuth, Credentials, PasswordCredentials, RefreshTokenCredentials
from boxoffice.sdk.models.auth import RefreshableJwt
from boxoffice.sdk.services.account import AccountService
from boxoffice.sdk.services.auth import AuthService
from boxoffice.sdk.services.event import EventService
from boxoffice.sdk.services.order import OrderService
from boxoffice.sdk.services.payment import PaymentService
from boxoffice.sdk.services.reader import ReaderService
from boxoffice.sdk.services.refund import RefundService
from boxoffice.sdk.services.seating import SeatingService
from boxoffice.sdk.services.shift import ShiftService
from boxoffice.sdk.services.ticket import TicketService


class BaseUrl(enum.StrEnum):
    """Tickethead's hosts (the SDK's `BaseUrl`); any other URL is taken as a venue server."""

    TH_PROD = "https://api.tickethead.io"
    TH_STAGING = "https://api.staging.tickethead.io"
    TH_DEV = "https://api.dev.tickethead.io"


API_URL_ENV = "BOXOFFICE_API_URL"  # the base URL the app and the CLI use when it is set

_TICKETHEAD_HOSTS = frozenset(urlsplit(str(url)).hostname or "" for url in BaseUrl)


def is_tickethead_url(url: str, *, tenant: bool = True) -> bool:
    """Whether `url` is on a Tickethead host (a `BaseUrl`'s) or, with `tenant`, on a tenant's
    host below one (`demo.api.tickethead.io`); anything else is taken as a venue server."""
    host = urlsplit(url).hostname or ""
    if host in _TICKETHEAD_HOSTS:
        return True
    return tenant and any(host.endswith(f".{known}") for known in _TICKETHEAD_HOSTS)


def tenant_url(base_url: str, organizer: str) -> str:
    """On a Tickethead host the organizer becomes the first host label; else `base_url`."""
    parts = urlsplit(base_url)
    if not organizer or not is_tickethead_url(base_url, tenant=False):
        return base_url
    netloc = f"{organizer}.{parts.netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class SDK:
    """The async client; build it with `await SDK.build(…)` and use it as a context manager."""

    def __init__(
        self,
        requestor: Requestor,
        bearer: BearerAuth,
        *,
        organizer: str,
        owns_http: bool,
    ) -> None:
        self._requestor = requestor
        self._bearer = bearer
        self._owns_http = owns_http
        self.organizer = organizer
        self.auth = AuthService(requestor, organizer)
        self.account = AccountService(requestor, organizer)
        self.event = EventService(requestor, organizer)
        self.order = OrderService(requestor, organizer)
        self.payment = PaymentService(requestor, organizer)
        self.ticket = TicketService(requestor, organizer)
        self.seating = SeatingService(requestor, organizer)
        self.shift = ShiftService(requestor, organizer)
        self.refund = RefundService(requestor, organizer)
        self.reader = ReaderService(requestor, organizer)

    @classmethod
    async def build(
        cls,
        base_url: str = BaseUrl.TH_PROD,
        *,
        organizer: str = "demo",
        timeout: float = READ_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        total_timeout: float | None = None,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        verify: Verify = None,
        counter: str | None = None,
    ) -> SDK:
        """A client for `base_url` (a `BaseUrl` or a venue server's URL) and `organizer`.

        `verify` is what an https server's certificate is checked with: None for the
        system's CAs, a CA file's path, or the server's pinned SHA-256 fingerprint (64 hex
        digits, with or without colons; `boxoffice serve --tls-self-signed` prints it); a
        refused certificate raises `TLSVerificationError` before anything is sent.

        Each attempt waits `connect_timeout` seconds to connect and `timeout` for the answer;
        a call with its retries ends within `total_timeout` (default: 1.2 × `timeout`).

        `counter` names the till the calls are made at (`X-Counter`; see `SDK.counter`)."""
        base = str(base_url).rstrip("/")
        http = http_client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            verify=ssl_context(verify),
        )
        bearer = BearerAuth(base)
        defaults: RequestOptions = {
            "timeout": timeout,
            "connect_timeout": connect_timeout,
            "max_retries": max_retries,
        }
        if total_timeout is not None:
            defaults["total_timeout"] = total_timeout
        requestor = Requestor(
            http,
            global_url=base,
            tenant_url=tenant_url(base, organizer),
            auth=bearer,
            defaults=defaults,
        )
        requestor.counter = counter
        return cls(requestor, bearer, organizer=organizer, owns_http=http_client is None)

    @property
    def base_url(self) -> str:
        """The base URL the client was built for (without a trailing slash)."""
        return self._requestor.global_url

    @property
    def counter(self) -> str | None:
        """The counter (a named till) calls are made at, sent as `X-Counter`: a venue server
        books cash payments, refunds and pay-ins against that counter's open shift."""
        return self._requestor.counter

    @counter.setter
    def counter(self, name: str | None) -> None:
        self._requestor.counter = name.strip() or None if name else None

    @property
    def requestor(self) -> Requestor:
        """The request path under every service (for tests and advanced use)."""
        return self._requestor

    @property
    def refresh_token(self) -> str | None:
        """The current refresh token (to keep for a later `RefreshTokenCredentials`)."""
        return self._bearer.refresh_token

    @property
    def is_authorized(self) -> bool:
        """Whether calls carry a bearer token."""
        return self._bearer.token is not None

    async def authorize(self, credentials: Credentials | None = None) -> None:
        """Log in with a password or refresh token, or as a new guest when `credentials` is None."""
        self._bearer.clear()
        pair: RefreshableJwt
        if isinstance(credentials, PasswordCredentials):
            pair = await self.auth.login(credentials.username, credentials.password)
        elif isinstance(credentials, RefreshTokenCredentials):
            pair = await self.auth.refresh(credentials.refresh_token)
        else:
            pair = await self.auth.guest_login()
        self._bearer.set_tokens(pair.model_dump(), credentials)

    def sign_out(self) -> None:
        """Forget the tokens and credentials; later calls are anonymous (no endpoint called)."""
        self._bearer.clear()

    async def aclose(self) -> None:
        """Close the HTTP client if the SDK made it."""
        if self._owns_http:
            await self._requestor.http.aclose()

    async def __aenter__(self) -> SDK:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
