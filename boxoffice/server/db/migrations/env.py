"""Alembic environment: runs migrations on the connection handed over by `migrate.upgrade`."""

from __future__ import annotations

from alembic import context

from boxoffice.server.db import models  # noqa: F401  (registers every table)
from boxoffice.server.db.base import Base
from boxoffice.server.db.unmodelled import is_modelled

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=is_modelled,  # the order search objects of 0010 have no model
)
with context.begin_transaction():
    context.run_migrations()
