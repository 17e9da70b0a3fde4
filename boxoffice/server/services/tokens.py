"""Access tokens (EdDSA JWTs with Tickethead's claims) and the server's signing key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from boxoffice.server.db.models import User
from boxoffice.server.errors import NotAuthenticated
from boxoffice.server.services import ticket_codes
from boxoffice.server.services.actors import Actor
from boxoffice.server.services.instance import load_or_create_setting

ALGORITHM = "EdDSA"
_VERIFIED_TOKENS = 1024  # how many checked tokens a key remembers (a few hundred bytes each)
_KEY_SETTING = "jwt_signing_key"

# Tickethead-style permission strings per role, put in the token's `permissions` claim.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "admin": [
        "event.event.create",
        "event.event.update",
        "event.event.view",
        "event.order.view",
        "payment.order.confirm",
        "account.user.create",
    ],
    # Staff set up and sell events; only admins create accounts.
    "staff": [
        "event.event.create",
        "event.event.update",
        "event.event.view",
        "event.order.view",
        "payment.order.confirm",
    ],
    "customer": [],
    "kiosk": [],
    "guest": [],
}


@dataclass(frozen=True)
class SigningKey:
    """The server's Ed25519 key pair for access tokens."""

    private: Ed25519PrivateKey
    public: Ed25519PublicKey
    # Claims of the tokens whose signature this key has already checked, by token. A counter
    # sends the same token with every request, and the Ed25519 check costs more than all the
    # rest of `actor_from_token`. Only the signature check is remembered: the expiry and the
    # claims are checked again on every use, so a remembered token is exactly as valid.
    verified: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)


def load_or_create_signing_key(session: Session) -> SigningKey:
    """Read the signing key from the database, creating it on the very first start."""
    pem = load_or_create_setting(session, _KEY_SETTING, ticket_codes.new_private_pem)
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return SigningKey(private=key, public=key.public_key())


def issue_access_token(
    key: SigningKey, user: User, *, organizer: str, now: datetime, ttl_seconds: int
) -> str:
    """A JWT with the claims Tickethead puts in its tokens (id, username, type, permissions…)."""
    issued = int(now.timestamp())
    claims: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "verified": user.verified,
        "type": user.type,
        "role": user.role,
        "permissions": {organizer: {user.role: ROLE_PERMISSIONS[user.role]}},
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private, algorithm=ALGORITHM)


def actor_from_token(key: SigningKey, token: str, *, now: datetime) -> Actor:
    """Verify a bearer token and say who it names; 401 errors for anything wrong with it."""
    claims = key.verified.get(token)
    if claims is None:
        try:
            claims = jwt.decode(
                token,
                key.public,
                algorithms=[ALGORITHM],
                # Expiry is checked below against the injected clock, not the wall clock.
                options={
                    "require": ["exp", "iat", "id"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise NotAuthenticated(
                "The access token is not valid; sign in again.", code="invalid_token"
            ) from exc
        if len(key.verified) >= _VERIFIED_TOKENS:
            key.verified.clear()
        key.verified[token] = claims
    if claims["exp"] <= now.timestamp():
        raise NotAuthenticated("The access token has expired.", code="token_expired")
    role = claims.get("role")
    if role not in ROLE_PERMISSIONS or not isinstance(claims["id"], int):
        raise NotAuthenticated("The access token is not valid.", code="invalid_token")
    return Actor(id=claims["id"], role=role, username=claims.get("username"))


def refresh_token_lifetime(days: int) -> timedelta:
    return timedelta(days=days)
