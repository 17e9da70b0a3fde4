"""FastAPI dependencies: one unit of work per request, the actor, and the current time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

import anyio
from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from boxoffice.server.api.state import ServerState
from boxoffice.server.errors import NotAuthenticated
from boxoffice.server.services import tokens, users
from boxoffice.server.services.actors import Actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# The small dependencies below are `async def` on purpose: FastAPI runs a plain `def` dependency
# in the thread pool, and a round trip there costs more than the dependency itself.


async def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.server
    return state


StateDep = Annotated[ServerState, Depends(get_state)]


async def session_for_request(request: Request, state: StateDep) -> AsyncIterator[Session]:
    """Reads get a plain transaction; writes queue at the write gate and commit on success.

    A request first waits for one of the server's request slots on the event loop, so it
    never waits for a pool connection in a worker thread. The session begins lazily in the
    route's worker thread; commit, rollback and close run on threads of their own
    (`state.slots.finishing()`), so the event loop never waits on the database, and a
    transaction holding row locks never waits for a worker thread that a request waiting on
    those locks holds (`db/locking.py`).
    """
    finishing = state.slots.finishing()
    async with state.slots.hold():
        if request.method in SAFE_METHODS:
            session = state.read_sessions()
            try:
                yield session
            finally:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(session.close, limiter=finishing)
            return
        async with state.gate.hold():
            session = state.write_sessions()
            try:
                yield session
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(_rollback_and_close, session, limiter=finishing)
                raise
            if not session.in_transaction():  # the route committed (creating an order): no I/O
                session.close()
                return
            # One trip to a worker thread for both; a failed commit is rolled back by the close.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_commit_and_close, session, limiter=finishing)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(session_for_request, scope="function")]


async def current_time(state: StateDep) -> datetime:
    return state.clock()


Now = Annotated[datetime, Depends(current_time)]


async def optional_actor(request: Request, state: StateDep) -> Actor | None:
    """The caller if a bearer token came with the request; None for anonymous reads."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    actor = tokens.actor_from_token(state.signing_key, token.strip(), now=state.clock())
    # The account is read on every request (in a worker thread, holding no other connection):
    # a token of a deleted or disabled account stops working at once, on every server.
    return await anyio.to_thread.run_sync(_active_actor, state, actor)


def _active_actor(state: ServerState, actor: Actor) -> Actor:
    with state.engine.connect() as connection:
        return users.active_actor(connection, actor)


async def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    if actor is None:
        raise NotAuthenticated("Sign in first (as staff, a customer or a guest).")
    return actor


OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


def counter_name(x_counter: Annotated[str | None, Header(max_length=64)] = None) -> str | None:
    """The counter (a named till) the request is made at: the `X-Counter` header, stripped;
    None when the caller names none (a web shop, a kiosk without a drawer)."""
    name = (x_counter or "").strip()
    return name or None


CounterName = Annotated[str | None, Depends(counter_name)]
