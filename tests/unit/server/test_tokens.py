"""Access tokens: signed with the server's Ed25519 key, checked against the injected clock."""

import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from boxoffice.server.db.models import User
from boxoffice.server.errors import NotAuthenticated
from boxoffice.server.services.tokens import SigningKey, actor_from_token, issue_access_token

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def key() -> SigningKey:
    private = Ed25519PrivateKey.generate()
    return SigningKey(private=private, public=private.public_key())


def user() -> User:
    return User(id=7, username="anna", role="staff", type="registered", verified=True)


def test_round_trip_and_expiry():
    signing = key()
    token = issue_access_token(signing, user(), organizer="demo", now=NOW, ttl_seconds=7200)
    actor = actor_from_token(signing, token, now=NOW + timedelta(hours=1))
    assert (actor.id, actor.role, actor.is_staff) == (7, "staff", True)
    with pytest.raises(NotAuthenticated) as caught:
        actor_from_token(signing, token, now=NOW + timedelta(hours=2))
    assert caught.value.code == "token_expired"


def test_other_keys_and_tampering_are_refused():
    token = issue_access_token(key(), user(), organizer="demo", now=NOW, ttl_seconds=60)
    with pytest.raises(NotAuthenticated) as caught:
        actor_from_token(key(), token, now=NOW)
    assert caught.value.code == "invalid_token"
    signing = key()
    real = issue_access_token(signing, user(), organizer="demo", now=NOW, ttl_seconds=60)
    claims = jwt.decode(real, options={"verify_signature": False})
    claims["role"] = "admin"
    head, _, sig = real.split(".")
    forged = ".".join([head, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), sig])
    with pytest.raises(NotAuthenticated):
        actor_from_token(signing, forged, now=NOW)
    none_alg = jwt.encode(claims, "", algorithm="none")
    with pytest.raises(NotAuthenticated):
        actor_from_token(signing, none_alg, now=NOW)
