"""`create_app(settings)`: the venue server's ASGI app, ready to serve when it returns.

Migrations, the signing key and the demo venue are set up here rather than in the lifespan,
so that tests driving the app through `httpx.ASGITransport` (which runs no lifespan) see the
same app as uvicorn. The lifespan only runs the sweeper that expires unpaid orders, and the
mail deliverer that sends the queued confirmation mail — in one process of the several that
may serve one database (worker processes, servers sharing PostgreSQL): the one that holds the
lead (`db/locking.Leadership`); the others try again every `LEAD_RETRY_SECONDS` and take over
if the leader ends.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import anyio
from fastapi import FastAPI
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from boxoffice import __version__
from boxoffice.sdk.models.auth import COUNTER_USERNAME
from boxoffice.server.api import errors, guard, idempotency, signin, tenants
from boxoffice.server.api.routes import (
    accounts,
    auth,
    documents,
    events,
    health,
    mail,
    orders,
    payments,
    readers,
    refunds,
    seating,
    shifts,
    tickets,
    venues,
)
from boxoffice.server.api.schemas import ERROR_RESPONSES
from boxoffice.server.api.state import Clock, ServerState
from boxoffice.server.config import ServerSettings
from boxoffice.server.data_folder import secure_data_folder, sqlite_file
from boxoffice.server.db.engine import REQUEST_SESSIONS, make_engine, make_sessionmakers
from boxoffice.server.db.locking import (
    WRITE_LOCK_FILE,
    Leadership,
    RequestSlots,
    WriteGate,
    startup_lock,
)
from boxoffice.server.db.migrate import upgrade
from boxoffice.server.db.models import RefreshToken, User
from boxoffice.server.errors import NotAuthenticated
from boxoffice.server.services import (
    audit,
    demo,
    downloads,
    instance,
    lifecycle,
    mail_queue,
    reader_payments,
    tokens,
    users,
)
from boxoffice.server.services.issuing import Issuing
from boxoffice.server.stripe.cards import CardPayments
from boxoffice.server.ticketoutput.certificates import load_or_create_development_signer

logger = logging.getLogger(__name__)
DEMO_ORGANIZER = "demo"
LEAD_RETRY_SECONDS = 5.0  # how often a process without the lead tries to take it


def utc_now() -> datetime:
    return datetime.now(UTC)


def prepare_database(settings: ServerSettings, engine: Engine, clock: Clock) -> ServerState:
    """Migrate, load the signing key and the instance id (and the demo venue into an empty
    database). First the data folder is made the owner's alone (`data_folder`)."""
    secure_data_folder(settings.data_dir, sqlite_file(engine))
    read, write = make_sessionmakers(engine)
    database_file = sqlite_file(engine)
    # Servers starting together on one database set it up one after the other.
    with startup_lock(engine):
        upgrade(engine)
        with write() as session, session.begin():
            key = tokens.load_or_create_signing_key(session)
            instance_id = instance.load_or_create_instance_id(session)
            if settings.load_demo:
                demo.load_if_empty(session, now=clock())
            if settings.counter_password is not None:
                password = settings.counter_password.get_secret_value()
                ensure_counter_user(session, password, now=clock())
            organizer = demo.default_organizer(session) or DEMO_ORGANIZER
    return ServerState(
        settings=settings,
        engine=engine,
        read_sessions=read,
        write_sessions=write,
        gate=WriteGate(
            engine, None if database_file is None else database_file.with_name(WRITE_LOCK_FILE)
        ),
        slots=RequestSlots(REQUEST_SESSIONS),
        signing_key=key,
        clock=clock,
        organizer=organizer,
        cards=CardPayments(settings),
        issuing=Issuing(
            lambda: load_or_create_development_signer(settings.data_dir / "passes", organizer),
            settings.mail_sender,
        ),
        instance_id=instance_id,
    )


def ensure_counter_user(session: Session, password: str, *, now: datetime) -> None:
    """Make sure the staff user `counter` signs in with `password`: the embedded app's own
    account. Created if missing; otherwise its password is reset (and its old refresh tokens
    revoked) when it differs, and a customer account of that name is made staff."""
    try:
        user = users.authenticate(session, username=COUNTER_USERNAME, password=password)
    except NotAuthenticated:
        existing = session.scalar(select(User).where(User.username == COUNTER_USERNAME))
        if existing is None:
            users.create_user(
                session, username=COUNTER_USERNAME, password=password, role="staff", now=now
            )
            return
        user = existing
        user.password_hash = users.hash_password(password)
        session.execute(
            update(RefreshToken).where(RefreshToken.user_id == user.id).values(revoked=True)
        )
        audit.record(
            session,
            actor=None,
            action="user.password_reset",
            object_type="user",
            object_id=user.id,
            now=now,
        )
    if user.role not in ("admin", "staff"):
        user.role, user.verified = "staff", True


async def sweep_forever(state: ServerState) -> None:
    """Expire unpaid orders whose hold ran out, and forget day-old idempotency answers."""
    while True:
        await anyio.sleep(state.settings.sweep_interval_seconds)
        try:
            async with state.gate.hold():
                released = await anyio.to_thread.run_sync(sweep_once, state)
            if released:
                logger.info("released %d expired orders", released)
        except Exception:
            logger.exception("sweeper failed; trying again next round")


async def lead_forever(state: ServerState, leadership: Leadership) -> None:
    """Run the sweeper and the mail deliverer once this process holds the lead."""
    while True:
        try:
            if await anyio.to_thread.run_sync(leadership.try_acquire):
                break
        except Exception:
            logger.exception("could not take the lead; trying again")
        await anyio.sleep(LEAD_RETRY_SECONDS)
    logger.debug("process %d runs the sweeper and the mail deliverer", os.getpid())
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(sweep_forever, state)
        tasks.start_soon(mail_queue.deliver_forever, state)


def sweep_once(state: ServerState) -> int:
    now = state.clock()
    with state.write_sessions() as session, session.begin():
        reader_payments.stop_stale(
            session,
            now=now,
            cards=state.cards,
            timeout=timedelta(seconds=state.settings.reader_timeout_seconds),
        )
        lifecycle.expire_card_payments(session, now=now, cards=state.cards)
        released = lifecycle.expire_due(session, now=now)
    idempotency.purge_older_than(state, now - timedelta(days=1))
    return released


def create_app(
    settings: ServerSettings, *, engine: Engine | None = None, clock: Clock = utc_now
) -> FastAPI:
    """Build the app; `engine` and `clock` are injectable for tests."""
    engine = engine or make_engine(settings.resolved_database_url())
    state = prepare_database(settings, engine, clock)
    owner = os.getpid()  # worker processes forked from it share its card gateway

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        leadership = Leadership(engine, settings.data_dir)
        # The first PDF's once-per-process work, just after the server starts serving (not
        # before: the health check's time to answer stays as it is).
        warming = threading.Timer(0.3, downloads.warm_up)
        warming.daemon = True
        warming.start()
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(lead_forever, state, leadership)
                yield
                tasks.cancel_scope.cancel()
        finally:
            await anyio.to_thread.run_sync(leadership.release)
            if os.getpid() == owner:
                await anyio.to_thread.run_sync(state.cards.close)

    app = FastAPI(
        title="Box Office venue server",
        version=__version__,
        lifespan=lifespan,
        description="A Tickethead-compatible order API. See docs/api.md.",
    )
    app.state.server = state
    errors.install(app)
    for router in (
        health.router,
        auth.router,
        accounts.router,
        events.router,
        venues.router,
        seating.router,
        orders.router,
        payments.router,
        readers.router,
        shifts.router,
        refunds.router,
        documents.router,
        mail.router,
        tickets.router,
    ):
        app.include_router(router, responses=ERROR_RESPONSES)  # every 4xx: one error body
    app.add_middleware(idempotency.IdempotencyMiddleware, state=state)
    app.add_middleware(signin.SignInFront, state=state)  # sign-ins pass the store by
    app.add_middleware(tenants.TenantHosts, state=state)  # {organizer}.{tenant_domain}
    app.add_middleware(guard.RequestGuard)  # outermost: body limit, NUL, no reset on errors
    return app
