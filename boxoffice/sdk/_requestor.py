"""The single request path: URLs, auth, Idempotency-Key, retries, error mapping, parsing."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx
import pydantic

from boxoffice.sdk._errors import (
    APIConnectionError,
    APITimeoutError,
    BoxOfficeError,
    TLSVerificationError,
    error_code_of,
    make_status_error,
)
from boxoffice.sdk._options import RequestOptions, merge_options
from boxoffice.sdk._tls import FingerprintMismatch, mismatch_in
from boxoffice.sdk.models.common import COUNTER_HEADER, ListInfo

log = logging.getLogger("boxoffice.sdk")

T = TypeVar("T")

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({408, 429})
TENANT_SERVICES = ("event/", "payment/")
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
# Timeouts that fit a counter: a server that does not answer is known to be gone within
# seconds. A call's retries end by `TOTAL_FACTOR` × its read timeout (unless it says
# `total_timeout`): they help after a quick failure, never add a second long wait.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
TOTAL_FACTOR = 1.2
MIN_ATTEMPT = 1.0  # no retry is started with less time than this left


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` as seconds (a number or an HTTP date), or None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def should_retry(response: httpx.Response) -> bool:
    """408, 429, 5xx and `409 idempotency_in_progress` are worth another try; not a
    `429 signin_locked` (a person is waiting to be told)."""
    status = response.status_code
    if status == 429:
        return _code_of(response) != "signin_locked"
    if status in RETRY_STATUSES or status >= 500:
        return True
    if status == 409:
        return _code_of(response) == "idempotency_in_progress"
    return False


def _code_of(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return error_code_of(body)


def _body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class Requestor:
    """Sends every SDK request; the services only name method, path, body and result type."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        global_url: str,
        tenant_url: str,
        auth: httpx.Auth | None,
        defaults: RequestOptions,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.global_url = global_url.rstrip("/")
        self.tenant_url = tenant_url.rstrip("/")
        self.auth = auth
        self.defaults = defaults
        self.sleep = sleep
        self.rand = rand
        self.clock = clock
        # The counter (a named till) requests are made at: sent as `X-Counter`, so the venue
        # server books cash against that counter's open shift. None: not a counter.
        self.counter: str | None = None

    def url(self, path: str) -> str:
        """Tenant services (`event/`, `payment/`) go to the tenant host, the rest to the global."""
        path = path.lstrip("/")
        base = self.tenant_url if path.startswith(TENANT_SERVICES) else self.global_url
        return f"{base}/{path}"

    def backoff(self, attempt: int, response: httpx.Response | None) -> float:
        """Delay before retry `attempt` (0-based): Retry-After, else 0.5 s·2ⁿ (≤ 8 s) − jitter."""
        if response is not None:
            after = retry_after_seconds(response)
            if after is not None:
                return min(after, MAX_RETRY_AFTER)
        delay = min(INITIAL_DELAY * 2.0**attempt, MAX_DELAY)
        return delay * (1 - 0.25 * self.rand())

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        options: RequestOptions | None = None,
    ) -> httpx.Response:
        """Send with retries; return the 2xx response or raise a BoxOfficeError.

        Each attempt waits at most `connect_timeout` to connect and `timeout` for the answer,
        and no attempt runs past the call's `total_timeout`."""
        opts = merge_options(self.defaults, options)
        headers = {"Accept": "application/json", **opts.get("extra_headers", {})}
        if self.counter:
            headers[COUNTER_HEADER] = self.counter
        if method in MUTATING:
            headers["Idempotency-Key"] = opts.get("idempotency_key") or str(uuid.uuid4())
        query = {k: v for k, v in (params or {}).items() if v is not None}
        max_retries = opts.get("max_retries", 2)
        timeout = opts.get("timeout", READ_TIMEOUT)
        connect_timeout = opts.get("connect_timeout", CONNECT_TIMEOUT)
        deadline = self.clock() + opts.get("total_timeout", TOTAL_FACTOR * timeout)
        url = self.url(path)
        attempt = 0
        while True:
            response: httpx.Response | None = None
            error: BoxOfficeError
            left = deadline - self.clock()
            try:
                response = await self.http.request(
                    method,
                    url,
                    params=query,
                    json=json,
                    headers=headers,
                    timeout=httpx.Timeout(min(timeout, left), connect=min(connect_timeout, left)),
                    auth=self.auth if self.auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise APIConnectionError(f"{method} {path}: bad URL {url!r}.") from exc
            except httpx.TimeoutException as exc:
                error = APITimeoutError(f"{method} {path} timed out.")
                error.__cause__ = exc
            except httpx.ConnectError as exc:
                refused = mismatch_in(exc)
                if refused is not None:  # never retried: the same certificate would come
                    raise _refused(method, path, refused) from exc
                error = APIConnectionError(f"{method} {path} failed: {type(exc).__name__}.")
                error.__cause__ = exc
            except (httpx.HTTPError, httpx.StreamError) as exc:
                error = APIConnectionError(f"{method} {path} failed: {type(exc).__name__}.")
                error.__cause__ = exc
            if response is not None:
                log.debug("%s %s → %s (attempt %d)", method, path, response.status_code, attempt)
                if response.is_success:
                    return response
                error = make_status_error(
                    response.status_code, _body_of(response), response.headers.get("x-request-id")
                )
                if not should_retry(response):
                    raise error
            else:
                log.debug("%s %s → %s (attempt %d)", method, path, type(error).__name__, attempt)
            delay = self.backoff(attempt, response)
            if attempt >= max_retries or self.clock() + delay + MIN_ATTEMPT > deadline:
                raise error
            await self.sleep(delay)
            attempt += 1

    async def request(
        self,
        method: str,
        path: str,
        cast_to: type[T],
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        options: RequestOptions | None = None,
    ) -> T:
        """Send, unwrap `{"data": …}` and parse it into `cast_to` (a `ListInfo` page is the
        whole body, `{"data": [...], "paging": {...}}`)."""
        response = await self.send(method, path, params=params, json=json, options=options)
        try:
            body = response.json()
        except ValueError as exc:
            raise BoxOfficeError(f"{method} {path}: the answer is not JSON.") from exc
        data = _payload(body, page=isinstance(cast_to, type) and issubclass(cast_to, ListInfo))
        try:
            return pydantic.TypeAdapter(cast_to).validate_python(data)
        except pydantic.ValidationError as exc:
            raise BoxOfficeError(f"{method} {path}: unexpected answer: {exc}") from exc


def _payload(body: Any, *, page: bool) -> Any:
    """What an answer carries: the object inside `{"data": …}`, or for a list the page itself
    (earlier venue servers wrapped a page once more: `{"data": {"data": [...], …}}`)."""
    if not isinstance(body, dict) or "data" not in body:
        return body
    inner = body["data"]
    if page and not (isinstance(inner, dict) and "paging" in inner):
        return body
    return inner


def _refused(method: str, path: str, refused: ssl.SSLCertVerificationError) -> TLSVerificationError:
    if isinstance(refused, FingerprintMismatch):
        return TLSVerificationError(f"{method} {path}: {refused}.", refused.presented)
    reason = getattr(refused, "verify_message", None) or str(refused)
    return TLSVerificationError(
        f"{method} {path}: the server's certificate is not trusted ({reason})."
    )
