"""Accounts: creation, password checks (Argon2id), guest accounts, refresh tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from boxoffice.sdk.models.account import CreateUserRequest
from boxoffice.server.db.models import RefreshToken, User
from boxoffice.server.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from boxoffice.server.services import audit
from boxoffice.server.services.actors import Actor

_hasher = PasswordHasher()


# Verified when the user does not exist, so a wrong username costs what a wrong password does.
@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist (same time either way); made
    on first use, as hashing at import would cost every start of the server 0.16 s."""
    return _hasher.hash("not a real password")


ROLES = ("admin", "staff", "customer", "guest")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    now: datetime,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    actor: Actor | None = None,
) -> User:
    """Create a registered account; usernames and emails are unique (case-insensitively)."""
    if role not in ROLES or role == "guest":
        raise InvalidInput(f"Unknown role {role!r}.", code="invalid_role", field="role")
    if len(password) < 8:
        raise InvalidInput(
            "The password must be at least 8 characters long.",
            code="password_too_short",
            field="password",
        )
    username = username.strip().lower()
    email = email.strip().lower() if email else None
    taken = session.scalar(
        select(User.id).where(or_(User.username == username, User.email == (email or username)))
    )
    if taken is not None:
        raise Conflict(
            f"The username {username!r} is taken.", code="username_taken", field="username"
        )
    user = User(
        username=username,
        email=email,
        password_hash=hash_password(password),
        role=role,
        type="registered",
        verified=role in ("admin", "staff"),
        first_name=first_name,
        last_name=last_name,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise Conflict(
            f"The username {username!r} is taken.", code="username_taken", field="username"
        ) from exc
    audit_created(session, user, actor=actor, now=now)
    return user


def audit_created(
    session: Session, user: User, *, actor: Actor | None, now: datetime, **data: str
) -> None:
    """Audit `user.created` for a new account: its role, and what else `data` says."""
    audit.record(
        session,
        actor=actor,
        action="user.created",
        object_type="user",
        object_id=user.id,
        now=now,
        data={"role": user.role, **data},
    )


def register(
    session: Session, body: CreateUserRequest, *, actor: Actor | None, now: datetime
) -> User:
    """Self-registration makes customers; only admins create staff or admins."""
    if body.role != "customer" and (actor is None or not actor.is_admin):
        raise PermissionDenied("Only an administrator may create staff accounts.")
    return create_user(session, now=now, actor=actor, **body.model_dump())


def authenticate(session: Session, *, username: str, password: str) -> User:
    """The registered user with this username (or email) and password, else a 401 error."""
    name = username.strip().lower()
    user = session.scalar(
        select(User).where(
            User.type == "registered", or_(User.username == name, User.email == name)
        )
    )
    try:
        stored = user.password_hash if user and user.password_hash else None
        _hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise NotAuthenticated("Wrong username or password.", code="invalid_credentials")
    return user


def create_guest(session: Session, *, now: datetime) -> User:
    """A fresh guest account: it sees only its own orders."""
    user = User(role="guest", type="guest", verified=False, created_at=now)
    session.add(user)
    session.flush()
    return user


def customer_for_email(
    session: Session,
    email: str,
    *,
    now: datetime,
    first_name: str | None = None,
    last_name: str | None = None,
) -> tuple[User, bool]:
    """The account with this email, or a new passwordless customer account for it (username
    = the email) that SECURE tickets can be given to; `(user, created)`."""
    email = email.strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user, False
    user = User(
        username=email,
        email=email,
        role="customer",
        type="registered",
        verified=False,
        first_name=first_name,
        last_name=last_name,
        created_at=now,
        password_hash=None,
    )
    session.add(user)
    session.flush()
    return user, True


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", code="user_not_found")
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token(session: Session, user: User, *, now: datetime, days: int) -> str:
    """A random refresh token; only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            token_hash=_digest(token), user_id=user.id, expires_at=now + timedelta(days=days)
        )
    )
    return token


def redeem_refresh_token(session: Session, token: str, *, now: datetime) -> User:
    """Use a refresh token once (it is rotated); 401 if unknown, used or expired."""
    row = session.get(RefreshToken, _digest(token))
    if row is None or row.revoked or row.expires_at <= now:
        raise NotAuthenticated(
            "The refresh token is not valid; sign in again.", code="invalid_refresh_token"
        )
    claimed = session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == row.token_hash, RefreshToken.revoked.is_(False))
        .values(revoked=True)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAuthenticated("The refresh token was already used.", code="invalid_refresh_token")
    return get_user(session, row.user_id)
