"""Password sign-in that wrong passwords cannot turn against the sales.

- Failed sign-ins slow down and then lock the account and the client address
  (`services/signin_guard.py`): `429 signin_locked` with `Retry-After`, and no password is
  checked meanwhile. A success resets the account.
- The password check (Argon2id) runs in a worker thread of its own, at most
  `signin_hash_concurrency` at once; the rest wait on the event loop. No write lock, database
  connection or shared worker thread is held while a password is checked.
- `SignInFront` stands in front of the idempotency store: a sign-in from a closed address is
  refused there, and password sign-ins pass the store by (their answers carry tokens, and each
  attempt must be counted), so a flood of them costs no database write.
"""

from __future__ import annotations

import json

import anyio
from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from boxoffice.server.api.errors import error_body
from boxoffice.server.api.state import ServerState
from boxoffice.server.errors import TooManyAttempts
from boxoffice.server.services import users


def client_address(request: Request) -> str:
    """The peer's address as uvicorn reports it (`SignInFront` reads the same)."""
    return request.client.host if request.client else "unknown"


async def check_password(state: ServerState, *, username: str, password: str, address: str) -> int:
    """The id of the registered user that `username` and `password` sign in; else a 401
    (`invalid_credentials`, counted as a failure) or a 429 (`signin_locked`, not counted)."""
    guard, checks = state.signin, state.password_checks
    _refuse_while_closed(guard.wait_seconds(address=address))
    candidate = await anyio.to_thread.run_sync(_candidate, state, username)
    account = candidate.account_key(username)
    _refuse_while_closed(guard.wait_seconds(address=address, account=account))
    async with checks.slots:
        # Again on this request's turn: the failures of those before it in the queue count.
        _refuse_while_closed(guard.wait_seconds(address=address, account=account))
        matches = await anyio.to_thread.run_sync(
            users.password_matches, candidate.password_hash, password, limiter=checks.threads
        )
    if not matches or candidate.user_id is None:
        guard.failed(address=address, account=account)
        raise users.wrong_credentials()
    guard.succeeded(account=account)
    return candidate.user_id


def _candidate(state: ServerState, username: str) -> users.SignInCandidate:
    with state.read_sessions() as session:
        return users.sign_in_candidate(session, username)


LOGIN_PATH = "/account/v1/auth/login"


class SignInFront:
    """Pure ASGI middleware, added outside the idempotency middleware. A password sign-in from
    a closed address is answered `429 signin_locked` at once (what the route would answer);
    any other goes on without its `Idempotency-Key`, so the store neither claims nor keeps it
    (a retried sign-in simply signs in again, or counts as one more failure)."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == LOGIN_PATH:
            client = scope.get("client")
            address = client[0] if client else "unknown"
            if wait := self.state.signin.wait_seconds(address=address):
                await _send_locked(send, _locked(wait))
                return
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"idempotency-key"]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


async def _send_locked(send: Send, exc: TooManyAttempts) -> None:
    data = json.dumps(error_body(exc.message, exc.code, details=exc.details)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        (b"retry-after", str(exc.retry_after).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def _refuse_while_closed(wait: int) -> None:
    if wait:
        raise _locked(wait)


def _locked(wait: int) -> TooManyAttempts:
    return TooManyAttempts(
        f"Too many failed sign-ins; try again in {_duration(wait)}.",
        code="signin_locked",
        retry_after=wait,
    )


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{-(-seconds // 60)} minutes"
