"""What the routes share: settings, engine, session factories, write gate, signing key, clock,
and the server's instance id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from boxoffice.server.config import ServerSettings
from boxoffice.server.db.locking import WriteGate
from boxoffice.server.services.issuing import Issuing
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
    signing_key: SigningKey
    clock: Clock
    organizer: str
    cards: CardPayments
    issuing: Issuing
    instance_id: str  # this database's server, the same across restarts (`services.instance`)
