"""`Idempotency-Key` on mutating requests: the first answer is stored and replayed.

Same key and same request → the stored answer, with `Idempotent-Replayed: true`.
Same key, different request → 422 `idempotency_key_reuse`. The same key while the first
request is still running → 409 `idempotency_in_progress` with `Retry-After`. Answers 409, 429,
503 and 5xx are not stored, so a retry acts again. Nor is an answer marked
`Cache-Control: no-store` (sign-in answers carry tokens): a retry of it simply runs again.
Keys are scoped to the caller.

A claim names the server process that made it (`host/pid/boot token`). A claim whose process
is gone — a crash, a SIGKILL, a power cut — is abandoned: the next retry takes it over and runs
the request (one retry only: the take-over is a compare-and-set on the claimant). Gone means
the same host and that pid no longer runs, or runs as another boot; a claim from another host
(or a pid that still runs) is abandoned once older than `CLAIM_LEASE`.

Routes that make one row per key (creating an order: the key is written on the order) keep
their answer themselves, in their own transaction (`FOLDED`): the middleware then claims
nothing and the route looks the key up (`answer_kept`) and stores its answer (`keep`) beside
the order, so a keyed order costs one write instead of three, and the order and its answer
commit together. Twins of such a request run one after the other on SQLite (the write gate),
so the second replays the first's answer; on PostgreSQL the second meets the key's unique
constraint when the first commits and answers 409 `idempotency_in_progress`, and its retry
replays. Its failures (a validation error) roll its transaction back and are stored by the
middleware as for any other route.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import anyio
from sqlalchemy import Connection, Insert, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boxoffice.server.api.asgi_json import send_json
from boxoffice.server.api.errors import error_body
from boxoffice.server.api.state import ServerState
from boxoffice.server.db.engine import writer
from boxoffice.server.db.models import IdempotencyRecord
from boxoffice.server.errors import NotAuthenticated
from boxoffice.server.services import tokens

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_STORED = frozenset({409, 429, 503})
MAX_KEY = 255
CLAIM_LEASE = timedelta(seconds=30)  # longer than any request may run (shutdown waits 10 s)
# Routes that keep their own answer in the transaction that acts (see the module's docstring).
FOLDED = frozenset({("POST", "/event/v1/order")})


@dataclass
class _Stored:
    status: int | None
    request_hash: str
    content_type: str | None = None
    body: bytes | None = None


@dataclass
class Keyed:
    """A keyed request of a `FOLDED` route, handed to it in `scope["state"]`."""

    actor: str
    key: str
    digest: str


class IdempotencyMiddleware:
    """Pure ASGI middleware (no per-request task overhead) wrapping the whole API."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state
        self._writer = writer(state.engine)
        self.boot = boot_id()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in MUTATING:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get("idempotency-key", "").strip()
        if not key:
            await self.app(scope, receive, send)
            return
        if len(key) > MAX_KEY:
            await send_json(
                send, 400, error_body("The Idempotency-Key is too long.", "invalid_idempotency_key")
            )
            return
        body = await _read_body(receive)
        actor = self._actor(headers, scope)
        digest = hashlib.sha256(
            b"\0".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    body,
                ]
            )
        ).hexdigest()
        if (scope["method"], scope["path"]) in FOLDED:
            keyed = Keyed(actor, key, digest)
            scope.setdefault("state", {})[KEYED] = keyed
            await self._run_and_store(scope, body, send, keyed, claimed=False)
            return
        async with self.state.gate.hold():
            stored = await anyio.to_thread.run_sync(self._claim, actor, key, digest)
        if stored is not None:
            await stored_response(stored, digest)(scope, receive, send)
            return
        await self._run_and_store(scope, body, send, Keyed(actor, key, digest), claimed=True)

    def _actor(self, headers: dict[str, str], scope: Scope) -> str:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                actor = tokens.actor_from_token(
                    self.state.signing_key, token.strip(), now=self.state.clock()
                )
                return f"user:{actor.id}"
            except NotAuthenticated:
                pass
        client = scope.get("client") or ("?", 0)
        return "anon:" + hashlib.sha256(str(client[0]).encode()).hexdigest()[:32]

    async def _run_and_store(
        self, scope: Scope, body: bytes, send: Send, keyed: Keyed, *, claimed: bool
    ) -> None:
        """Run the request; store its answer under the claim (or, for a `FOLDED` route's
        failure, as a new record), or drop the claim when the answer may not be stored."""
        actor, key = keyed.actor, keyed.key
        sent_body = False
        status = 500
        content_type: str | None = None
        no_store = False
        chunks: list[bytes] = []

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def capture_send(message: Message) -> None:
            nonlocal status, content_type, no_store
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value.decode("latin-1")
                    elif name.lower() == b"cache-control" and b"no-store" in value.lower():
                        no_store = True
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        except BaseException:
            if claimed:
                with anyio.CancelScope(shield=True):
                    async with self.state.gate.hold():
                        await anyio.to_thread.run_sync(self._forget, actor, key)
            raise
        storable = not (status in NOT_STORED or status >= 500 or no_store)
        if not claimed:  # a FOLDED route kept its successes itself, in their transaction
            if storable and not 200 <= status < 300:
                async with self.state.gate.hold():
                    await anyio.to_thread.run_sync(
                        self._store, keyed, status, content_type, b"".join(chunks)
                    )
            return
        async with self.state.gate.hold():
            if not storable:
                await anyio.to_thread.run_sync(self._forget, actor, key)
            else:
                await anyio.to_thread.run_sync(
                    self._finish, actor, key, status, content_type, b"".join(chunks)
                )

    # --- storage (runs in worker threads) -------------------------------------------------

    # Claim and finish run on every keyed request, so they are prebuilt Core statements in a
    # plain write transaction: no ORM session, no unit of work, no savepoint, one statement each
    # in the common case. `INSERT … ON CONFLICT DO NOTHING` (the same on SQLite and PostgreSQL)
    # replaces the savepoint that caught a twin's concurrent insert; on SQLite, BEGIN IMMEDIATE
    # makes the read-then-insert atomic anyway.

    def _claim(self, actor: str, key: str, digest: str) -> _Stored | None:
        """Record the key as in flight, or return what is already stored under it."""
        now: datetime = self.state.clock()
        with self._writer.begin() as connection:
            row = connection.execute(_SELECT, {"actor": actor, "key": key}).first()
            if row is not None:
                if row.status_code is None and claim_abandoned(
                    row.claimed_by, row.created_at, now=now, me=self.boot
                ):
                    taken = connection.execute(
                        _TAKE_OVER,
                        {
                            "b_actor": actor,
                            "b_key": key,
                            "b_previous": row.claimed_by,
                            "b_claimed_by": self.boot,
                            "b_request_hash": digest,
                            "b_created_at": now,
                        },
                    )
                    if taken.rowcount == 1:
                        return None  # the claimant is gone: run the request here, once
                    return _Stored(None, digest)  # another retry took it over a moment ago
                return _Stored(row.status_code, row.request_hash, row.content_type, row.body)
            values = {
                "actor": actor,
                "key": key,
                "request_hash": digest,
                "created_at": now,
                "claimed_by": self.boot,
            }
            inserted = connection.execute(_insert_if_new(connection.dialect.name), values)
            if inserted.rowcount != 1:
                return _Stored(None, digest)  # a twin request claimed it a moment ago
        return None

    def _finish(
        self, actor: str, key: str, status: int, content_type: str | None, body: bytes
    ) -> None:
        with self._writer.begin() as connection:
            connection.execute(
                _FINISH,
                {
                    "b_actor": actor,
                    "b_key": key,
                    "b_status_code": status,
                    "b_content_type": content_type,
                    "b_body": body,
                },
            )

    def _store(self, keyed: Keyed, status: int, content_type: str | None, body: bytes) -> None:
        with self._writer.begin() as connection:
            _insert_answer(connection, keyed, status, content_type, body, self.state.clock())

    def _forget(self, actor: str, key: str) -> None:
        with self._writer.begin() as connection:
            connection.execute(_FORGET, {"actor": actor, "key": key})


_RECORDS = cast(Table, IdempotencyRecord.__table__)
_SELECT = select(
    _RECORDS.c.status_code,
    _RECORDS.c.request_hash,
    _RECORDS.c.content_type,
    _RECORDS.c.body,
    _RECORDS.c.claimed_by,
    _RECORDS.c.created_at,
).where(_RECORDS.c.actor == bindparam("actor"), _RECORDS.c.key == bindparam("key"))
_FORGET = delete(_RECORDS).where(
    _RECORDS.c.actor == bindparam("actor"), _RECORDS.c.key == bindparam("key")
)
_FINISH = (  # an UPDATE's parameters may not be named like its columns
    update(_RECORDS)
    .where(_RECORDS.c.actor == bindparam("b_actor"), _RECORDS.c.key == bindparam("b_key"))
    .values(
        status_code=bindparam("b_status_code"),
        content_type=bindparam("b_content_type"),
        body=bindparam("b_body"),
    )
)
# Compare-and-set on the claimant: of two retries that found the same abandoned claim, one wins.
_TAKE_OVER = (
    update(_RECORDS)
    .where(
        _RECORDS.c.actor == bindparam("b_actor"),
        _RECORDS.c.key == bindparam("b_key"),
        _RECORDS.c.status_code.is_(None),
        _RECORDS.c.claimed_by.is_not_distinct_from(bindparam("b_previous")),
    )
    .values(
        claimed_by=bindparam("b_claimed_by"),
        request_hash=bindparam("b_request_hash"),
        created_at=bindparam("b_created_at"),
    )
    .execution_options(preserve_rowcount=True)
)
# `preserve_rowcount`: an INSERT's row count is otherwise lost on some drivers (psycopg).
_INSERT_IF_NEW = {
    "sqlite": sqlite.insert(_RECORDS)
    .on_conflict_do_nothing()
    .execution_options(preserve_rowcount=True),
    "postgresql": postgresql.insert(_RECORDS)
    .on_conflict_do_nothing()
    .execution_options(preserve_rowcount=True),
}


def stored_response(stored: _Stored, digest: str) -> Response:
    """What to answer a request whose key is already stored: the stored answer again, or why
    not."""
    if stored.request_hash != digest:
        return _error(
            422,
            "This Idempotency-Key was already used for a different request.",
            "idempotency_key_reuse",
        )
    if stored.status is None:
        return _error(
            409,
            "The same request is still being processed; retry in a moment.",
            "idempotency_in_progress",
            {"retry-after": "1"},
        )
    return Response(
        stored.body or b"",
        status_code=stored.status,
        media_type=stored.content_type or "application/json",
        headers={"idempotent-replayed": "true"},
    )


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(error_body(message, code), status_code=status, headers=headers)


# --- for FOLDED routes -------------------------------------------------------------------

KEYED = "boxoffice.idempotency"  # the Keyed request in scope["state"]


def keyed_request(request: Request) -> Keyed | None:
    """The key of this request when its route keeps its own answer (`FOLDED`), else None."""
    keyed = request.scope.get("state", {}).get(KEYED)
    return keyed if isinstance(keyed, Keyed) else None


def answer_kept(session: Session, keyed: Keyed, *, now: datetime) -> Response | None:
    """The answer to replay when this key was used before, read in the route's transaction
    (which, on SQLite, holds the write lock: a twin that committed first is seen). A claim
    without an answer (left by a server from before the route kept its own answers) is
    dropped once abandoned, like the middleware's take-over, and is in progress until then."""
    row = session.execute(_SELECT, {"actor": keyed.actor, "key": keyed.key}).first()
    if row is None:
        return None
    if row.status_code is None and claim_abandoned(
        row.claimed_by, row.created_at, now=now, me=boot_id()
    ):
        session.execute(_FORGET, {"actor": keyed.actor, "key": keyed.key})
        return None
    return stored_response(
        _Stored(row.status_code, row.request_hash, row.content_type, row.body), keyed.digest
    )


def keep(session: Session, keyed: Keyed, response: Response, *, now: datetime) -> None:
    """Store `response` as the answer to `keyed`, in the route's transaction (a twin that
    stored first wins; its order is the same order)."""
    _insert_answer(
        session.connection(),
        keyed,
        response.status_code,
        response.headers.get("content-type"),
        bytes(response.body),
        now,
    )


def _insert_answer(
    connection: Connection,
    keyed: Keyed,
    status: int,
    content_type: str | None,
    body: bytes,
    now: datetime,
) -> None:
    connection.execute(
        _insert_if_new(connection.dialect.name),
        {
            "actor": keyed.actor,
            "key": keyed.key,
            "request_hash": keyed.digest,
            "created_at": now,
            "claimed_by": None,
            "status_code": status,
            "content_type": content_type,
            "body": body,
        },
    )


def _insert_if_new(dialect: str) -> Insert:
    try:
        return _INSERT_IF_NEW[dialect]
    except KeyError:
        raise RuntimeError(f"idempotency keys need SQLite or PostgreSQL, not {dialect}") from None


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(parts)
        elif message["type"] == "http.disconnect":
            return b"".join(parts)


_BOOTS: dict[int, str] = {}


def boot_id() -> str:
    """This server process: `host/pid/random token` (the token tells a reused pid apart, e.g.
    PID 1 of a restarted container). One per process: apps in one process share it."""
    pid = os.getpid()
    if pid not in _BOOTS:
        _BOOTS[pid] = f"{socket.gethostname()[:80]}/{pid}/{secrets.token_hex(8)}"
    return _BOOTS[pid]


def claim_abandoned(
    claimed_by: str | None, created_at: datetime, *, now: datetime, me: str
) -> bool:
    """Is a claim (no answer yet) left by a process that is gone? Never our own running ones."""
    if claimed_by == me:
        return False
    host, _, rest = (claimed_by or "").partition("/")
    pid_text, _, _token = rest.partition("/")
    my_host, _, my_rest = me.partition("/")
    if host == my_host and pid_text.isdigit():
        pid = int(pid_text)
        if pid == int(my_rest.partition("/")[0]) or not _process_runs(pid):
            return True  # this host, and that boot's process no longer runs
    return now - created_at > CLAIM_LEASE


def _process_runs(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def purge_older_than(state: ServerState, cutoff: datetime) -> None:
    """Drop stored answers older than `cutoff` (the sweeper keeps a day); hold the gate."""
    with state.write_sessions() as session, session.begin():
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))


__all__ = ["IdempotencyMiddleware", "purge_older_than"]
