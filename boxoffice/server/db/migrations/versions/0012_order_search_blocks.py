"""order search blocks: PostgreSQL's contact search index also knows each order's block of ids

Revision ID: 0012_order_search_blocks
Revises: 0011_seat_indexes
Create Date: 2026-12-05 07:30:00

A text search first looks among the newest orders (`services/orders.py` `SEARCH_WINDOW`).
With the trigram index alone, PostgreSQL read every row a broad word might match, in the
whole table, and only then kept the newest: 15,000 rows for a part of a common surname over
a million orders, 100,000 for a common first name. `ix_order_search_contact` becomes a
two-column GIN index (`btree_gin`): the block of 1,000 order ids an order is in
(`order_id / 1000`), and the contact's lowercased "first last email" trigrams as before. A
search of the newest blocks is then one index scan that intersects both, and reads only the
rows in those blocks. A search of the whole table uses the second column alone, as it used
the old index.

SQLite is unchanged (its FTS5 search table is read newest first).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_order_search_blocks"
down_revision: str | Sequence[str] | None = "0011_seat_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONTACT = "lower(first_name || ' ' || last_name || ' ' || email) gin_trgm_ops"
_BLOCK = "(order_id / 1000)"  # services/orders.py SEARCH_BLOCK, spelled as the query does


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute("DROP INDEX ix_order_search_contact")
    op.execute(
        f"CREATE INDEX ix_order_search_contact ON order_contact USING gin ({_BLOCK}, {_CONTACT})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_order_search_contact")
    op.execute(f"CREATE INDEX ix_order_search_contact ON order_contact USING gin ({_CONTACT})")
