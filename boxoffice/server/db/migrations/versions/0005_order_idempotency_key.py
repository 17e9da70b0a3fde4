"""orders record the idempotency key of the request that made them

Revision ID: 0005_order_keys
Revises: 0004_accounts
Create Date: 2026-12-04 18:45:47

`order.idempotency_key` (NULL for every existing order and for orders made without a key),
unique per user: the retry of an order request whose answer was lost in a crash, after the
order's transaction committed, finds that order instead of making a second one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_order_keys"
down_revision: str | Sequence[str] | None = "0004_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            "uq_order_user_id_idempotency_key", ["user_id", "idempotency_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.drop_constraint("uq_order_user_id_idempotency_key", type_="unique")
        batch_op.drop_column("idempotency_key")
