"""Server-wide values kept in the `setting` table, and the server's instance id among them.

The instance id is a random id made on the very first start of a database and kept in it, so
every restart of that server (and every server process on that database) reports the same
one in `GET event/health`: a counter's sale journal uses it to tell servers apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from boxoffice.server.db.models import Setting

INSTANCE_ID_SETTING = "instance_id"


def load_or_create_setting(session: Session, key: str, make: Callable[[], str]) -> str:
    """The value of setting `key`; on first use `make()` makes it and it is stored (if another
    server process stores one first, that one is kept and returned)."""
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    if value is not None:
        return value
    value = make()
    try:
        with session.begin_nested():
            session.add(Setting(key=key, value=value))
    except IntegrityError:  # another server process created it first
        value = session.scalars(select(Setting.value).where(Setting.key == key)).one()
    return value


def load_or_create_instance_id(session: Session) -> str:
    """This database's server instance id (32 hex digits), made on the first start."""
    return load_or_create_setting(session, INSTANCE_ID_SETTING, lambda: uuid.uuid4().hex)
