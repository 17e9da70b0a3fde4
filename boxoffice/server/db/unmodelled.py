"""Database objects that the migrations make and the models do not describe.

The order search of migration 0010 differs by database (an FTS5 table and its triggers on
SQLite, trigram indexes on PostgreSQL), so it has no model. Comparisons of the migrated schema
with the models (`alembic revision --autogenerate`, tests/integration/test_migrations.py) leave
these out.
"""

from __future__ import annotations

PREFIXES = ("order_search", "ix_order_search_")


def is_modelled(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name` hook: False for the objects above."""
    return not (name or "").startswith(PREFIXES)
