"""idempotency claims record the process that made them

Revision ID: 0003_claims
Revises: 0002
Create Date: 2026-12-04 18:15:00

A claim (a keyed request still running) now names its server process, so that a retry after
a crash takes over a claim whose process is gone instead of waiting a day for it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_claims"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
