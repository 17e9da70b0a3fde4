"""Applies the Alembic migrations at start-up, without an alembic.ini.

A database already at the newest revision is recognised without Alembic: the revision ids of
the packaged scripts are read from their `revision = …` / `down_revision = …` lines, and
compared with the `alembic_version` table. Alembic (and Mako, and Pygments through it: about
150 ms of imports) is loaded only when there is something to migrate.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
POSTGRES_EXTENSIONS = ("pg_trgm", "btree_gin")
"""What the migrations create on PostgreSQL (0010, 0012: order search); both are trusted, so
a user with CREATE on the database may create them."""
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+)$", re.MULTILINE)


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revisions() -> frozenset[str] | None:
    """The head revision ids of the packaged migrations, read from the scripts' text; None if
    a script does not spell its revisions as plain literals (then Alembic must decide)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if not found:
            continue  # __init__.py
        try:
            revision = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found.get("down_revision", "None"))
        except (KeyError, ValueError, SyntaxError):
            return None
        downs = [down] if isinstance(down, str) else list(down or ())
        if not isinstance(revision, str) or not all(isinstance(d, str) for d in downs):
            return None
        revisions.add(revision)
        parents.update(downs)
    return frozenset(revisions - parents) or None


def stored_revisions(connection: Connection) -> frozenset[str]:
    """The revisions the database is at (empty for a new database)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def upgrade(engine: Engine) -> None:
    """Bring the database schema to the newest revision. Several servers starting at once
    call this under `db.locking.startup_lock` (`app.prepare_database`)."""
    heads = head_revisions()
    if heads is not None:
        with engine.connect() as connection:
            if stored_revisions(connection) == heads:
                return
    from alembic import command  # only when there is something to migrate

    config = alembic_config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # A migration may rewrite a big table: no statement timeout for it; and it waits
            # for the locks of running servers' transactions longer than a request would.
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
            connection.exec_driver_sql("SET LOCAL lock_timeout = '2min'")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
