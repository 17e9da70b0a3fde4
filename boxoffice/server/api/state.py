"""What the routes share: settings, engine, session factories, write gate, signing key, clock,
the server's instance id, and the sign-in guard with its password-check slots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from boxoffice.server.config import ServerSettings
from boxoffice.server.db.locking import RequestSlots, WriteGate
from boxoffice.server.services.issuing import Issuing
from boxoffice.server.services.signin_guard import PasswordChecks, SignInGuard
from boxoffice.server.services.tokens import SigningKey
from boxoffice.server.stripe.cards import CardPayments

Clock = Callable[[], datetime]


@dataclass
class ServerState:
    settings: ServerSettings
    engine: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    gate: WriteGate
    slots: RequestSlots  # request sessions at once, and the threads that end them
    signing_key: SigningKey
    clock: Clock
    organizer: str
    cards: CardPayments
    issuing: Issuing
    instance_id: str  # this database's server, the same across restarts (`services.instance`)
    # Made from the settings: failed sign-ins per account and address, and the bounded
    # password checks (api/signin.py).
    signin: SignInGuard = field(init=False)
    password_checks: PasswordChecks = field(init=False)

    def __post_init__(self) -> None:
        self.signin = SignInGuard.from_settings(self.settings)
        self.password_checks = PasswordChecks(self.settings.signin_hash_concurrency)
