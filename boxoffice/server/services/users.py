"""Accounts: creation, password checks (Argon2id), guest accounts, refresh tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from boxoffice.sdk.models.account import CreateUserRequest
from boxoffice.server import passwords
from boxoffice.server.db.models import RefreshToken, User
from boxoffice.server.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from boxoffice.server.services import audit
from boxoffice.server.services.actors import KIOSK, Actor, full_name

_hasher = passwords.HASHER


# Verified when the user does not exist, so a wrong username costs what a wrong password does.
@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist (same time either way); made
    on first use, as hashing at import would cost every start of the server 0.16 s."""
    return _hasher.hash("not a real password")


ROLES = ("admin", "staff", "customer", "kiosk", "guest")


def hash_password(password: str) -> str:
    return passwords.hash_password(password)


def check_password(password: str) -> None:
    """A password must have at least 8 characters."""
    if len(password) < 8:
        raise InvalidInput(
            "The password must be at least 8 characters long.",
            code="password_too_short",
            field="password",
        )


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
    check_password(password)
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
    """Self-registration makes customers; staff create kiosk device accounts; only admins
    create staff or admins."""
    if body.role == KIOSK and (actor is None or not actor.is_staff):
        raise PermissionDenied("Only box-office staff may create a kiosk account.")
    if body.role not in ("customer", KIOSK) and (actor is None or not actor.is_admin):
        raise PermissionDenied("Only an administrator may create staff accounts.")
    return create_user(session, now=now, actor=actor, **body.model_dump())


def authenticate(session: Session, *, username: str, password: str) -> User:
    """The registered user with this username (or email) and password, else a 401 error."""
    candidate = sign_in_candidate(session, username)
    if not password_matches(candidate.password_hash, password) or candidate.user_id is None:
        raise wrong_credentials()
    return signed_in_user(session, candidate.user_id)


@dataclass(frozen=True)
class SignInCandidate:
    """Who a sign-in names: the registered user's id and password hash (None, None if none)."""

    user_id: int | None
    password_hash: str | None

    def account_key(self, username: str) -> str:
        """The account that failures count against: the user (by name or email alike), or
        the name asked for when no such user exists (so the answers tell them not apart)."""
        return (
            f"user:{self.user_id}" if self.user_id is not None else f"name:{username_key(username)}"
        )


def username_key(username: str) -> str:
    return username.strip().lower()


def sign_in_candidate(session: Session, username: str) -> SignInCandidate:
    """The registered user with this username or email (no password is checked here)."""
    name = username_key(username)
    row = session.execute(
        select(User.id, User.password_hash).where(
            User.type == "registered", or_(User.username == name, User.email == name)
        )
    ).first()
    return SignInCandidate(None, None) if row is None else SignInCandidate(row[0], row[1])


def password_matches(stored: str | None, password: str) -> bool:
    """Argon2id: about 0.1 s of one CPU (run it off the event loop). With no stored hash the
    check is made against a dummy one, so a wrong username costs what a wrong password does."""
    if stored is None:
        passwords.matches(_dummy_hash(), password)
        return False
    return passwords.matches(stored, password)


def check_password_ahead(engine: Engine, username: str, password: str) -> None:
    """Start checking `password` against the stored hash of `username` in the background
    (`passwords.check_ahead`), for a `password_matches` soon after: a server start does it for
    the counter account while its other modules load. Nothing happens if the database cannot
    tell yet (new, or not migrated)."""
    try:
        with Session(engine) as session:
            stored = sign_in_candidate(session, username).password_hash
    except SQLAlchemyError:
        return
    if stored is not None:
        passwords.check_ahead(stored, password)


def signed_in_user(session: Session, user_id: int) -> User:
    """The user whose password just matched; 401 if it is gone or disabled."""
    user = session.get(User, user_id)
    if user is None:
        raise wrong_credentials()
    if user.disabled:  # said only to whoever knows the password
        raise _disabled()
    return user


def wrong_credentials() -> NotAuthenticated:
    return NotAuthenticated("Wrong username or password.", code="invalid_credentials")


def _disabled() -> NotAuthenticated:
    return NotAuthenticated(
        "This account is disabled; ask an administrator.", code="account_disabled"
    )


def active_actor(connection: Connection, actor: Actor) -> Actor:
    """The caller a verified token names, checked against the account on every request: 401
    if the account does not exist (`invalid_token`) or is disabled (`account_disabled`).
    The role and names are the account's, not the token's. One prebuilt Core SELECT on a plain
    connection (no ORM session): it runs for every request that carries a token."""
    row = connection.execute(_ACCOUNT, {"id": actor.id}).first()
    if row is None:
        raise NotAuthenticated(
            "The access token names no account; sign in again.", code="invalid_token"
        )
    if row.disabled:
        raise _disabled()
    name = full_name(row.first_name, row.last_name)
    return Actor(id=actor.id, role=row.role, username=row.username, full_name=name)


_ACCOUNT = select(User.role, User.username, User.disabled, User.first_name, User.last_name).where(
    User.id == bindparam("id")
)


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
    user = get_user(session, row.user_id)
    if user.disabled:
        raise NotAuthenticated(
            "The refresh token is not valid; sign in again.", code="invalid_refresh_token"
        )
    return user


# --- managing accounts (admins over the API, the venue's operator with `boxoffice users`) ---


def list_users(
    session: Session, *, role: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[User], int]:
    """Registered accounts (not guests), oldest first, optionally of one role; and the total."""
    query = select(User).where(User.type == "registered")
    if role is not None:
        query = query.where(User.role == role)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(User.id).limit(limit).offset(offset)).all()
    return list(rows), total


def user_by_name(session: Session, name: str) -> User:
    """The account with this username or email; 404 `user_not_found` if none."""
    name = name.strip().lower()
    user = session.scalar(select(User).where(or_(User.username == name, User.email == name)))
    if user is None:
        raise NotFound(f"There is no account named {name!r}.", code="user_not_found")
    return user


def revoke_refresh_tokens(session: Session, user: User) -> None:
    session.execute(
        update(RefreshToken).where(RefreshToken.user_id == user.id).values(revoked=True)
    )


def set_disabled(
    session: Session, user: User, disabled: bool, *, actor: Actor | None, now: datetime
) -> User:
    """Disable (or enable) an account. Disabling revokes its refresh tokens, and its access
    tokens are refused from the next request on (`active_actor`). Admins cannot disable
    themselves (`cannot_disable_self`)."""
    if disabled and actor is not None and actor.id == user.id:
        raise Conflict(
            "You cannot disable your own account; ask another administrator.",
            code="cannot_disable_self",
        )
    if disabled:
        revoke_refresh_tokens(session, user)
    if user.disabled != disabled:
        user.disabled = disabled
        audit.record(
            session,
            actor=actor,
            action="user.disabled" if disabled else "user.enabled",
            object_type="user",
            object_id=user.id,
            now=now,
        )
    session.flush()
    return user


def set_password(
    session: Session, user: User, password: str, *, actor: Actor | None, now: datetime
) -> User:
    """Give a registered account a new password; its refresh tokens are revoked."""
    if user.type != "registered":
        raise InvalidInput("Guests have no password.", code="guest_account")
    check_password(password)
    user.password_hash = hash_password(password)
    revoke_refresh_tokens(session, user)
    audit.record(
        session,
        actor=actor,
        action="user.password_reset",
        object_type="user",
        object_id=user.id,
        now=now,
    )
    session.flush()
    return user
