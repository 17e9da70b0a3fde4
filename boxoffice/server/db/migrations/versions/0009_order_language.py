"""order language: the buyer's language, for the tickets and mails of the order

Revision ID: 0009_order_language
Revises: 0008_card_readers
Create Date: 2026-12-05 00:30:00

`order.language` ("en", "cs", "de"), "en" for the orders made before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_order_language"
down_revision: str | Sequence[str] | None = "0008_card_readers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD/DROP COLUMN, as 0007 does: a batch operation would copy "order" on SQLite, and
# dropping the old table cascades to its contacts and items.


def upgrade() -> None:
    op.add_column(
        "order", sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("order", "language")
