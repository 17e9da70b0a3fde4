"""order search: indexes for finding orders by code, email, and part of a name or email

Revision ID: 0010_order_search
Revises: 0009_order_language
Create Date: 2026-12-05 03:00:00

`GET /event/v1/order?code=`, `email=` and `query=` without reading every order:

- `ix_order_code`: an order by its code, whatever its event;
- `ix_order_search_email`, `ix_order_search_billing_email`: for the case-insensitive exact
  email filter, on `email COLLATE NOCASE` on SQLite (its `lower()` folds ASCII only, as NOCASE
  does) and on `lower(email)` on PostgreSQL;
- `query=` (every word a substring of the code, a contact name or the email): on SQLite the
  FTS5 table `order_search` (trigram tokenizer), one row per order (rowid = order id) holding
  "code first last email", kept in step by triggers on `order` and `order_contact`; on
  PostgreSQL `pg_trgm` GIN indexes on `lower(code)` and on the contact's
  `lower(first_name || ' ' || last_name || ' ' || email)`. Existing orders are indexed here.

Only `ix_order_code` is in the models: the others differ by database (NOCASE, expression and
GIN indexes, an FTS5 table and its triggers), so the schema comparison (test_migrations)
leaves out names starting `order_search` / `ix_order_search_`.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_order_search"
down_revision: str | Sequence[str] | None = "0009_order_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the SQLite search row of an order says; `c` is its contact, or NULL.
_ROW = "o.code || coalesce(' ' || c.first_name || ' ' || c.last_name || ' ' || c.email, '')"
_REFRESH = (
    "INSERT OR REPLACE INTO order_search (rowid, text) SELECT o.id, "
    + _ROW
    + ' FROM "order" o LEFT JOIN order_contact c ON c.order_id = o.id WHERE o.id = {id};'
)
_SQLITE_TRIGGERS = {
    "order_search_order_insert": 'AFTER INSERT ON "order"',
    "order_search_order_code": 'AFTER UPDATE OF code ON "order"',
    "order_search_contact_insert": "AFTER INSERT ON order_contact",
    "order_search_contact_update": (
        "AFTER UPDATE OF first_name, last_name, email ON order_contact"
    ),
    "order_search_contact_delete": "AFTER DELETE ON order_contact",
}
_IDS = {
    "order_search_order_insert": "new.id",
    "order_search_order_code": "new.id",
    "order_search_contact_insert": "new.order_id",
    "order_search_contact_update": "new.order_id",
    "order_search_contact_delete": "old.order_id",
}
_PG_CONTACT = "lower(first_name || ' ' || last_name || ' ' || email)"


def upgrade() -> None:
    op.create_index("ix_order_code", "order", ["code"])
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def _upgrade_sqlite() -> None:
    for column in ("email", "billing_email"):
        op.execute(
            f"CREATE INDEX ix_order_search_{column} ON order_contact ({column} COLLATE NOCASE)"
        )
    op.execute(
        "CREATE VIRTUAL TABLE order_search USING fts5 (text, tokenize = 'trigram case_sensitive 0')"
    )
    for name, when in _SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {_REFRESH.format(id=_IDS[name])} END")
    op.execute(
        'CREATE TRIGGER order_search_order_delete AFTER DELETE ON "order"'
        " BEGIN DELETE FROM order_search WHERE rowid = old.id; END"
    )
    op.execute(
        "INSERT INTO order_search (rowid, text) SELECT o.id, "
        + _ROW
        + ' FROM "order" o LEFT JOIN order_contact c ON c.order_id = o.id'
    )


def _upgrade_postgresql() -> None:
    for column in ("email", "billing_email"):
        op.execute(f"CREATE INDEX ix_order_search_{column} ON order_contact (lower({column}))")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute('CREATE INDEX ix_order_search_code ON "order" USING gin (lower(code) gin_trgm_ops)')
    op.execute(
        "CREATE INDEX ix_order_search_contact ON order_contact"
        f" USING gin ({_PG_CONTACT} gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in [*_SQLITE_TRIGGERS, "order_search_order_delete"]:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE order_search")
    else:
        op.drop_index("ix_order_search_contact", table_name="order_contact")
        op.drop_index("ix_order_search_code", table_name="order")
    op.execute("DROP INDEX ix_order_search_email")
    op.execute("DROP INDEX ix_order_search_billing_email")
    op.drop_index("ix_order_code", table_name="order")
