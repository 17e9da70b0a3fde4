"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from boxoffice.server.db.base import Base
from boxoffice.server.db.engine import make_engine
from boxoffice.server.db.migrate import alembic_config, upgrade
from boxoffice.server.db.unmodelled import is_modelled
from tests.conftest import BOTH_DATABASES

pytestmark = pytest.mark.integration


@BOTH_DATABASES
def test_the_migrated_schema_is_the_models(database_url: str | None, tmp_path) -> None:
    engine = make_engine(database_url or f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": is_modelled}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], differences


def test_the_migrations_go_down_to_nothing_and_up_again(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}")
    config = alembic_config(engine)
    try:
        for target, step in (("head", command.upgrade), ("base", command.downgrade)):
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                step(config, target)
        upgrade(engine)
    finally:
        engine.dispose()
