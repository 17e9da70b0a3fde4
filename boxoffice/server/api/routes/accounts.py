"""Managing accounts, for admins: list them, disable or enable one, set a password."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from boxoffice.sdk.models.account import SetPasswordRequest, User
from boxoffice.sdk.models.common import ListInfo
from boxoffice.server.api import views
from boxoffice.server.api.deps import CurrentActor, Now, SessionDep
from boxoffice.server.api.query import Id, Limit, Offset
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.services import users
from boxoffice.server.services.actors import require_admin

router = APIRouter(prefix="/account/v1", tags=["account"])
RoleFilter = Annotated[Literal["admin", "staff", "customer", "kiosk"] | None, Query()]


@router.get("/user", response_model=ListInfo[User])
def list_users(
    session: SessionDep,
    actor: CurrentActor,
    role: RoleFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> JSONResponse:
    """Registered accounts (no guests), oldest first; admins only."""
    require_admin(actor)
    rows, total = users.list_users(session, role=role, limit=limit, offset=offset)
    return views.page(
        [User.model_validate(row) for row in rows], limit=limit, offset=offset, total=total
    )


@router.post("/user/{user_id}/disable", response_model=Envelope[User])
def disable_user(user_id: Id, session: SessionDep, actor: CurrentActor, now: Now) -> JSONResponse:
    """Disable an account: it cannot sign in, and its tokens are refused at once."""
    require_admin(actor)
    user = users.set_disabled(session, users.get_user(session, user_id), True, actor=actor, now=now)
    return views.ok(User.model_validate(user))


@router.post("/user/{user_id}/enable", response_model=Envelope[User])
def enable_user(user_id: Id, session: SessionDep, actor: CurrentActor, now: Now) -> JSONResponse:
    """Enable a disabled account again (its old refresh tokens stay revoked)."""
    require_admin(actor)
    user = users.set_disabled(
        session, users.get_user(session, user_id), False, actor=actor, now=now
    )
    return views.ok(User.model_validate(user))


@router.post("/user/{user_id}/password", response_model=Envelope[User])
def set_password(
    user_id: Id, body: SetPasswordRequest, session: SessionDep, actor: CurrentActor, now: Now
) -> JSONResponse:
    """Set an account's password; its refresh tokens are revoked."""
    require_admin(actor)
    user = users.set_password(
        session, users.get_user(session, user_id), body.password, actor=actor, now=now
    )
    return views.ok(User.model_validate(user))
