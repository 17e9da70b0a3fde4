"""Account service: password and guest login, refresh, users, organizers."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from boxoffice.sdk.models.account import CreateUserRequest, Organizer, User
from boxoffice.sdk.models.auth import LoginRequest, RefreshableJwt, RefreshRequest
from boxoffice.server.api import signin, tenants, views
from boxoffice.server.api.deps import CurrentActor, Now, OptionalActor, SessionDep, StateDep
from boxoffice.server.api.query import Id
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.api.state import ServerState
from boxoffice.server.db.models import User as UserRow
from boxoffice.server.errors import NotFound
from boxoffice.server.services import catalog, tokens, users

router = APIRouter(prefix="/account/v1", tags=["account"])


def _pair(state: ServerState, session: SessionDep, user: UserRow, now: Now) -> RefreshableJwt:
    token = tokens.issue_access_token(
        state.signing_key,
        user,
        organizer=state.organizer,
        now=now,
        ttl_seconds=state.settings.access_token_seconds,
    )
    refresh = users.new_refresh_token(
        session, user, now=now, days=state.settings.refresh_token_days
    )
    return RefreshableJwt(token=token, refresh_token=refresh)


def _sign_in_answer(pair: RefreshableJwt) -> JSONResponse:
    """`{token, refresh_token}` marked `Cache-Control: no-store`: no cache keeps it, nor the
    idempotency store (a retried sign-in signs in again)."""
    response = views.ok(pair)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/auth/login", response_model=Envelope[RefreshableJwt])
async def login(body: LoginRequest, request: Request, state: StateDep) -> JSONResponse:
    """Password login; `username` may be the email. Returns `{token, refresh_token}`.

    Failed sign-ins slow down and then lock the account and the address (`429 signin_locked`
    with `Retry-After`). The password is checked holding no write lock (`api/signin.py`);
    only the token pair is written under it."""
    user_id = await signin.check_password(
        state,
        username=body.username,
        password=body.password,
        address=signin.client_address(request),
    )

    def signed_in() -> RefreshableJwt:
        with state.write_sessions() as session, session.begin():
            user = users.signed_in_user(session, user_id)
            return _pair(state, session, user, state.clock())

    async with state.gate.hold():
        pair = await anyio.to_thread.run_sync(signed_in)
    return _sign_in_answer(pair)


@router.post("/guest/login", response_model=Envelope[RefreshableJwt])
def guest_login(session: SessionDep, state: StateDep, now: Now) -> JSONResponse:
    """A new guest account and its token (a refresh token too, so the guest keeps its orders)."""
    user = users.create_guest(session, now=now)
    return _sign_in_answer(_pair(state, session, user, now))


@router.post("/auth/refresh", response_model=Envelope[RefreshableJwt])
def refresh(body: RefreshRequest, session: SessionDep, state: StateDep, now: Now) -> JSONResponse:
    """Trade a refresh token (used once) for a new pair."""
    user = users.redeem_refresh_token(session, body.refresh_token, now=now)
    return _sign_in_answer(_pair(state, session, user, now))


@router.post("/user", response_model=Envelope[User], status_code=201)
def create_user(
    body: CreateUserRequest, session: SessionDep, actor: OptionalActor, now: Now
) -> JSONResponse:
    """Register a customer; an admin may also create staff and admins."""
    user = users.register(session, body, actor=actor, now=now)
    return views.ok(User.model_validate(user), status=201)


@router.get("/user/me", response_model=Envelope[User])
def me(session: SessionDep, actor: CurrentActor) -> JSONResponse:
    """The signed-in user."""
    return views.ok(User.model_validate(users.get_user(session, actor.id)))


@router.get("/user/{user_id}", response_model=Envelope[User])
def get_user(user_id: Id, session: SessionDep, actor: CurrentActor) -> JSONResponse:
    """A user: yourself, or anyone for staff."""
    if user_id != actor.id and not actor.is_staff:
        raise NotFound("No such user.", code="user_not_found")
    return views.ok(User.model_validate(users.get_user(session, user_id)))


@router.get("/organizer/{organizer}", response_model=Envelope[Organizer])
def get_organizer(organizer: str, session: SessionDep, state: StateDep) -> JSONResponse:
    """An organizer by id or name; `organization_name` is its tenant label when the server
    was started with a tenant domain (api/tenants.py), else null."""
    row = catalog.get_organizer(session, organizer)
    return views.ok(views.organizer(row, tenant=tenants.label_of(state, row.name)))
